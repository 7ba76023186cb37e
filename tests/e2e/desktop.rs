//! Leadline as a desktop app: the tray icon tells how the numbers are doing and its menu
//! pauses every bot and quits; closing the window leaves the bots answering; a second
//! launch brings the running app forward; start at login is a switch in Settings; Quit
//! stops every WhatsApp browser.

use std::time::{Duration, Instant};

use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::process;
use leadline_tests::desktop::{self, TrayMenu};
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::{Driver, UI_DEADLINE, app_binary, click, eventually, text_of};

use crate::go_to;

/// `observe` until it gives `Some`, or fail saying `what`.
async fn until_some<T>(what: &str, mut observe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + UI_DEADLINE;
    loop {
        if let Some(found) = observe() {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn labels(tray: &TrayMenu) -> Vec<String> {
    tray.items().into_iter().map(|item| item.label).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn the_tray_pauses_and_quits_closing_keeps_it_running_and_a_second_launch_shows_it() {
    let fake = FakeWhatsApp::start(Timings {
        first_ref_ms: 120_000,
        ..Timings::default()
    })
    .await;
    let folder = tempfile::tempdir().expect("a temp folder");
    let data_dir = folder.path().join("data");
    let home = folder.path().join("home");
    std::fs::create_dir_all(&home).expect("a home folder");
    // A number linked when the app last ran: it reconnects by itself at start.
    {
        let store = Store::open(&data_dir.join("leadline.db")).expect("the database opens");
        let core = Leadline::new(
            store,
            std::sync::Arc::new(|_| {}),
            std::sync::Arc::new(SystemClock),
        );
        let shop = core.add_number("Shop").await.expect("a number");
        leadline_core::numbers::linking::state_changed(
            &core,
            shop.id,
            AccountState::Working {
                me: "15550001111@c.us".into(),
            },
        )
        .await
        .expect("linked");
    }
    let url = fake.url();
    let home_text = home.display().to_string();
    let env = [
        ("LEADLINE_WA_URL", url.as_str()),
        ("HOME", home_text.as_str()),
    ];
    let driver = Driver::start_with(&data_dir, &env);
    let client = driver.open_app().await;
    let app = until_some("the app runs under the driver", || {
        desktop::app_pid_under(driver.pid(), &app_binary())
    })
    .await;
    let tray = until_some("the app shows a tray icon", || TrayMenu::of(app)).await;

    // The tray tells how the numbers are doing: all well once linked, one needing
    // attention when WhatsApp is open elsewhere.
    fake.wait_for("a QR on the page", UI_DEADLINE, |r| r.qr.is_some())
        .await;
    fake.scan("15550001111@c.us");
    eventually(
        "the tray says every number works",
        Some("All numbers working".to_string()),
        || async { labels(&tray).first().cloned() },
    )
    .await;
    fake.set_state("CONFLICT");
    eventually(
        "the tray says a number needs attention",
        Some("One number needs attention".to_string()),
        || async { labels(&tray).first().cloned() },
    )
    .await;
    assert!(!tray.items()[0].enabled, "the state line is not a button");

    // "Pause all bots" from the tray: the window says so at once, and Resume in the window
    // changes the tray back.
    tray.click("Pause all bots");
    let banner = text_of(&client, "[data-testid='bots-paused']").await;
    assert!(
        banner.contains("nobody gets an automatic answer"),
        "{banner}"
    );
    eventually("the tray offers to resume", true, || async {
        let shown = labels(&tray);
        shown.contains(&"Resume all bots".to_string()) && shown[0].ends_with("· Bots paused")
    })
    .await;
    click(&client, "[data-testid='bots-resume']").await;
    eventually("the tray offers to pause again", true, || async {
        labels(&tray).contains(&"Pause all bots".to_string())
    })
    .await;

    // Start at login: off by default; on writes the desktop's autostart entry (starting in
    // the background), off removes it.
    go_to(&client, "settings", "Settings").await;
    let entry = home.join(".config/autostart/Leadline.desktop");
    let switch = "[data-testid='autostart']";
    eventually(
        "start at login is off by default",
        Some("false".to_string()),
        || async {
            client
                .execute(
                    &format!("return String(document.querySelector(\"{switch}\")?.checked);"),
                    vec![],
                )
                .await
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
        },
    )
    .await;
    assert!(!entry.exists());
    click(&client, switch).await;
    eventually("the autostart entry is written", true, || async {
        entry.is_file()
    })
    .await;
    let written = std::fs::read_to_string(&entry).expect("the entry reads");
    assert!(
        written.contains("--background"),
        "it starts in the background: {written}"
    );
    click(&client, switch).await;
    eventually("the autostart entry is removed", false, || async {
        entry.exists()
    })
    .await;

    // A backup while the number's browser runs: saved in the exports folder, and it opens.
    click(&client, "[data-testid='backup']").await;
    let done = text_of(&client, "[data-testid='backup-done'] code").await;
    assert!(done.contains("leadline-backup-"), "{done}");
    let copy = leadline_core::store::database::Store::open(std::path::Path::new(&done))
        .expect("the backup opens");
    let names = copy
        .call_blocking(|conn| Ok(leadline_core::store::accounts::list(conn)?))
        .expect("the backup holds the numbers")
        .into_iter()
        .filter(|number| number.name == "Shop")
        .count();
    assert_eq!(names, 1);

    // Closing the window (the title bar's ✕) closes it, webview and all; the app and the
    // number's browser keep running.
    let window = until_some("the app's window is on the display", || {
        desktop::window_of(app, "Leadline")
    })
    .await;
    assert!(desktop::is_shown(window));
    desktop::request_close(window);
    eventually("the window is closed", None, || async {
        desktop::window_of(app, "Leadline")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        std::path::Path::new(&format!("/proc/{app}")).exists(),
        "Leadline keeps running"
    );
    let profiles = data_dir.join("profiles");
    assert!(
        process::any_using_profile(&profiles),
        "the number's browser keeps running"
    );

    // Launching Leadline again brings the running one forward and ends at once.
    let started = Instant::now();
    let second = std::process::Command::new(app_binary())
        .env("LEADLINE_DATA_DIR", &data_dir)
        .env("LEADLINE_WA_URL", &url)
        .env("HOME", &home)
        .status()
        .expect("a second launch runs");
    assert!(second.success(), "the second launch ends quietly: {second}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "and quickly: {:?}",
        started.elapsed()
    );
    let window = until_some("the running Leadline opens its window again", || {
        desktop::window_of(app, "Leadline").filter(|w| desktop::is_shown(*w))
    })
    .await;
    assert!(desktop::is_shown(window));

    // Quit from the tray stops every WhatsApp browser, then the app.
    tray.click("Quit Leadline");
    eventually("the app exits", false, || async {
        std::path::Path::new(&format!("/proc/{app}/exe")).exists()
    })
    .await;
    assert!(
        !process::any_using_profile(&profiles),
        "no WhatsApp browser outlives Quit"
    );
    drop(client);
    drop(driver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn remove_all_data_asks_first_then_deletes_everything_and_closes() {
    let folder = tempfile::tempdir().expect("a temp folder");
    let data_dir = folder.path().join("data");
    {
        let store = Store::open(&data_dir.join("leadline.db")).expect("the database opens");
        let core = Leadline::new(
            store,
            std::sync::Arc::new(|_| {}),
            std::sync::Arc::new(SystemClock),
        );
        core.add_number("Shop").await.expect("a number");
    }
    std::fs::create_dir_all(data_dir.join("profiles/1")).expect("a profile");
    let driver = Driver::start(&data_dir);
    let client = driver.open_app().await;
    let app = until_some("the app runs under the driver", || {
        desktop::app_pid_under(driver.pid(), &app_binary())
    })
    .await;
    go_to(&client, "settings", "Settings").await;

    // Cancel keeps everything.
    click(&client, "[data-testid='remove-data']").await;
    let question = text_of(&client, "[data-testid='remove-data-dialog'] h2").await;
    assert_eq!(question, "Remove everything Leadline keeps?");
    client
        .execute("document.querySelector(\"[data-testid='remove-data-dialog'] button.secondary\").click();", vec![])
        .await
        .expect("cancel");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        data_dir.join("leadline.db").exists(),
        "cancelling removes nothing"
    );

    click(&client, "[data-testid='remove-data']").await;
    click(
        &client,
        "[data-testid='remove-data-dialog'] [data-testid='confirm-button']",
    )
    .await;
    let said = text_of(&client, "[data-testid='data-removed']").await;
    assert!(said.contains("Leadline is closing"), "{said}");
    eventually("the app closes by itself", false, || async {
        std::path::Path::new(&format!("/proc/{app}/exe")).exists()
    })
    .await;
    assert!(
        !data_dir.join("leadline.db").exists(),
        "the database is gone"
    );
    assert!(
        !data_dir.join("profiles").exists(),
        "the numbers' links are gone"
    );
    assert!(!data_dir.join("logs").exists(), "the logs are gone");
    drop(client);
    drop(driver);
}
