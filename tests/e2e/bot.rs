//! The bot in the built app, against the fake WhatsApp Web and the scripted AI: a customer
//! writes; the bot marks it seen, types for a while and replies; the lead's fields fill and
//! it qualifies; the desktop notification goes over the private session bus to a real
//! daemon (dunst), clicking it opens the lead; and a webhook receiver on loopback gets a
//! correctly signed POST.

use fantoccini::{Client, Locator};
use leadline_tests::fakes::ai::{FakeAi, Step, turn_json};
use leadline_tests::fakes::webhook_receiver::WebhookReceiver;
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::{click, eventually, photos, screenshot_screen, text_of, texts, value_of};
use serde_json::json;
use std::time::{Duration, Instant};

use crate::assistant::{choose, type_into};
use crate::{go_to, link_dialog_for_a_new_number};

const KEY: &str = "sk-e2e-bot-0123456789abcdef-4242";
const SECRET: &str = "whsec-e2e-bot-secret";
const CUSTOMER: &str = "34611222333@c.us";
const REPLY: &str =
    "¡Hola Ana! Tenemos dos bicis de paseo a 350 € cada una. ¿Te reservo una prueba? 🚲";
/// Generous: the bot waits for more messages (8 s by default), then paces its reply.
const REPLY_DEADLINE: Duration = Duration::from_secs(60);

fn at_ms(value: &serde_json::Value) -> u64 {
    value["fakeAtMs"].as_u64().unwrap_or(0)
}

async fn saved_status(client: &Client, form: &str) -> String {
    text_of(client, &format!("[data-testid='{form}'] [role='status']")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn a_customer_gets_a_paced_reply_and_the_qualified_lead_reaches_the_desktop_and_the_webhook()
{
    let _keyring = leadline_tests::keyring::exclusive().await;
    let notifications_turn = leadline_tests::notifications::exclusive().await;
    let ai = FakeAi::start().await;
    ai.require_key(KEY);
    let receiver = WebhookReceiver::start(0).await;
    let fake = FakeWhatsApp::start(Timings {
        first_ref_ms: 120_000,
        ..Timings::default()
    })
    .await;
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");

    // Link the number by its QR.
    let (driver, client) = link_dialog_for_a_new_number(&fake, &data_dir).await;
    fake.wait_for("a QR on the page", leadline_tests::UI_DEADLINE, |r| {
        r.qr.is_some()
    })
    .await;
    fake.scan("34600000001@c.us");
    text_of(&client, "[data-testid='link-done']").await;
    // A new number's assistant answers nobody until tried or switched on, and the dialog
    // says so.
    let waiting = text_of(
        &client,
        "[data-testid='link-dialog'] [data-testid='bot-start']",
    )
    .await;
    assert!(waiting.contains("isn't answering customers"), "{waiting}");
    click(&client, "[data-testid='link-close']").await;

    // Settings: no notification service yet, and the window says so; once one runs,
    // "Check again" finds it. Then an AI provider with its key.
    go_to(&client, "settings", "Settings").await;
    let state = text_of(&client, "[data-testid='notifications-state']").await;
    assert!(state.starts_with("Not available"), "{state}");
    assert!(state.contains("can't pop up"), "{state}");
    let notifications = leadline_tests::notifications::start(&notifications_turn);
    click(&client, "[data-testid='notifications-recheck']").await;
    eventually("the notification service is found", true, || async {
        text_of(&client, "[data-testid='notifications-state']")
            .await
            .starts_with("On")
    })
    .await;
    let server = text_of(&client, "[data-testid='notifications'] .hint").await;
    assert!(server.contains("dunst"), "the daemon is named: {server}");
    click(&client, "[data-testid='add-provider']").await;
    choose(&client, "[data-testid='provider-preset']", "custom").await;
    type_into(&client, "[data-testid='provider-url']", &ai.url()).await;
    type_into(&client, "[data-testid='provider-key-input']", KEY).await;
    type_into(&client, "[data-testid='provider-model']", "fake-model").await;
    click(&client, "[data-testid='provider-save']").await;
    text_of(&client, "[data-testid='provider-test-ok']").await;

    // The number's assistant: a prompt, the email to collect, when a lead is ready; and the
    // webhook with its secret.
    go_to(&client, "numbers", "Numbers").await;
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
    type_into(
        &client,
        "[data-testid='ai-criteria']",
        "wants to buy and left an email",
    )
    .await;
    click(&client, "[data-testid='ai-save']").await;
    assert_eq!(saved_status(&client, "number-ai-form").await, "Saved.");
    // Switched on by the owner, on the number's page.
    let start = text_of(
        &client,
        "[data-testid='bot-settings'] [data-testid='bot-start']",
    )
    .await;
    assert!(start.contains("isn't answering customers"), "{start}");
    click(&client, "[data-testid='bot-enabled']").await;
    click(&client, "[data-testid='bot-save']").await;
    eventually("the number's page says it answers", true, || async {
        text_of(
            &client,
            "[data-testid='bot-settings'] [data-testid='bot-start']",
        )
        .await
            == "Your assistant answers customers on this number."
    })
    .await;
    type_into(&client, "[data-testid='webhook-url']", &receiver.url()).await;
    type_into(&client, "[data-testid='webhook-secret']", SECRET).await;
    click(&client, "[data-testid='webhook-save']").await;
    assert_eq!(saved_status(&client, "webhook").await, "Saved.");

    // The owner's address book, picked as a file: Mum's number, written the local way, in a
    // UTF-16 file (as Windows tools write them): its bytes must reach the core untouched.
    let book =
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mamá\r\nTEL;TYPE=CELL:600 99 98 88\r\nEND:VCARD\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(book.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    client
        .execute(
            "const input = document.querySelector(\"[data-testid='contacts-file']\");
             const files = new DataTransfer();
             files.items.add(new File([new Uint8Array(arguments[0])], 'contacts.vcf', { type: 'text/vcard' }));
             input.files = files.files;
             input.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(utf16)],
        )
        .await
        .expect("a file can be picked");
    let imported = text_of(&client, "[data-testid='contacts-report']").await;
    assert!(imported.contains("1 added"), "{imported}");
    let known = text_of(&client, "[data-testid='contacts-known']").await;
    assert!(known.starts_with("1 contact"), "{known}");
    go_to(&client, "home", "Home").await;

    // A customer writes.
    ai.push(Step::text(turn_json(
        REPLY,
        json!({ "email": "Ana@Example.com" }),
        true,
        "wants two bikes",
    )));
    let written = Instant::now();
    fake.incoming(json!({
        "id": "E2E-1", "from": CUSTOMER, "notifyName": "Ana",
        "body": "Hola, soy Ana. Quiero dos bicis, mi correo es Ana@Example.com \u{200f}مرحبا"
    }));
    let seen = fake
        .wait_for("the bot's reply", REPLY_DEADLINE, |r| !r.sent.is_empty())
        .await;
    let took = written.elapsed();

    // Seen, then typing for a while that fits the reply's length, then the reply; once.
    assert_eq!(seen.sent.len(), 1, "one reply: {:?}", seen.sent);
    assert_eq!(seen.sent[0]["body"], REPLY);
    assert_eq!(seen.sent[0]["chat"], CUSTOMER);
    assert_eq!(
        seen.seen.first().map(|s| s["chat"].clone()),
        Some(json!(CUSTOMER))
    );
    let typing_on = seen
        .typing
        .iter()
        .find(|t| t["on"] == true)
        .expect("typing shown");
    let typing_off = seen
        .typing
        .iter()
        .find(|t| t["on"] == false)
        .expect("typing stopped");
    let (seen_at, on_at, off_at, sent_at) = (
        at_ms(&seen.seen[0]),
        at_ms(typing_on),
        at_ms(typing_off),
        at_ms(&seen.sent[0]),
    );
    assert!(
        seen_at <= on_at && on_at <= off_at && off_at <= sent_at,
        "seen → typing → sent"
    );
    // 35 ms per character by default (capped at 8 s), plus jitter.
    let typed_for = off_at - on_at;
    let expected = (REPLY.chars().count() as u64 * 35).min(8_000);
    assert!(
        typed_for + 100 >= expected,
        "typing lasted {typed_for} ms for a {expected} ms reply"
    );
    assert!(
        took >= Duration::from_millis(expected),
        "the reply took {took:?}, paced like a person"
    );

    // The AI got the customer's words and the owner's prompt; never the key in the prompt.
    let request = ai
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with("/chat/completions"))
        .expect("a chat request");
    let system = request.body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(system.contains("bike shop") && !system.contains(KEY));

    // The notification: on the bus with the lead's name and number, on dunst's screen.
    let deadline = Instant::now() + leadline_tests::UI_DEADLINE;
    let call = loop {
        if let Some(call) = notifications
            .notify_calls()
            .into_iter()
            .find(|c| c.summary.starts_with("Qualified lead"))
        {
            break call;
        }
        assert!(
            Instant::now() < deadline,
            "no Notify call on the session bus"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(call.summary, "Qualified lead: Ana · +34611222333");
    assert!(call.body.contains("wants two bikes"), "{call:?}");
    assert!(call.body.contains("email: Ana@example.com"), "{call:?}");
    assert!(
        call.actions.contains(&"default".to_string()),
        "clickable: {call:?}"
    );
    assert!(notifications.displayed() >= 1, "dunst shows it");

    // The window: a toast; then the Leads page with the filled fields.
    let toast = text_of(&client, "[data-testid='lead-toast']").await;
    assert!(toast.contains("Ana"), "{toast}");
    screenshot_screen("lead-qualified");
    go_to(&client, "leads", "Leads").await;
    eventually(
        "the lead is listed as qualified",
        vec!["Qualified".to_string()],
        || texts(&client, "[data-testid='lead-stage']"),
    )
    .await;
    click(&client, "[data-testid='lead'][data-lead-id]").await;
    assert_eq!(
        value_of(&client, "[data-testid='lead-field-email']").await,
        "Ana@example.com"
    );
    assert!(
        text_of(&client, "[data-testid='lead-reason']")
            .await
            .contains("wants two bikes")
    );
    click(&client, "[data-testid='lead-detail-close']").await;

    // Clicking the notification brings the app to that lead.
    go_to(&client, "home", "Home").await;
    notifications.click_newest();
    text_of(
        &client,
        "main[data-testid='page-leads'] [data-testid='lead'][aria-current='true']",
    )
    .await;
    text_of(&client, "[data-testid='lead-detail']").await;
    screenshot_screen("lead-opened");

    // The webhook: one POST, signed with the secret, carrying the lead.
    let deadline = Instant::now() + leadline_tests::UI_DEADLINE;
    while receiver.requests().is_empty() {
        assert!(Instant::now() < deadline, "the webhook never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivery = &receiver.requests()[0];
    assert!(delivery.signed_with(SECRET), "correctly signed");
    assert!(!delivery.signed_with("not the secret"));
    let payload = delivery.json();
    assert_eq!(payload["event"], "lead.qualified");
    assert_eq!(payload["lead"]["phone"], "+34611222333");
    assert_eq!(
        payload["lead"]["fields"],
        json!([["email", "Ana@example.com"]])
    );

    // The owner watches the chat live: the conversation, then WhatsApp's "read" ticks.
    go_to(&client, "conversations", "Conversations").await;
    click(&client, "[data-testid='chat']").await;
    // The transcript loads after the click: waited for, not read at once.
    let deadline = Instant::now() + leadline_tests::UI_DEADLINE;
    let bodies = loop {
        let bodies = texts(&client, "[data-testid='message-body']").await;
        if bodies.len() >= 2 || Instant::now() >= deadline {
            break bodies;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(bodies[1], REPLY);
    assert_eq!(
        text_of(&client, "[data-testid='chat-bot-state']").await,
        "Assistant answering"
    );
    let reply_id = seen.sent[0]["id"].as_str().unwrap_or_default().to_string();
    fake.ack(&reply_id, 3);
    text_of(&client, "[data-testid='message-ack'][data-ack='3']").await;

    // The owner takes over by replying in the app: sent through WhatsApp, the bot pauses.
    type_into(
        &client,
        "[data-testid='chat-reply']",
        "Ana, te llamo ahora mismo",
    )
    .await;
    click(&client, "[data-testid='chat-send']").await;
    let owner_sent = fake
        .wait_for("the owner's reply", REPLY_DEADLINE, |r| r.sent.len() == 2)
        .await;
    assert_eq!(owner_sent.sent[1]["body"], "Ana, te llamo ahora mismo");
    eventually(
        "the owner's reply is shown as written in the app",
        true,
        || async {
            texts(&client, "[data-testid='message'][data-origin='owner_app']")
                .await
                .len()
                == 1
        },
    )
    .await;
    eventually("the chat shows the bot paused", true, || async {
        text_of(&client, "[data-testid='chat-bot-state']")
            .await
            .starts_with("Paused until")
    })
    .await;

    // The customer answers; it shows up live, and the bot stays quiet in that chat.
    fake.incoming(json!({ "id": "E2E-2", "from": CUSTOMER, "notifyName": "Ana", "body": "¡Perfecto, gracias!" }));
    eventually("the new message appears live", true, || async {
        texts(&client, "[data-testid='message-body']")
            .await
            .iter()
            .any(|b| b == "¡Perfecto, gracias!")
    })
    .await;
    assert_eq!(skip_reason(&data_dir, "E2E-2").await, "taken_over");
    screenshot_screen("conversation-taken-over");

    // Ana sends a photo, a price list and a voice note: each shows as what it is, and none
    // is answered as if the assistant had seen or heard it.
    fake.incoming(
        json!({ "id": "E2E-PHOTO", "from": CUSTOMER, "type": "image", "media": {
        "caption": "¿la tienen en azul?", "mimetype": "image/jpeg", "size": 48213,
        "width": 8, "height": 6, "thumbnail": photos::JPEG_BASE64 } }),
    );
    fake.incoming(json!({ "id": "E2E-DOC", "from": CUSTOMER, "type": "document", "media": {
        "filename": "lista-precios.pdf", "mimetype": "application/pdf", "size": 183000, "pageCount": 4 } }));
    fake.incoming(
        json!({ "id": "E2E-VOICE", "from": CUSTOMER, "type": "ptt", "media": {
        "duration": 7, "bytes": "T2dnUwACdm9pY2Ugbm90ZQ==" } }),
    );
    eventually(
        "the photo, the document and the voice note appear live",
        vec!["image".to_string(), "document".into(), "voice".into()],
        || async {
            let mut kinds = Vec::new();
            for media in client
                .find_all(Locator::Css("[data-testid='message-media']"))
                .await
                .unwrap_or_default()
            {
                kinds.push(
                    media
                        .attr("data-kind")
                        .await
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                );
            }
            kinds
        },
    )
    .await;
    assert_eq!(
        text_of(&client, "[data-testid='message-filename']").await,
        "lista-precios.pdf"
    );
    // The voice note's file comes through WhatsApp and is kept on this computer.
    text_of(
        &client,
        "[data-kind='voice'] [data-testid='media-state'][data-state='stored']",
    )
    .await;
    let drawn = client
        .execute(
            "const img = document.querySelector(\"[data-kind='image'] img\"); return img ? img.complete && img.naturalWidth : 0;",
            vec![],
        )
        .await
        .expect("the page answers");
    assert_eq!(
        drawn,
        json!(8),
        "the photo's thumbnail is drawn (a data: image the CSP allows)"
    );
    // The voice note (not heard: hearing is off) is the owner's on its own; the photo and
    // the document are one turn, in a chat the owner took over above: none is answered
    // (the count of sends is checked at the end).
    assert_eq!(skip_reason(&data_dir, "E2E-VOICE").await, "not_text");
    for id in ["E2E-PHOTO", "E2E-DOC"] {
        let reason = skip_reason(&data_dir, id).await;
        assert!(
            reason == "taken_over" || reason == "merged_into_later_turn",
            "{id}: {reason}"
        );
    }
    screenshot_screen("conversation-media");

    // The owner marks the lead won and exports the leads: the file has the row.
    go_to(&client, "leads", "Leads").await;
    click(&client, "[data-testid='lead'][data-lead-id]").await;
    assert_eq!(
        text_of(&client, "[data-testid='lead-detail-name']").await,
        "Ana"
    );
    choose(&client, "[data-testid='lead-stage-select']", "won").await;
    click(&client, "[data-testid='lead-save']").await;
    eventually(
        "the table shows the lead won",
        vec!["Won".to_string()],
        || texts(&client, "[data-testid='lead-stage']"),
    )
    .await;
    click(&client, "[data-testid='lead-export']").await;
    let exported = text_of(&client, "[data-testid='lead-exported']").await;
    assert!(exported.starts_with("Saved 1 leads to"), "{exported}");
    let csv_path = std::fs::read_dir(data_dir.join("exports"))
        .expect("the exports folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "csv"))
        .expect("a CSV file");
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV reads");
    let row = csv.lines().nth(1).expect("a row under the header");
    assert!(row.starts_with("Ana,+34611222333,"), "{row}");
    assert!(
        row.contains(",won,") && row.contains("Ana@example.com"),
        "{row}"
    );

    // Mum writes: the bot leaves her to the owner, and the row says why.
    fake.incoming(
        json!({ "id": "E2E-MUM", "from": "34600999888@c.us", "body": "¿Vienes a comer?" }),
    );
    assert_eq!(skip_reason(&data_dir, "E2E-MUM").await, "known_contact");

    client.close().await.expect("the app closes");
    drop(driver);
    // Nothing was sent twice, nothing after the takeover, and nothing to Mum.
    let recorded = fake.recorded();
    assert_eq!(recorded.sent.len(), 2);

    // The logs say what happened, never to whom: no message text, contact name, phone
    // number, QR code, key or secret in any log file (detailed logs were off).
    let mut secrets: Vec<String> = [
        "Hola, soy Ana",
        "Ana@Example.com",
        "ana@example.com",
        "Ana, te llamo",
        "¡Perfecto, gracias!",
        "¿Vienes a comer?",
        "¿la tienen en azul?",
        "lista-precios",
        "Mamá",
        "\"Ana\"",
        " Ana ",
        "34611222333",
        "611 222 333",
        "611222333",
        "34600999888",
        "600 99 98 88",
        "34600000001",
        REPLY,
        KEY,
        SECRET,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for qr in &recorded.qr_history {
        secrets.push(qr.clone());
        secrets.extend(
            qr.split(',')
                .filter(|part| part.len() >= 8)
                .map(str::to_string),
        );
    }
    let leaks = leadline_tests::log_leaks(&data_dir.join("logs"), &secrets);
    assert!(leaks.is_empty(), "customers' data in the logs: {leaks:?}");
}

/// Why the bot skipped the message whose WhatsApp id contains `id`, once it decided.
async fn skip_reason(data_dir: &std::path::Path, id: &str) -> String {
    let database = data_dir.join("leadline.db");
    let deadline = Instant::now() + REPLY_DEADLINE;
    loop {
        let reason: Option<String> = rusqlite::Connection::open_with_flags(
            &database,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .and_then(|db| {
            db.query_row(
                "SELECT i.skip_reason FROM inbox i JOIN messages m ON m.id = i.message_id
                 WHERE m.wa_msg_id LIKE '%' || ?1 || '%' AND i.state = 'skipped'",
                [id],
                |r| r.get(0),
            )
        })
        .ok();
        if let Some(reason) = reason {
            return reason;
        }
        assert!(Instant::now() < deadline, "message {id} was never decided");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
