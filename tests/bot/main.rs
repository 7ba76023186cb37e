//! The bot pipeline through the core, with the in-memory WhatsApp (`memory_wa`) and the
//! scripted AI provider (`fake_ai`): every policy branch ends on the inbox row as replied,
//! skipped with its reason, or failed with its error; and a crash between the send and its
//! record never answers twice.

// Tests may panic on what they set up themselves; that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod arrival_order;
mod crash;
mod exactly_once;
mod hearing;
mod keychain_hung;
mod kinds;
mod limits;
mod logs;
mod owners_hand;
mod webhook;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadline_core::ai::client::Limits;
use leadline_core::ai::provider::Preset;
use leadline_core::ai::providers::ProviderInput;
use leadline_core::app::App;
use leadline_core::bot::inbox::Handled;
use leadline_core::bot::settings::NumberBot;
use leadline_core::bot::timing::{Pacing, Tuning};
use leadline_core::bot::{intake, pipeline};
use leadline_core::chats::owner;
use leadline_core::clock::SystemClock;
use leadline_core::error::ErrorCode;
use leadline_core::events::CoreEvent;
use leadline_core::leadline::Leadline;
use leadline_core::model::ai_call::Purpose;
use leadline_core::model::behaviour::{Behaviour, OutsideHours};
use leadline_core::model::chat::{ChatListRequest, Direction, Origin};
use leadline_core::model::decision::SkipReason;
use leadline_core::model::inbox::InboxState;
use leadline_core::model::lead::{LeadChange, LeadSummary};
use leadline_core::model::lead_field::{FieldKind, LeadField};
use leadline_core::model::number::LinkState;
use leadline_core::model::number_ai::NumberAi;
use leadline_core::model::quick_reply::{MatchKind, QuickReply};
use leadline_core::model::schedule::Schedule;
use leadline_core::numbers::linking;
use leadline_core::reports::activity::ActivityEntry;
use leadline_core::store::database::Store;
use leadline_core::store::{inbox, leads, messages};
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::message::WaMessage;
use leadline_tests::fakes::ai::{FakeAi, Step, turn_json};
use leadline_tests::fakes::memory_whatsapp::MemoryWhatsApp;
use leadline_tests::{inspect, tamper};
use serde_json::json;

const ME: &str = "34600111222@c.us";
pub const ANA: &str = "34611222333@c.us";

/// The app started through `App::start` with an in-memory WhatsApp and a scripted AI.
pub struct Bot {
    app: App,
    core: Leadline,
    wa: MemoryWhatsApp,
    ai: FakeAi,
    id: i64,
    events: Arc<Mutex<Vec<CoreEvent>>>,
    keychain: Arc<leadline_tests::keyring::LockableKeychain>,
    _dir: tempfile::TempDir,
}

impl Bot {
    /// Driven by hand: the number connected, each message received and handled by the
    /// test (`customer`, `process`), the runner's sweep and the late delivery check out of
    /// the way, and WhatsApp's echoes held until `echoes_back`.
    async fn start() -> Bot {
        let bot = Bot::started(true, Duration::from_secs(3_600)).await;
        bot.connect().await;
        bot
    }

    /// Live: the runner answers what the page reports; the number (linked when Leadline
    /// last ran) is not connected until `connect`.
    async fn live() -> Bot {
        Bot::started(false, Tuning::default().delivery_wait).await
    }

    /// `live`, with WhatsApp's server given `delivery_wait` to confirm a send.
    async fn live_with_delivery_wait(delivery_wait: Duration) -> Bot {
        Bot::started(false, delivery_wait).await
    }

    async fn started(by_hand: bool, delivery_wait: Duration) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let ai = FakeAi::start().await;
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let keychain = Arc::new(leadline_tests::keyring::LockableKeychain::default());
        let core = Leadline::new(
            Store::open(&dir.path().join("leadline.db")).unwrap(),
            Arc::new(move |event| sink.lock().unwrap().push(event)),
            Arc::new(SystemClock),
        )
        .with_keychain(keychain.clone())
        .with_keychain_wait(Duration::from_millis(500))
        .with_ai_limits(Limits {
            timeout: Duration::from_secs(5),
            attempts: 1,
            ..Limits::default()
        })
        .with_webhook_backoff(Duration::from_millis(50));
        core.save_ai_provider(ProviderInput {
            id: None,
            preset: Preset::Custom,
            base_url: ai.url(),
            default_model: Some("fake-model".into()),
            key: Some("sk-bot".into()),
            make_default: true,
        })
        .await
        .unwrap();
        let number = core.add_number("Bikes").await.unwrap();
        // Linked when Leadline last ran: WhatsApp knows it as `ME`.
        linking::state_changed(&core, number.id, AccountState::Working { me: ME.into() })
            .await
            .unwrap();
        core.set_number_ai(
            number.id,
            NumberAi {
                prompt: "You sell bikes.".into(),
                facts: String::new(),
                fields: vec![
                    LeadField::new("name", "Name", FieldKind::Text),
                    LeadField::new("phone", "Phone", FieldKind::Phone),
                ],
                criteria: "wants to buy".into(),
                provider: None,
                model: None,
            },
        )
        .await
        .unwrap();
        // Switched on by the owner (a new number waits to be tried).
        let mut bot = core.number_bot(number.id).await.unwrap();
        bot.enabled = true;
        core.set_number_bot(number.id, bot).await.unwrap();
        let wa = MemoryWhatsApp::new(ME);
        let mut tuning = Tuning {
            pacing: Pacing::NONE,
            delivery_wait,
            // A photo slow to come holds its chat's answer 3 s here (30 s in the app).
            photo_wait: Duration::from_secs(3),
            ..Tuning::default()
        };
        if by_hand {
            wa.hold_echoes();
            tuning.sweep_every = Duration::from_secs(3_600);
        }
        let app = App::start(
            core.clone(),
            Arc::new(wa.clone()),
            dir.path().join("profiles"),
            tuning,
        );
        Bot {
            app,
            core,
            wa,
            ai,
            id: number.id,
            events,
            keychain,
            _dir: dir,
        }
    }

    /// Starts the number's page (the owner's Link, or a start) and waits until it works.
    async fn connect(&self) {
        let mut state = self.app.link(self.id).await.unwrap();
        tokio::time::timeout(
            Duration::from_secs(10),
            state.wait_for(|s| matches!(s, AccountState::Working { .. })),
        )
        .await
        .expect("the in-memory number works")
        .unwrap();
    }

    /// Stops every number's page (the app closing, or the connection gone).
    async fn disconnect(&self) {
        self.app.stop().await;
    }

    /// Stores a message as WhatsApp reported it; the inbox row to decide on, if any.
    async fn receive(&self, message: WaMessage) -> Option<i64> {
        intake::receive(self.app.bot(), self.id, message)
            .await
            .unwrap()
            .map(|r| r.row)
    }

    /// Answers a stored message's chat; what became of it.
    async fn handle(&self, row: i64) -> Handled {
        pipeline::handle(self.app.bot(), self.id, row)
            .await
            .unwrap()
    }

    /// Answers every chat of the number with open rows.
    async fn resume(&self) -> Vec<(i64, Handled)> {
        pipeline::resume(self.app.bot(), self.id).await.unwrap()
    }

    /// A message arrives and goes through the whole pipeline.
    async fn customer(&self, id: &str, chat: &str, body: &str) -> Option<Handled> {
        let message = WaMessage {
            id: format!("false_{chat}_{id}"),
            chat: chat.into(),
            from: chat.into(),
            from_me: false,
            kind: leadline_core::model::message_kind::MessageKind::Text,
            body: body.into(),
            details: Default::default(),
            timestamp: jiff::Timestamp::now().as_second(),
            push_name: Some("Ana".into()),
            phone: None,
            username: None,
        };
        self.process(message).await
    }

    async fn process(&self, message: WaMessage) -> Option<Handled> {
        let row = self.receive(message).await?;
        Some(self.handle(row).await)
    }

    /// The owner writes from their phone (to a customer, or to themselves).
    async fn owner(&self, id: &str, chat: &str, body: &str) -> Option<Handled> {
        self.process(WaMessage {
            id: format!("true_{chat}_{id}"),
            chat: chat.into(),
            from: ME.into(),
            from_me: true,
            kind: leadline_core::model::message_kind::MessageKind::Text,
            body: body.into(),
            details: Default::default(),
            timestamp: jiff::Timestamp::now().as_second(),
            push_name: None,
            phone: None,
            username: None,
        })
        .await
    }

    /// WhatsApp's echoes of our sends arrive now (the runner stores them); each is stored
    /// once and needs no decision.
    async fn echoes_back(&self) {
        for echo in self.wa.release_echoes() {
            let id = echo.id.clone();
            until("the echo stored", || {
                inspect::message(&self.core, self.id, &id).is_some()
            })
            .await;
            let stored = inspect::message(&self.core, self.id, &id).unwrap();
            assert!(
                inspect::inbox_row(&self.core, stored).is_none(),
                "an echo of our own reply needs no decision"
            );
            assert_eq!(
                self.receive(echo).await,
                None,
                "an echo redelivered needs no decision either"
            );
        }
    }

    // What the tests read of Leadline's state, typed (`leadline_tests::inspect`).

    /// The number's inbox rows, oldest first.
    fn inbox(&self) -> Vec<inbox::Row> {
        inspect::inbox(self.core.store(), self.id)
    }

    /// The oldest inbox row (the tests with one message).
    fn row(&self) -> inbox::Row {
        self.inbox().remove(0)
    }

    /// The number's messages, oldest first.
    fn messages(&self) -> Vec<messages::Stored> {
        inspect::messages(self.core.store(), self.id)
    }

    /// How many messages of the number are `origin`'s.
    fn said_by(&self, origin: Origin) -> usize {
        self.messages()
            .iter()
            .filter(|m| m.origin == origin)
            .count()
    }

    /// Until when the bot is paused in a chat.
    fn paused_until(&self, wa_chat_id: &str) -> Option<i64> {
        inspect::chat(self.core.store(), self.id, wa_chat_id).and_then(|c| c.paused_until)
    }

    /// The id of the number's chat with `wa_chat_id`.
    fn chat_of(&self, wa_chat_id: &str) -> i64 {
        inspect::chat(self.core.store(), self.id, wa_chat_id)
            .expect("the chat is stored")
            .id
    }

    /// The texts of the messages the AI was last asked with.
    fn last_asked(&self) -> Vec<String> {
        let asked = self.ai.requests().last().expect("the AI was asked").body["messages"].clone();
        asked
            .as_array()
            .map(|messages| {
                messages
                    .iter()
                    .filter_map(|m| m["content"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many AI calls were made for `purpose`.
    fn ai_calls(&self, purpose: Purpose) -> usize {
        inspect::ai_calls(self.core.store())
            .iter()
            .filter(|call| call.purpose == purpose)
            .count()
    }

    /// The audit log's entries of one kind, newest first.
    async fn activities(&self, kind: &str) -> Vec<ActivityEntry> {
        self.core
            .activity(500)
            .await
            .unwrap()
            .into_iter()
            .filter(|entry| entry.kind == kind)
            .collect()
    }

    /// The lead with the newest activity.
    async fn lead(&self) -> LeadSummary {
        self.core.latest_leads(1).await.unwrap().remove(0)
    }

    /// The number's bot settings, changed by `edit` and saved as the owner would.
    async fn edit_bot(&self, edit: impl FnOnce(&mut NumberBot)) {
        let mut settings = self.core.number_bot(self.id).await.unwrap();
        edit(&mut settings);
        self.core.set_number_bot(self.id, settings).await.unwrap();
    }
}

/// A lead's field, by name.
fn field(lead: &LeadSummary, key: &str) -> Option<String> {
    lead.fields
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.clone())
}

fn reply(text: &str) -> Step {
    Step::text(turn_json(text, json!({ "name": "Ana" }), false, "asking"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_message_is_stored_answered_once_and_never_again() {
    let bot = Bot::start().await;
    bot.ai.push(reply("¡Hola Ana! ¿Qué bici buscas? 🚲"));
    let handled = bot
        .customer("A1", ANA, "Hola, quiero una bici")
        .await
        .unwrap();
    assert!(matches!(handled, Handled::Replied { .. }), "{handled:?}");
    let sent = bot.wa.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].chat.as_str(), sent[0].text.as_str()),
        (ANA, "¡Hola Ana! ¿Qué bici buscas? 🚲")
    );
    assert_eq!(bot.wa.seen(), [ANA], "seen before replying");
    bot.echoes_back().await;

    // The same message again (a redelivery) is a no-op.
    assert_eq!(bot.customer("A1", ANA, "Hola, quiero una bici").await, None);
    assert_eq!(
        bot.wa.sent().len(),
        1,
        "a redelivered message is never answered twice"
    );
    assert_eq!(bot.row().state, "replied");
    assert_eq!(
        bot.said_by(Origin::Bot),
        1,
        "the echo is not a second message"
    );
    assert_eq!(bot.ai_calls(Purpose::Reply), 1);
    let history = bot.ai.requests().last().unwrap().body["messages"].clone();
    assert_eq!(
        history[1]["content"], "Hola, quiero una bici",
        "the conversation goes to the AI"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_typing_on_the_phone_pauses_the_bot_in_that_chat() {
    let bot = Bot::start().await;
    assert_eq!(
        bot.owner("O1", ANA, "Hola Ana, te llamo yo").await,
        Some(Handled::Skipped {
            reason: SkipReason::OwnerTakeover
        })
    );
    let quiet = bot.customer("A2", ANA, "Vale, gracias").await.unwrap();
    assert_eq!(
        quiet,
        Handled::Skipped {
            reason: SkipReason::TakenOver
        }
    );
    assert!(
        bot.wa.sent().is_empty(),
        "the bot stays quiet while the owner talks"
    );
    let until = bot.paused_until(ANA).unwrap();
    let hours = (until - jiff::Timestamp::now().as_millisecond()) as f64 / 3_600_000.0;
    assert!(
        (11.9..=12.0).contains(&hours),
        "paused for the default 12 h: {hours}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_commands_to_their_own_number_pause_resume_and_report() {
    let bot = Bot::start().await;
    assert!(matches!(
        bot.owner("C1", ME, "!pause 2h").await,
        Some(Handled::Replied { .. })
    ));
    assert!(
        bot.wa.sent()[0].text.contains("paused for 2 hour"),
        "{:?}",
        bot.wa.sent()
    );
    assert_eq!(
        bot.wa.sent()[0].chat,
        ME,
        "the answer goes to the owner's own chat"
    );
    bot.echoes_back().await;
    assert_eq!(
        bot.customer("A3", ANA, "hola").await,
        Some(Handled::Skipped {
            reason: SkipReason::NumberPaused
        })
    );
    assert!(matches!(
        bot.owner("C2", ME, "!status").await,
        Some(Handled::Replied { .. })
    ));
    assert!(bot.wa.sent()[1].text.contains("paused"));
    assert!(matches!(
        bot.owner("C3", ME, "!resume").await,
        Some(Handled::Replied { .. })
    ));
    bot.echoes_back().await;
    assert!(matches!(
        bot.customer("A4", ANA, "hola otra vez").await,
        Some(Handled::Replied { .. })
    ));
    assert_eq!(
        bot.owner("N1", ME, "comprar leche").await,
        Some(Handled::Skipped {
            reason: SkipReason::OwnMessage
        })
    );
    assert_eq!(bot.activities("owner_command").await.len(), 2);
}

/// A number whose provider names no default model, and which chose none itself, is not set
/// up: the live bot tells the owner what to choose (the playground's words) and never
/// sends the provider an empty model name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_without_a_model_is_not_sent_to_the_ai_and_the_owner_is_told_what_to_choose() {
    let bot = Bot::start().await;
    let provider = bot.core.ai_providers().await.unwrap().remove(0);
    bot.core
        .save_ai_provider(ProviderInput {
            id: Some(provider.id.clone()),
            preset: Preset::Custom,
            base_url: bot.ai.url(),
            default_model: None,
            key: None,
            make_default: true,
        })
        .await
        .unwrap();
    bot.ai.push(reply("¡Hola!"));
    let handled = bot.customer("M1", ANA, "hola").await;
    let Some(Handled::Failed { error }) = handled else {
        panic!("a turn without a model fails for the owner to fix: {handled:?}");
    };
    assert!(error.contains("Choose a model"), "{error}");
    assert!(bot.ai.requests().is_empty(), "nothing went to the provider");
    assert!(bot.wa.sent().is_empty(), "nothing went to the customer");
}

/// The owner's own commands are answered in the owner's language (Settings), like
/// everything else Leadline tells them (they were English only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_command_replies_are_in_the_owners_language() {
    let bot = Bot::start().await;
    let mut settings = bot.core.settings().await.unwrap();
    settings.language = Some("es".into());
    bot.core.set_settings(settings).await.unwrap();
    assert!(matches!(
        bot.owner("C1", ME, "!pause 2h").await,
        Some(Handled::Replied { .. })
    ));
    assert_eq!(
        bot.wa.sent()[0].text,
        "⏸ Leadline en pausa durante 2 hora(s)."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_quick_replies_hours_and_ai_failures_each_end_on_the_row() {
    let bot = Bot::start().await;
    let group = WaMessage {
        id: "false_123@g.us_G1".into(),
        chat: "123@g.us".into(),
        from: ANA.into(),
        from_me: false,
        kind: leadline_core::model::message_kind::MessageKind::Text,
        body: "hola grupo".into(),
        details: Default::default(),
        timestamp: jiff::Timestamp::now().as_second(),
        push_name: None,
        phone: None,
        username: None,
    };
    assert_eq!(
        bot.process(group).await,
        Some(Handled::Skipped {
            reason: SkipReason::Group
        })
    );

    // A quick reply answers without the AI.
    bot.edit_bot(|settings| {
        settings.quick_replies = vec![QuickReply {
            kind: MatchKind::Keyword,
            pattern: "precio".into(),
            reply: "Desde 349 €".into(),
            enabled: true,
        }]
    })
    .await;
    let before = bot.ai.requests().len();
    assert!(matches!(
        bot.customer("Q1", ANA, "¿Qué precio tiene?").await,
        Some(Handled::Replied { .. })
    ));
    assert_eq!(bot.wa.sent().last().unwrap().text, "Desde 349 €");
    assert_eq!(
        bot.ai.requests().len(),
        before,
        "no AI call for a quick reply"
    );

    // Closed all week: the away message, once per closed stretch and contact.
    bot.edit_bot(|settings| {
        settings.behaviour = Behaviour {
            outside_hours: OutsideHours::AwayMessage,
            away_message: "Cerrado, volvemos pronto".into(),
            ..Behaviour::default()
        };
        settings.schedule = Some(Schedule {
            zone: "Europe/Madrid".into(),
            periods: vec![],
            holidays: vec![],
            closures: vec![],
        });
    })
    .await;
    let bob = "34622333444@c.us";
    assert!(matches!(
        bot.customer("B1", bob, "hola?").await,
        Some(Handled::Replied { .. })
    ));
    assert_eq!(
        bot.wa.sent().last().unwrap().text,
        "Cerrado, volvemos pronto"
    );
    assert_eq!(
        bot.customer("B2", bob, "hola??").await,
        Some(Handled::Skipped {
            reason: SkipReason::AwayAlreadySent
        })
    );

    // Open again; the AI refuses the key: the row fails, the owner is told, the customer
    // gets nothing raw.
    bot.edit_bot(|settings| settings.schedule = None).await;
    bot.ai.push(Step::status(
        401,
        "{\"error\":{\"message\":\"Invalid API Key\"}}",
    ));
    let sent_before = bot.wa.sent().len();
    let failed = bot.customer("B3", bob, "¿tenéis tallas?").await.unwrap();
    assert!(
        matches!(&failed, Handled::Failed { error } if error.contains("refused the API key")),
        "{failed:?}"
    );
    assert_eq!(
        bot.wa.sent().len(),
        sent_before,
        "no raw error reaches a customer"
    );
    assert_eq!(bot.activities("ai_failed").await.len(), 1);
    assert_eq!(
        bot.inbox()
            .iter()
            .filter(|r| matches!(r.state, InboxState::Received | InboxState::Decided))
            .count(),
        0,
        "every row ends somewhere"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_a_reply_already_sent_is_recorded_not_sent_again() {
    let bot = Bot::start().await;
    bot.ai.push(reply("Te envío el catálogo"));
    let handled = bot.customer("K1", ANA, "¿Catálogo?").await.unwrap();
    let Handled::Replied { wa_msg_id } = handled else {
        panic!("{handled:?}")
    };

    // The crash: the send happened, its record didn't (row back to decided, reply gone).
    tamper::reply_unrecorded(bot.core.store(), bot.row().message_id);
    let resumed = bot.resume().await;
    // The runner's own look after the number started may get there first (on a busy
    // machine it runs after the tamper): either way the reply is found in WhatsApp's own
    // list, recorded, and not sent again.
    let found = Handled::Replied {
        wa_msg_id: wa_msg_id.clone(),
    };
    assert!(
        resumed.len() <= 1 && resumed.iter().all(|(_, handled)| *handled == found),
        "found in WhatsApp's own list: {resumed:?}"
    );
    assert_eq!(bot.row().state, InboxState::Replied);
    assert_eq!(
        bot.wa.sent().len(),
        1,
        "a reply that went out is never sent twice"
    );

    // The other crash: decided and counted, but the send never happened: sent once now,
    // with the same words (no second AI call).
    bot.ai.push(reply("Claro, ¿qué talla?"));
    bot.wa.fail_sends(1);
    let failed = bot.customer("K2", ANA, "¿Y tallas?").await.unwrap();
    assert!(matches!(failed, Handled::Failed { .. }));
    tamper::sends_interrupted(bot.core.store());
    let ai_calls = bot.ai.requests().len();
    let resumed = bot.resume().await;
    assert!(
        matches!(resumed[0].1, Handled::Replied { .. }),
        "{resumed:?}"
    );
    assert_eq!(bot.wa.sent().last().unwrap().text, "Claro, ¿qué talla?");
    assert_eq!(
        bot.ai.requests().len(),
        ai_calls,
        "the stored text is sent, the AI isn't asked again"
    );
    assert_eq!(bot.wa.sent().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echo_that_arrives_before_the_send_is_recorded_completes_the_reply() {
    let bot = Bot::start().await;
    // A row decided and being sent (attempt counted), as in the middle of `handle`.
    bot.ai.push(reply("Un momento"));
    bot.wa.fail_sends(1);
    bot.customer("E1", ANA, "¿Hay stock?").await.unwrap();
    tamper::sends_interrupted(bot.core.store());
    // WhatsApp's echo of that reply comes in first.
    let echo = WaMessage {
        id: format!("true_{ANA}_ECHO1"),
        chat: ANA.into(),
        from: ME.into(),
        from_me: true,
        kind: leadline_core::model::message_kind::MessageKind::Text,
        body: "Un momento".into(),
        details: Default::default(),
        timestamp: jiff::Timestamp::now().as_second(),
        push_name: None,
        phone: None,
        username: None,
    };
    assert_eq!(
        bot.receive(echo).await,
        None,
        "our own reply is not the owner taking over"
    );
    assert_eq!(bot.row().state, "replied");
    assert_eq!(bot.paused_until(ANA), None);
    assert!(bot.resume().await.is_empty(), "nothing left to send");
    assert!(bot.wa.sent().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_merge_turn_by_turn_and_a_lead_qualifies_once() {
    let bot = Bot::start().await;
    bot.ai.push(Step::text(turn_json(
        "¿Tu teléfono?",
        json!({ "name": "Ana", "phone": null }),
        false,
        "no contact yet",
    )));
    bot.customer("L1", ANA, "Soy Ana y quiero 2 bicis")
        .await
        .unwrap();
    assert_eq!(bot.lead().await.stage, "engaged");
    assert_eq!(bot.lead().await.score, 30, "one of two fields known");

    bot.ai.push(Step::text(turn_json(
        "¡Gracias Ana!",
        json!({ "name": "Ana", "phone": "611 222 333" }),
        true,
        "wants 2 bikes and left a phone",
    )));
    bot.customer("L2", ANA, "611 222 333").await.unwrap();
    assert_eq!(bot.lead().await.stage, "qualified");
    assert_eq!(bot.lead().await.score, 100);
    assert_eq!(
        field(&bot.lead().await, "phone").unwrap(),
        "+34611222333",
        "E.164 with the number's country"
    );
    assert_eq!(
        bot.lead().await.reason.unwrap(),
        "Meets: wants 2 bikes and left a phone — name: Ana, phone: +34611222333"
    );
    let qualified: Vec<_> = bot
        .events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CoreEvent::LeadQualified(lead) => Some(lead.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(qualified.len(), 1);
    assert_eq!(qualified[0].name.as_deref(), Some("Ana"));
    assert_eq!(qualified[0].phone.as_deref(), Some("+34611222333"));

    // Still qualified on the next turn: announced once only. The owner's own value wins.
    let lead_id = bot.lead().await.id;
    bot.core
        .store()
        .call_blocking(move |conn| {
            Ok(leads::set_owner_field(
                conn,
                lead_id,
                "name",
                "Ana María",
                0,
            )?)
        })
        .unwrap();
    bot.ai.push(Step::text(turn_json(
        "Perfecto",
        json!({ "name": "Anita", "phone": "611 222 333" }),
        true,
        "still in",
    )));
    bot.customer("L3", ANA, "¿Cuándo llegan?").await.unwrap();
    let announced = bot
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, CoreEvent::LeadQualified(_)))
        .count();
    assert_eq!(announced, 1, "a lead qualifies once");
    assert_eq!(
        field(&bot.lead().await, "name").unwrap(),
        "Ana María",
        "the owner's edit wins"
    );
    assert!(
        bot.core
            .lead_detail(lead_id)
            .await
            .unwrap()
            .events
            .iter()
            .filter(|e| matches!(e.change, LeadChange::Stage { .. }))
            .count()
            >= 2,
        "stage history kept"
    );
    let prompt = bot.ai.requests().last().unwrap().body["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        prompt.contains(r#""phone":"+34611222333""#),
        "known fields go to the prompt, as quoted data"
    );

    // The Leads list: one lead with its checked fields; every turn told the window.
    let listed = bot.core.latest_leads(50).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name.as_deref(), Some("Ana María"));
    assert_eq!(listed[0].stage, "qualified");
    assert_eq!(listed[0].score, 100);
    assert!(
        listed[0]
            .fields
            .contains(&("phone".to_string(), "+34611222333".to_string()))
    );
    let updates = bot
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, CoreEvent::LeadUpdated { id, .. } if *id == listed[0].id))
        .count();
    assert_eq!(updates, 3, "one update per turn");

    // The Leads table finds the lead by its phone typed with spaces, named as last merged.
    let found = bot
        .core
        .lead_page(leadline_core::model::lead::LeadPageRequest {
            filter: leadline_core::model::lead::LeadFilter {
                search: "611 222".into(),
                ..Default::default()
            },
            sort: leadline_core::model::lead::LeadSort::Name,
            descending: false,
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].name.as_deref(), Some("Ana María"));
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "{what} within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn from_customer(id: &str, body: &str) -> WaMessage {
    WaMessage {
        id: format!("false_{ANA}_{id}"),
        chat: ANA.into(),
        from: ANA.into(),
        from_me: false,
        kind: leadline_core::model::message_kind::MessageKind::Text,
        body: body.into(),
        details: Default::default(),
        timestamp: jiff::Timestamp::now().as_second(),
        push_name: None,
        phone: None,
        username: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_one_turn_and_rows_left_open_are_resumed_when_connected() {
    let bot = Bot::live().await;
    bot.edit_bot(|settings| settings.behaviour.debounce_seconds = 1)
        .await;
    // A message stored while the number was away: answered once it is connected.
    bot.ai.push(reply("Perdona la espera"));
    let waiting = bot.receive(from_customer("W1", "¿Hola?")).await;
    assert!(waiting.is_some());
    bot.connect().await;
    until("the waiting message answered", || bot.wa.sent().len() == 1).await;
    assert_eq!(bot.wa.sent()[0].text, "Perdona la espera");

    // Three messages in a burst: one turn, one reply, the first two recorded as merged.
    bot.ai.push(reply("¡Claro! Te cuento"));
    for (id, body) in [
        ("B1", "Hola"),
        ("B2", "quería saber"),
        ("B3", "el precio de la urbana"),
    ] {
        assert!(bot.wa.deliver(from_customer(id, body)));
    }
    until("the burst answered", || bot.wa.sent().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(bot.wa.sent().len(), 2, "one reply for the burst");
    assert_eq!(
        bot.inbox()
            .iter()
            .filter(|r| r.skip_reason == Some(SkipReason::MergedIntoLaterTurn))
            .count(),
        2
    );
    let said = bot.last_asked();
    assert!(
        said.iter().any(|t| t == "quería saber")
            && said.iter().any(|t| t == "el precio de la urbana"),
        "the whole burst goes to the AI: {said:?}"
    );
    // The echoes of both replies were stored as the bot's, not as the owner taking over.
    until("echoes stored", || bot.said_by(Origin::Bot) == 2).await;
    assert_eq!(
        inspect::chats(bot.core.store(), bot.id)
            .iter()
            .filter(|c| c.paused_until.is_some())
            .count(),
        0
    );
    bot.disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_switched_off_or_outside_its_scheduled_window_stays_quiet() {
    let bot = Bot::start().await;
    let mut settings = bot.core.number_bot(bot.id).await.unwrap();
    assert!(settings.enabled, "on by default");

    settings.enabled = false;
    bot.core
        .set_number_bot(bot.id, settings.clone())
        .await
        .unwrap();
    assert_eq!(
        bot.customer("S1", ANA, "hola").await,
        Some(Handled::Skipped {
            reason: SkipReason::BotOff
        })
    );

    // Switched on, but scheduled to start tomorrow (local time in the number's zone).
    let zone = "America/Mexico_City";
    let local = |hours: i64| {
        jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(hours))
            .unwrap()
            .in_tz(zone)
            .unwrap()
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    };
    settings.enabled = true;
    settings.schedule = Some(leadline_core::model::schedule::Schedule {
        zone: zone.into(),
        periods: (1..=7)
            .map(|weekday| leadline_core::model::schedule::Period {
                weekday,
                start: "00:00".into(),
                end: "00:00".into(),
            })
            .collect(),
        holidays: vec![],
        closures: vec![],
    });
    settings.behaviour.bot_starts_at = Some(local(24));
    bot.core
        .set_number_bot(bot.id, settings.clone())
        .await
        .unwrap();
    assert_eq!(
        bot.customer("S2", ANA, "¿hay alguien?").await,
        Some(Handled::Skipped {
            reason: SkipReason::BotOff
        })
    );

    // Started an hour ago, stops tomorrow: it answers.
    settings.behaviour.bot_starts_at = Some(local(-1));
    settings.behaviour.bot_stops_at = Some(local(24));
    bot.core
        .set_number_bot(bot.id, settings.clone())
        .await
        .unwrap();
    bot.ai
        .push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    assert!(matches!(
        bot.customer("S3", ANA, "hola de nuevo").await,
        Some(Handled::Replied { .. })
    ));

    // Stopped an hour ago: quiet again. A stop before the start is refused.
    settings.behaviour.bot_starts_at = None;
    settings.behaviour.bot_stops_at = Some(local(-1));
    bot.core
        .set_number_bot(bot.id, settings.clone())
        .await
        .unwrap();
    assert_eq!(
        bot.customer("S4", ANA, "¿sigues?").await,
        Some(Handled::Skipped {
            reason: SkipReason::BotOff
        })
    );
    settings.behaviour.bot_starts_at = Some(local(2));
    settings.behaviour.bot_stops_at = Some(local(1));
    let refused = bot.core.set_number_bot(bot.id, settings).await.unwrap_err();
    assert!(refused.to_string().contains("after its start"), "{refused}");
    assert_eq!(bot.wa.sent().len(), 1, "one reply in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_from_the_address_book_are_left_to_the_owner() {
    let bot = Bot::start().await;
    // Ana's phone written the local way (the number is Spanish), plus a line with no phone.
    let vcf = "BEGIN:VCARD\nVERSION:3.0\nFN:Ana (prima)\nTEL;TYPE=CELL:611 22 23 33\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nFN:Roto\nTEL:12-AB\nEND:VCARD\n";
    let report = bot.core.import_contacts(bot.id, vcf.into()).await.unwrap();
    assert_eq!(
        (
            report.found,
            report.added,
            report.skipped,
            report.known_total
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(report.skipped_entries[0].text, "12-AB");
    assert_eq!(report.skipped_entries[0].line, 6);
    let again = bot.core.import_contacts(bot.id, vcf.into()).await.unwrap();
    assert_eq!(
        (again.added, again.already_known),
        (0, 1),
        "importing twice changes nothing"
    );

    assert_eq!(
        bot.customer("K1", ANA, "hola, soy tu prima").await,
        Some(Handled::Skipped {
            reason: SkipReason::KnownContact
        })
    );
    assert!(bot.wa.sent().is_empty());

    // The owner lets the bot answer known contacts too, or forgets the address book.
    assert_eq!(bot.core.forget_known_contacts(bot.id).await.unwrap(), 1);
    assert_eq!(bot.core.known_contacts(bot.id).await.unwrap(), 0);
    bot.ai
        .push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    assert!(matches!(
        bot.customer("K2", ANA, "¿me oyes?").await,
        Some(Handled::Replied { .. })
    ));

    let not_contacts = bot
        .core
        .import_contacts(bot.id, "hello world".into())
        .await
        .unwrap_err();
    assert!(
        not_contacts.to_string().contains("No phone numbers"),
        "{not_contacts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_written_in_the_app_pauses_the_bot_there_until_resumed_by_hand() {
    let bot = Bot::start().await;
    bot.ai.push(reply("¡Hola! ¿En qué te ayudo?"));
    bot.customer("T0", ANA, "Hola").await.unwrap();
    bot.echoes_back().await;
    let chat = bot.chat_of(ANA);
    let blank = owner::reply(bot.app.bot(), chat, " \u{200b} ")
        .await
        .unwrap_err();
    assert!(blank.to_string().contains("Write a message"), "{blank}");

    let id = owner::reply(bot.app.bot(), chat, "Hola Ana, soy Marta 👋")
        .await
        .unwrap();
    assert_eq!(bot.wa.sent().len(), 2);
    assert!(!id.is_empty(), "WhatsApp's id for the message");
    assert_eq!(
        bot.messages()
            .iter()
            .rfind(|m| m.direction == Direction::Out)
            .unwrap()
            .origin,
        "owner_app"
    );
    // WhatsApp echoes the owner's message back: already stored, nothing to decide.
    bot.echoes_back().await;
    assert_eq!(
        bot.customer("T1", ANA, "¡Hola Marta!").await,
        Some(Handled::Skipped {
            reason: SkipReason::TakenOver
        })
    );

    bot.core.resume_chat(bot.id, ANA).await.unwrap();
    bot.ai.push(Step::text(turn_json(
        "¿En qué te ayudo?",
        json!({}),
        false,
        "",
    )));
    assert!(matches!(
        bot.customer("T2", ANA, "¿seguís ahí?").await,
        Some(Handled::Replied { .. })
    ));
    let unknown = bot.core.resume_chat(bot.id, "999@c.us").await.unwrap_err();
    assert_eq!(unknown.code(), leadline_core::error::ErrorCode::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pausing_every_bot_keeps_every_number_quiet_until_resumed_and_survives_a_restart() {
    let bot = Bot::start().await;
    assert!(
        !bot.core.bots_paused().await.unwrap(),
        "not paused by default"
    );
    assert!(bot.core.set_bots_paused(true).await.unwrap());
    // Asking twice changes nothing and is audited once.
    bot.core.set_bots_paused(true).await.unwrap();
    assert_eq!(
        bot.customer("P1", ANA, "hola").await,
        Some(Handled::Skipped {
            reason: SkipReason::BotOff
        })
    );
    assert!(bot.wa.sent().is_empty(), "nobody gets an automatic answer");
    let entries = bot.core.activity(20).await.unwrap();
    let pauses: Vec<_> = entries.iter().filter(|e| e.kind == "bots_paused").collect();
    assert_eq!(pauses.len(), 1);
    assert_eq!(
        pauses[0].args.get("variant").map(String::as_str),
        Some("on")
    );
    let announced = bot
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, CoreEvent::BotsPaused { paused: true }))
        .count();
    assert_eq!(announced, 1, "the window and the tray hear it once");

    // Kept in the database: a core opened on the same store is still paused.
    let reopened = leadline_core::leadline::Leadline::new(
        Store::open(&bot._dir.path().join("leadline.db")).unwrap(),
        std::sync::Arc::new(|_| {}),
        std::sync::Arc::new(leadline_core::clock::SystemClock),
    );
    assert!(reopened.bots_paused().await.unwrap());

    assert!(!bot.core.set_bots_paused(false).await.unwrap());
    bot.ai
        .push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    assert!(matches!(
        bot.customer("P2", ANA, "hola otra vez").await,
        Some(Handled::Replied { .. })
    ));
    assert_eq!(bot.wa.sent().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_id_senders_phone_reaches_the_contact_and_its_lead() {
    let bot = Bot::start().await;
    const LID: &str = "77700011122@lid";
    let from_lid = |id: &str, phone: Option<&str>| WaMessage {
        id: format!("false_{LID}_{id}"),
        chat: LID.into(),
        from: LID.into(),
        from_me: false,
        kind: leadline_core::model::message_kind::MessageKind::Text,
        body: "Hola".into(),
        details: Default::default(),
        timestamp: jiff::Timestamp::now().as_second(),
        push_name: Some("Ana".into()),
        phone: phone.map(str::to_string),
        username: None,
    };
    bot.ai.push(reply("¡Hola!"));
    bot.process(from_lid("L1", None)).await;
    assert_eq!(
        inspect::contacts(bot.core.store(), bot.id)[0].phone,
        None,
        "no phone while WhatsApp doesn't know it"
    );
    bot.echoes_back().await;
    bot.ai.push(reply("¿Qué buscas?"));
    bot.process(from_lid("L2", Some("+34600000009"))).await;
    assert_eq!(
        inspect::contacts(bot.core.store(), bot.id)[0]
            .phone
            .clone()
            .unwrap(),
        "+34600000009",
        "a linked id's phone is kept once WhatsApp knows it"
    );
    assert_eq!(
        inspect::contacts(bot.core.store(), bot.id)[0].wa_id,
        LID,
        "the contact keeps its stable id"
    );
    let lead = bot.core.lead_detail(bot.lead().await.id).await.unwrap();
    assert_eq!(lead.lead.phone.as_deref(), Some("+34600000009"));
}

/// Linking, the owner's reply from the app, unlinking and removing a number are each one
/// operation of the app: the data and the number's browser move together, and the shell
/// sequences nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_links_replies_unlinks_and_removes_a_number_in_one_operation_each() {
    let bot = Bot::live().await;
    let unknown = bot.app.link(404).await.unwrap_err();
    assert_eq!(
        unknown.code(),
        ErrorCode::NotFound,
        "only a number Leadline has"
    );

    // Link: the page starts and works, and the app knows it.
    bot.connect().await;
    assert!(matches!(
        bot.app.number_state(bot.id),
        AccountState::Working { .. }
    ));

    // The owner's reply, by the chat's id: sent through WhatsApp, kept as theirs, and the
    // bot steps back in that chat.
    assert!(bot.receive(from_customer("R1", "¿Hola?")).await.is_some());
    let chat = bot
        .core
        .chats(ChatListRequest::default())
        .await
        .unwrap()
        .remove(0);
    bot.app
        .reply_in_chat(chat.id, "Hola, soy Marta")
        .await
        .unwrap();
    assert_eq!(bot.wa.sent().last().unwrap().text, "Hola, soy Marta");
    assert!(
        bot.messages()
            .iter()
            .any(|m| m.origin == Origin::OwnerApp && m.body == "Hola, soy Marta")
    );
    assert!(bot.paused_until(ANA).is_some(), "the bot steps back there");
    let gone = bot.app.reply_in_chat(9_999, "¿?").await.unwrap_err();
    assert_eq!(gone.code(), ErrorCode::NotFound);

    // Unlink: logged out of WhatsApp, the browser stopped, the link forgotten.
    bot.app.unlink(bot.id).await.unwrap();
    assert_eq!(bot.wa.logouts(), 1, "WhatsApp is told");
    assert_eq!(bot.app.number_state(bot.id), AccountState::Stopped);
    let number = bot.core.number(bot.id).await.unwrap();
    assert_eq!(number.link_state, LinkState::Unlinked);
    assert_eq!(number.wa_id, None);
    assert_eq!(bot.activities("number_unlinked").await.len(), 1);

    // Remove (linked again first): logged out, stopped, and everything under it gone.
    bot.connect().await;
    bot.app.remove_number(bot.id).await.unwrap();
    assert_eq!(bot.wa.logouts(), 2);
    assert_eq!(bot.app.number_state(bot.id), AccountState::Stopped);
    assert!(bot.core.numbers().await.unwrap().is_empty());
    assert!(bot.messages().is_empty(), "its messages went with it");
    let removed = bot.app.remove_number(bot.id).await.unwrap_err();
    assert_eq!(removed.code(), ErrorCode::NotFound);
}
