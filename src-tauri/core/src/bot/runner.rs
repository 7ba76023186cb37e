//! Feeds what WhatsApp reports into the pipeline. Intake never waits: every message is
//! stored at once (a store that fails is retried, never dropped), and everything slower (a
//! turn's AI call and pacing, a retry, an ack's record) runs in tasks of its own. A chat's
//! customer messages are answered as one turn after a quiet moment (debounce); the owner's
//! are acted on at once; when a number is Working again, its open chats are scheduled the
//! same way (a burst resumed mid-debounce is still one turn), and failures due for another
//! try are picked up every few seconds. States are recorded here too, in order with the
//! messages, so a session refused as a second link of one WhatsApp account is stopped
//! before it answers anyone.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::inbox::Scope;
use crate::leadline::Leadline;
use crate::runtime::tasks::Runtime;
use crate::whatsapp::account::AccountState;
use crate::whatsapp::message::WaEvent;

/// What the runner is told.
#[derive(Debug)]
pub enum Input {
    Event(i64, WaEvent),
    /// The number's connection changed state (recorded; Working resumes its open rows).
    State(i64, AccountState),
}

/// How often failures due for another try are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// The sender half, for the runtime's callbacks.
pub type Inputs = mpsc::UnboundedSender<Input>;

/// Per chat and scope: the newest schedule, and whether a turn runs (then one more runs
/// after it instead of a second in parallel).
#[derive(Default)]
struct Slot {
    generation: u64,
    running: bool,
    again: bool,
}

#[derive(Clone, Default)]
struct Turns {
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
    fn schedule(
        &self,
        core: &Leadline,
        runtime: &Arc<Runtime>,
        account_id: i64,
        chat_id: i64,
        delay: Duration,
        scope: Scope,
    ) {
        let key = (chat_id, scope == Scope::Owner);
        let generation = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.lock().entry(key).or_default().generation = generation;
        let (turns, core, runtime) = (self.clone(), core.clone(), runtime.clone());
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
                match core.answer_chat(&runtime, account_id, chat_id, scope).await {
                    Ok(done) => {
                        for (row, handled) in done {
                            if let super::inbox::Handled::Failed { error } = handled {
                                tracing::warn!(
                                    account_id,
                                    row,
                                    error,
                                    "a message could not be answered"
                                );
                            }
                        }
                    }
                    Err(e) => {
                        tracing::error!(account_id, chat_id, error = %e, "a chat's turn could not be handled")
                    }
                }
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
    async fn resume(&self, core: &Leadline, runtime: &Arc<Runtime>, account_id: i64) {
        let debounce = core.debounce(account_id).await;
        let now = core.clock.now_ms();
        let open = core
            .store()
            .call(move |conn| Ok(crate::store::inbox::open_chats(conn, account_id, now)?))
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
                    self.schedule(core, runtime, account_id, chat.chat_id, delay, Scope::All);
                }
            }
            Err(e) => {
                tracing::error!(account_id, error = %e, "could not look for open messages")
            }
        }
    }
}

/// Runs until every sender is gone. `debounce` for a number comes from its behaviour.
pub async fn run(
    core: Leadline,
    runtime: Arc<Runtime>,
    mut inputs: mpsc::UnboundedReceiver<Input>,
) {
    // Webhook deliveries a restart interrupted go out again.
    {
        let core = core.clone();
        tokio::spawn(async move { core.resume_webhooks().await });
    }
    let turns = Turns::default();
    // Numbers seen Working, whose due failures the sweep picks up.
    let working: Arc<Mutex<BTreeSet<i64>>> = Arc::default();
    // Numbers whose session was refused (a second link of one WhatsApp account): their
    // reports are dropped until they start again.
    let mut refused: BTreeSet<i64> = BTreeSet::new();
    let sweep = {
        let (turns, core, runtime, working) = (
            turns.clone(),
            core.clone(),
            runtime.clone(),
            working.clone(),
        );
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let accounts: Vec<i64> = working
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .iter()
                    .copied()
                    .collect();
                for account_id in accounts {
                    if matches!(runtime.state(account_id), AccountState::Working { .. }) {
                        turns.resume(&core, &runtime, account_id).await;
                    }
                }
            }
        })
    };
    while let Some(input) = inputs.recv().await {
        match input {
            Input::State(account_id, state) => {
                let working_now = matches!(state, AccountState::Working { .. });
                if matches!(state, AccountState::Starting) {
                    refused.remove(&account_id);
                }
                if refused.contains(&account_id) {
                    // The refusal stays what the owner sees while that session stops.
                    continue;
                }
                let shown = match core.account_state_changed(account_id, state).await {
                    Ok(shown) => shown,
                    Err(e) => {
                        tracing::error!(account_id, error = %e, "could not record a number's state");
                        continue;
                    }
                };
                let set = || {
                    working
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                };
                if working_now && matches!(shown, AccountState::Failed { .. }) {
                    // The same WhatsApp account already answers under another number: this
                    // session stops, so every customer is answered by one number only.
                    refused.insert(account_id);
                    set().remove(&account_id);
                    let runtime = runtime.clone();
                    tokio::spawn(async move { runtime.stop(account_id).await });
                    continue;
                }
                if working_now {
                    set().insert(account_id);
                    turns.resume(&core, &runtime, account_id).await;
                    let (core, runtime, turns) = (core.clone(), runtime.clone(), turns.clone());
                    tokio::spawn(
                        async move { after_start(&core, &runtime, &turns, account_id).await },
                    );
                } else {
                    set().remove(&account_id);
                }
            }
            Input::Event(account_id, _) if refused.contains(&account_id) => {}
            Input::Event(account_id, WaEvent::Message(message)) => {
                receive(&core, &runtime, &turns, account_id, message).await;
            }
            Input::Event(account_id, event) => {
                let (core, runtime, turns) = (core.clone(), runtime.clone(), turns.clone());
                tokio::spawn(
                    async move { on_report(&core, &runtime, &turns, account_id, event).await },
                );
            }
        }
    }
    sweep.abort();
}

/// What a (re)connected number's page can't tell by itself: the messages of chats still
/// unread (shown before a crash let them be stored), and what became of replies sent
/// before it; looked at again once the delivery bound has passed.
async fn after_start(core: &Leadline, runtime: &Arc<Runtime>, turns: &Turns, account_id: i64) {
    match runtime.catch_up(account_id).await {
        Ok(0) => {}
        Ok(reported) => tracing::info!(account_id, reported, "unread chats reported again"),
        Err(e) => tracing::warn!(account_id, error = %e, "could not look at unread chats"),
    }
    for round in 0..2 {
        if round == 1 {
            tokio::time::sleep(core.delivery_wait + Duration::from_secs(1)).await;
            if !matches!(runtime.state(account_id), AccountState::Working { .. }) {
                return;
            }
        }
        match core.recheck_deliveries(runtime, account_id).await {
            Ok(chats) => {
                for chat_id in chats {
                    turns.schedule(
                        core,
                        runtime,
                        account_id,
                        chat_id,
                        Duration::ZERO,
                        Scope::All,
                    );
                }
            }
            Err(e) => tracing::warn!(account_id, error = %e, "could not look at earlier replies"),
        }
    }
}

/// Stores a message (retrying a store that fails, with backoff, until it takes) and
/// schedules its chat's turn.
async fn receive(
    core: &Leadline,
    runtime: &Arc<Runtime>,
    turns: &Turns,
    account_id: i64,
    message: crate::whatsapp::message::WaMessage,
) {
    let stored = match core.receive_in_chat(account_id, message.clone()).await {
        Ok(stored) => stored,
        Err(e) if e.code() == crate::error::ErrorCode::InvalidInput => {
            tracing::warn!(account_id, error = %e, "a malformed message was left out");
            return;
        }
        Err(e) => {
            tracing::error!(account_id, error = %e, "could not store a message; trying again");
            let (core, runtime, turns) = (core.clone(), runtime.clone(), turns.clone());
            tokio::spawn(async move {
                let mut wait = Duration::from_millis(200);
                loop {
                    tokio::time::sleep(wait).await;
                    match core.receive_in_chat(account_id, message.clone()).await {
                        Ok(stored) => {
                            schedule_received(&core, &runtime, &turns, account_id, stored).await;
                            return;
                        }
                        Err(e) => {
                            tracing::error!(account_id, error = %e, "could not store a message; trying again");
                            wait = (wait * 2).min(Duration::from_secs(30));
                        }
                    }
                }
            });
            return;
        }
    };
    schedule_received(core, runtime, turns, account_id, stored).await;
}

async fn schedule_received(
    core: &Leadline,
    runtime: &Arc<Runtime>,
    turns: &Turns,
    account_id: i64,
    stored: Option<super::inbox::Received>,
) {
    let Some(received) = stored else {
        return;
    };
    if received.from_owner {
        turns.schedule(
            core,
            runtime,
            account_id,
            received.chat_id,
            Duration::ZERO,
            Scope::Owner,
        );
    } else {
        let debounce = core.debounce(account_id).await;
        turns.schedule(
            core,
            runtime,
            account_id,
            received.chat_id,
            debounce,
            Scope::All,
        );
    }
}

/// Everything WhatsApp reports besides messages.
async fn on_report(
    core: &Leadline,
    runtime: &Arc<Runtime>,
    turns: &Turns,
    account_id: i64,
    event: WaEvent,
) {
    match event {
        WaEvent::Ack { id, ack } => {
            let recorded = core
                .store()
                .call(move |conn| {
                    Ok(crate::store::messages::set_ack(
                        conn,
                        account_id,
                        &id,
                        i64::from(ack),
                    )?)
                })
                .await;
            match recorded {
                // No lookup of the chat here: this runs for every tick of every message;
                // the window refreshes the chat it shows.
                Ok(true) => core.message_acked(account_id),
                Ok(false) => {}
                Err(e) => tracing::warn!(account_id, error = %e, "could not record an ack"),
            }
        }
        WaEvent::State(_) | WaEvent::Message(_) => {}
        WaEvent::Page(info) => {
            if let Err(e) = core.page_info_changed(account_id, info).await {
                tracing::warn!(account_id, error = %e, "could not record the WhatsApp Web version");
            }
        }
        WaEvent::NotDelivered { id, reason } => {
            match core.message_not_delivered(account_id, id, reason).await {
                Ok(Some(chat_id)) => turns.schedule(
                    core,
                    runtime,
                    account_id,
                    chat_id,
                    Duration::ZERO,
                    Scope::All,
                ),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(account_id, error = %e, "could not record an undelivered message")
                }
            }
        }
        WaEvent::Unreadable { chat, .. } => {
            if let Err(e) = core.message_unreadable(account_id, chat).await {
                tracing::warn!(account_id, error = %e, "could not record an unreadable message");
            }
        }
    }
}

impl Leadline {
    pub(crate) async fn debounce(&self, account_id: i64) -> Duration {
        let seconds = self
            .store()
            .call(move |conn| {
                Ok(crate::store::account_settings::bot(conn, account_id)?
                    .and_then(|b| {
                        serde_json::from_str::<crate::model::behaviour::Behaviour>(
                            &b.behaviour_json,
                        )
                        .ok()
                    })
                    .map(|b| b.debounce_seconds))
            })
            .await
            .ok()
            .flatten()
            .unwrap_or(crate::model::behaviour::Behaviour::default().debounce_seconds);
        Duration::from_secs(u64::from(seconds))
    }
}
