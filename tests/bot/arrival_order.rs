//! Messages stored in arrival order (issue 25, item 7): a burst that arrives while the
//! database is locked for longer than SQLite waits is stored in order once it answers, and
//! answered as one turn; its debounce counts from the messages' arrival.

use std::time::Duration;

use leadline_core::model::chat::{Direction, Origin};
use leadline_core::model::decision::SkipReason;

use super::exactly_once::{events_named, live_connected};
use leadline_tests::tamper;

use super::{Bot, from_customer, until};

/// Holds the database in an exclusive transaction from another connection for `hold`
/// (longer than the store's 5 s busy wait); returns once it is held.
fn lock_database(bot: &Bot, hold: Duration) -> std::thread::JoinHandle<()> {
    let db = bot.core.store().path().unwrap().to_path_buf();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    holder
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_during_a_long_database_lock_is_stored_in_order_and_answered_once() {
    let bot = live_connected(r#"{"debounceSeconds": 2}"#).await;
    bot.ai.echo_customer();
    // The start's own look at unread chats done first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let holder = lock_database(&bot, Duration::from_millis(6_500));
    let burst: Vec<String> = (1..=8).map(|n| format!("parte {n}")).collect();
    for (n, body) in burst.iter().enumerate() {
        assert!(bot.wa.deliver(from_customer(&format!("B{n}"), body)));
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    holder.join().unwrap();
    until("the burst answered", || !bot.wa.sent().is_empty()).await;
    // Another debounce's time: a second turn would have come by now.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let stored: Vec<String> = bot
        .messages()
        .into_iter()
        .filter(|m| m.direction == Direction::In)
        .map(|m| m.body)
        .collect();
    assert_eq!(stored, burst, "stored in arrival order");
    assert_eq!(bot.wa.sent().len(), 1, "one turn for the burst");
    let merged = bot
        .inbox()
        .iter()
        .filter(|r| r.skip_reason == Some(SkipReason::MergedIntoLaterTurn))
        .count();
    assert_eq!(merged, burst.len() - 1);
    assert_eq!(bot.said_by(Origin::Bot), 1);
    bot.disconnect().await;
}

/// A number removed while its page still reports: its message can't be stored (the
/// number is gone) and is not retried for ever; the owner is not alarmed for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_of_a_removed_number_is_not_retried_for_ever() {
    let bot = live_connected(r#"{"debounceSeconds": 0}"#).await;
    bot.core.remove_number(bot.id).await.unwrap();
    assert!(bot.wa.deliver(from_customer("G1", "¿Hola?")));
    // Five failed stores would take 200 + 400 + 800 + 1,600 ms.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    assert_eq!(events_named(&bot, "store:failed"), 0);
    assert!(bot.messages().is_empty());
    bot.disconnect().await;
}

/// A database that keeps refusing to store messages: each waits in its queue, retried in
/// place; the owner is told once (after a few failures), whatever else arrives; once the
/// database takes them again they are stored in order and answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_keeps_failing_is_told_once_and_loses_nothing() {
    let bot = live_connected(r#"{"debounceSeconds": 1}"#).await;
    bot.ai.echo_customer();
    tamper::messages_refused(bot.core.store());
    for n in 0..3 {
        assert!(
            bot.wa
                .deliver(from_customer(&format!("Z{n}"), &format!("parte {n}")))
        );
    }
    until("the owner told", || events_named(&bot, "store:failed") == 1).await;
    tamper::messages_stored_again(bot.core.store());
    until("answered", || !bot.wa.sent().is_empty()).await;
    let stored: Vec<String> = bot
        .messages()
        .into_iter()
        .filter(|m| m.direction == Direction::In)
        .map(|m| m.body)
        .collect();
    assert_eq!(stored, ["parte 0", "parte 1", "parte 2"]);
    assert_eq!(events_named(&bot, "store:failed"), 1, "told once");
    bot.disconnect().await;
}
