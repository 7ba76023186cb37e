//! An API key goes in through IPC once and never comes out: not in any command's answer
//! (success or error), the database files, or the log files.

use serde_json::json;

use crate::support::TestApp;

const KEY: &str = "sk-shell-NEVER-OUT-0123456789abcdefghij-4242";

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn no_ipc_answer_database_or_log_file_holds_an_api_key() {
    let app = TestApp::start();
    let mut answers: Vec<String> = Vec::new();
    let mut record = |result: Result<serde_json::Value, serde_json::Value>| {
        let text = match &result {
            Ok(v) | Err(v) => v.to_string(),
        };
        answers.push(text);
        result
    };

    // A server that refuses connections: every AI call fails, and its error is scanned too.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/v1",
        closed.local_addr().unwrap().port()
    );
    drop(closed);
    let saved = record(app.call(
        "ai_provider_save",
        json!({ "provider": { "id": null, "preset": "custom", "baseUrl": url, "defaultModel": "m", "key": KEY, "makeDefault": true } }),
    ))
    .unwrap();
    assert_eq!(saved["key"], json!({ "state": "set", "last4": "4242" }));
    let id = saved["id"].as_str().unwrap().to_string();
    record(app.call(
        "ai_provider_save",
        json!({ "provider": { "id": id, "preset": "custom", "baseUrl": url, "defaultModel": "m2", "key": KEY, "makeDefault": true } }),
    ))
    .unwrap();
    record(app.call("ai_providers", json!({}))).unwrap();
    assert!(record(app.call("ai_provider_test", json!({ "id": id }))).is_err());

    let number = record(app.call("numbers_add", json!({ "name": "Shop" }))).unwrap();
    let number_id = number["id"].as_i64().unwrap();
    record(app.call(
        "number_ai_set",
        json!({ "id": number_id, "ai": { "prompt": "Sell things", "facts": "", "fields": [], "criteria": "", "provider": null, "model": null } }),
    ))
    .unwrap();
    record(app.call("number_ai_get", json!({ "id": number_id }))).unwrap();
    assert!(
        record(app.call(
            "playground_turn",
            json!({ "id": number_id, "conversation": [{ "fromBusiness": false, "text": "hola" }] })
        ))
        .is_err()
    );
    for command in [
        "settings_get",
        "activity_list",
        "numbers_list",
        "app_status",
        "ai_prices",
        "ai_presets",
    ] {
        let args = if command == "activity_list" {
            json!({ "limit": 100 })
        } else {
            json!({})
        };
        record(app.call(command, args)).unwrap();
    }

    for answer in &answers {
        assert!(
            !answer.contains("NEVER-OUT"),
            "an IPC answer holds the key: {answer}"
        );
    }
    assert!(answers.len() >= 13);
    for file in files_under(app.dir.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let leaked = bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes());
        assert!(!leaked, "{} holds the key", file.display());
    }
}
