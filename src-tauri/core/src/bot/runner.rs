//! Feeds what WhatsApp reports into the pipeline. Intake never waits: every message goes
//! to its number's queue and is stored in arrival order (a store that fails is retried in
//! place, never dropped: `arrivals`), and everything slower (a turn's AI call and pacing,
//! a retry, an ack's record) runs in tasks of its own. A chat's customer messages are
//! answered as one turn after a quiet moment (`turns`); the owner's are acted on at once;
//! when a number is Working again, its open chats are scheduled the same way (a burst
//! resumed mid-debounce is still one turn), and failures due for another try are picked up
//! every few seconds. States are recorded here too, in order with the messages, so a
//! session refused as a second link of one WhatsApp account is stopped before it answers
//! anyone.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::arrivals::Arrivals;
use super::handle::Bot;
use super::inbox::Scope;
use super::turns::Turns;
use super::{changes, delivery};
use crate::numbers::linking;
use crate::whatsapp::account::AccountState;
use crate::whatsapp::message::{Undelivered, WaEvent};

/// What the runner is told.
#[derive(Debug)]
pub enum Input {
    Event(i64, WaEvent),
    /// The number's connection changed state (recorded; Working resumes its open rows).
    State(i64, AccountState),
}

/// The sender half, for the runtime's callbacks.
pub type Inputs = mpsc::UnboundedSender<Input>;

/// The numbers seen Working, whose due failures the sweep picks up.
type Working = Arc<Mutex<BTreeSet<i64>>>;

fn working(set: &Working) -> std::sync::MutexGuard<'_, BTreeSet<i64>> {
    set.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every few seconds, the Working numbers' failures due for another try.
/// How often files older than the owner keeps them are removed.
const MEDIA_SWEEP_EVERY: Duration = Duration::from_secs(3_600);

fn sweep(bot: &Bot, turns: &Turns, numbers: &Working) -> tokio::task::JoinHandle<()> {
    let (bot, turns, numbers) = (bot.clone(), turns.clone(), numbers.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(bot.tuning.sweep_every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Old media files go once an hour (and at the start).
        let mut files_swept_at: Option<tokio::time::Instant> = None;
        loop {
            every.tick().await;
            if files_swept_at.is_none_or(|at| at.elapsed() >= MEDIA_SWEEP_EVERY) {
                files_swept_at = Some(tokio::time::Instant::now());
                if let Err(e) = crate::bot::media::forget_old(&bot).await {
                    tracing::warn!(error = %e, "could not remove old media files");
                }
            }
            let accounts: Vec<i64> = working(&numbers).iter().copied().collect();
            for account_id in accounts {
                if matches!(bot.runtime.state(account_id), AccountState::Working { .. }) {
                    turns.resume(&bot, account_id).await;
                }
            }
        }
    })
}

/// Runs until every sender is gone.
pub async fn run(bot: Bot, mut inputs: mpsc::UnboundedReceiver<Input>) {
    // Webhook deliveries a restart interrupted go out again.
    {
        let core = bot.core.clone();
        tokio::spawn(async move { core.resume_webhooks().await });
    }
    // Media files a restart interrupted: failed, for the owner's "Try again".
    {
        let now = bot.now_ms();
        let interrupted = bot
            .store()
            .call(move |conn| Ok(crate::store::media::interrupted(conn, now)?))
            .await;
        if let Err(e) = interrupted {
            tracing::warn!(error = %e, "could not look at media files left on their way");
        }
    }
    let turns = Turns::default();
    let numbers = Working::default();
    // Numbers whose session was refused (a second link of one WhatsApp account): their
    // reports are dropped until they start again.
    let mut refused: BTreeSet<i64> = BTreeSet::new();
    let sweeping = sweep(&bot, &turns, &numbers);
    let mut arrivals = Arrivals::default();
    while let Some(input) = inputs.recv().await {
        match input {
            Input::State(account_id, state) => {
                on_state(&bot, &turns, &numbers, &mut refused, account_id, state).await;
            }
            Input::Event(account_id, _) if refused.contains(&account_id) => {}
            Input::Event(account_id, WaEvent::Message(message)) => {
                arrivals.push(&bot, &turns, account_id, message);
            }
            Input::Event(account_id, event) => {
                let (bot, turns) = (bot.clone(), turns.clone());
                tokio::spawn(async move { on_report(&bot, &turns, account_id, event).await });
            }
        }
    }
    sweeping.abort();
}

/// A number's new state: recorded (and shown); Working resumes its open chats and looks
/// at what the page can't tell by itself; a second link of one WhatsApp account stops.
async fn on_state(
    bot: &Bot,
    turns: &Turns,
    numbers: &Working,
    refused: &mut BTreeSet<i64>,
    account_id: i64,
    state: AccountState,
) {
    let working_now = matches!(state, AccountState::Working { .. });
    if matches!(state, AccountState::Starting) {
        refused.remove(&account_id);
    }
    if refused.contains(&account_id) {
        // The refusal stays what the owner sees while that session stops.
        return;
    }
    let shown = match linking::state_changed(&bot.core, account_id, state).await {
        Ok(shown) => shown,
        Err(e) => {
            tracing::error!(account_id, error = %e, "could not record a number's state");
            return;
        }
    };
    if working_now && matches!(shown, AccountState::Failed { .. }) {
        // The same WhatsApp account already answers under another number: this session
        // stops, so every customer is answered by one number only.
        refused.insert(account_id);
        working(numbers).remove(&account_id);
        let runtime = bot.runtime.clone();
        tokio::spawn(async move { runtime.stop(account_id).await });
        return;
    }
    if working_now {
        working(numbers).insert(account_id);
        turns.resume(bot, account_id).await;
        let (bot, turns) = (bot.clone(), turns.clone());
        tokio::spawn(async move { after_start(&bot, &turns, account_id).await });
    } else {
        working(numbers).remove(&account_id);
    }
}

/// What a (re)connected number's page can't tell by itself: the messages of chats still
/// unread (shown before a crash let them be stored), and what became of replies sent
/// before it; looked at again once the delivery bound has passed.
async fn after_start(bot: &Bot, turns: &Turns, account_id: i64) {
    match bot.runtime.catch_up(account_id).await {
        Ok(0) => {}
        Ok(reported) => tracing::info!(account_id, reported, "unread chats reported again"),
        Err(e) => tracing::warn!(account_id, error = %e, "could not look at unread chats"),
    }
    for round in 0..2 {
        if round == 1 {
            tokio::time::sleep(bot.tuning.delivery_wait + Duration::from_secs(1)).await;
            if !matches!(bot.runtime.state(account_id), AccountState::Working { .. }) {
                return;
            }
        }
        // Right after the start only what the page can tell for sure is acted on; a send
        // it no longer has, once it had the delivery bound to report late receipts.
        match delivery::recheck(bot, account_id, round == 1).await {
            Ok(chats) => {
                for chat_id in chats {
                    turns.schedule(bot, account_id, chat_id, Duration::ZERO, Scope::All);
                }
            }
            Err(e) => tracing::warn!(account_id, error = %e, "could not look at earlier replies"),
        }
    }
}

/// Everything WhatsApp reports besides messages.
async fn on_report(bot: &Bot, turns: &Turns, account_id: i64, event: WaEvent) {
    match event {
        WaEvent::Ack { id, ack } if ack < 0 => {
            // An error ack (the driver reports its own sends' too; after a restart only
            // this one tells): sent again once, or failed.
            match delivery::not_delivered(bot, account_id, id, Undelivered::Refused).await {
                Ok(Some(chat_id)) => {
                    turns.schedule(bot, account_id, chat_id, Duration::ZERO, Scope::All)
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(account_id, error = %e, "could not record an error ack"),
            }
        }
        WaEvent::Ack { id, ack } => {
            if let Err(e) = delivery::acked(bot, account_id, id, ack).await {
                tracing::warn!(account_id, error = %e, "could not record an ack");
            }
        }
        WaEvent::State(_) | WaEvent::Message(_) | WaEvent::Relaunch => {}
        WaEvent::Edited { id, text } => {
            if let Err(e) = changes::edited(bot, account_id, id, text).await {
                tracing::warn!(account_id, error = %e, "could not record an edit");
            }
        }
        WaEvent::Revoked { id } => {
            if let Err(e) = changes::revoked(bot, account_id, id).await {
                tracing::warn!(account_id, error = %e, "could not record a deletion");
            }
        }
        WaEvent::Reaction {
            parent,
            from,
            emoji,
            at_ms,
        } => {
            if let Err(e) = changes::reacted(bot, account_id, parent, from, emoji, at_ms).await {
                tracing::warn!(account_id, error = %e, "could not record a reaction");
            }
        }
        WaEvent::Page(info) => {
            if let Err(e) = linking::page_changed(&bot.core, account_id, info).await {
                tracing::warn!(account_id, error = %e, "could not record the WhatsApp Web version");
            }
        }
        WaEvent::NotDelivered { id, reason } => {
            match delivery::not_delivered(bot, account_id, id, reason).await {
                Ok(Some(chat_id)) => {
                    turns.schedule(bot, account_id, chat_id, Duration::ZERO, Scope::All)
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(account_id, error = %e, "could not record an undelivered message")
                }
            }
        }
        WaEvent::Limits(limits) => {
            if let Err(e) = linking::limits_changed(&bot.core, account_id, limits).await {
                tracing::warn!(account_id, error = %e, "could not record the number's limits");
            }
        }
        WaEvent::Unreadable { chat, .. } => {
            if let Err(e) = linking::unreadable(&bot.core, account_id, chat).await {
                tracing::warn!(account_id, error = %e, "could not record an unreadable message");
            }
        }
    }
}
