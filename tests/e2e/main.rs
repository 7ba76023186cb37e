//! End to end: the built app in a real window (Xvfb) and a real webview (WebKitGTK), driven
//! through tauri-driver. Needs a display and a session bus, which `scripts/test.sh` provides;
//! hence `#[ignore]` for a plain `cargo test`.

// Tests may panic on what they set up themselves; that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assistant;
mod bot;
mod desktop;
mod errors;
mod layout;
mod local_ai;
mod passkey;
mod updates;
mod voice;
mod workspace;

use fantoccini::{Client, Locator};
use leadline_tests::{Driver, click, eventually, screenshot_screen, text_of, texts};

/// `--bg` of the dark theme in ui/src/app.css (#0f1419).
const DARK_BG: &str = "rgb(15, 20, 25)";

pub(crate) async fn go_to(client: &Client, page: &str, heading: &str) {
    click(client, &format!("button.nav-item[data-page='{page}']")).await;
    let shown = text_of(client, &format!("main[data-testid='page-{page}'] h1")).await;
    assert_eq!(shown, heading, "the {page} page must show its own heading");
}

pub(crate) async fn add_number(client: &Client, name: &str) {
    let input = client
        .find(Locator::Css("[data-testid='new-number-name']"))
        .await
        .expect("the Numbers page has a name field");
    input.clear().await.expect("the name field can be cleared");
    input.send_keys(name).await.expect("a name can be typed");
    click(client, "[data-testid='add-number']").await;
}

/// WebKitWebDriver can't synthesise keys outside the Basic Multilingual Plane (emoji), so
/// such names go in as the browser delivers a paste: value set, then an `input` event.
async fn paste_number(client: &Client, name: &str) {
    client
        .execute(
            "const field = document.querySelector(\"[data-testid='new-number-name']\");
             field.value = arguments[0];
             field.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(name)],
        )
        .await
        .expect("the name field accepts a pasted value");
    click(client, "[data-testid='add-number']").await;
}

/// The page background as the webview paints it, e.g. `rgb(15, 20, 25)`.
async fn background(client: &Client) -> String {
    let value = client
        .execute(
            "return getComputedStyle(document.documentElement).backgroundColor;",
            vec![],
        )
        .await
        .expect("styles can be read");
    value.as_str().unwrap_or_default().to_string()
}

async fn number_names(client: &Client) -> Vec<String> {
    texts(client, "[data-testid='number-name']").await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn window_opens_navigates_and_keeps_a_number_added_in_the_ui_across_restarts() {
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    let driver = Driver::start(&data_dir);

    // First launch: the window opens on Home, with nothing in it yet.
    let client = driver.open_app().await;
    let home = text_of(&client, "main[data-testid='page-home'] h1").await;
    assert_eq!(home, "Home", "the app must open on Home");
    // The first-run checklist, every step still to do, the first one's button leading on.
    let steps = client
        .find_all(Locator::Css("[data-testid='first-step']"))
        .await
        .expect("the checklist's steps");
    let mut states = Vec::new();
    for step in &steps {
        states.push(
            step.attr("data-state")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
        );
    }
    assert_eq!(
        states,
        ["todo", "todo", "todo", "todo"],
        "from an empty data folder"
    );
    click(&client, "[data-testid='first-step-go-ai']").await;
    text_of(&client, "main[data-testid='page-settings'] h1").await;
    go_to(&client, "home", "Home").await;

    // The content security policy is in force in the real webview: remote images are blocked.
    let blocked = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             document.addEventListener('securitypolicyviolation',
               (e) => done(e.effectiveDirective), { once: true });
             const img = document.createElement('img');
             img.src = 'https://example.com/tracker.png';
             document.body.appendChild(img);",
            vec![],
        )
        .await
        .expect("the CSP must report a remote image as a violation");
    assert_eq!(
        blocked, "img-src",
        "a remote image must be blocked by img-src"
    );

    for (page, heading) in [
        ("numbers", "Numbers"),
        ("conversations", "Conversations"),
        ("leads", "Leads"),
        ("activity", "Activity"),
        ("settings", "Settings"),
        ("home", "Home"),
    ] {
        go_to(&client, page, heading).await;
    }

    // Settings shows where the data really is, and switches the theme.
    go_to(&client, "settings", "Settings").await;
    let db = text_of(&client, "[data-testid='database-path']").await;
    assert_eq!(db, data_dir.join("leadline.db").display().to_string());
    let light = background(&client).await;
    click(&client, "[data-testid='theme-dark']").await;
    eventually(
        "the dark theme must paint the dark background",
        DARK_BG.to_string(),
        || background(&client),
    )
    .await;
    assert_ne!(
        light, DARK_BG,
        "the window must start light on a light desktop"
    );

    go_to(&client, "numbers", "Numbers").await;
    text_of(&client, "[data-testid='empty-state'] h2").await;

    // A blank name is refused with a reason, and nothing is added.
    add_number(&client, "   ").await;
    let error = text_of(&client, "[data-testid='add-error']").await;
    assert!(
        error.contains("Give the number a name"),
        "a blank name must be explained: {error}"
    );

    let name = "Bäckerei متجر";
    let pasted = "Temporary line 🥐";
    add_number(&client, name).await;
    eventually(
        "a typed name must be listed once added",
        vec![name.to_string()],
        || number_names(&client),
    )
    .await;
    paste_number(&client, pasted).await;
    let both = vec![name.to_string(), pasted.to_string()];
    eventually(
        "both numbers must be listed after adding them",
        both,
        || number_names(&client),
    )
    .await;

    eventually(
        "the add form must be ready again",
        "Add number".to_string(),
        || async { text_of(&client, "[data-testid='add-number']").await },
    )
    .await;
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await
        .expect("the window paints");
    screenshot_screen("numbers");

    // Removing asks first, then removes only that number.
    click(
        &client,
        "[data-testid='number-row']:nth-child(2) [data-testid='remove']",
    )
    .await;
    let question = text_of(&client, "[data-testid='remove-dialog'] p").await;
    assert!(
        question.contains(&format!("“{pasted}” will be removed")),
        "{question}"
    );
    click(
        &client,
        "[data-testid='remove-dialog'] [data-testid='confirm-button']",
    )
    .await;
    eventually(
        "only the removed number must disappear",
        vec![name.to_string()],
        || number_names(&client),
    )
    .await;

    // Home lists it too.
    go_to(&client, "home", "Home").await;
    let home_numbers = text_of(&client, "[data-testid='home-numbers']").await;
    assert!(
        home_numbers.contains(name),
        "Home must list the number: {home_numbers}"
    );

    client.close().await.expect("the app closes");

    // Second launch on the same data: the number and the theme are still there.
    let client = driver.open_app().await;
    text_of(&client, "main[data-testid='page-home'] h1").await;
    eventually(
        "the dark theme must be kept across restarts",
        DARK_BG.to_string(),
        || background(&client),
    )
    .await;
    go_to(&client, "numbers", "Numbers").await;
    eventually(
        "the number added before the restart must still be listed",
        vec![name.to_string()],
        || number_names(&client),
    )
    .await;
    go_to(&client, "activity", "Activity").await;
    let log = text_of(&client, "[data-testid='activity-list']").await;
    assert!(
        log.contains(&format!("Removed number “{pasted}”")),
        "the removal must be in the log: {log}"
    );

    client.close().await.expect("the app closes");
    drop(driver);
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn a_damaged_database_opens_a_window_that_names_the_file_and_keeps_it() {
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("the data folder can be made");
    let db = data_dir.join("leadline.db");
    let damaged = "this was a database before the disk failed ".repeat(200);
    std::fs::write(&db, &damaged).expect("the damaged file can be written");

    let driver = Driver::start(&data_dir);
    let client = driver.open_app().await;
    let heading = text_of(&client, "[data-testid='startup-error'] h1").await;
    assert_eq!(heading, "Leadline can't open your data");
    let path = text_of(&client, "[data-testid='startup-error-path']").await;
    assert_eq!(
        path,
        db.display().to_string(),
        "the owner must be told which file"
    );
    let advice = text_of(&client, "[data-testid='startup-error'] [role='alert']").await;
    assert!(
        advice.contains("Restore it from a backup"),
        "the owner must be told what to do: {advice}"
    );
    client.close().await.expect("the app closes");
    drop(driver);

    let after = std::fs::read_to_string(&db).expect("the damaged file is still there");
    assert_eq!(
        after, damaged,
        "Leadline must never overwrite a file it can't read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn a_number_links_by_scanning_the_qr_shown_in_the_window_and_reconnects_after_a_restart() {
    use leadline_core::whatsapp::{process, qr};
    use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};

    // A first QR that outlives the test, so the one in the window is the page's current one.
    let fake = FakeWhatsApp::start(Timings {
        first_ref_ms: 120_000,
        ..Timings::default()
    })
    .await;
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    let (driver, client) = link_dialog_for_a_new_number(&fake, &data_dir).await;

    let image = client
        .wait()
        .at_most(leadline_tests::UI_DEADLINE)
        .for_element(Locator::Css("[data-testid='link-qr']"))
        .await
        .expect("a QR code appears in the window");
    let src = image
        .attr("src")
        .await
        .expect("the QR has a source")
        .unwrap_or_default();
    let shown = src
        .strip_prefix("data:image/svg+xml;charset=utf-8,")
        .expect("the QR is an inline SVG");
    let shown = percent_decode(shown);
    let page = fake
        .wait_for("a QR on the page", leadline_tests::UI_DEADLINE, |r| {
            r.qr.is_some()
        })
        .await;
    let page_qr = page.qr.unwrap_or_default();
    assert_eq!(
        shown,
        qr::svg(&page_qr).expect("the page's QR draws"),
        "the window must show the page's current QR"
    );
    screenshot_screen("link");

    fake.scan("15550001111@c.us");
    let done = text_of(&client, "[data-testid='link-done']").await;
    assert!(
        done.contains("15550001111"),
        "the window must say which number linked: {done}"
    );
    click(&client, "[data-testid='link-close']").await;
    eventually(
        "the number must show as connected",
        vec!["Connected".to_string()],
        || texts(&client, "[data-testid='number-status']"),
    )
    .await;
    client.close().await.expect("the app closes");

    // Restart: the linked number reconnects by itself, with no QR.
    let client = driver.open_app().await;
    go_to(&client, "numbers", "Numbers").await;
    eventually(
        "the number must reconnect after a restart",
        vec!["Connected".to_string()],
        || texts(&client, "[data-testid='number-status']"),
    )
    .await;
    assert_eq!(
        fake.recorded().qr_history.len(),
        1,
        "a linked number must not show a new QR after a restart"
    );

    // WhatsApp opened on another computer: the window says so and "Use here" takes it back.
    fake.set_state("CONFLICT");
    let problem = text_of(&client, "[data-testid='number-problem']").await;
    assert!(
        problem.contains("another computer"),
        "the window explains the conflict: {problem}"
    );
    screenshot_screen("conflict");
    click(&client, "[data-testid='use-here']").await;
    eventually(
        "Use here must bring the number back",
        vec!["Connected".to_string()],
        || texts(&client, "[data-testid='number-status']"),
    )
    .await;

    // Settings name the browser in use; a browser path that doesn't exist is refused.
    go_to(&client, "settings", "Settings").await;
    let in_use = text_of(&client, "[data-testid='browser-in-use']").await;
    assert!(in_use.contains("chromium"), "the browser in use: {in_use}");
    let field = client
        .find(Locator::Css("[data-testid='browser-path']"))
        .await
        .expect("a browser path field");
    field
        .send_keys("/nonexistent/chrome")
        .await
        .expect("a path can be typed");
    click(&client, "[data-testid='save-whatsapp']").await;
    let refused = text_of(&client, "[data-testid='whatsapp-error']").await;
    assert!(
        refused.contains("/nonexistent/chrome"),
        "a plain refusal naming the path: {refused}"
    );
    client.close().await.expect("the app closes");
    drop(driver);

    let profiles = data_dir.join("profiles");
    let deadline = std::time::Instant::now() + leadline_tests::UI_DEADLINE;
    while process::any_using_profile(&profiles) {
        assert!(
            std::time::Instant::now() < deadline,
            "no WhatsApp browser may outlive the app"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The app on a fresh data folder, pointed at `fake`, with a number "Shop" added and its
/// Link dialog open.
pub(crate) async fn link_dialog_for_a_new_number(
    fake: &leadline_tests::fakes::whatsapp_web::FakeWhatsApp,
    data_dir: &std::path::Path,
) -> (Driver, Client) {
    link_dialog_with(fake, data_dir, &[]).await
}

/// `link_dialog_for_a_new_number`, the app started with `env` too.
pub(crate) async fn link_dialog_with(
    fake: &leadline_tests::fakes::whatsapp_web::FakeWhatsApp,
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (Driver, Client) {
    let url = fake.url();
    let mut vars = vec![("LEADLINE_WA_URL", url.as_str())];
    vars.extend_from_slice(env);
    let driver = Driver::start_with(data_dir, &vars);
    let client = driver.open_app().await;
    go_to(&client, "numbers", "Numbers").await;
    add_number(&client, "Shop").await;
    eventually(
        "the number must be listed",
        vec!["Shop".to_string()],
        || number_names(&client),
    )
    .await;
    click(&client, "[data-testid='link']").await;
    (driver, client)
}

/// Decodes %XX escapes (what encodeURIComponent produced).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn an_owner_who_cannot_scan_gets_a_pairing_code_in_the_window() {
    use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};

    let fake = FakeWhatsApp::start(Timings {
        first_ref_ms: 120_000,
        ..Timings::default()
    })
    .await;
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    let (driver, client) = link_dialog_for_a_new_number(&fake, &data_dir).await;
    let first = fake
        .wait_for("a QR on the page", leadline_tests::UI_DEADLINE, |r| {
            r.qr.is_some()
        })
        .await;
    let first_adv = first
        .qr
        .unwrap_or_default()
        .split(',')
        .nth(3)
        .unwrap_or_default()
        .to_string();
    click(&client, "[data-testid='use-phone']").await;
    let field = client
        .find(Locator::Css("[data-testid='pairing-phone']"))
        .await
        .expect("a phone field");
    field
        .send_keys("+34 600 00 12 34")
        .await
        .expect("a phone number can be typed");
    click(&client, "[data-testid='pairing-ask']").await;
    let code = text_of(&client, "[data-testid='pairing-code']").await;
    assert_eq!(
        code, "FAKE-1234",
        "the code WhatsApp gave, grouped as the phone shows it"
    );

    // Back to scanning: the app starts QR linking afresh, so the page's new QR carries a
    // secret of its own (neither the first one nor the code's), and a scan of it links.
    // (That the driver shows exactly the page's QR is tests/driver/contract.rs's.)
    let adv = |qr: &str| qr.split(',').nth(3).unwrap_or_default().to_string();
    let page_adv = || fake.recorded().qr.as_deref().map(adv);
    let deadline = std::time::Instant::now() + leadline_tests::UI_DEADLINE;
    let for_the_code = loop {
        match page_adv() {
            Some(now) if now != first_adv => break now,
            _ => {}
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the page's QR never took the pairing code's secret"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    click(&client, "[data-testid='scan-instead']").await;
    leadline_tests::wait_for(&client, "[data-testid='link-qr']").await;
    let deadline = std::time::Instant::now() + leadline_tests::UI_DEADLINE;
    let page_qr = loop {
        if let Some(qr) = fake.recorded().qr {
            if adv(&qr) != first_adv && adv(&qr) != for_the_code {
                break qr;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "QR linking was not started afresh after the pairing code"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    fake.scan_shown("15550001111@c.us", &page_qr);
    let done = text_of(&client, "[data-testid='link-done']").await;
    assert!(done.contains("15550001111"), "{done}");
    client.close().await.expect("the app closes");
    drop(driver);
}
