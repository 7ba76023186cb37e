//! Conversations as the owner watches them: each number's chats with their last message and
//! the bot's state in them (answering / paused by the owner until … / contact ignored), a
//! chat's transcript with WhatsApp's ticks, and the owner's hand on the bot per chat.

use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::activity::Activity;
use crate::model::chat::{ChatListRequest, ChatSummary, Transcript};
use crate::store::chats::ChatAddress;
use crate::store::{activity, chats, contacts, media, message_changes, messages, transcripts};
use crate::text;

/// The most rows one request returns.
const MAX_PAGE: u32 = 500;
/// The longest pause the owner can set by hand: 30 days.
const MAX_PAUSE_MINUTES: u32 = 30 * 24 * 60;

fn chat_gone(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::QueryReturnedNoRows => Error::NotFound(text!(
            "chat.gone",
            "That chat is no longer in Leadline. Reload the list."
        )),
        other => Error::from(other),
    }
}

fn one_chat(conn: &rusqlite::Connection, chat_id: i64, now: i64) -> Result<ChatSummary> {
    chats::summary(conn, chat_id, now).map_err(chat_gone)
}

impl Leadline {
    /// Chats with the newest message first.
    pub async fn chats(&self, request: ChatListRequest) -> Result<Vec<ChatSummary>> {
        let limit = match request.limit {
            0 => 100,
            n => n.min(MAX_PAGE),
        };
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let rows = chats::summaries(
                    conn,
                    request.number_id,
                    &request.search,
                    limit,
                    request.offset,
                    now,
                )?;
                Ok(rows)
            })
            .await
    }

    /// A chat and its newest `limit` messages (before message `before_id` when given).
    pub async fn transcript(
        &self,
        chat_id: i64,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Transcript> {
        let limit = limit.clamp(1, MAX_PAGE);
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let chat = one_chat(conn, chat_id, now)?;
                let (before_at, before) = match before_id {
                    Some(id) => {
                        let at = messages::time_in_chat(conn, id, chat_id)?.ok_or_else(|| {
                            Error::NotFound(text!(
                                "chat.message_gone",
                                "That message is no longer in the chat."
                            ))
                        })?;
                        (at, id)
                    }
                    None => (i64::MAX, i64::MAX),
                };
                let mut messages =
                    messages::transcript_before(conn, chat_id, before_at, before, limit + 1)?;
                let more_before = messages.len() > limit as usize;
                messages.truncate(limit as usize);
                messages.reverse();
                let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
                for found in media::of_messages(conn, &ids)? {
                    if let Some(m) = messages.iter_mut().find(|m| m.id == found.message_id) {
                        m.media = Some(found.file);
                    }
                }
                for found in transcripts::of_messages(conn, &ids)? {
                    if let Some(m) = messages.iter_mut().find(|m| m.id == found.message_id) {
                        m.heard = Some(found.transcript);
                    }
                }
                for reaction in message_changes::reactions_of(conn, &ids)? {
                    if let Some(m) = messages.iter_mut().find(|m| m.id == reaction.message_id) {
                        m.reactions.push(reaction.emoji);
                    }
                }
                Ok(Transcript {
                    chat,
                    messages,
                    more_before,
                })
            })
            .await
    }

    /// Keeps the bot quiet in a chat for `minutes` (1 minute to 30 days).
    pub async fn pause_chat(&self, chat_id: i64, minutes: u32) -> Result<ChatSummary> {
        if minutes == 0 || minutes > MAX_PAUSE_MINUTES {
            return Err(Error::InvalidInput(text!(
                "chat.pause_range",
                "Pause the bot for 1 minute to 30 days."
            )));
        }
        let now = self.clock.now_ms();
        let until = now + i64::from(minutes) * 60_000;
        self.chat_change(chat_id, move |tx, account_id| {
            chats::set_pause(tx, chat_id, Some(until), Some("owner_paused"))?;
            activity::record(tx, Some(account_id), &Activity::ChatPaused, now)?;
            Ok(())
        })
        .await
    }

    /// Lets the bot answer in a chat again (before its pause ends).
    pub async fn resume_chat_by_id(&self, chat_id: i64) -> Result<ChatSummary> {
        let now = self.clock.now_ms();
        self.chat_change(chat_id, move |tx, account_id| {
            Ok(resume_in(tx, account_id, chat_id, now)?)
        })
        .await
    }

    /// Tells the bot to leave this chat's contact alone, or to answer them again.
    pub async fn set_chat_ignored(&self, chat_id: i64, ignored: bool) -> Result<ChatSummary> {
        let now = self.clock.now_ms();
        self.chat_change(chat_id, move |tx, account_id| {
            if !contacts::set_ignored_in_chat(tx, chat_id, ignored, now)? {
                return Err(Error::InvalidInput(text!(
                    "chat.ignore_group",
                    "This chat has no single contact to ignore (a group or a broadcast)."
                )));
            }
            activity::record(
                tx,
                Some(account_id),
                &Activity::ContactIgnored { ignored },
                now,
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn chat_address(&self, chat_id: i64) -> Result<ChatAddress> {
        self.store
            .call(move |conn| chats::address(conn, chat_id).map_err(chat_gone))
            .await
    }

    /// Runs `change` on a chat in one transaction, then announces the chat.
    async fn chat_change(
        &self,
        chat_id: i64,
        change: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<()> + Send + 'static,
    ) -> Result<ChatSummary> {
        let account_id = self.chat_address(chat_id).await?.account_id;
        let now = self.clock.now_ms();
        let chat = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                change(&tx, account_id)?;
                let chat = one_chat(&tx, chat_id, now)?;
                tx.commit()?;
                Ok(chat)
            })
            .await?;
        self.chat_changed(account_id, chat_id);
        Ok(chat)
    }

    /// Tells the UI a message of this number got a new tick.
    pub(crate) fn message_acked(&self, number_id: i64) {
        (self.events)(CoreEvent::MessageAcked { number_id });
    }

    /// Tells the UI a chat has something new (a message, a tick, the bot's state).
    pub(crate) fn chat_changed(&self, number_id: i64, chat_id: i64) {
        (self.events)(CoreEvent::ChatUpdated {
            id: chat_id,
            number_id,
        });
    }

    /// Lets the bot answer in a chat again before its pause ends.
    pub async fn resume_chat(&self, account_id: i64, wa_chat_id: &str) -> Result<()> {
        let now = self.clock.now_ms();
        let chat = wa_chat_id.to_string();
        let chat_id = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let id = chats::id_of(&tx, account_id, &chat).map_err(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Error::NotFound(text!(
                        "chat.gone",
                        "That chat is no longer in Leadline. Reload the list."
                    )),
                    other => Error::from(other),
                })?;
                resume_in(&tx, account_id, id, now)?;
                tx.commit()?;
                Ok(id)
            })
            .await?;
        self.chat_changed(account_id, chat_id);
        Ok(())
    }
}

/// Ends the bot's pause in chat `chat_id` and says so in the audit log.
pub(crate) fn resume_in(
    conn: &rusqlite::Connection,
    account_id: i64,
    chat_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    chats::set_pause(conn, chat_id, None, None)?;
    activity::record(conn, Some(account_id), &Activity::ChatResumed, now)?;
    Ok(())
}
