//! Feeds what WhatsApp reports into the pipeline: every message is stored at once; a burst
//! of customer messages in one chat is answered as one turn after a quiet moment
//! (debounce), the earlier ones recorded as merged; the owner's own messages are acted on
//! at once; acks are recorded; and when a number is Working again, whatever a crash or an
//! outage left open is resumed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::pipeline::Handled;
use crate::Leadline;
use crate::runtime::Runtime;
use crate::store::{inbox, messages};
use crate::whatsapp::WaEvent;

/// What the runner is told.
#[derive(Debug)]
pub enum Input {
    Event(i64, WaEvent),
    /// The number is connected (again): resume its open rows.
    Working(i64),
}

/// How often failed sends are looked at again.
const RETRY_EVERY: Duration = Duration::from_secs(30);

/// The sender half, for the runtime's callbacks.
pub type Inputs = mpsc::UnboundedSender<Input>;

/// Runs until every sender is gone. `debounce` for a number comes from its behaviour.
pub async fn run(
    core: Leadline,
    runtime: Arc<Runtime>,
    mut inputs: mpsc::UnboundedReceiver<Input>,
) {
    // Per chat, a count of customer messages in arrival order: only the task of the latest
    // one answers the burst.
    let generations: Arc<Mutex<HashMap<(i64, String), u64>>> = Arc::default();
    // Failed sends are retried when their time comes, for every number seen working.
    let mut working: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
    let mut retry = tokio::time::interval(RETRY_EVERY);
    loop {
        let input = tokio::select! {
            input = inputs.recv() => match input {
                Some(input) => input,
                None => return,
            },
            _ = retry.tick() => {
                for &account_id in &working {
                    if let Err(e) = core.retry_failed(&runtime, account_id).await {
                        tracing::warn!(account_id, error = %e, "could not retry failed replies");
                    }
                }
                continue;
            }
        };
        match input {
            Input::Working(account_id) => {
                working.insert(account_id);
                let (core, runtime) = (core.clone(), runtime.clone());
                tokio::spawn(async move {
                    match core.resume(&runtime, account_id).await {
                        Ok(done) if !done.is_empty() => tracing::info!(
                            account_id,
                            resumed = done.len(),
                            "resumed open messages"
                        ),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::error!(account_id, error = %e, "could not resume open messages")
                        }
                    }
                });
            }
            Input::Event(account_id, WaEvent::Ack { id, ack }) => {
                let recorded = core
                    .store()
                    .call(move |conn| Ok(conn.execute("UPDATE messages SET ack = MAX(ack, ?3) WHERE account_id = ?1 AND wa_msg_id = ?2", rusqlite::params![account_id, id, i64::from(ack)])?))
                    .await;
                match recorded {
                    // No lookup of the chat here: this runs for every tick of every message,
                    // on the bot's own connection; the window refreshes the chat it shows.
                    Ok(changed) if changed > 0 => core.message_acked(account_id),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(account_id, error = %e, "could not record an ack"),
                }
            }
            Input::Event(_, WaEvent::State(_)) => {}
            Input::Event(account_id, WaEvent::Page(info)) => {
                if let Err(e) = core.page_info_changed(account_id, info).await {
                    tracing::warn!(account_id, error = %e, "could not record the WhatsApp Web version");
                }
            }
            Input::Event(account_id, WaEvent::NotDelivered { id, reason }) => {
                if let Err(e) = core.message_not_delivered(account_id, id, reason).await {
                    tracing::warn!(account_id, error = %e, "could not record an undelivered message");
                }
            }
            Input::Event(account_id, WaEvent::Unreadable { chat, .. }) => {
                if let Err(e) = core.message_unreadable(account_id, chat).await {
                    tracing::warn!(account_id, error = %e, "could not record an unreadable message");
                }
            }
            Input::Event(account_id, WaEvent::Message(message)) => {
                let from_me = message.from_me;
                let key = (account_id, message.chat.clone());
                let row = match core.receive(account_id, message).await {
                    Ok(Some(row)) => row,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::error!(account_id, error = %e, "could not store a message");
                        continue;
                    }
                };
                // Counted here, in arrival order, before any task runs.
                let generation = if from_me {
                    0
                } else {
                    let mut all = generations
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let next = all.entry(key.clone()).or_insert(0);
                    *next += 1;
                    *next
                };
                let (core, runtime, generations) =
                    (core.clone(), runtime.clone(), generations.clone());
                tokio::spawn(async move {
                    if !from_me {
                        tokio::time::sleep(core.debounce(account_id).await).await;
                        let latest = generations
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .get(&key)
                            .copied();
                        if latest != Some(generation) {
                            // A later message in this chat answers for this one.
                            return;
                        }
                        let chat = core
                            .store()
                            .call(move |conn| Ok(messages::get(conn, row)?.map(|m| m.chat_id)))
                            .await;
                        if let Ok(Some(chat)) = chat {
                            if let Err(e) = core.merge_earlier(row, chat).await {
                                tracing::warn!(account_id, error = %e, "could not merge a burst");
                            }
                        }
                    }
                    match core.handle(&runtime, account_id, row).await {
                        Ok(Handled::Failed { error }) => {
                            tracing::warn!(
                                account_id,
                                row,
                                error,
                                "a message could not be answered"
                            )
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::error!(account_id, row, error = %e, "a message could not be handled")
                        }
                    }
                });
            }
        }
    }
}

impl Leadline {
    async fn debounce(&self, account_id: i64) -> Duration {
        let seconds = self
            .store()
            .call(move |conn| {
                Ok(crate::store::account_settings::bot(conn, account_id)?
                    .and_then(|b| {
                        serde_json::from_str::<super::policy::Behaviour>(&b.behaviour_json).ok()
                    })
                    .map(|b| b.debounce_seconds))
            })
            .await
            .ok()
            .flatten()
            .unwrap_or(super::policy::Behaviour::default().debounce_seconds);
        Duration::from_secs(u64::from(seconds))
    }

    /// Customer messages of `chat` still waiting before `latest` are answered by it.
    async fn merge_earlier(&self, latest: i64, chat: i64) -> crate::Result<()> {
        let now = self.clock.now_ms();
        self.store()
            .call(move |conn| {
                let waiting: Vec<i64> = conn
                    .prepare_cached(
                        "SELECT i.message_id FROM inbox i JOIN messages m ON m.id = i.message_id
                         WHERE m.chat_id = ?1 AND i.state = 'received' AND m.direction = 'in' AND i.message_id < ?2",
                    )?
                    .query_map(rusqlite::params![chat, latest], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for row in waiting {
                    inbox::skipped(conn, row, "merged_into_later_turn", now)?;
                }
                Ok(())
            })
            .await
    }
}
