//! WhatsApp since mid-2026 in the bot (issue 26): a number WhatsApp limits keeps answering
//! customers who wrote first, never retries a send WhatsApp refused, and shows the limit;
//! a customer known only by a username becomes a lead without a phone, shown and exported
//! by the username, and gets the phone once WhatsApp maps it.

use std::time::Duration;

use leadline_core::leads::export::LeadExportRequest;
use leadline_core::model::inbox::InboxState;
use leadline_core::whatsapp::limits::Refusal;
use leadline_core::whatsapp::message::WaMessage;

use super::exactly_once::live_connected;
use super::{Bot, from_customer, reply, until};

/// Waits (up to 10 s) for the number's kept limits to satisfy `want`.
async fn number_limits(bot: &Bot, want: impl Fn(&leadline_core::model::limits::Limits) -> bool) {
    for _ in 0..100 {
        if want(&bot.core.number(bot.id).await.unwrap().limits) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the number's limits never changed as expected: {:?}",
        bot.core.number(bot.id).await.unwrap().limits
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timelocked_number_answers_who_wrote_and_never_retries_a_refused_send() {
    let bot = live_connected("{}").await;
    bot.wa.timelock(true);
    number_limits(&bot, |l| l.timelocked && l.timelock_ends_at.is_some()).await;
    let limited = bot.activities("number_limited").await;
    assert_eq!(limited.len(), 1, "{limited:?}");
    assert!(
        limited[0].message.contains("until"),
        "with its end: {}",
        limited[0].message
    );

    // A customer who wrote first is answered as always.
    bot.ai.push(reply("Sí, la tenemos en M"));
    assert!(bot.wa.deliver(from_customer("T1", "¿Tenéis la M?")));
    until("answered", || bot.wa.sent().len() == 1).await;

    // WhatsApp's server refuses the next reply: the row fails for good, with the reason,
    // and nothing is sent again (a retry worsens the limit).
    bot.wa.refuse_sends(5, Refusal::Timelocked);
    bot.ai.push(reply("¿Algo más?"));
    assert!(bot.wa.deliver(from_customer("T2", "gracias")));
    until("refused", || bot.wa.refused().len() == 1).await;
    until("the row ended", || {
        bot.inbox()
            .iter()
            .any(|r| r.state == InboxState::Failed && r.error.is_some())
    })
    .await;
    let failed = bot
        .inbox()
        .into_iter()
        .find(|r| r.state == InboxState::Failed)
        .unwrap();
    assert_eq!(
        failed.next_attempt_at, None,
        "a refused send is never retried: {:?}",
        failed.error
    );
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("limiting")),
        "{:?}",
        failed.error
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(bot.wa.refused().len(), 1, "tried once only");
    assert_eq!(bot.wa.sent().len(), 1);
    assert_eq!(bot.wa.logouts(), 0, "nothing logged out over a limit");

    // Lifted: shown so.
    bot.wa.timelock(false);
    number_limits(&bot, |l| !l.timelocked).await;
    assert_eq!(bot.activities("number_limited").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_known_only_by_username_is_a_lead_shown_and_exported_without_a_phone() {
    let bot = Bot::start().await;
    const LID: &str = "99900011122@lid";
    let from_username = |id: &str, phone: Option<&str>| WaMessage {
        id: format!("false_{LID}_{id}"),
        chat: LID.into(),
        from: LID.into(),
        from_me: false,
        kind: leadline_core::model::message_kind::MessageKind::Text,
        body: "hi, how much is the blue one?".into(),
        details: Default::default(),
        timestamp: jiff::Timestamp::now().as_second(),
        push_name: None,
        phone: phone.map(str::to_string),
        username: Some("ana.shop".into()),
    };
    bot.ai.push(reply("39 €"));
    bot.process(from_username("U1", None)).await;
    let lead = bot.lead().await;
    assert_eq!(lead.phone, None);
    // The name the customer gave the AI; without one, the username (the chat shows it).
    assert_eq!(lead.name.as_deref(), Some("Ana"), "{lead:?}");
    let chats = bot.core.chats(Default::default()).await.unwrap();
    assert_eq!(chats[0].title, "@ana.shop");

    let out = tempfile::tempdir().unwrap();
    let export = bot
        .core
        .export_leads(
            LeadExportRequest::default(),
            out.path().to_path_buf(),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(export.rows, 1);
    let text = std::fs::read_to_string(&export.path).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("Name,Phone,WhatsApp username,"),
        "{text}"
    );
    assert!(
        lines.next().unwrap().starts_with("Ana,,ana.shop,"),
        "{text}"
    );

    // WhatsApp maps the phone later: the same lead gets it.
    bot.echoes_back().await;
    bot.ai.push(reply("¿Algo más?"));
    bot.process(from_username("U2", Some("+34600000055"))).await;
    let lead = bot.lead().await;
    assert_eq!(lead.phone.as_deref(), Some("+34600000055"));
    assert_eq!(bot.core.latest_leads(10).await.unwrap().len(), 1);
}
