//! A worded reply on its way to the customer: seen, typing, the send (its attempt counted
//! first), and what each outcome means for the row. Not connected: the row waits for the
//! number, no attempt spent. Any other error: tried again with backoff, each time after
//! reconciling against the chat (the send may have gone out), until its attempts run out;
//! then failed with the reason and the owner told once. A reply WhatsApp's server never
//! took is reconciled and sent once more.

use super::inbox::Handled;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::chat::{Direction, Origin};
use crate::model::inbox::{InboxState, Stored};
use crate::runtime::tasks::Runtime;
use crate::store::{accounts, activity, chats, inbox, messages};
use crate::text;
use crate::text::Text;
use crate::whatsapp::error::WaError;
use crate::whatsapp::message::Undelivered;

/// How far before the customer's message an own message still counts as its reply
/// (WhatsApp's own times, so the laptop's clock plays no part; a little slack for the
/// page's rounding to seconds).
const RECONCILE_SLACK_MS: i64 = 2_000;

/// Which part of a turn failed for good (each has its own Activity entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failing {
    Ai,
    Send,
}

impl Leadline {
    /// Finishes a row whose reply is worded: a row with attempts may have been sent, so
    /// WhatsApp's own list of the chat is asked first.
    pub(crate) async fn finish_send(
        &self,
        wa: &Runtime,
        account_id: i64,
        row: &inbox::Row,
    ) -> Result<Handled> {
        let message_id = row.message_id;
        let Some((text, to)) = row
            .decision
            .as_ref()
            .and_then(Stored::reply)
            .map(|r| (r.text.to_string(), r.to.to_string()))
        else {
            return self.outcome(message_id).await;
        };
        let (chat_id, after_ms) = self
            .store
            .call(move |conn| Ok(messages::get(conn, message_id)?.map(|m| (m.chat_id, m.sent_at))))
            .await?
            .ok_or_else(super::inbox::message_gone)?;
        if row.state == InboxState::Failed {
            // Due again: back to being sent (unless an echo completed it meanwhile).
            let now = self.now_ms();
            let moved = self
                .store
                .call(move |conn| Ok(inbox::due_again(conn, message_id, now)?))
                .await?;
            if !moved {
                return self.outcome(message_id).await;
            }
        }
        if row.attempts > 0 {
            match self
                .already_sent(wa, account_id, &to, &text, after_ms)
                .await
            {
                Ok(Some(sent)) => {
                    self.record_reply(account_id, message_id, chat_id, &sent, &text)
                        .await?;
                    return self.outcome(message_id).await;
                }
                Ok(None) => {}
                // Not knowing is not "not sent": the row waits until WhatsApp can say.
                Err(e) => {
                    return Ok(Handled::Waiting {
                        reason: e.to_string(),
                    });
                }
            }
        }
        self.send_reply(wa, account_id, message_id, chat_id, &to, &text, false)
            .await
    }

    /// Seen, typing for a while, then the send; the attempt is counted before it (here,
    /// unless `counted`: the caller did, with the words).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_reply(
        &self,
        wa: &Runtime,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        to: &str,
        text: &str,
        counted: bool,
    ) -> Result<Handled> {
        if !counted {
            let now = self.now_ms();
            let counted = self
                .store
                .call(move |conn| Ok(inbox::attempt(conn, message_id, now)?))
                .await?;
            if !counted {
                return self.outcome(message_id).await;
            }
        }
        let pacing = self.pacing;
        crate::clock::pause(pacing.before_seen).await;
        // Seen and typing are courtesy: a failure there doesn't stop the reply.
        let _ = wa.mark_seen(account_id, to).await;
        let typing = pacing.typing_for(text);
        if !typing.is_zero() {
            let _ = wa.set_typing(account_id, to, true).await;
            tokio::time::sleep(typing).await;
            let _ = wa.set_typing(account_id, to, false).await;
        }
        match wa.send_text(account_id, to, text).await {
            Ok(wa_msg_id) => {
                self.record_reply(account_id, message_id, chat_id, &wa_msg_id, text)
                    .await?;
                // Replied with this message, by us or by its echo a moment earlier.
                Ok(Handled::Replied { wa_msg_id })
            }
            // Never reached WhatsApp: the attempt is taken back and the row waits for the
            // number to be connected again.
            Err(WaError::NotConnected) => {
                let now = self.now_ms();
                self.store
                    .call(move |conn| Ok(inbox::unattempt(conn, message_id, now)?))
                    .await?;
                Ok(Handled::Waiting {
                    reason: WaError::NotConnected.to_string(),
                })
            }
            Err(e) => {
                let now = self.now_ms();
                let attempts = self
                    .store
                    .call(move |conn| Ok(inbox::get(conn, message_id)?.map(|r| r.attempts)))
                    .await?
                    .unwrap_or(inbox::MAX_ATTEMPTS);
                tracing::warn!(account_id, attempts, error = %e, "a reply could not be sent");
                if attempts >= inbox::MAX_ATTEMPTS {
                    self.give_up(
                        account_id,
                        message_id,
                        chat_id,
                        &[InboxState::Decided],
                        e.text(),
                        Failing::Send,
                    )
                    .await?;
                } else {
                    let retry_at = now.saturating_add(
                        i64::try_from(self.retry_times.send(attempts).as_millis())
                            .unwrap_or(i64::MAX),
                    );
                    let shown = e.to_string();
                    self.store
                        .call(move |conn| {
                            Ok(inbox::failed(
                                conn,
                                message_id,
                                &[InboxState::Decided],
                                &shown,
                                Some(retry_at),
                                now,
                            )?)
                        })
                        .await?;
                }
                self.outcome(message_id).await
            }
        }
    }

    /// The reply went out as `wa_msg_id`: stored as the bot's and the row replied. An echo
    /// that got there first already did both; then nothing changes.
    pub(crate) async fn record_reply(
        &self,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        wa_msg_id: &str,
        text: &str,
    ) -> Result<()> {
        let (wa_msg_id, text) = (wa_msg_id.to_string(), text.to_string());
        let now = self.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                messages::insert(
                    &tx,
                    &messages::NewMessage {
                        account_id,
                        chat_id,
                        wa_msg_id: &wa_msg_id,
                        direction: Direction::Out,
                        origin: Origin::Bot,
                        author: None,
                        body: &text,
                        sent_at: now,
                    },
                    now,
                )?;
                let reply_id = messages::id_of(&tx, account_id, &wa_msg_id)?;
                inbox::replied(&tx, message_id, reply_id, now)?;
                tx.commit().map_err(Error::from)
            })
            .await?;
        self.chat_changed(account_id, chat_id);
        Ok(())
    }

    /// Fails the row for good (from one of `from`) with `error`, says so in Activity and
    /// tells the owner once.
    pub(crate) async fn give_up(
        &self,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        from: &'static [InboxState],
        error: Text,
        part: Failing,
    ) -> Result<()> {
        let now = self.now_ms();
        let told = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                if !inbox::failed(&tx, message_id, from, &error.english, None, now)? {
                    return Ok(None);
                }
                if !inbox::tell_owner(&tx, message_id, now)? {
                    tx.commit()?;
                    return Ok(None);
                }
                let number = accounts::get(&tx, account_id)?
                    .map(|n| n.name)
                    .unwrap_or_default();
                let who = chats::get(&tx, chat_id)?
                    .map(|(jid, _, _)| crate::model::wa_id::shown_number(&jid))
                    .unwrap_or_default();
                match part {
                    Failing::Ai => activity::insert_with_text(
                        &tx,
                        Some(account_id),
                        "ai_failed",
                        &format!("The assistant could not answer a customer: {error}"),
                        &[],
                        ("error", &error),
                        now,
                    )?,
                    Failing::Send => activity::insert_with_text(
                        &tx,
                        Some(account_id),
                        "reply_failed",
                        &format!(
                            "“{number}” could not answer {who}: {error}. Answer them on the phone."
                        ),
                        &[("name", &number), ("phone", &who)],
                        ("error", &error),
                        now,
                    )?,
                };
                tx.commit()?;
                Ok(Some((number, who, error)))
            })
            .await?;
        if let Some((number, who, reason)) = told {
            (self.events)(CoreEvent::ReplyFailed {
                number_id: account_id,
                chat_id,
                number,
                who,
                reason,
            });
        }
        Ok(())
    }

    /// Whether `text` already went to `to` after the customer's message at `after_ms`
    /// (WhatsApp's time): an own message of the chat with those words that no other row
    /// claimed, by WhatsApp's ids and times, the page loading earlier messages if needed.
    pub(crate) async fn already_sent(
        &self,
        wa: &Runtime,
        account_id: i64,
        to: &str,
        text: &str,
        after_ms: i64,
    ) -> std::result::Result<Option<String>, WaError> {
        let since = after_ms.saturating_sub(RECONCILE_SLACK_MS) / 1000;
        let own = wa.recent_own(account_id, to, since).await?;
        let candidates: Vec<String> = own
            .into_iter()
            .filter(|m| m.body == text && m.timestamp >= since)
            .map(|m| m.id)
            .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        // A message already stored is claimed: the reply of another row, or one the
        // server never took (ack -1).
        let claimed = self
            .store
            .call(move |conn| {
                let mut free = Vec::new();
                for id in candidates {
                    if !messages::exists(conn, account_id, &id)? {
                        free.push(id);
                    }
                }
                Ok(free)
            })
            .await;
        match claimed {
            Ok(free) => Ok(free.into_iter().next()),
            Err(e) => Err(WaError::Page(e.to_string())),
        }
    }

    /// After a restart the page no longer tells what became of replies sent before it:
    /// each reply of the last day without a server ack is looked up in its chat (the page
    /// loading earlier messages as needed) and its ack recorded; one the server refused,
    /// or still without an ack after the delivery bound, counts as not delivered. Returns
    /// the chats to answer again.
    pub async fn recheck_deliveries(&self, wa: &Runtime, account_id: i64) -> Result<Vec<i64>> {
        let now = self.now_ms();
        let unconfirmed = self
            .store
            .call(move |conn| {
                Ok(messages::unconfirmed_replies(
                    conn,
                    account_id,
                    now - 86_400_000,
                )?)
            })
            .await?;
        let mut by_chat: std::collections::BTreeMap<String, Vec<(String, i64)>> =
            Default::default();
        for (chat, id, at) in unconfirmed {
            by_chat.entry(chat).or_default().push((id, at));
        }
        let bound = i64::try_from(self.delivery_wait.as_millis()).unwrap_or(i64::MAX);
        let mut again = Vec::new();
        for (chat, replies) in by_chat {
            // Our clock and WhatsApp's may differ by minutes: an hour's slack to load from.
            let oldest = replies.iter().map(|(_, at)| *at).min().unwrap_or(now);
            let since = oldest / 1000 - 3_600;
            let own = match wa.recent_own(account_id, &chat, since).await {
                Ok(own) => own,
                // Not connected: looked at again on the next start.
                Err(_) => continue,
            };
            for (id, at) in replies {
                let ack = own.iter().find(|m| m.id == id).and_then(|m| m.ack);
                let undelivered = match ack {
                    Some(ack) if ack >= 1 => {
                        let (id, ack) = (id.clone(), i64::from(ack));
                        self.store
                            .call(move |conn| Ok(messages::set_ack(conn, account_id, &id, ack)?))
                            .await?;
                        self.message_acked(account_id);
                        None
                    }
                    Some(ack) if ack < 0 => Some(Undelivered::Refused),
                    _ if now - at >= bound => Some(Undelivered::NoServerAck),
                    _ => None,
                };
                if let Some(reason) = undelivered {
                    if let Some(chat_id) =
                        self.message_not_delivered(account_id, id, reason).await?
                    {
                        again.push(chat_id);
                    }
                }
            }
        }
        Ok(again)
    }

    /// WhatsApp's server never took a sent message (no server ack in time, or an error
    /// ack): shown failed; a reply is sent once more (reconciled first), and after that
    /// its row fails with the reason and the owner is told. Returns the chat to answer
    /// again, if any.
    pub async fn message_not_delivered(
        &self,
        account_id: i64,
        wa_msg_id: String,
        reason: Undelivered,
    ) -> Result<Option<i64>> {
        tracing::warn!(
            account = account_id,
            ?reason,
            "a sent message was not delivered"
        );
        let now = self.now_ms();
        let error = text!(
            "bot.not_delivered",
            "WhatsApp's server did not take the reply."
        );
        let shown = error.english.clone();
        let (acked, row) = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let changed = messages::mark_not_delivered(&tx, account_id, &wa_msg_id)?;
                let reply = messages::undelivered_reply(&tx, account_id, &wa_msg_id)?;
                let mut row = None;
                if let Some((reply_id, chat_id)) = reply {
                    if let Some(inbox_row) = inbox::by_reply(&tx, reply_id)? {
                        let again = inbox::resend(&tx, inbox_row.message_id, &shown, now)?;
                        row = Some((inbox_row.message_id, chat_id, again));
                    }
                }
                tx.commit()?;
                Ok((changed, row))
            })
            .await?;
        if acked {
            self.message_acked(account_id);
        }
        match row {
            Some((_, chat_id, true)) => Ok(Some(chat_id)),
            Some((message_id, chat_id, false)) => {
                self.give_up(
                    account_id,
                    message_id,
                    chat_id,
                    &[InboxState::Replied],
                    error,
                    Failing::Send,
                )
                .await?;
                Ok(None)
            }
            None => Ok(None),
        }
    }
}
