//! Conversations as the owner watches them: each number's chats with their last message and
//! the bot's state in them (answering / paused by the owner until … / contact ignored), a
//! chat's transcript with WhatsApp's ticks, and the owner's hand on the bot per chat.

pub mod owner;

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Leadline;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::runtime::Runtime;
use crate::store::{activity, chats};
use crate::text;

/// The most rows one request returns.
const MAX_PAGE: u32 = 500;
/// The longest pause the owner can set by hand: 30 days.
const MAX_PAUSE_MINUTES: u32 = 30 * 24 * 60;

/// Whether the bot answers in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum BotInChat {
    /// The bot answers (within the number's own rules and hours).
    Active,
    /// The owner took over or paused it: quiet until `until` (unix ms).
    Paused { until: i64, reason: Option<String> },
    /// The owner told the bot to leave this contact alone.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LastMessage {
    pub body: String,
    /// `in` or `out`.
    pub direction: String,
    /// `customer`, `bot`, `owner_app` or `owner_phone`.
    pub origin: String,
    pub ack: i8,
    pub sent_at: i64,
}

/// One chat in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatSummary {
    pub id: i64,
    pub number_id: i64,
    pub number_name: String,
    /// The contact's name as the owner or WhatsApp knows it, or the phone.
    pub title: String,
    pub phone: Option<String>,
    /// `person`, `group` or `broadcast`.
    pub kind: String,
    pub last: Option<LastMessage>,
    pub bot: BotInChat,
    pub lead_id: Option<i64>,
    pub lead_stage: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatListRequest {
    /// `None`: every number.
    pub number_id: Option<i64>,
    /// Words in the contact's name or phone.
    pub search: String,
    pub offset: u32,
    /// 1–500; 0 means 100.
    pub limit: u32,
}

/// One message of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: i64,
    pub direction: String,
    pub origin: String,
    pub body: String,
    /// WhatsApp's ticks: -1 failed, 0 pending, 1 sent, 2 delivered, 3 read, 4 played.
    pub ack: i8,
    pub sent_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    pub chat: ChatSummary,
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    /// Whether older messages than these exist.
    pub more_before: bool,
}

const SUMMARY_SQL: &str = "
    SELECT c.id, c.account_id, a.name,
           COALESCE(NULLIF(ct.display_name, ''), NULLIF(ct.push_name, ''), NULLIF(c.title, ''), ct.phone, c.wa_chat_id),
           ct.phone, c.kind, c.bot_paused_until, c.bot_pause_reason, COALESCE(ct.ignored, 0),
           l.id, l.stage,
           m.body, m.direction, m.origin, m.ack, m.sent_at
    FROM chats c
    JOIN accounts a ON a.id = c.account_id
    LEFT JOIN contacts ct ON ct.id = c.contact_id
    LEFT JOIN leads l ON l.account_id = c.account_id AND l.contact_id = c.contact_id
    LEFT JOIN messages m ON m.id = (SELECT id FROM messages WHERE chat_id = c.id ORDER BY sent_at DESC, id DESC LIMIT 1)";

fn summary(row: &rusqlite::Row<'_>, now: i64) -> rusqlite::Result<ChatSummary> {
    let paused_until: Option<i64> = row.get(6)?;
    let ignored: bool = row.get(8)?;
    let bot = if ignored {
        BotInChat::Ignored
    } else {
        match paused_until {
            Some(until) if until > now => BotInChat::Paused {
                until,
                reason: row.get(7)?,
            },
            _ => BotInChat::Active,
        }
    };
    let body: Option<String> = row.get(11)?;
    let last = match body {
        Some(body) => Some(LastMessage {
            body: body.chars().take(200).collect(),
            direction: row.get(12)?,
            origin: row.get(13)?,
            ack: row.get(14)?,
            sent_at: row.get(15)?,
        }),
        None => None,
    };
    Ok(ChatSummary {
        id: row.get(0)?,
        number_id: row.get(1)?,
        number_name: row.get(2)?,
        title: row.get(3)?,
        phone: row.get(4)?,
        kind: row.get(5)?,
        last,
        bot,
        lead_id: row.get(9)?,
        lead_stage: row.get(10)?,
    })
}

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
    conn.prepare_cached(&format!("{SUMMARY_SQL} WHERE c.id = ?1"))?
        .query_row([chat_id], |r| summary(r, now))
        .map_err(chat_gone)
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
                let mut sql = format!("{SUMMARY_SQL} WHERE 1 = 1");
                let mut params: Vec<Value> = Vec::new();
                if let Some(number) = request.number_id {
                    sql.push_str(" AND c.account_id = ?");
                    params.push(Value::Integer(number));
                }
                for word in request.search.split_whitespace().take(5) {
                    let word: String = word.chars().take(100).collect();
                    let escaped = word
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_");
                    sql.push_str(
                        " AND (COALESCE(ct.display_name, '') || ' ' || COALESCE(ct.push_name, '') || ' ' || COALESCE(c.title, '') || ' ' || COALESCE(ct.phone, '')) LIKE ? ESCAPE '\\'",
                    );
                    params.push(Value::Text(format!("%{escaped}%")));
                }
                sql.push_str(" ORDER BY c.last_message_at DESC, c.id DESC LIMIT ? OFFSET ?");
                params.push(Value::Integer(i64::from(limit)));
                params.push(Value::Integer(i64::from(request.offset)));
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map(rusqlite::params_from_iter(params.iter()), |r| summary(r, now))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
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
                        let at: i64 = conn
                            .query_row(
                                "SELECT sent_at FROM messages WHERE id = ?1 AND chat_id = ?2",
                                [id, chat_id],
                                |r| r.get(0),
                            )
                            .map_err(|_| {
                                Error::NotFound(text!(
                                    "chat.message_gone",
                                    "That message is no longer in the chat."
                                ))
                            })?;
                        (at, id)
                    }
                    None => (i64::MAX, i64::MAX),
                };
                let mut messages = conn
                    .prepare_cached(
                        "SELECT id, direction, origin, body, ack, sent_at FROM messages
                         WHERE chat_id = ?1 AND (sent_at < ?2 OR (sent_at = ?2 AND id < ?3))
                         ORDER BY sent_at DESC, id DESC LIMIT ?4",
                    )?
                    .query_map(
                        rusqlite::params![chat_id, before_at, before, i64::from(limit) + 1],
                        |r| {
                            Ok(ChatMessage {
                                id: r.get(0)?,
                                direction: r.get(1)?,
                                origin: r.get(2)?,
                                body: r.get(3)?,
                                ack: r.get(4)?,
                                sent_at: r.get(5)?,
                            })
                        },
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let more_before = messages.len() > limit as usize;
                messages.truncate(limit as usize);
                messages.reverse();
                Ok(Transcript {
                    chat,
                    messages,
                    more_before,
                })
            })
            .await
    }

    /// The owner writes in a chat from the app: sent through WhatsApp; the bot pauses there.
    pub async fn reply_in_chat(&self, wa: &Runtime, chat_id: i64, text: &str) -> Result<()> {
        let (account_id, wa_chat_id) = self.chat_address(chat_id).await?;
        self.reply_from_app(wa, account_id, &wa_chat_id, text)
            .await?;
        Ok(())
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
            activity::insert(
                tx,
                Some(account_id),
                "chat_paused",
                "You paused the bot in a chat",
                now,
            )?;
            Ok(())
        })
        .await
    }

    /// Lets the bot answer in a chat again (before its pause ends).
    pub async fn resume_chat_by_id(&self, chat_id: i64) -> Result<ChatSummary> {
        let now = self.clock.now_ms();
        self.chat_change(chat_id, move |tx, account_id| {
            Ok(crate::chats::owner::resume_in(
                tx, account_id, chat_id, now,
            )?)
        })
        .await
    }

    /// Tells the bot to leave this chat's contact alone, or to answer them again.
    pub async fn set_chat_ignored(&self, chat_id: i64, ignored: bool) -> Result<ChatSummary> {
        let now = self.clock.now_ms();
        self.chat_change(chat_id, move |tx, account_id| {
            let changed = tx.execute(
                "UPDATE contacts SET ignored = ?2, updated_at = ?3
                 WHERE id = (SELECT contact_id FROM chats WHERE id = ?1)",
                rusqlite::params![chat_id, ignored, now],
            )?;
            if changed == 0 {
                return Err(Error::InvalidInput(text!(
                    "chat.ignore_group",
                    "This chat has no single contact to ignore (a group or a broadcast)."
                )));
            }
            let message = if ignored {
                "You told the bot to ignore a contact"
            } else {
                "The bot answers a contact again"
            };
            let variant = if ignored { "on" } else { "off" };
            activity::insert_with(
                tx,
                Some(account_id),
                "contact_ignored",
                message,
                &[("variant", variant)],
                now,
            )?;
            Ok(())
        })
        .await
    }

    async fn chat_address(&self, chat_id: i64) -> Result<(i64, String)> {
        self.store
            .call(move |conn| {
                conn.query_row(
                    "SELECT account_id, wa_chat_id FROM chats WHERE id = ?1",
                    [chat_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(chat_gone)
            })
            .await
    }

    /// Runs `change` on a chat in one transaction, then announces the chat.
    async fn chat_change(
        &self,
        chat_id: i64,
        change: impl FnOnce(&rusqlite::Transaction<'_>, i64) -> Result<()> + Send + 'static,
    ) -> Result<ChatSummary> {
        let (account_id, _) = self.chat_address(chat_id).await?;
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
}
