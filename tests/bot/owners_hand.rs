//! The owner's hand wins, even while a turn is in flight, and a reply that waited is
//! decided again before it goes out (issue 25, items 1-3): the owner replying from the app
//! or typing on the phone, Pause all, a paused number or an ignored contact during the
//! AI's turn void its reply; a reply that waited for the connection or a retry is checked
//! again (pause, switch, ignore, freshness); a chat is answered once per moment, in order.

use std::time::Duration;

use leadline_core::bot::inbox::Handled;
use leadline_core::model::decision::SkipReason;
use leadline_core::whatsapp::message::WaMessage;
use leadline_tests::fakes::ai::Step;
use leadline_tests::fakes::memory_whatsapp::Realism;
use leadline_tests::tamper;

use super::{ANA, Bot, ME, from_customer, reply};

/// How long the AI "thinks" in these tests, and when the owner acts meanwhile.
const THINKING: Duration = Duration::from_millis(900);
const OWNER_ACTS_AFTER: Duration = Duration::from_millis(300);

/// A customer message stored, and its turn answered while `owner` acts during the AI's
/// call; what became of the row.
async fn turn_while(
    bot: &Bot,
    body: &str,
    owner: impl std::future::Future<Output = ()>,
) -> Handled {
    bot.ai
        .push(Step::delayed(THINKING, reply("la M está agotada")));
    let row = bot.receive(from_customer("T1", body)).await.unwrap();
    let (handled, ()) = tokio::join!(bot.handle(row), async {
        tokio::time::sleep(OWNER_ACTS_AFTER).await;
        owner.await;
    });
    handled
}

fn texts_sent(bot: &Bot) -> Vec<String> {
    bot.wa.sent().into_iter().map(|s| s.text).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_reply_during_the_turn_stands_alone() {
    let bot = Bot::start().await;
    // The chat exists once the customer wrote; the owner answers it from the app.
    let handled = turn_while(&bot, "¿Tenéis la M?", async {
        bot.app
            .reply_in_chat(bot.chat_of(ANA), "sí, te la guardo")
            .await
            .unwrap();
    })
    .await;
    assert_eq!(
        texts_sent(&bot),
        ["sí, te la guardo"],
        "the owner's reply stands alone: no bot reply after it"
    );
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::TakenOver
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_reply_still_on_its_way_when_the_ai_answers_stands_alone() {
    let bot = Bot::start().await;
    // Each send takes 1.2 s in the page: the owner's is still going out when the AI's
    // answer is ready; the bot's waits for it, then sees it.
    bot.wa.set_realism(Realism {
        send_ms: (1_200, 1_200),
        ..Realism::default()
    });
    let handled = turn_while(&bot, "¿Tenéis la M?", async {
        bot.app
            .reply_in_chat(bot.chat_of(ANA), "sí, te la guardo")
            .await
            .unwrap();
    })
    .await;
    assert_eq!(texts_sent(&bot), ["sí, te la guardo"]);
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::TakenOver
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_typing_on_the_phone_during_the_turn_voids_its_reply() {
    let bot = Bot::start().await;
    let handled = turn_while(&bot, "¿Tenéis la M?", async {
        let typed = WaMessage {
            id: format!("true_{ANA}_PHONE1"),
            chat: ANA.into(),
            from: ME.into(),
            from_me: true,
            kind: leadline_core::model::message_kind::MessageKind::Text,
            body: "Te llamo ahora".into(),
            details: Default::default(),
            timestamp: jiff::Timestamp::now().as_second(),
            push_name: None,
            phone: None,
            username: None,
        };
        assert!(bot.receive(typed).await.is_some());
    })
    .await;
    assert!(texts_sent(&bot).is_empty(), "{:?}", texts_sent(&bot));
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::TakenOver
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_all_a_paused_number_or_an_ignored_contact_during_the_turn_void_its_reply() {
    let bot = Bot::start().await;
    let handled = turn_while(&bot, "¿Precio?", async {
        bot.core.set_bots_paused(true).await.unwrap();
    })
    .await;
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::BotOff
        },
        "Pause all"
    );
    bot.core.set_bots_paused(false).await.unwrap();

    let chat = bot.chat_of(ANA);
    bot.ai.push(Step::delayed(THINKING, reply("Desde 349 €")));
    let row = bot
        .receive(from_customer("T2", "¿Y el precio?"))
        .await
        .unwrap();
    let (handled, ()) = tokio::join!(bot.handle(row), async {
        tokio::time::sleep(OWNER_ACTS_AFTER).await;
        bot.core.set_chat_ignored(chat, true).await.unwrap();
    });
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::IgnoredContact
        },
        "the contact ignored"
    );
    assert!(texts_sent(&bot).is_empty(), "{:?}", texts_sent(&bot));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_that_waited_is_decided_again_before_it_goes_out() {
    let bot = Bot::start().await;
    // Worded while the number was away: it waits for the connection.
    bot.disconnect().await;
    bot.ai.push(reply("Sí, abrimos a las 10"));
    let waiting = bot.customer("W1", ANA, "¿Abrís mañana?").await.unwrap();
    assert!(matches!(waiting, Handled::Waiting { .. }), "{waiting:?}");
    // Meanwhile the owner paused every bot; connected again, the reply stays unsent.
    bot.core.set_bots_paused(true).await.unwrap();
    bot.connect().await;
    bot.resume().await;
    assert!(texts_sent(&bot).is_empty(), "{:?}", texts_sent(&bot));
    assert_eq!(
        bot.row().skip_reason,
        Some(SkipReason::BotOff),
        "a paused reply ends skipped with its reason"
    );

    // A reply that waited past the freshness window (12 h) is not sent either.
    bot.core.set_bots_paused(false).await.unwrap();
    bot.disconnect().await;
    bot.ai.push(reply("Te lo envío hoy"));
    bot.customer("W2", ANA, "¿Me lo enviáis?").await.unwrap();
    tamper::messages_sent_earlier(bot.core.store(), 13 * 3_600_000);
    bot.connect().await;
    bot.resume().await;
    assert!(texts_sent(&bot).is_empty(), "{:?}", texts_sent(&bot));
    assert_eq!(bot.inbox()[1].skip_reason, Some(SkipReason::TooOld));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_due_in_a_chat_the_owner_paused_for_a_week_stays_unsent() {
    let bot = Bot::start().await;
    bot.wa.fail_sends(1);
    bot.ai.push(reply("Te lo reservo"));
    let failed = bot.customer("R1", ANA, "¿Me lo reservas?").await.unwrap();
    assert!(matches!(failed, Handled::Failed { .. }), "{failed:?}");
    bot.core
        .pause_chat(bot.chat_of(ANA), 7 * 24 * 60)
        .await
        .unwrap();
    tamper::failures_due(bot.core.store());
    bot.resume().await;
    assert!(texts_sent(&bot).is_empty(), "{:?}", texts_sent(&bot));
    assert_eq!(bot.row().skip_reason, Some(SkipReason::TakenOver));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_turn_is_merged_into_the_newer_one_answered_in_order() {
    let bot = Bot::start().await;
    // The first question's AI call fails (a 5xx, tried again in 30 s).
    bot.ai.push(Step::status(503, "{}"));
    let first = bot.customer("O1", ANA, "¿Abrís el sábado?").await.unwrap();
    assert!(matches!(first, Handled::Failed { .. }), "{first:?}");
    // The customer writes again before the retry: one answer, for both, in order.
    bot.ai.push(reply("Sí, el sábado de 10 a 14"));
    let second = bot.customer("O2", ANA, "¿Y a qué hora?").await.unwrap();
    assert!(matches!(second, Handled::Replied { .. }), "{second:?}");
    let said = bot.last_asked();
    assert!(
        said.iter().any(|t| t == "¿Abrís el sábado?") && said.iter().any(|t| t == "¿Y a qué hora?"),
        "the newer turn answers both: {said:?}"
    );
    assert_eq!(
        bot.inbox()[0].skip_reason,
        Some(SkipReason::MergedIntoLaterTurn),
        "the failed one is merged, never answered after the newer"
    );
    // Its retry time comes: nothing more is sent.
    tamper::failures_due(bot.core.store());
    bot.resume().await;
    assert_eq!(texts_sent(&bot), ["Sí, el sábado de 10 a 14"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worded_reply_waiting_for_its_retry_is_dropped_or_found_sent_before_a_newer_turn() {
    let bot = Bot::start().await;
    // Never went out: dropped, the newer turn answers both.
    bot.wa.fail_sends(1);
    bot.ai.push(reply("Primero: sí, abrimos"));
    bot.customer("D1", ANA, "¿Abrís hoy?").await.unwrap();
    bot.ai.push(reply("Segundo: de 10 a 14"));
    let second = bot.customer("D2", ANA, "¿Y el horario?").await.unwrap();
    assert!(matches!(second, Handled::Replied { .. }), "{second:?}");
    assert_eq!(
        bot.inbox()[0].skip_reason,
        Some(SkipReason::MergedIntoLaterTurn)
    );
    tamper::failures_due(bot.core.store());
    bot.resume().await;
    assert_eq!(texts_sent(&bot), ["Segundo: de 10 a 14"]);

    // Went out despite its error: found in WhatsApp's list of the chat and replied with
    // it, before the newer turn is answered.
    bot.wa.fail_after_sending(1);
    bot.ai.push(reply("Tercero: sí"));
    bot.customer("D3", ANA, "¿Tenéis la M?").await.unwrap();
    bot.ai.push(reply("Cuarto: en azul también"));
    bot.customer("D4", ANA, "¿Y en azul?").await.unwrap();
    let rows = bot.inbox();
    assert!(rows[2].reply_message_id.is_some(), "{:?}", rows[2].state);
    assert_eq!(
        texts_sent(&bot),
        [
            "Segundo: de 10 a 14",
            "Tercero: sí",
            "Cuarto: en azul también"
        ]
    );
}

/// Issue 28: a customer who deletes their message while the assistant is answering it gets
/// no answer to it; the row says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_deleted_during_its_turn_is_not_answered() {
    let bot = Bot::start().await;
    let handled = turn_while(&bot, "mi número es 600 111 222", async {
        leadline_core::bot::changes::revoked(bot.app.bot(), bot.id, format!("false_{ANA}_T1"))
            .await
            .unwrap();
    })
    .await;
    assert!(
        texts_sent(&bot).is_empty(),
        "nothing answers a deleted message"
    );
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::Deleted
        }
    );
}
