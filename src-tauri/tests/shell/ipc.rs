//! Commands and their errors as the UI receives them: `{code, message, path, text}`, never a string.

use serde_json::json;

use crate::support::TestApp;

#[test]
fn numbers_can_be_added_renamed_listed_and_removed_over_ipc() {
    let app = TestApp::start();
    let added = app.ok("numbers_add", json!({ "name": "Shop 🛍️" }));
    assert_eq!(added["name"], "Shop 🛍️");
    assert_eq!(added["linkState"], "unlinked");
    let id = added["id"].as_i64().unwrap();

    let renamed = app.ok("numbers_rename", json!({ "id": id, "name": "متجر" }));
    assert_eq!(renamed["name"], "متجر");
    assert_eq!(app.ok("numbers_list", json!({}))[0]["name"], "متجر");

    assert_eq!(app.ok("numbers_remove", json!({ "id": id })), json!(null));
    assert_eq!(app.ok("numbers_list", json!({})), json!([]));
    let log = app.ok("activity_list", json!({ "limit": 10 }));
    assert_eq!(
        log.as_array().unwrap().len(),
        3,
        "add, rename and remove are each logged"
    );
}

#[test]
fn each_error_kind_crosses_ipc_as_its_code_and_a_message() {
    let app = TestApp::start();
    app.ok("numbers_add", json!({ "name": "Shop" }));

    let cases = [
        (
            "numbers_add",
            json!({ "name": "  " }),
            "invalid_input",
            "number.name_empty",
        ),
        (
            "numbers_add",
            json!({ "name": "shop" }),
            "conflict",
            "number.name_taken",
        ),
        (
            "numbers_rename",
            json!({ "id": 999, "name": "X" }),
            "not_found",
            "number.gone",
        ),
        (
            "numbers_remove",
            json!({ "id": 999 }),
            "not_found",
            "number.gone",
        ),
    ];
    for (command, args, code, key) in cases {
        let e = app.err(command, args.clone());
        assert_eq!(e["code"], code, "{command}({args}) → {e}");
        let message = e["message"].as_str().unwrap_or_default();
        assert!(message.len() > 10, "an error must explain itself: {e}");
        assert_eq!(e["path"], json!(null));
        // The same sentence by key and values, for the window to say in the owner's language.
        assert_eq!(e["text"]["key"], key, "{e}");
        assert_eq!(e["text"]["english"], message, "{e}");
    }
    let taken = app.err("numbers_add", json!({ "name": "shop" }));
    assert_eq!(taken["text"]["args"], json!({ "name": "shop" }));
}

#[test]
fn arguments_of_the_wrong_shape_are_refused_without_harm() {
    let app = TestApp::start();
    for (command, args) in [
        ("numbers_add", json!({})),
        ("numbers_add", json!({ "name": 42 })),
        ("numbers_rename", json!({ "id": "one", "name": "X" })),
        ("settings_set", json!({ "settings": { "theme": "purple" } })),
    ] {
        assert!(
            app.call(command, args.clone()).is_err(),
            "{command}({args}) must be refused"
        );
    }
    assert_eq!(
        app.ok("numbers_list", json!({})),
        json!([]),
        "refused calls change nothing"
    );
}

#[test]
fn settings_round_trip_over_ipc() {
    let app = TestApp::start();
    assert_eq!(
        app.ok("settings_get", json!({})),
        json!({ "theme": "system", "browserPath": null, "whatsappUrl": null, "language": null, "detailedLogsUntil": null, "aiSpendPerHourMicros": null, "mediaKeepDays": null, "voice": { "by": "off" } })
    );
    app.ok(
        "settings_set",
        // How notes are heard changes only through speech_model_use (which loads the
        // model) and speech_use_provider (which checks the provider).
        json!({ "settings": { "theme": "dark", "language": "ar", "mediaKeepDays": 30, "voice": { "by": "computer", "model": "whisper-tiny.en" } } }),
    );
    assert_eq!(
        app.ok("settings_get", json!({})),
        json!({ "theme": "dark", "browserPath": null, "whatsappUrl": null, "language": "ar", "detailedLogsUntil": null, "aiSpendPerHourMicros": null, "mediaKeepDays": 30, "voice": { "by": "off" } })
    );
    // A provider that isn't set up (or can't hear) is refused in plain words.
    let refused = app.err("speech_use_provider", json!({ "provider": "anthropic" }));
    assert_eq!(refused["code"], "invalid_input");
    assert_eq!(refused["text"]["key"], "voice.provider_cant_hear");
    assert_eq!(
        app.ok("settings_get", json!({}))["voice"],
        json!({ "by": "off" })
    );

    // A browser that doesn't exist is refused in plain words, and nothing changes.
    let refused = app
        .call(
            "settings_set",
            json!({ "settings": { "theme": "light", "browserPath": "/nonexistent/chrome" } }),
        )
        .unwrap_err();
    assert_eq!(refused["code"], "invalid_input");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/chrome")
    );
    assert_eq!(app.ok("settings_get", json!({}))["theme"], "dark");

    // The browser in use follows the setting: a real program, named as a Chromium (the
    // only ones Settings take), is used as chosen.
    let folder = tempfile::tempdir().unwrap();
    let program = folder.path().join("chromium");
    std::fs::copy(std::env::current_exe().unwrap(), &program).unwrap();
    app.ok(
        "settings_set",
        json!({ "settings": { "theme": "dark", "browserPath": program } }),
    );
    let in_use = app.ok("settings_browser", json!({}));
    assert_eq!(in_use["path"], json!(program.display().to_string()));
    assert_eq!(in_use["problem"], json!(null));
}

#[test]
fn a_damaged_database_is_reported_with_its_path_and_can_be_retried_after_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    let garbage = "not a database ".repeat(500);
    std::fs::write(&db, &garbage).unwrap();

    let app = TestApp::start_in(dir);
    let status = app.ok("app_status", json!({}));
    assert_eq!(status["ready"], false);
    assert_eq!(status["error"]["code"], "storage");
    assert_eq!(
        status["error"]["path"],
        db.display().to_string(),
        "the owner must see which file"
    );
    assert_eq!(status["databasePath"], db.display().to_string());

    let e = app.err("numbers_list", json!({}));
    assert_eq!(
        e["code"], "storage",
        "every command says why the app can't work: {e}"
    );
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        garbage,
        "the damaged file must be kept as it was"
    );

    // The owner moves the file away, as the message suggests, and clicks "Try again".
    std::fs::rename(&db, app.dir.path().join("leadline.damaged")).unwrap();
    let status = app.ok("app_retry_open", json!({}));
    assert_eq!(status["ready"], true, "{status}");
    app.ok("numbers_add", json!({ "name": "Shop" }));
}

#[test]
fn data_survives_an_app_restart() {
    let app = TestApp::start();
    app.ok("numbers_add", json!({ "name": "Shop" }));
    let app = app.restart();
    assert_eq!(
        app.ok("numbers_list", json!({}))[0]["name"],
        "Shop",
        "numbers must outlive a restart"
    );
}

#[test]
fn a_numbers_bot_settings_round_trip_and_bad_ones_are_refused() {
    let app = TestApp::start();
    let number = app.ok("numbers_add", json!({ "name": "Shop" }));
    let id = number["id"].clone();
    let start = app.ok("number_bot_get", json!({ "id": id }));
    assert_eq!(
        start["schedule"],
        json!(null),
        "a new number answers any time"
    );
    assert_eq!(start["behaviour"]["takeoverMinutes"], 720);

    let mut bot = start.clone();
    bot["schedule"] = json!({
        "zone": "Europe/Madrid",
        "periods": [{ "weekday": 5, "start": "22:00", "end": "02:00" }],
        "holidays": ["2026-12-25"],
        "closures": []
    });
    bot["quickReplies"] =
        json!([{ "kind": "keyword", "pattern": "precio", "reply": "Desde 10 €", "enabled": true }]);
    bot["behaviour"]["outsideHours"] = json!("silent");
    let saved = app.ok("number_bot_set", json!({ "id": id, "bot": bot }));
    assert_eq!(saved, app.ok("number_bot_get", json!({ "id": id })));
    assert_eq!(saved["quickReplies"][0]["reply"], "Desde 10 €");

    for (path, bad, words) in [
        ("/schedule/zone", json!("Mars/Olympus"), "time zone"),
        ("/schedule/periods/0/start", json!("9am"), "time of day"),
        (
            "/quickReplies/0/pattern",
            json!("(unclosed"),
            "Quick reply 1",
        ),
        ("/behaviour/debounceSeconds", json!(999), "at most"),
    ] {
        let mut wrong = saved.clone();
        *wrong.pointer_mut(path).unwrap() = bad;
        if path.starts_with("/quickReplies") {
            wrong["quickReplies"][0]["kind"] = json!("regex");
        }
        let refused = app
            .call("number_bot_set", json!({ "id": id, "bot": wrong }))
            .unwrap_err();
        assert_eq!(refused["code"], "invalid_input", "{path}");
        assert!(
            refused["message"].as_str().unwrap().contains(words),
            "{path}: {refused}"
        );
    }
    assert_eq!(
        app.ok("number_bot_get", json!({ "id": id })),
        saved,
        "nothing changed"
    );
}

#[test]
fn the_workspace_answers_over_ipc_and_refuses_bad_requests_plainly() {
    let app = TestApp::start();
    let page = app.ok(
        "leads_page",
        json!({ "request": { "filter": { "search": "ana" }, "offset": 0, "limit": 50 } }),
    );
    assert_eq!(page, json!({ "total": 0, "offset": 0, "rows": [] }));
    let bad_stage = app
        .call(
            "leads_page",
            json!({ "request": { "filter": { "stages": ["hot"] }, "offset": 0, "limit": 50 } }),
        )
        .unwrap_err();
    assert_eq!(bad_stage["code"], "invalid_input");
    assert_eq!(
        app.call("lead_get", json!({ "id": 7 })).unwrap_err()["code"],
        "not_found"
    );
    assert_eq!(
        app.call("chat_pause", json!({ "id": 7, "minutes": 60 }))
            .unwrap_err()["code"],
        "not_found"
    );
    assert_eq!(app.ok("chats_list", json!({ "request": {} })), json!([]));
    let home = app.ok("home_figures", json!({}));
    assert_eq!(home["week"]["newLeads"], 0);
    assert_eq!(home["today"]["medianResponseMs"], json!(null));
    let log = app.ok(
        "activity_list",
        json!({ "limit": 10, "group": "webhooks", "numberId": null, "beforeId": null }),
    );
    assert_eq!(log, json!([]));

    // An export of nothing is still a file with the header, in the exports folder.
    let export = app.ok(
        "leads_export",
        json!({ "request": {}, "onProgress": "__CHANNEL__:1" }),
    );
    assert_eq!(export["rows"], 0);
    let path = std::path::PathBuf::from(export["path"].as_str().unwrap());
    assert!(path.starts_with(app.dir.path().join("exports")), "{path:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("\u{feff}Name,Phone,"), "{text}");
}

#[test]
fn a_backup_lands_in_the_exports_folder_and_remove_all_data_needs_its_confirmation() {
    use leadline_core::secrets::Keychain;

    let app = TestApp::start();
    app.ok("numbers_add", json!({ "name": "Shop" }));
    let saved = app.ok(
        "ai_provider_save",
        json!({ "provider": { "id": null, "preset": "custom", "baseUrl": "http://127.0.0.1:9/v1", "defaultModel": "m", "key": "sk-test-0000-4242", "makeDefault": true } }),
    );
    let provider = saved["id"].as_str().unwrap().to_string();

    let backup = app.ok("app_backup", json!({}));
    let path = std::path::PathBuf::from(backup["path"].as_str().unwrap());
    assert!(path.starts_with(app.dir.path().join("exports")), "{path:?}");
    assert!(backup["bytes"].as_u64().unwrap() > 0);
    let copy = leadline_core::store::database::Store::open(&path).unwrap();
    let numbers = copy
        .call_blocking(|conn| Ok(leadline_core::store::accounts::list(conn)?))
        .unwrap();
    assert_eq!(numbers[0].name, "Shop", "the backup holds the data");
    drop(copy);

    // Without the confirmation nothing is removed.
    let refused = app.err("app_remove_data", json!({ "confirm": "yes" }));
    assert_eq!(refused["code"], "invalid_input");
    assert!(app.dir.path().join("leadline.db").exists());
    assert!(app.keychain.get(&provider).unwrap().is_some());

    std::fs::create_dir_all(app.dir.path().join("profiles/1")).unwrap();
    let removed = app.ok("app_remove_data", json!({ "confirm": "remove-all-data" }));
    assert_eq!(removed["keysLeft"], json!(null));
    assert_eq!(removed["closing"], false, "the tests' app never exits");
    assert!(
        !app.dir.path().join("leadline.db").exists(),
        "the database is gone"
    );
    assert!(!app.dir.path().join("leadline.db-wal").exists());
    assert!(
        !app.dir.path().join("profiles").exists(),
        "the numbers' links are gone"
    );
    assert!(
        app.keychain.get(&provider).unwrap().is_none(),
        "the API key is gone from the keychain"
    );
    assert!(
        path.exists(),
        "backups and exports are the owner's files and stay"
    );

    // Opening a folder is for the real app on a desktop; here it says where the logs are.
    let e = app.err("app_open_logs", json!({}));
    assert_eq!(e["code"], "unavailable");
    assert!(e["message"].as_str().unwrap().contains("logs"), "{e}");
}

/// An address book crosses IPC as its raw bytes (a UTF-16 file arrives as it was written),
/// the number in the header; a request without a file or its number is refused plainly.
#[test]
fn an_address_book_crosses_ipc_as_its_bytes() {
    let app = TestApp::start();
    let number = app.ok("numbers_add", json!({ "name": "Shop" }));
    let id = number["id"].clone();
    let book = "Name,Mobile Phone\r\nJosé Muñoz,+34 600 111 222\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(book.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let report = app
        .call_with_file("contacts_import", json!({ "id": id }), utf16)
        .unwrap();
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["knownTotal"], 1);

    let no_file = app.err("contacts_import", json!({ "id": id }));
    assert_eq!(no_file["code"], "invalid_input", "{no_file}");
    assert!(
        no_file["message"]
            .as_str()
            .unwrap_or_default()
            .contains("No address book file"),
        "{no_file}"
    );
    let no_number = app
        .call_with_file("contacts_import", json!({}), b"x".to_vec())
        .unwrap_err();
    assert_eq!(no_number["code"], "invalid_input", "{no_number}");
}
