//! One queue per number: its messages are stored in the order they arrived. A store that
//! fails (the database locked for longer than SQLite waits, a disk that is full) is tried
//! again in place, with backoff, the later messages waiting behind it; so a burst that
//! arrives during a long lock is stored in order once the database answers. The chats a
//! run of stores touched are scheduled when the queue is empty, each by when its newest
//! message arrived (a burst stored late is still one turn). A message stops being retried
//! when its number is gone; an error retrying can't fix (a damaged database) leaves it to
//! WhatsApp (unread there, it is reported again at the next start) and tells the owner,
//! once per run of the app.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;

use super::handle::Bot;
use super::inbox::{Received, Scope};
use super::intake;
use super::turns::{Turns, debounce};
use crate::error::{Error, ErrorCode};
use crate::events::CoreEvent;
use crate::store::accounts;
use crate::store::error::StoreError;
use crate::whatsapp::message::WaMessage;

/// Failed stores of one message before the owner is told (then every failure is still
/// retried).
const TELL_AFTER_FAILURES: u32 = 5;

/// A message as it reached Leadline.
struct Arrival {
    message: WaMessage,
    /// When it arrived (the app's clock, unix ms).
    arrived_ms: i64,
}

/// The numbers' queues.
#[derive(Default)]
pub(super) struct Arrivals {
    queues: HashMap<i64, mpsc::UnboundedSender<Arrival>>,
    /// The owner was told the database can't take messages (once per run).
    told: Arc<AtomicBool>,
}

impl Arrivals {
    /// Queues a message of number `account_id` (its queue started on first use).
    pub(super) fn push(&mut self, bot: &Bot, turns: &Turns, account_id: i64, message: WaMessage) {
        let arrival = Arrival {
            message,
            arrived_ms: bot.now_ms(),
        };
        let queue = self.queues.entry(account_id).or_insert_with(|| {
            let (queue, arrivals) = mpsc::unbounded_channel();
            let (bot, turns, told) = (bot.clone(), turns.clone(), self.told.clone());
            tokio::spawn(async move { drain(&bot, &turns, &told, account_id, arrivals).await });
            queue
        });
        if let Err(mpsc::error::SendError(arrival)) = queue.send(arrival) {
            // Its task ended (it never does while the runner runs): a new one takes it.
            self.queues.remove(&account_id);
            self.push(bot, turns, account_id, arrival.message);
        }
    }
}

/// Stores each arrival in order; when the queue is empty, schedules the chats it touched.
async fn drain(
    bot: &Bot,
    turns: &Turns,
    told: &AtomicBool,
    account_id: i64,
    mut arrivals: mpsc::UnboundedReceiver<Arrival>,
) {
    // Per chat and scope, when its newest stored message arrived.
    let mut touched: HashMap<(i64, Scope), i64> = HashMap::new();
    loop {
        let arrival = match arrivals.try_recv() {
            Ok(arrival) => arrival,
            Err(mpsc::error::TryRecvError::Empty) => {
                schedule(bot, turns, account_id, std::mem::take(&mut touched)).await;
                match arrivals.recv().await {
                    Some(arrival) => arrival,
                    None => return,
                }
            }
            Err(mpsc::error::TryRecvError::Disconnected) => {
                schedule(bot, turns, account_id, touched).await;
                return;
            }
        };
        let arrived_ms = arrival.arrived_ms;
        if let Some(Received {
            chat_id,
            from_owner,
            ..
        }) = store(bot, told, account_id, arrival).await
        {
            let scope = if from_owner { Scope::Owner } else { Scope::All };
            let newest = touched.entry((chat_id, scope)).or_insert(arrived_ms);
            *newest = (*newest).max(arrived_ms);
        }
    }
}

/// The chats' turns: the owner's at once, a customer's after the debounce counted from
/// when its newest message arrived.
async fn schedule(bot: &Bot, turns: &Turns, account_id: i64, touched: HashMap<(i64, Scope), i64>) {
    if touched.is_empty() {
        return;
    }
    let debounce = debounce(bot, account_id).await;
    let now = bot.now_ms();
    for ((chat_id, scope), arrived_ms) in touched {
        let delay = match scope {
            Scope::Owner => Duration::ZERO,
            Scope::All => {
                let waited = u64::try_from(now.saturating_sub(arrived_ms)).unwrap_or(0);
                debounce.saturating_sub(Duration::from_millis(waited))
            }
        };
        turns.schedule(bot, account_id, chat_id, delay, scope);
    }
}

/// Stores one message, trying again in place until it takes, its number is gone, or the
/// error is one retrying can't fix. What to decide on, if anything.
async fn store(
    bot: &Bot,
    told: &AtomicBool,
    account_id: i64,
    arrival: Arrival,
) -> Option<Received> {
    let mut wait = Duration::from_millis(200);
    let mut failures = 0;
    loop {
        let tried =
            intake::receive_at(bot, account_id, arrival.message.clone(), arrival.arrived_ms).await;
        let e = match tried {
            Ok(stored) => return stored,
            Err(e) if e.code() == ErrorCode::InvalidInput => {
                tracing::warn!(account_id, error = %e, "a malformed message was left out");
                return None;
            }
            Err(e) => e,
        };
        failures += 1;
        // The error's kind only: its text may quote the database's path, never a message.
        tracing::error!(
            account_id,
            failures,
            kind = kind_of(&e),
            "could not store a message"
        );
        if beyond_retrying(&e) {
            tell_owner(bot, told, &e);
            return None;
        }
        if failures == TELL_AFTER_FAILURES {
            tell_owner(bot, told, &e);
        }
        if number_gone(bot, account_id).await {
            tracing::info!(
                account_id,
                "a message's number was removed; no longer stored"
            );
            return None;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(30));
    }
}

/// A damaged database, or one from a newer Leadline: no retry helps.
fn beyond_retrying(e: &Error) -> bool {
    matches!(
        e,
        Error::Store(
            StoreError::Corrupt { .. } | StoreError::TooNew { .. } | StoreError::Migration { .. }
        )
    )
}

fn kind_of(e: &Error) -> &'static str {
    match e {
        Error::Store(StoreError::Corrupt { .. }) => "corrupt",
        Error::Store(StoreError::TooNew { .. }) => "too_new",
        Error::Store(StoreError::Migration { .. }) => "migration",
        Error::Store(StoreError::Unwritable { .. }) => "unwritable",
        Error::Store(StoreError::DiskFull(_)) => "disk_full",
        Error::Store(StoreError::Sqlite(_)) => "sqlite",
        _ => "other",
    }
}

/// Whether number `account_id` was removed (not knowing counts as still there).
async fn number_gone(bot: &Bot, account_id: i64) -> bool {
    matches!(
        bot.store()
            .call(move |conn| Ok(accounts::get(conn, account_id)?.is_none()))
            .await,
        Ok(true)
    )
}

/// Tells the owner, once per run, that messages can't be stored (they stay in WhatsApp).
fn tell_owner(bot: &Bot, told: &AtomicBool, e: &Error) {
    if told.swap(true, Ordering::SeqCst) {
        return;
    }
    (bot.core.events)(CoreEvent::StoreFailed { reason: e.text() });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_damaged_or_newer_database_is_beyond_retrying() {
        let corrupt = Error::Store(StoreError::Corrupt {
            path: None,
            detail: "file is not a database".into(),
        });
        let too_new = Error::Store(StoreError::TooNew {
            path: None,
            found: 99,
            supported: 8,
        });
        let busy = Error::Store(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        )));
        assert!(beyond_retrying(&corrupt) && beyond_retrying(&too_new));
        assert!(!beyond_retrying(&busy), "a lock passes: retried in place");
        assert_eq!(kind_of(&corrupt), "corrupt");
    }
}
