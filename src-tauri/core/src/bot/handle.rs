//! The bot's handle: everything a customer's message needs on its way to an answer (the
//! store, the events, the clock, the keychain and the AI client through `Leadline`; the
//! numbers' browsers; the pacing, the retry times and the delivery bound; a turn lock and a
//! send lock per chat, and a limit on AI turns in flight), built once by `App::start` and
//! handed to each step (`intake`, `pipeline`, `decide`, `ai_turn`, `reply`, `delivery`) by
//! reference.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::timing::{ChatLocks, Tuning};
use crate::leadline::Leadline;
use crate::media::hearing::HearingSlot;
use crate::runtime::tasks::Runtime;
use crate::store::database::Store;

#[derive(Clone)]
pub struct Bot {
    pub(crate) core: Leadline,
    pub(crate) runtime: Arc<Runtime>,
    pub(crate) tuning: Tuning,
    /// One turn at a time per chat (`pipeline::answer_chat`).
    pub(crate) chat_locks: ChatLocks,
    /// One send at a time per chat, the bot's or the owner's from the app, each after its
    /// checks (`recheck`): held for moments, never across an AI call or a typing pause.
    pub(crate) send_locks: ChatLocks,
    /// AI turns in flight at once, across numbers: a burst of chats queues here, not at
    /// the provider.
    pub(crate) turns: Arc<Semaphore>,
    /// What hears customers' voice notes, when the owner has it set up.
    pub(crate) hearing: HearingSlot,
}

impl Bot {
    pub(crate) fn new(core: Leadline, runtime: Arc<Runtime>, tuning: Tuning) -> Bot {
        Bot {
            core,
            runtime,
            turns: Arc::new(Semaphore::new(tuning.turns_in_flight)),
            tuning,
            chat_locks: ChatLocks::default(),
            send_locks: ChatLocks::default(),
            hearing: HearingSlot::default(),
        }
    }

    /// The owner's Leadline the bot works for.
    pub fn core(&self) -> &Leadline {
        &self.core
    }

    pub(crate) fn store(&self) -> &Store {
        &self.core.store
    }

    /// Now, by the app's clock (unix ms).
    pub(crate) fn now_ms(&self) -> i64 {
        self.core.clock.now_ms()
    }

    /// The lock a turn of `chat_id` holds.
    pub(crate) fn chat_lock(&self, chat_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        lock_of(&self.chat_locks, chat_id)
    }

    /// The lock a send in `chat_id` holds, with the checks right before it.
    pub(crate) fn send_lock(&self, chat_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        lock_of(&self.send_locks, chat_id)
    }
}

fn lock_of(locks: &ChatLocks, chat_id: i64) -> Arc<tokio::sync::Mutex<()>> {
    let mut locks = locks
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    locks.entry(chat_id).or_default().clone()
}
