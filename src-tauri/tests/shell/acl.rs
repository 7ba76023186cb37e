//! Least privilege: the window may call Leadline's commands and nothing it wasn't granted.

use leadline_lib::commands::registry::NAMES;
use serde_json::json;

use crate::support::TestApp;

#[test]
fn every_command_is_granted_to_the_main_window() {
    let capability: serde_json::Value =
        serde_json::from_str(include_str!("../../capabilities/main.json")).unwrap();
    let granted: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    for name in NAMES {
        let permission = format!("allow-{}", name.replace('_', "-"));
        assert!(
            granted.contains(&permission.as_str()),
            "{name} needs {permission} in capabilities/main.json"
        );
    }
}

#[test]
fn every_command_in_the_bindings_is_reachable_with_its_declared_arguments() {
    let app = TestApp::start();
    let cfg = ts_rs::Config::new().with_large_int("number");
    let signatures = leadline_lib::commands::registry::signatures(&cfg);
    let declared: Vec<&str> = signatures.iter().map(|s| s.name).collect();
    assert_eq!(
        declared, NAMES,
        "the bindings must describe exactly the registered commands"
    );
    for signature in signatures {
        let file = signature
            .args
            .iter()
            .any(|(_, ty)| ty == "Uint8Array")
            .then(|| b"BEGIN:VCARD\nFN:Ana\nTEL:+34 600 111 222\nEND:VCARD\n".to_vec());
        let args: serde_json::Map<String, serde_json::Value> = signature
            .args
            .iter()
            .filter(|(_, ty)| ty != "Uint8Array")
            .map(|(name, ty)| {
                let sample = match ty.as_str() {
                    "number" => json!(1),
                    "string" => json!("Sample"),
                    "AppSettings" => json!({ "theme": "light" }),
                    // No key: this test must never write to a real keychain.
                    "ProviderInput" => json!({
                        "id": null, "preset": "ollama", "baseUrl": "http://127.0.0.1:9/v1",
                        "defaultModel": null, "key": null, "makeDefault": false
                    }),
                    "{ [key in string]: Price }" => json!({ "sample-model": { "inputMicrosPerMtok": 1, "outputMicrosPerMtok": 2 } }),
                    "NumberAi" => json!({
                        "prompt": "p", "facts": "", "fields": [], "criteria": "",
                        "provider": null, "model": null
                    }),
                    "string | null" | "number | null" | "ActivityGroup | null" => json!(null),
                    "boolean" => json!(false),
                    "LeadPageRequest" => json!({ "offset": 0, "limit": 10 }),
                    "LeadEdit" => json!({ "notes": "n" }),
                    "LeadExportRequest" | "ChatListRequest" => json!({}),
                    "NumberBot" => json!({
                        "behaviour": {}, "schedule": null, "quickReplies": []
                    }),
                    "Array<PlaygroundMessage>" => json!([{ "fromBusiness": false, "text": "hola" }]),
                    "FirstStepsChoice" => json!({ "later": ["hours"], "hidden": false }),
                    // What the JS Channel class sends: a handle to a callback in the page.
                    "Channel<LinkEvent>" | "Channel<UpdateProgress>" | "Channel<ExportProgress>" => {
                        json!("__CHANNEL__:1")
                    }
                    other => panic!("add a sample value for argument type {other}"),
                };
                (name.to_string(), sample)
            })
            .collect();
        let args = serde_json::Value::Object(args);
        let called = match file {
            Some(file) => app.call_with_file(signature.name, args, file),
            None => app.call(signature.name, args),
        };
        if let Err(e) = called {
            // A domain error (e.g. not_found for id 1) proves the call got through with
            // the declared arguments; anything else means the bindings are wrong.
            assert!(
                e.get("code").is_some(),
                "{} is not callable as declared: {e}",
                signature.name
            );
        }
    }
}

#[test]
fn plugin_commands_not_granted_are_refused() {
    let app = TestApp::start();
    for command in [
        "plugin:notification|notify",
        "plugin:updater|check",
        "plugin:fs|read_file",
    ] {
        let e = app.err(command, json!({}));
        let refusal = e.as_str().unwrap_or_default();
        assert!(
            refusal.contains("not allowed"),
            "{command} must be refused by the ACL: {e}"
        );
    }
}
