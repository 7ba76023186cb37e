//! The owner's workspace on real rows: conversations and the bot's hand in each chat, one
//! lead in full and the owner's edits, the CSV export, Home's figures and the activity
//! log's filters.

use std::sync::{Arc, Mutex};

use leadline_core::error::ErrorCode;
use leadline_core::events::CoreEvent;
use leadline_core::leadline::Leadline;
use leadline_core::leads::detail::LeadEdit;
use leadline_core::leads::export::{ExportProgress, LeadExportRequest};
use leadline_core::model::chat::{BotInChat, ChatListRequest};
use leadline_core::model::lead::{LeadFilter, LeadSort};
use leadline_core::reports::activity::{ActivityGroup, ActivityQuery};
use leadline_core::store::database::Store;

use leadline_core::model::ai_call::{AiCall, Purpose};
use leadline_core::model::chat::{Direction, Origin};
use leadline_core::model::decision::Decision;
use leadline_core::model::inbox::{InboxState, Stored};
use leadline_core::model::lead_field::{FieldKind, LeadField};
use leadline_core::model::number_ai::NumberAi;
use leadline_core::store::messages::NewMessage;
use leadline_core::store::{account_settings, ai_usage, chats, inbox, leads, messages};

use crate::leads::seed_rows_at;
use crate::support::{Recorded, T0, TestClock, core};

/// The five leads, and a chat with three messages for Ana (lead 1, contact 1, number 1),
/// one of them answered.
fn with_chats(core: &Leadline) {
    with_chats_at(core, None);
}

/// `with_chats`, every lead made at `leads_at` when given.
fn with_chats_at(core: &Leadline, leads_at: Option<i64>) {
    seed_rows_at(core, T0, leads_at);
    let (t0, t1, t2) = (T0 - 3_000, T0 - 2_000, T0 - 1_000);
    core.store()
        .call_blocking(move |conn| {
            for (contact, account, wa_chat_id, last) in [
                (1, 1, "34611222333@c.us", t2),
                (2, 1, "971501234567@c.us", t1),
                (3, 2, "14155552671@c.us", t0),
            ] {
                let chat = chats::upsert(conn, account, wa_chat_id, Some(contact), last, 0)?;
                leads::upsert(conn, account, contact, Some(chat.id), 0)?;
            }
            let said = [
                (1, "a", Direction::In, Origin::Customer, "Hola 👋", t0),
                (
                    1,
                    "b",
                    Direction::Out,
                    Origin::Bot,
                    "¡Hola! ¿Qué talla?",
                    t1,
                ),
                (
                    1,
                    "c",
                    Direction::In,
                    Origin::Customer,
                    "42 \u{200f}مرحبا",
                    t2,
                ),
                (2, "d", Direction::In, Origin::Customer, "سلام", t1),
            ];
            for (chat_id, wa_msg_id, direction, origin, body, at) in said {
                let message = NewMessage {
                    account_id: 1,
                    chat_id,
                    wa_msg_id,
                    direction,
                    origin,
                    author: None,
                    kind: leadline_core::model::message_kind::MessageKind::Text,
                    body,
                    details: None,
                    sent_at: at,
                };
                messages::insert(conn, &message, at)?;
            }
            messages::set_ack(conn, 1, "b", 3)?;
            // Ana's first message, answered by the bot's.
            inbox::insert(conn, 1, 1, t0)?;
            let decision = Stored {
                decision: Decision::Ai { closed: false },
                text: Some("¡Hola! ¿Qué talla?".into()),
                to: Some("34611222333@c.us".into()),
            };
            inbox::decided(conn, 1, &[InboxState::Received], &decision, t1)?;
            inbox::replied(conn, 1, 2, t1)?;
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn chats_list_with_last_message_bot_state_and_transcript() {
    let (core, _) = core();
    with_chats(&core);
    let all = core.chats(ChatListRequest::default()).await.unwrap();
    let titles: Vec<&str> = all.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Ana", "سارة 🌙", "luis"], "newest message first");
    let ana = &all[0];
    assert_eq!(ana.last.as_ref().unwrap().body, "42 ‏مرحبا");
    assert_eq!(ana.bot, BotInChat::Active);
    assert_eq!(
        (ana.lead_id, ana.lead_stage.map(|s| s.as_str())),
        (Some(1), Some("qualified"))
    );

    let one_number = core
        .chats(ChatListRequest {
            number_id: Some(2),
            ..ChatListRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(one_number.len(), 1);
    let found = core
        .chats(ChatListRequest {
            search: "سارة".into(),
            ..ChatListRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    for odd in ["%", "_", "\\", "' OR 1=1 --", "\u{200b}"] {
        core.chats(ChatListRequest {
            search: odd.into(),
            ..ChatListRequest::default()
        })
        .await
        .unwrap_or_else(|e| panic!("{odd:?}: {e}"));
    }

    let transcript = core.transcript(1, None, 2).await.unwrap();
    let bodies: Vec<&str> = transcript
        .messages
        .iter()
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        bodies,
        ["¡Hola! ¿Qué talla?", "42 ‏مرحبا"],
        "newest two, oldest first"
    );
    assert!(transcript.more_before);
    assert_eq!(transcript.messages[0].ack, 3);
    let older = core
        .transcript(1, Some(transcript.messages[0].id), 10)
        .await
        .unwrap();
    assert_eq!(older.messages.len(), 1);
    assert!(!older.more_before);
    assert_eq!(
        core.transcript(99, None, 10).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn the_owner_pauses_resumes_and_ignores_a_chat() {
    let (core, events) = core();
    with_chats(&core);
    let paused = core.pause_chat(1, 60).await.unwrap();
    assert_eq!(
        paused.bot,
        BotInChat::Paused {
            until: T0 + 3_600_000,
            reason: Some("owner_paused".into())
        }
    );
    assert!(events.names().contains(&"chat:updated"));
    assert_eq!(
        core.pause_chat(1, 0).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        core.pause_chat(1, 31 * 24 * 60).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    let resumed = core.resume_chat_by_id(1).await.unwrap();
    assert_eq!(resumed.bot, BotInChat::Active);
    let ignored = core.set_chat_ignored(2, true).await.unwrap();
    assert_eq!(ignored.bot, BotInChat::Ignored);
    let back = core.set_chat_ignored(2, false).await.unwrap();
    assert_eq!(back.bot, BotInChat::Active);
    assert_eq!(
        core.pause_chat(42, 10).await.unwrap_err().code(),
        ErrorCode::NotFound
    );

    let takeovers = core
        .activity_page(ActivityQuery {
            group: Some(ActivityGroup::Takeovers),
            limit: 50,
            ..ActivityQuery::default()
        })
        .await
        .unwrap();
    let kinds: Vec<&str> = takeovers.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "contact_ignored",
            "contact_ignored",
            "chat_resumed",
            "chat_paused"
        ]
    );
    assert_eq!(
        takeovers[0].args.get("variant").map(String::as_str),
        Some("off"),
        "values kept for the window's language"
    );
    assert_eq!(
        takeovers[1].args.get("variant").map(String::as_str),
        Some("on")
    );
    let other_number = core
        .activity_page(ActivityQuery {
            number_id: Some(2),
            limit: 50,
            ..ActivityQuery::default()
        })
        .await
        .unwrap();
    assert!(other_number.is_empty());
    let next_page = core
        .activity_page(ActivityQuery {
            before_id: Some(takeovers[1].id),
            limit: 50,
            ..ActivityQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(next_page.len(), 2, "entries older than the second one");
}

#[tokio::test]
async fn the_owner_edits_a_lead_and_their_values_win() {
    let (core, events) = core();
    with_chats(&core);
    core.store()
        .call_blocking(|conn| {
            account_settings::create_defaults(conn, 1, 0)?;
            let asked = NumberAi {
                prompt: String::new(),
                facts: String::new(),
                fields: vec![
                    LeadField::new("email", "", FieldKind::Email),
                    LeadField::new("phone2", "", FieldKind::Phone),
                ],
                criteria: String::new(),
                provider: None,
                model: None,
            };
            account_settings::set_ai(conn, 1, &asked, 0)?;
            Ok(())
        })
        .unwrap();
    let detail = core.lead_detail(1).await.unwrap();
    assert_eq!(detail.chat_id, Some(1));
    assert_eq!(detail.asked.len(), 2);
    assert_eq!(detail.lead.name.as_deref(), Some("Ana García"));

    // A bad email refuses the whole edit: the stage doesn't change either.
    let refused = core
        .edit_lead(
            1,
            LeadEdit {
                stage: Some("won".into()),
                fields: vec![("email".into(), "not an email".into())],
                ..LeadEdit::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.to_string().contains("email"), "{refused}");
    assert_eq!(core.lead_detail(1).await.unwrap().lead.stage, "qualified");

    events.take();
    let edited = core
        .edit_lead(
            1,
            LeadEdit {
                stage: Some("won".into()),
                notes: Some("Wants size 42 — call Monday 📞".into()),
                fields: vec![
                    ("email".into(), " Ana@Example.COM ".into()),
                    ("city".into(), "Sevilla".into()),
                    ("name".into(), "Ana G.".into()),
                ],
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.lead.stage, "won");
    assert_eq!(edited.notes, "Wants size 42 — call Monday 📞");
    let email = edited.fields.iter().find(|f| f.key == "email").unwrap();
    assert_eq!(
        (email.value.as_str(), email.source.as_str()),
        ("Ana@example.com", "owner")
    );
    let kinds: Vec<&str> = edited.events.iter().map(|e| e.change.kind()).collect();
    assert_eq!(kinds, ["notes", "stage", "fields"], "newest first");
    assert!(matches!(
        events.take().as_slice(),
        [CoreEvent::LeadUpdated {
            id: 1,
            number_id: 1
        }]
    ));

    // The new name is what the table lists, sorts and finds.
    let page = core
        .lead_page(leadline_core::model::lead::LeadPageRequest {
            filter: LeadFilter {
                search: "sevilla".into(),
                ..LeadFilter::default()
            },
            sort: LeadSort::Name,
            descending: false,
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(page.rows[0].name.as_deref(), Some("Ana G."));

    // Clearing a field removes it; an unchanged edit records nothing.
    let cleared = core
        .edit_lead(
            1,
            LeadEdit {
                fields: vec![("city".into(), "  ".into())],
                ..LeadEdit::default()
            },
        )
        .await
        .unwrap();
    assert!(cleared.fields.iter().all(|f| f.key != "city"));
    let before = cleared.events.len();
    let same = core
        .edit_lead(
            1,
            LeadEdit {
                stage: Some("won".into()),
                notes: Some(cleared.notes.clone()),
                ..LeadEdit::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(same.events.len(), before);

    for bad in [
        LeadEdit {
            stage: Some("hot".into()),
            ..LeadEdit::default()
        },
        LeadEdit {
            fields: vec![("\u{200b}".into(), "x".into())],
            ..LeadEdit::default()
        },
        LeadEdit {
            fields: vec![("note".into(), "x".repeat(1_001))],
            ..LeadEdit::default()
        },
        LeadEdit {
            notes: Some("x".repeat(20_001)),
            ..LeadEdit::default()
        },
    ] {
        assert_eq!(
            core.edit_lead(1, bad).await.unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }
    assert_eq!(
        core.lead_detail(404).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn csv_export_of_the_filter_with_progress_and_no_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = Recorded::default();
    let store = Store::open(&dir.path().join("leadline.db")).unwrap();
    let core = Leadline::new(store, recorded.sink(), TestClock::at(T0));
    with_chats(&core);
    core.store()
        .call_blocking(|conn| {
            leads::set_ai_field(conn, 2, "city", "=HYPERLINK(\"http://x\")", 0)?;
            Ok(())
        })
        .unwrap();
    let out = dir.path().join("exports");
    let progress = Arc::new(Mutex::new(Vec::new()));
    let heard = progress.clone();
    let all = core
        .export_leads(
            LeadExportRequest {
                sort: LeadSort::Name,
                descending: false,
                ..LeadExportRequest::default()
            },
            out.clone(),
            move |step| heard.lock().unwrap().push(step),
        )
        .await
        .unwrap();
    assert_eq!(all.rows, 5);
    let text = std::fs::read_to_string(&all.path).unwrap();
    assert!(
        text.starts_with('\u{feff}'),
        "a BOM for spreadsheet programs"
    );
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..5],
        [
            "Name",
            "Phone",
            "WhatsApp username",
            "WhatsApp number",
            "Stage"
        ]
    );
    assert_eq!(
        header[11..],
        ["city", "email"],
        "every field, name aside, as a column"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(
        names,
        ["Ana García", "bob", "Luis", "Zoë\u{200b}", "سارة 🌙"]
    );
    assert_eq!(&rows[0][1], "+34611222333", "phones stay numbers");
    assert_eq!(
        &rows[4][11], "'=HYPERLINK(\"http://x\")",
        "a formula is shown as text"
    );
    assert_eq!(
        progress.lock().unwrap().last(),
        Some(&ExportProgress { done: 5, total: 5 }),
        "progress streams to the caller, ending with every row"
    );

    let won = core
        .export_leads(
            LeadExportRequest {
                filter: LeadFilter {
                    stages: vec!["won".into()],
                    ..LeadFilter::default()
                },
                ..LeadExportRequest::default()
            },
            out.clone(),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(won.rows, 1);
    assert_ne!(
        won.path, all.path,
        "a second export never overwrites the first"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());

    let refused = core
        .export_leads(
            LeadExportRequest {
                filter: LeadFilter {
                    stages: vec!["hot".into()],
                    ..LeadFilter::default()
                },
                ..LeadExportRequest::default()
            },
            out.clone(),
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "").unwrap();
    let unwritable = core
        .export_leads(LeadExportRequest::default(), blocked.join("sub"), |_| {})
        .await
        .unwrap_err();
    assert_eq!(unwritable.code(), ErrorCode::Unavailable);
}

#[tokio::test]
async fn home_counts_today_and_the_week() {
    let (core, _) = core();
    with_chats_at(&core, Some(T0 - 1000));
    core.store()
        .call_blocking(|conn| {
            for (cost_micros, at) in [(3000, T0 - 100), (1000, T0 - 30 * 86_400_000)] {
                let call = AiCall {
                    account_id: Some(1),
                    provider: "openai".into(),
                    model: "m".into(),
                    purpose: Purpose::Reply,
                    prompt_tokens: 0,
                    completion_tokens: 0,
                    cost_micros,
                    latency_ms: 0,
                    ok: true,
                };
                ai_usage::insert(conn, &call, at)?;
            }
            Ok(())
        })
        .unwrap();
    let home = core.home_figures().await.unwrap();
    let week = &home.week;
    assert_eq!(week.conversations, 3);
    assert_eq!(week.new_leads, 5);
    assert_eq!(week.qualified, 2);
    assert_eq!(week.median_response_ms, Some(1_000));
    assert_eq!(
        week.ai_cost_micros, 3_000,
        "the month-old call is not this week's"
    );
    assert_eq!(week.cost_per_qualified_micros, Some(1_500));
    assert!(home.today.since >= week.since);
    assert_eq!(home.latest_qualified.len(), 2);
}
