//! The errors an owner can meet while linking, walked through the window: each is a plain
//! sentence with the next step, and the technical words behind it (the browser's code, the
//! program's last line) are one click away under "Details", never in the sentence.
//! WhatsApp out of reach, a network that wants a sign-in first (its page fails the
//! certificate check), and a browser that can't start. (A full disk and a locked keychain
//! are walked in the core's and the keychain's tests, where they can be made real.)

use std::os::unix::fs::PermissionsExt;

use fantoccini::{Client, Locator};
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::{Driver, click, text_of};

use crate::assistant::type_into;
use crate::{add_number, go_to};

/// Adds a number (a fresh session, so an earlier number still trying can't answer for
/// it), links it, and returns the dialog's sentence and, once "Details" is opened, its
/// technical words; then closes the dialog.
async fn link_and_read_the_failure(client: &Client, id: u32) -> (String, String) {
    go_to(client, "numbers", "Numbers").await;
    add_number(client, &format!("Shop {id}")).await;
    click(
        client,
        &format!("[data-testid='number-row'][data-number-id='{id}'] [data-testid='link']"),
    )
    .await;
    let failure = "[data-testid='link-dialog'] .form-error";
    let sentence = text_of(client, &format!("{failure} p")).await;
    let open = || async {
        client
            .execute(
                "const d = document.querySelector(arguments[0]); return d ? d.open : null;",
                vec![serde_json::json!(format!("{failure} details"))],
            )
            .await
            .expect("the page answers")
    };
    assert_eq!(
        open().await,
        serde_json::json!(false),
        "a Details disclosure under the sentence, folded until asked for"
    );
    click(client, &format!("{failure} details summary")).await;
    assert_eq!(open().await, serde_json::json!(true));
    let detail = text_of(client, &format!("{failure} details code")).await;
    click(client, "[data-testid='link-close']").await;
    (sentence, detail)
}

async fn save_whatsapp_settings(client: &Client, browser: &str, url: &str) {
    go_to(client, "settings", "Settings").await;
    let field = client
        .find(Locator::Css("[data-testid='browser-path']"))
        .await
        .expect("the browser field");
    field.clear().await.expect("cleared");
    if !browser.is_empty() {
        field.send_keys(browser).await.expect("typed");
    }
    let folded = client
        .execute(
            "return !document.querySelector(\"[data-testid='wa-advanced']\").open;",
            vec![],
        )
        .await
        .expect("the page answers");
    if folded == serde_json::json!(true) {
        click(client, "[data-testid='wa-advanced'] summary").await;
    }
    type_into(client, "[data-testid='whatsapp-url']", url).await;
    click(client, "[data-testid='save-whatsapp']").await;
    text_of(client, "[data-testid='whatsapp-saved']").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn each_error_while_linking_is_a_plain_sentence_with_its_details_one_click_away() {
    // WhatsApp out of reach: a loopback port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a loopback port")
        .port();
    let unreachable = format!("http://127.0.0.1:{closed}/");
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    let driver = Driver::start_with(&data_dir, &[("LEADLINE_WA_URL", unreachable.as_str())]);
    let client = driver.open_app().await;
    let (sentence, detail) = link_and_read_the_failure(&client, 1).await;
    assert!(
        sentence.contains("can't reach WhatsApp") && sentence.contains("internet connection"),
        "{sentence}"
    );
    assert!(
        !sentence.contains("ERR_"),
        "no browser code in the sentence: {sentence}"
    );
    assert!(detail.contains("ERR_CONNECTION_REFUSED"), "{detail}");

    // A network that wants a sign-in first answers with its own page, whose certificate
    // fails (here: WhatsApp's stand-in with a self-signed one).
    let portal = FakeWhatsApp::start_https(Timings::default()).await;
    save_whatsapp_settings(&client, "", &portal.url()).await;
    let (sentence, detail) = link_and_read_the_failure(&client, 2).await;
    assert!(
        sentence.contains("not secure") && sentence.contains("sign in"),
        "{sentence}"
    );
    assert!(detail.contains("ERR_CERT"), "{detail}");

    // A browser that can't start: a program named like one that fails at once.
    let fake_browser_dir = tempfile::tempdir().expect("a temp folder");
    let broken = fake_browser_dir.path().join("chromium");
    std::fs::write(
        &broken,
        "#!/bin/sh\necho 'error while loading shared libraries: libnss3.so' >&2\nexit 127\n",
    )
    .expect("the broken browser");
    std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755)).expect("executable");
    let reachable = FakeWhatsApp::start(Timings::default()).await;
    save_whatsapp_settings(&client, &broken.display().to_string(), &reachable.url()).await;
    let (sentence, detail) = link_and_read_the_failure(&client, 3).await;
    assert!(
        sentence.contains("could not start") && sentence.contains("Settings › WhatsApp"),
        "{sentence} / {detail}"
    );
    assert!(
        !detail.is_empty(),
        "what the browser said is one click away"
    );

    client.close().await.expect("the app closes");
    drop(driver);
}
