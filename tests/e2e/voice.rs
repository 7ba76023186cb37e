//! A voice note heard on this computer, in the built app: the owner downloads the speech
//! model in Settings (from a server on loopback standing in for its publisher, with the
//! real model's bytes and hash), chooses it; a customer's voice note (spoken by espeak-ng,
//! encoded as WhatsApp does) comes through the fake WhatsApp Web, is heard by whisper.cpp
//! in the app, answered from its words, and shown with them in Conversations.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use base64::Engine;
use leadline_tests::fakes::ai::{FakeAi, Step, turn_json};
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::{click, eventually, text_of, voice_notes};
use serde_json::json;
use sha2::Digest;

use crate::assistant::{choose, type_into};
use crate::{go_to, link_dialog_with};

const KEY: &str = "sk-e2e-voice-0123456789abcdef-4242";
const CUSTOMER: &str = "34611222333@c.us";
const REPLY: &str = "The blue shirt is 20 euros. Which size would you like?";
/// Hearing the note (whisper.cpp on a busy 2-core machine), the debounce, then pacing.
const REPLY_DEADLINE: Duration = Duration::from_secs(90);

/// The model's file over HTTP on 127.0.0.1, as its publisher would serve it.
async fn serve_model(bytes: Arc<Vec<u8>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let app = Router::new().route(
        "/ggml-tiny.en.bin",
        get(move || {
            let bytes = bytes.clone();
            async move { (*bytes).clone() }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/ggml-tiny.en.bin")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voice_note_is_heard_on_this_computer_and_answered_from_its_words() {
    let Some(model) = voice_notes::model() else {
        return;
    };
    let _keyring = leadline_tests::keyring::exclusive().await;
    let model_bytes = Arc::new(std::fs::read(&model).expect("the test model"));
    let sha256 = hex::encode(sha2::Sha256::digest(model_bytes.as_slice()));
    let source = format!(
        "whisper-tiny.en={}#{sha256}#{}",
        serve_model(model_bytes.clone()).await,
        model_bytes.len()
    );
    let ai = FakeAi::start().await;
    ai.require_key(KEY);
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = std::path::PathBuf::from("/tmp/e2e-voice-data/data");
    let _ = std::fs::remove_dir_all("/tmp/e2e-voice-data");
    std::fs::create_dir_all("/tmp/e2e-voice-data").unwrap();
    let _ = &data;

    let (_driver, client) = link_dialog_with(
        &fake,
        &data_dir,
        &[("LEADLINE_TEST_SPEECH_SOURCE", &source)],
    )
    .await;
    fake.wait_for("a QR on the page", leadline_tests::UI_DEADLINE, |r| {
        r.qr.is_some()
    })
    .await;
    fake.scan("34600000001@c.us");
    text_of(&client, "[data-testid='link-done']").await;
    click(&client, "[data-testid='link-close']").await;

    // The AI provider and the assistant.
    go_to(&client, "settings", "Settings").await;
    click(&client, "[data-testid='add-provider']").await;
    choose(&client, "[data-testid='provider-preset']", "custom").await;
    type_into(&client, "[data-testid='provider-url']", &ai.url()).await;
    type_into(&client, "[data-testid='provider-key-input']", KEY).await;
    type_into(&client, "[data-testid='provider-model']", "fake-model").await;
    click(&client, "[data-testid='provider-save']").await;
    text_of(&client, "[data-testid='provider-test-ok']").await;

    // Voice notes: off until a model is downloaded and chosen.
    let state = text_of(&client, "[data-testid='voice-state']").await;
    assert!(state.contains("not heard"), "{state}");
    let tiny = "[data-testid='voice-model'][data-model='whisper-tiny.en']";
    click(&client, &format!("{tiny} button.primary")).await;
    eventually("the model is downloaded and checked", true, || async {
        text_of(&client, &format!("{tiny} .actions"))
            .await
            .contains("Hear voice notes with it")
    })
    .await;
    click(&client, &format!("{tiny} .actions button.primary")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let state = text_of(&client, "[data-testid='voice-state']").await;
        if state.contains("heard with") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "voice notes are heard with it within 30 s; Settings says: {}",
            text_of(&client, "[data-testid='voice-settings']").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        data_dir.join("models/ggml-tiny.en.bin").exists(),
        "kept in the data folder"
    );

    go_to(&client, "numbers", "Numbers").await;
    click(&client, "[data-testid='assistant']").await;
    type_into(
        &client,
        "[data-testid='ai-prompt']",
        "You answer for a clothes shop.",
    )
    .await;
    click(&client, "[data-testid='ai-save']").await;
    // Tried in the Playground: its answer switches it on for customers.
    ai.push(Step::text(turn_json(
        "¡Hola! ¿Qué buscas?",
        json!({}),
        false,
        "",
    )));
    type_into(&client, "[data-testid='playground-input']", "hola").await;
    click(&client, "[data-testid='playground-send']").await;
    let started = text_of(&client, "[data-testid='playground-started']").await;
    assert!(started.contains("now answers customers"), "{started}");
    let start = text_of(
        &client,
        "[data-testid='bot-settings'] [data-testid='bot-start']",
    )
    .await;
    assert!(
        start.contains("it answered you in the Playground"),
        "{start}"
    );

    // Ana sends a voice note.
    ai.push(Step::text(turn_json(
        REPLY,
        json!({}),
        false,
        "asking a price",
    )));
    let note = voice_notes::spoken("hello, how much is the blue shirt", "en-us");
    fake.incoming(json!({ "id": "E2E-HEARD", "from": CUSTOMER, "notifyName": "Ana", "type": "ptt",
        "media": { "duration": 2, "bytes": base64::engine::general_purpose::STANDARD.encode(&note) } }));
    let replied = fake
        .wait_for("the bot's reply to the voice note", REPLY_DEADLINE, |r| {
            !r.sent.is_empty()
        })
        .await;
    assert_eq!(replied.sent.len(), 1, "{:?}", replied.sent);
    assert_eq!(replied.sent[0]["body"], REPLY);
    let asked = ai.requests().last().expect("the AI was asked").body["messages"]
        .to_string()
        .to_lowercase();
    assert!(
        asked.contains("[a voice note, transcribed; spoken in en]") && asked.contains("blue shirt"),
        "the assistant reads the note's words: {asked}"
    );

    // Conversations: the note with its words under it.
    go_to(&client, "conversations", "Conversations").await;
    click(&client, "[data-testid='chat']").await;
    let heard = text_of(&client, "[data-testid='message-heard']")
        .await
        .to_lowercase();
    assert!(heard.contains("blue shirt"), "{heard}");
    let meta = text_of(&client, "[data-testid='message-heard-meta']").await;
    assert!(meta.contains("en"), "{meta}");

    // What was said stays out of the logs (they say a note was heard, how long it took).
    let leaks = leadline_tests::log_leaks(
        &data_dir.join("logs"),
        &["blue shirt", "Blue shirt", REPLY, KEY].map(String::from),
    );
    assert!(leaks.is_empty(), "customers' words in the logs: {leaks:?}");
}
