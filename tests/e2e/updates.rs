//! Signed updates in the built app: a release server on loopback offers version 9.9.9. With
//! a signature that does not match the bundle (tampered), the window says why and the app
//! stays exactly as it was, still running. With the right signature it downloads with a
//! progress bar, installs over the running copy, and "Restart to update" starts the new
//! version.

use std::time::Duration;

use leadline_tests::fakes::update_server::{SigningKey, UpdateServer};
use leadline_tests::{Driver, app_binary, click, eventually, text_of};

use crate::go_to;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn a_tampered_update_is_refused_and_a_signed_one_installs_and_restarts() {
    let folder = tempfile::tempdir().expect("a temp folder");
    // The app runs from a copy: the update replaces the binary it runs from.
    let installed = folder.path().join("app/leadline");
    std::fs::create_dir_all(installed.parent().expect("a folder")).expect("the app folder");
    std::fs::copy(app_binary(), &installed).expect("the app is copied");
    let original = std::fs::read(&installed).expect("the copy reads");

    // The "new version": a small program that says it ran.
    let new_version = std::path::PathBuf::from(env!("CARGO_BIN_EXE_leadline-updated"));
    let bundle = std::fs::read(&new_version).expect("the new version reads");
    let key = SigningKey::generate();
    let good = key.sign(&new_version);
    let other = folder.path().join("other-bytes");
    std::fs::write(&other, b"not the bundle that is served").expect("other bytes");
    let tampered = key.sign(&other);
    let server = UpdateServer::start("9.9.9", bundle.clone(), tampered).await;

    let marker = folder.path().join("updated.txt");
    let url = server.url();
    let marker_text = marker.display().to_string();
    let env = [
        ("LEADLINE_UPDATE_URL", url.as_str()),
        ("LEADLINE_UPDATE_PUBKEY", key.public.as_str()),
        ("LEADLINE_UPDATED_MARKER", marker_text.as_str()),
    ];
    let data_dir = folder.path().join("data");
    let driver = Driver::start_with(&data_dir, &env);
    let client = driver.open_app_at(&installed).await;

    // The check at start finds it and says so outside Settings.
    let banner = text_of(&client, "[data-testid='update-banner']").await;
    assert!(banner.contains("Leadline 9.9.9 is available"), "{banner}");
    go_to(&client, "settings", "Settings").await;
    let offer = text_of(&client, "[data-testid='update-available']").await;
    assert!(offer.contains("9.9.9"), "{offer}");

    // Tampered: refused with the reason, nothing replaced, the app keeps working.
    click(&client, "[data-testid='update-install']").await;
    let refused = text_of(&client, "[data-testid='update-error']").await;
    assert!(
        refused.contains("signature does not match")
            && refused.contains("current version keeps running"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read(&installed).expect("the app reads"),
        original,
        "the running version is untouched"
    );
    go_to(&client, "home", "Home").await;
    go_to(&client, "settings", "Settings").await;

    // Signed right: downloads with progress, installs, restarts into the new version.
    server.set_signature(good);
    click(&client, "[data-testid='update-check']").await;
    text_of(&client, "[data-testid='update-available']").await;
    click(&client, "[data-testid='update-install']").await;
    let installed_text = text_of(&client, "[data-testid='update-installed']").await;
    assert!(
        installed_text.contains("update is installed"),
        "{installed_text}"
    );
    assert_eq!(
        std::fs::read(&installed).expect("the app reads"),
        bundle,
        "the new version is in place"
    );
    assert!(
        !marker.exists(),
        "nothing restarts before the owner says so"
    );
    // The app ends while the click is answered, so the click's own answer may be lost.
    let _ = client
        .execute(
            "setTimeout(() => document.querySelector(\"[data-testid='update-restart']\").click(), 0);",
            vec![],
        )
        .await;
    eventually("the new version starts", true, || async { marker.exists() }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let ran = std::fs::read_to_string(&marker).expect("the marker reads");
    assert!(ran.starts_with("updated"), "{ran}");
    drop(client);
    drop(driver);
}

/// Offline (the update server refuses the connection): the check at start is one info line
/// in the log and nothing in the window; Settings says no check has reached the server yet,
/// and a check by hand says so in plain words, with no browser or network error code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn offline_the_update_check_is_quiet_and_settings_says_when_it_last_checked() {
    let folder = tempfile::tempdir().expect("a temp folder");
    // A port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/latest.json");
    let data_dir = folder.path().join("data");
    let driver = Driver::start_with(&data_dir, &[("LEADLINE_UPDATE_URL", url.as_str())]);
    let client = driver.open_app().await;
    go_to(&client, "settings", "Settings").await;
    let last = text_of(&client, "[data-testid='update-last-checked']").await;
    assert!(last.contains("Not checked yet"), "{last}");
    // The quiet check at start has ended (its line is in the log) and shows nothing.
    let logs = data_dir.join("logs");
    eventually("the start-up check logged", true, || async {
        leadline_tests::log_text(&logs).contains("could not check for updates")
    })
    .await;
    assert!(
        client
            .find(fantoccini::Locator::Css("[data-testid='update-error']"))
            .await
            .is_err(),
        "the start-up check shows nothing"
    );

    click(&client, "[data-testid='update-check']").await;
    let said = text_of(&client, "[data-testid='update-error']").await;
    assert!(
        said.contains("can't reach its update server")
            && said.contains("internet connection")
            && !said.contains("error")
            && !said.contains(&port.to_string()),
        "{said}"
    );
    let log = leadline_tests::log_text(&logs);
    let update_lines: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("for updates") || l.contains("update failed") || l.contains("updater")
        })
        .collect();
    assert!(
        update_lines
            .iter()
            .all(|l| !l.contains("ERROR") && !l.contains("WARN")),
        "an update server out of reach is no error: {update_lines:?}"
    );
    assert_eq!(
        log.matches("could not check for updates").count(),
        2,
        "one line per check: {update_lines:?}"
    );
    drop(client);
    drop(driver);
}
