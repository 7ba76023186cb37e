//! When a chat's turn runs: after a quiet moment for a customer's burst (the debounce),
//! at once for the owner's messages; one at a time per chat and scope, a schedule that
//! comes while a turn runs making one more run after it, never a second in parallel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::handle::Bot;
use super::inbox::{Handled, Scope};
use super::pipeline;
use crate::store::{account_settings, inbox};

/// Per chat and scope: the newest schedule, and whether a turn runs (then one more runs
/// after it instead of a second in parallel).
#[derive(Default)]
struct Slot {
    generation: u64,
    running: bool,
    again: bool,
}

/// The chats' scheduled and running turns.
#[derive(Clone, Default)]
pub(super) struct Turns {
    slots: Arc<Mutex<HashMap<(i64, bool), Slot>>>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl Turns {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, bool), Slot>> {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers `chat_id` after `delay`, unless a later schedule for it replaces this one.
    pub(super) fn schedule(
        &self,
        bot: &Bot,
        account_id: i64,
        chat_id: i64,
        delay: Duration,
        scope: Scope,
    ) {
        let key = (chat_id, scope == Scope::Owner);
        let generation = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.lock().entry(key).or_default().generation = generation;
        let (turns, bot) = (self.clone(), bot.clone());
        tokio::spawn(async move {
            crate::clock::pause(delay).await;
            {
                let mut slots = turns.lock();
                let slot = slots.entry(key).or_default();
                if slot.generation != generation {
                    return;
                }
                if slot.running {
                    slot.again = true;
                    return;
                }
                slot.running = true;
            }
            loop {
                answer(&bot, account_id, chat_id, scope).await;
                let mut slots = turns.lock();
                let slot = slots.entry(key).or_default();
                if slot.again {
                    slot.again = false;
                    continue;
                }
                slot.running = false;
                if slot.generation == generation {
                    slots.remove(&key);
                }
                return;
            }
        });
    }

    /// Schedules every chat of the number with open rows: a customer's burst still waits
    /// for its quiet moment (by when its newest message was stored).
    pub(super) async fn resume(&self, bot: &Bot, account_id: i64) {
        let debounce = debounce(bot, account_id).await;
        let now = bot.now_ms();
        let open = bot
            .store()
            .call(move |conn| Ok(inbox::open_chats(conn, account_id, now)?))
            .await;
        match open {
            Ok(chats) => {
                for chat in chats {
                    let waited = chat
                        .newest_stored_at
                        .map_or(i64::MAX, |at| now.saturating_sub(at));
                    let left = i64::try_from(debounce.as_millis())
                        .unwrap_or(i64::MAX)
                        .saturating_sub(waited)
                        .max(0);
                    let delay = Duration::from_millis(u64::try_from(left).unwrap_or(0));
                    self.schedule(bot, account_id, chat.chat_id, delay, Scope::All);
                }
            }
            Err(e) => {
                tracing::error!(account_id, error = %e, "could not look for open messages")
            }
        }
    }
}

/// One turn of a chat, its failures logged (the rows keep them).
async fn answer(bot: &Bot, account_id: i64, chat_id: i64, scope: Scope) {
    match pipeline::answer_chat(bot, account_id, chat_id, scope).await {
        Ok(done) => {
            for (row, handled) in done {
                // Why stays on the row: a provider's text may quote the customer.
                if let Handled::Failed { .. } = handled {
                    tracing::warn!(account_id, row, "a message could not be answered");
                }
            }
        }
        Err(e) => {
            tracing::error!(account_id, chat_id, error = %e, "a chat's turn could not be handled")
        }
    }
}

/// How long a chat waits for more of a customer's burst: the number's own behaviour.
pub(super) async fn debounce(bot: &Bot, account_id: i64) -> Duration {
    let seconds = bot
        .store()
        .call(move |conn| Ok(account_settings::bot(conn, account_id)?.map(|b| b.behaviour)))
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
        .debounce_seconds;
    Duration::from_secs(u64::from(seconds))
}
