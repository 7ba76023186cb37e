//! AI providers and the Playground in the built app: a key saved from Settings goes to a
//! real gnome-keyring (started by this test on the private session bus), the connection
//! test shows the scripted provider's answer, and a playground turn shows the reply, the
//! fields, the verdict and the usage. Then no file Leadline wrote holds the key.

use fantoccini::Client;
use leadline_tests::fakes::ai::{FakeAi, Step, turn_json};
use leadline_tests::{Driver, click, screenshot_screen, text_of};
use serde_json::json;

use crate::{add_number, go_to};

const KEY: &str = "sk-e2e-KEYCHAIN-ONLY-0123456789abcdef-7890";

pub(crate) async fn type_into(client: &Client, css: &str, text: &str) {
    // Pages fill in after their data arrives: wait for the field, don't race it.
    let field = leadline_tests::wait_for(client, css).await;
    field.clear().await.expect("the field can be cleared");
    field.send_keys(text).await.expect("text can be typed");
}

pub(crate) async fn choose(client: &Client, css: &str, value: &str) {
    // The select may still be rendering on a busy machine: it is waited for first.
    leadline_tests::wait_for(client, css).await;
    client
        .execute(
            "const el = document.querySelector(arguments[0]);
             el.value = arguments[1];
             el.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(value)],
        )
        .await
        .expect("the choice can be made");
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn a_provider_key_goes_to_the_keychain_and_the_playground_answers_in_the_window() {
    let _keyring = leadline_tests::keyring::exclusive().await;
    let fake = FakeAi::start().await;
    fake.require_key(KEY);
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    let driver = Driver::start(&data_dir);
    let client = driver.open_app().await;

    // Settings › AI providers: another OpenAI-compatible server, its key and model.
    go_to(&client, "settings", "Settings").await;
    text_of(&client, "[data-testid='no-providers']").await;
    click(&client, "[data-testid='add-provider']").await;
    choose(&client, "[data-testid='provider-preset']", "custom").await;
    type_into(&client, "[data-testid='provider-url']", &fake.url()).await;
    type_into(&client, "[data-testid='provider-key-input']", KEY).await;
    type_into(&client, "[data-testid='provider-model']", "fake-model").await;
    click(&client, "[data-testid='provider-save']").await;
    let tested = text_of(&client, "[data-testid='provider-test-ok']").await;
    assert!(
        tested.contains("2 models"),
        "the real test result is shown: {tested}"
    );
    let key_shown = text_of(&client, "[data-testid='provider-key']").await;
    assert_eq!(
        key_shown, "Key •••• 7890",
        "only the last four characters are shown"
    );
    let page = client.source().await.expect("the page source");
    assert!(
        !page.contains("KEYCHAIN-ONLY"),
        "the key is not in the page after saving"
    );

    // A number's assistant, then a playground turn.
    go_to(&client, "numbers", "Numbers").await;
    add_number(&client, "Bicis Ana").await;
    click(&client, "[data-testid='assistant']").await;
    type_into(
        &client,
        "[data-testid='ai-prompt']",
        "You answer for a bike shop.",
    )
    .await;
    click(&client, "[data-testid='ai-add-field']").await;
    type_into(&client, "[data-testid='ai-field-name']", "email").await;
    choose(&client, "[data-testid='ai-field-kind']", "email").await;
    type_into(&client, "[data-testid='ai-criteria']", "wants to buy").await;
    fake.push(Step::text(turn_json(
        "¡Hola Ana! Te escribo a ana@example.com 🚲",
        json!({ "email": "Ana@Example.com" }),
        true,
        "wants a bike",
    )));
    type_into(
        &client,
        "[data-testid='playground-input']",
        "Hola, soy Ana, ana@example.com",
    )
    .await;
    click(&client, "[data-testid='playground-send']").await;
    let reply = text_of(&client, "[data-testid='playground-reply']").await;
    assert!(
        reply.starts_with("¡Hola Ana! Te escribo a ana@example.com 🚲"),
        "{reply}"
    );
    let usage = text_of(&client, "[data-testid='playground-usage']").await;
    assert!(
        usage.contains("tokens") && usage.contains("no price"),
        "tokens and cost per turn: {usage}"
    );
    let verdict = text_of(&client, "[data-testid='playground-verdict']").await;
    assert!(verdict.starts_with("Qualified"), "{verdict}");
    let fields = text_of(&client, "[data-testid='playground-fields']").await;
    assert!(
        fields.contains("Ana@example.com"),
        "the checked email: {fields}"
    );
    screenshot_screen("playground");

    let sent = fake.requests();
    let turn = sent
        .iter()
        .rev()
        .find(|r| r.path.ends_with("/chat/completions"))
        .expect("a chat request");
    assert_eq!(
        turn.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(format!("Bearer {KEY}").as_str()),
        "the app read the key back from the keychain"
    );
    assert!(
        turn.body["messages"][0]["content"]
            .as_str()
            .unwrap_or_default()
            .contains("bike shop")
    );

    // The bot's hours and quick replies, saved; a zone that doesn't exist is refused.
    click(&client, "[data-testid='bot-use-hours']").await;
    click(&client, "[data-testid='bot-work-week']").await;
    let weekdays = leadline_tests::texts(
        &client,
        "[data-testid='bot-day'] [data-testid='bot-period']",
    )
    .await;
    assert_eq!(weekdays.len(), 5, "Monday to Friday, one period each");
    client
        .execute(
            "document.querySelector(\"[data-testid='bot-day']\").scrollIntoView();",
            vec![],
        )
        .await
        .expect("the week can be scrolled into view");
    screenshot_screen("bot-hours");
    click(&client, "[data-testid='bot-save']").await;
    let saved = text_of(&client, "[data-testid='bot-saved']").await;
    assert!(saved.starts_with("Saved"), "{saved}");
    type_into(&client, "[data-testid='bot-zone']", "Mars/Olympus").await;
    click(&client, "[data-testid='bot-save']").await;
    let refused = text_of(&client, "[data-testid='bot-error']").await;
    assert!(refused.contains("Mars/Olympus"), "{refused}");
    screenshot_screen("bot-settings");

    // A wrong turn (the provider fails) is a plain error in the window, not a crash.
    for _ in 0..3 {
        fake.push(Step::status(500, "boom"));
    }
    type_into(&client, "[data-testid='playground-input']", "¿Y el precio?").await;
    click(&client, "[data-testid='playground-send']").await;
    let failed = text_of(&client, "[data-testid='playground-error']").await;
    assert!(failed.contains("problem on its side"), "{failed}");

    // Every answer is also checked in the shell's own test; here, what the window shows.
    go_to(&client, "settings", "Settings").await;
    text_of(&client, "[data-testid='provider-key']").await;
    let page = client.source().await.expect("the page source");
    assert!(
        !page.contains("KEYCHAIN-ONLY"),
        "the key is not in the window"
    );
    client.close().await.expect("the app closes");
    drop(driver);

    assert!(data_dir.join("leadline.db").exists());
    for file in files_under(data.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let leaked = bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes());
        assert!(!leaked, "{} holds the API key", file.display());
    }
}
