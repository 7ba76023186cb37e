//! The chat's turn. Every message was stored first (`bot::intake`); each inbound one has an
//! inbox row that moves received → decided → replied | skipped(reason) | failed(error),
//! each move conditional on the state it expects (`store::inbox`).
//!
//! The unit of work is a chat's turn (`answer_chat`), under the chat's lock: the owner's
//! messages are acted on first, then a reply already being sent is finished, then every
//! open customer message of the chat becomes one turn answered by the newest (the others
//! recorded as merged) — the same whether the turn comes from the live debounce, a resume
//! after a reconnect or a restart, or a retry. A reply's text is written into its decision
//! before it is sent, and each send attempt is counted first, so a row with attempts is
//! reconciled against the chat's own messages in WhatsApp before it is sent again.

use super::decide::Decided;
use super::inbox::{Handled, MERGED, Scope, message_gone};
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::inbox::{InboxState, Stored, UNDECIDED};
use crate::runtime::tasks::Runtime;
use crate::store::{inbox, messages};
use crate::text;

impl Leadline {
    fn chat_lock(&self, chat_id: i64) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .chat_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(chat_id).or_default().clone()
    }

    /// Answers every chat of the number with open rows, oldest first: what a crash or an
    /// outage left, and failures due for another try. Each chat is one turn (`answer_chat`).
    pub async fn resume(&self, wa: &Runtime, account_id: i64) -> Result<Vec<(i64, Handled)>> {
        let now = self.now_ms();
        let chats = self
            .store
            .call(move |conn| Ok(inbox::open_chats(conn, account_id, now)?))
            .await?;
        let mut done = Vec::new();
        for chat in chats {
            done.extend(
                self.answer_chat(wa, account_id, chat.chat_id, Scope::All)
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
                Ok(match row.state {
                    InboxState::Replied => Handled::Replied {
                        wa_msg_id: match row.reply_message_id {
                            Some(id) => messages::get(conn, id)?
                                .map(|m| m.wa_msg_id)
                                .unwrap_or_default(),
                            None => String::new(),
                        },
                    },
                    InboxState::Skipped => Handled::Skipped {
                        reason: row.skip_reason.unwrap_or_default(),
                    },
                    InboxState::Failed => Handled::Failed {
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
        let now = self.now_ms();
        let open = self
            .store
            .call(move |conn| Ok(inbox::open_in_chat(conn, chat_id, now)?))
            .await?;
        let mut done = Vec::new();
        for row in open.iter().filter(|o| !o.from_customer).map(|o| &o.row) {
            let handled = match row.decision.as_ref().and_then(Stored::reply) {
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
            .filter(|o| o.from_customer)
            .map(|o| &o.row)
            .collect();
        // Replies already worded (being sent, or failed and due again) go out first, in
        // order: their words answer the messages they were written for.
        for row in customer
            .iter()
            .filter(|r| r.decision.as_ref().and_then(Stored::reply).is_some())
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
            .filter(|r| r.decision.as_ref().and_then(Stored::reply).is_none())
            .map(|r| r.message_id)
            .collect();
        let Some((&latest, earlier)) = undecided.split_last() else {
            return Ok(done);
        };
        if !earlier.is_empty() {
            let earlier = earlier.to_vec();
            let now = self.now_ms();
            let merged = self
                .store
                .call(move |conn| {
                    let tx = conn.transaction()?;
                    let mut merged = Vec::new();
                    for row in earlier {
                        if inbox::skipped(&tx, row, UNDECIDED, MERGED, now)? {
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
        let now = self.now_ms();
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
                };
                let now = self.now_ms();
                let (counted, merged) = self
                    .store
                    .call(move |conn| {
                        let tx = conn.transaction()?;
                        let merged = record.write(&tx);
                        let counted =
                            inbox::decided(&tx, message_id, &[InboxState::Decided], &json, now)?
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
