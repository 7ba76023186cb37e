//! The durable message pipeline. Every message is stored before anything else; each
//! inbound one gets an inbox row that moves received → decided → replied | skipped(reason)
//! | failed(error), each move conditional on the state it expects (`store::inbox`).
//!
//! The unit of work is a chat's turn (`answer_chat`), under the chat's lock: the owner's
//! messages are acted on first, then a reply already being sent is finished, then every
//! open customer message of the chat becomes one turn answered by the newest (the others
//! recorded as merged) — the same whether the turn comes from the live debounce, a resume
//! after a reconnect or a restart, or a retry. A reply's text is written into its decision
//! before it is sent, and each send attempt is counted first, so a row with attempts is
//! reconciled against the chat's own messages in WhatsApp before it is sent again.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::decide::Decided;
use super::policy::Decision;
use crate::Leadline;
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::store::{chats, contacts, inbox, messages};
use crate::text;
use crate::whatsapp::WaMessage;

/// How the bot paces a reply like a person: seen, then typing for a time that grows with
/// the reply's length, with some jitter. Tests turn it down.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub before_seen: Duration,
    pub typing_per_char: Duration,
    pub typing_max: Duration,
    pub jitter: Duration,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing {
            before_seen: Duration::from_millis(1_200),
            typing_per_char: Duration::from_millis(35),
            typing_max: Duration::from_secs(8),
            jitter: Duration::from_millis(1_500),
        }
    }
}

impl Pacing {
    /// No waiting at all (tests, benchmarks).
    pub const NONE: Pacing = Pacing {
        before_seen: Duration::ZERO,
        typing_per_char: Duration::ZERO,
        typing_max: Duration::ZERO,
        jitter: Duration::ZERO,
    };

    pub(crate) fn typing_for(&self, text: &str) -> Duration {
        let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        let base = self
            .typing_per_char
            .saturating_mul(chars)
            .min(self.typing_max);
        base + self.jitter.mul_f64(fastrand_unit())
    }
}

/// A number in [0, 1) without a random crate: the low bits of the clock are jitter enough.
fn fastrand_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000) / 1_000.0
}

/// Per chat id, the lock its turns take.
pub type ChatLocks = std::sync::Arc<
    std::sync::Mutex<std::collections::HashMap<i64, std::sync::Arc<tokio::sync::Mutex<()>>>>,
>;

/// What became of one inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Replied {
        wa_msg_id: String,
    },
    Skipped {
        reason: String,
    },
    /// Failed: tried again at its time (`error` says why), or for good.
    Failed {
        error: String,
    },
    /// Not done yet: the number is not connected, or the reply waits for its turn.
    Waiting {
        reason: String,
    },
}

/// The decision as stored on the inbox row: the policy's decision, plus the text to send
/// once it is known (so a resend after a crash sends the same words).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub decision: Decision,
    pub text: Option<String>,
    /// Where the text goes (the customer's chat, or the owner's own for commands).
    pub to: Option<String>,
}

impl Stored {
    pub(crate) fn parse(json: Option<&str>) -> Option<Stored> {
        serde_json::from_str(json?).ok()
    }

    /// The words to send and where, once known.
    pub(crate) fn reply(json: Option<&str>) -> Option<(String, String)> {
        let stored = Stored::parse(json)?;
        Some((stored.text?, stored.to?))
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// A stored message: the inbox row to decide on, and its chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub row: i64,
    pub chat_id: i64,
    /// Typed by the owner on the phone (acted on at once; no debounce).
    pub from_owner: bool,
}

pub(crate) fn now_ms(core: &Leadline) -> i64 {
    core.clock.now_ms()
}

/// The error for a row whose message was removed meanwhile.
pub(crate) fn message_gone() -> Error {
    Error::NotFound(text!(
        "bot.message_gone",
        "That message is no longer in Leadline."
    ))
}

/// Why an earlier message of a burst has no reply of its own.
pub const MERGED: &str = "merged_into_later_turn";

/// Which open rows of a chat a turn takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the owner's messages (they are acted on at once, a customer's burst waits).
    Owner,
    /// Everything open.
    All,
}

impl Leadline {
    fn chat_lock(&self, chat_id: i64) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .chat_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(chat_id).or_default().clone()
    }

    /// Stores a message before anything else is done with it. Returns the id of the inbox
    /// row to decide on, or `None`: a redelivery, or the echo of the bot's own send (then
    /// its inbox row is marked replied here).
    pub async fn receive(&self, account_id: i64, message: WaMessage) -> Result<Option<i64>> {
        Ok(self
            .receive_in_chat(account_id, message)
            .await?
            .map(|r| r.row))
    }

    /// `receive`, saying which chat the row is in.
    pub async fn receive_in_chat(
        &self,
        account_id: i64,
        message: WaMessage,
    ) -> Result<Option<Received>> {
        let now = now_ms(self);
        if message.id.trim().is_empty() || message.chat.trim().is_empty() {
            // Nothing to store it under or answer: a page's garbage, refused for good.
            return Err(Error::InvalidInput(text!(
                "bot.malformed_message",
                "WhatsApp Web reported a message without an id or a chat; it was left out."
            )));
        }
        let message = message.bounded_at(now / 1000);
        let (chat_id, changed, inbox_row) = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let is_group = chats::kind_of(&message.chat) == "group";
                let person = if is_group {
                    message.from.as_str()
                } else {
                    message.chat.as_str()
                };
                let push_name = if message.from_me {
                    None
                } else {
                    message.push_name.as_deref()
                };
                // The phone WhatsApp gave is the sender's: in a group, the author's.
                let phone = if message.from_me {
                    None
                } else {
                    message.phone.as_deref()
                };
                let contact = contacts::upsert(&tx, account_id, person, phone, push_name, now)?;
                let sent_at = message.timestamp.saturating_mul(1000);
                let chat = chats::upsert(
                    &tx,
                    account_id,
                    &message.chat,
                    (!is_group).then_some(contact.id),
                    sent_at,
                    now,
                )?;
                // The echo of our own reply (however late, even after its send reported
                // an error): the inbox row waiting on it is done, and it is not the owner.
                if message.from_me {
                    if let Some(waiting) = sent_reply_waiting(&tx, chat.id, &message.body)? {
                        let stored = messages::insert(
                            &tx,
                            &messages::NewMessage {
                                account_id,
                                chat_id: chat.id,
                                wa_msg_id: &message.id,
                                direction: "out",
                                origin: "bot",
                                author: None,
                                body: &message.body,
                                sent_at,
                            },
                            now,
                        )?;
                        if let Some(reply_id) = stored {
                            inbox::replied(&tx, waiting, reply_id, now)?;
                        }
                        tx.commit()?;
                        return Ok((chat.id, stored.is_some(), None));
                    }
                }
                let stored = messages::insert(
                    &tx,
                    &messages::NewMessage {
                        account_id,
                        chat_id: chat.id,
                        wa_msg_id: &message.id,
                        direction: if message.from_me { "out" } else { "in" },
                        origin: if message.from_me {
                            "owner_phone"
                        } else {
                            "customer"
                        },
                        author: is_group.then_some(message.from.as_str()),
                        body: &message.body,
                        sent_at,
                    },
                    now,
                )?;
                let Some(message_id) = stored else {
                    return Ok((chat.id, false, None));
                };
                inbox::insert(&tx, message_id, account_id, now)?;
                tx.commit()?;
                Ok((
                    chat.id,
                    true,
                    Some(Received {
                        row: message_id,
                        chat_id: chat.id,
                        from_owner: message.from_me,
                    }),
                ))
            })
            .await?;
        if changed {
            self.chat_changed(account_id, chat_id);
        }
        Ok(inbox_row)
    }

    /// Answers every chat of the number with open rows, oldest first: what a crash or an
    /// outage left, and failures due for another try. Each chat is one turn (`answer_chat`).
    pub async fn resume(&self, wa: &Runtime, account_id: i64) -> Result<Vec<(i64, Handled)>> {
        let now = now_ms(self);
        let chats = self
            .store
            .call(move |conn| Ok(inbox::open_chats(conn, account_id, now)?))
            .await?;
        let mut done = Vec::new();
        for (chat_id, _) in chats {
            done.extend(
                self.answer_chat(wa, account_id, chat_id, Scope::All)
                    .await?,
            );
        }
        Ok(done)
    }

    /// Decides on one stored message by answering its chat's turn; what became of it.
    /// Safe to call again on the same row.
    pub async fn handle(&self, wa: &Runtime, account_id: i64, message_id: i64) -> Result<Handled> {
        let chat_id = self
            .store
            .call(move |conn| Ok(messages::get(conn, message_id)?.map(|m| m.chat_id)))
            .await?
            .ok_or_else(message_gone)?;
        self.answer_chat(wa, account_id, chat_id, Scope::All)
            .await?;
        self.outcome(message_id).await
    }

    /// What became of one row, read from the store.
    pub async fn outcome(&self, message_id: i64) -> Result<Handled> {
        self.store
            .call(move |conn| {
                let row = inbox::get(conn, message_id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "bot.inbox_gone",
                        "That message is no longer waiting for an answer."
                    ))
                })?;
                Ok(match row.state.as_str() {
                    "replied" => Handled::Replied {
                        wa_msg_id: match row.reply_message_id {
                            Some(id) => messages::get(conn, id)?
                                .map(|m| m.wa_msg_id)
                                .unwrap_or_default(),
                            None => String::new(),
                        },
                    },
                    "skipped" => Handled::Skipped {
                        reason: row.skip_reason.unwrap_or_default(),
                    },
                    "failed" => Handled::Failed {
                        error: row.error.unwrap_or_default(),
                    },
                    _ => Handled::Waiting {
                        reason: row.error.unwrap_or_else(|| "waiting".into()),
                    },
                })
            })
            .await
    }

    /// One turn of a chat, under its lock (whoever asks: the live debounce, a resume, a
    /// retry): the owner's open messages first, each acted on; then (`Scope::All`) a reply
    /// already being sent is finished; then the customer's open messages are answered as
    /// one turn by the newest, the others recorded as merged into it. Returns what became
    /// of each row it touched.
    pub async fn answer_chat(
        &self,
        wa: &Runtime,
        account_id: i64,
        chat_id: i64,
        scope: Scope,
    ) -> Result<Vec<(i64, Handled)>> {
        let lock = self.chat_lock(chat_id);
        let _turn = lock.lock().await;
        let now = now_ms(self);
        let open = self
            .store
            .call(move |conn| Ok(inbox::open_in_chat(conn, chat_id, now)?))
            .await?;
        let mut done = Vec::new();
        for (row, _) in open.iter().filter(|(_, inbound)| !inbound) {
            let handled = match Stored::reply(row.decision.as_deref()) {
                Some(_) => self.finish_send(wa, account_id, row).await?,
                None => self.decide_and_act(wa, account_id, row.message_id).await?,
            };
            done.push((row.message_id, handled));
        }
        if scope == Scope::Owner {
            return Ok(done);
        }
        let customer: Vec<&inbox::Row> = open
            .iter()
            .filter(|(_, inbound)| *inbound)
            .map(|(row, _)| row)
            .collect();
        // Replies already worded (being sent, or failed and due again) go out first, in
        // order: their words answer the messages they were written for.
        for row in customer
            .iter()
            .filter(|r| Stored::reply(r.decision.as_deref()).is_some())
        {
            let handled = self.finish_send(wa, account_id, row).await?;
            let waiting = matches!(handled, Handled::Waiting { .. });
            done.push((row.message_id, handled));
            if waiting {
                // Not connected: nothing else of this chat can go out either.
                return Ok(done);
            }
        }
        let undecided: Vec<i64> = customer
            .iter()
            .filter(|r| Stored::reply(r.decision.as_deref()).is_none())
            .map(|r| r.message_id)
            .collect();
        let Some((&latest, earlier)) = undecided.split_last() else {
            return Ok(done);
        };
        if !earlier.is_empty() {
            let earlier = earlier.to_vec();
            let now = now_ms(self);
            let merged = self
                .store
                .call(move |conn| {
                    let tx = conn.transaction()?;
                    let mut merged = Vec::new();
                    for row in earlier {
                        if inbox::skipped(&tx, row, inbox::UNDECIDED, MERGED, now)? {
                            merged.push(row);
                        }
                    }
                    tx.commit()?;
                    Ok(merged)
                })
                .await?;
            done.extend(merged.into_iter().map(|row| {
                (
                    row,
                    Handled::Skipped {
                        reason: MERGED.into(),
                    },
                )
            }));
        }
        done.push((latest, self.decide_and_act(wa, account_id, latest).await?));
        Ok(done)
    }

    /// Decides on one row (the turn's) and acts: a skip, a pause, or a reply worded (owner
    /// command, away message, quick reply, the AI) and sent. The caller holds the chat
    /// lock. The decision and the reply's reservation are one transaction (`decide`).
    async fn decide_and_act(
        &self,
        wa: &Runtime,
        account_id: i64,
        message_id: i64,
    ) -> Result<Handled> {
        let now = now_ms(self);
        let decided = self
            .store
            .call(move |conn| {
                // Immediate: the caps read and the reservation written are one step.
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let decided = super::decide::decide_in(&tx, account_id, message_id, now)?;
                tx.commit()?;
                Ok(decided)
            })
            .await?;
        let (chat_id, to, text, decision) = match decided {
            Decided::Done(Handled::Waiting { .. }) => return self.outcome(message_id).await,
            Decided::Done(handled) => return Ok(handled),
            Decided::Send { chat_id, to, text } => (chat_id, to, text, None),
            Decided::Ai(ask) => {
                let turn = super::ai_turn::AiTurn {
                    account_id,
                    message_id,
                    chat_id: ask.chat_id,
                    contact_id: ask.contact_id,
                    closed: ask.closed,
                    sent_at: ask.sent_at,
                    freshness_ms: ask.freshness_ms,
                };
                match self.ai_turn(&turn, ask.hours.as_ref(), now).await? {
                    Ok((text, record)) => (ask.chat_id, ask.to, text, Some((ask.decision, record))),
                    Err(handled) => return Ok(handled),
                }
            }
        };
        // The AI's words go into the decision, its usage and the lead's fields are
        // recorded, and the send's attempt is counted: one step, before the send.
        let counted = match decision {
            Some((decision, record)) => {
                let json = Stored {
                    decision,
                    text: Some(text.clone()),
                    to: Some(to.clone()),
                }
                .to_json()?;
                let now = now_ms(self);
                let (counted, merged) = self
                    .store
                    .call(move |conn| {
                        let tx = conn.transaction()?;
                        let merged = record.write(&tx);
                        let counted = inbox::decided(&tx, message_id, &["decided"], &json, now)?
                            && inbox::attempt(&tx, message_id, now)?;
                        tx.commit()?;
                        Ok((counted, merged))
                    })
                    .await?;
                if let Some(merged) = merged {
                    self.turn_merged(account_id, merged);
                }
                if !counted {
                    return self.outcome(message_id).await;
                }
                true
            }
            None => false,
        };
        self.send_reply(wa, account_id, message_id, chat_id, &to, &text, counted)
            .await
    }
}

/// The inbox row in `chat_id` whose reply is `body` and which may have been sent: being
/// sent, or failed after an attempt (an error that still went out). Oldest first.
fn sent_reply_waiting(
    conn: &rusqlite::Connection,
    chat_id: i64,
    body: &str,
) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.message_id, i.decision FROM inbox i JOIN messages m ON m.id = i.message_id
         WHERE m.chat_id = ?1 AND i.state IN ('decided', 'failed') AND i.attempts > 0 ORDER BY i.message_id",
    )?;
    let rows: Vec<(i64, Option<String>)> = stmt
        .query_map([chat_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().find_map(|(id, decision)| {
        let (text, _) = Stored::reply(decision.as_deref())?;
        (text == body).then_some(id)
    }))
}
