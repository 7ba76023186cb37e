//! Queries on `messages`: every message in and out; a WhatsApp id is stored once.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::chat::{ChatMessage, Direction, Origin};
use crate::model::message_kind::{MessageDetails, MessageKind};

pub struct NewMessage<'a> {
    pub account_id: i64,
    pub chat_id: i64,
    pub wa_msg_id: &'a str,
    pub direction: Direction,
    pub origin: Origin,
    pub author: Option<&'a str>,
    pub kind: MessageKind,
    pub body: &'a str,
    /// What it carries besides its text; `None` for plain text.
    pub details: Option<&'a MessageDetails>,
    /// WhatsApp's time, unix ms.
    pub sent_at: i64,
}

/// Stores a message; `None` if this WhatsApp id is already stored (a redelivery).
pub fn insert(conn: &Connection, m: &NewMessage<'_>, now: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "INSERT INTO messages (account_id, chat_id, wa_msg_id, direction, origin, author, kind, body, details, sent_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (account_id, wa_msg_id) DO NOTHING
         RETURNING id",
        params![
            m.account_id,
            m.chat_id,
            m.wa_msg_id,
            m.direction,
            m.origin,
            m.author,
            m.kind,
            m.body,
            details_json(m.details),
            m.sent_at,
            now
        ],
        |r| r.get(0),
    )
    .optional()
}

/// Details as stored: JSON, or NULL when there are none.
fn details_json(details: Option<&MessageDetails>) -> Option<String> {
    details
        .filter(|d| !d.is_empty())
        .and_then(|d| serde_json::to_string(d).ok())
}

/// Details as read back: what can't be read (another build's, a damaged row) is none, never
/// a failure to show the conversation.
pub(crate) fn details_from(json: Option<String>) -> Option<MessageDetails> {
    json.and_then(|json| serde_json::from_str(&json).ok())
}

/// A stored message, as the pipeline needs it.
pub struct Stored {
    pub id: i64,
    pub account_id: i64,
    pub chat_id: i64,
    pub wa_msg_id: String,
    pub direction: Direction,
    pub origin: Origin,
    pub kind: MessageKind,
    pub body: String,
    /// Deleted for everyone by its sender.
    pub revoked: bool,
    pub sent_at: i64,
    pub created_at: i64,
    /// WhatsApp's ack of one of ours (-1 refused, 0 on the clock, 1 server, 2 phone, 3 read).
    pub ack: i64,
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        account_id: r.get(0)?,
        chat_id: r.get(1)?,
        wa_msg_id: r.get(2)?,
        direction: r.get(3)?,
        origin: r.get(4)?,
        body: r.get(5)?,
        sent_at: r.get(6)?,
        created_at: r.get(7)?,
        id: r.get(8)?,
        ack: r.get(9)?,
        kind: r.get(10)?,
        revoked: r.get(11)?,
    })
}

/// Every message of a number, oldest first (its record of what was said).
pub fn of_account(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<Stored>> {
    conn.prepare_cached(
        "SELECT account_id, chat_id, wa_msg_id, direction, origin, body, sent_at, created_at, id, ack, kind, revoked_at IS NOT NULL FROM messages
         WHERE account_id = ?1 ORDER BY id",
    )?
    .query_map([account_id], stored)?
    .collect()
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Stored>> {
    conn.prepare_cached(
        "SELECT account_id, chat_id, wa_msg_id, direction, origin, body, sent_at, created_at, id, ack, kind, revoked_at IS NOT NULL FROM messages WHERE id = ?1",
    )?
    .query_row(params![id], stored)
    .optional()
}

/// The bot's replies in a chat since `since` (unix ms, by our clock).
pub fn bot_replies_in_chat_since(
    conn: &Connection,
    chat_id: i64,
    since: i64,
) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT COUNT(*) FROM messages WHERE chat_id = ?1 AND origin = 'bot' AND created_at >= ?2",
        params![chat_id, since],
        |r| r.get(0),
    )
}

/// The bot's replies from a number since `since`.
pub fn bot_replies_since(conn: &Connection, account_id: i64, since: i64) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT COUNT(*) FROM messages WHERE account_id = ?1 AND origin = 'bot' AND created_at >= ?2",
        params![account_id, since],
        |r| r.get(0),
    )
}

/// When the customer's newest message of chat `chat_id` was stored (our clock, unix ms).
pub fn newest_from_customer(conn: &Connection, chat_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT MAX(created_at) FROM messages WHERE chat_id = ?1 AND direction = 'in'",
        [chat_id],
        |r| r.get(0),
    )
}

/// A message of a chat's recent past, as a turn reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentMessage {
    pub id: i64,
    pub direction: Direction,
    pub origin: Origin,
    pub kind: MessageKind,
    pub body: String,
    /// Deleted for everyone by its sender.
    pub revoked: bool,
    /// When it was stored (our clock, unix ms).
    pub stored_at: i64,
    /// A voice note's words, once heard, and the language heard.
    pub heard: Option<String>,
    pub heard_language: Option<String>,
    /// What a media message carries (its file's name, a place's coordinates…); `None` for
    /// text, or details this build can't read.
    pub details: Option<MessageDetails>,
}

fn recent(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecentMessage> {
    Ok(RecentMessage {
        id: r.get(8)?,
        details: details_from(r.get(9)?),
        direction: r.get(0)?,
        origin: r.get(1)?,
        body: r.get(2)?,
        stored_at: r.get(3)?,
        kind: r.get(4)?,
        revoked: r.get(5)?,
        heard: r.get(6)?,
        heard_language: r.get(7)?,
    })
}

/// The last messages of a chat, oldest first.
pub fn recent_in_chat(
    conn: &Connection,
    chat_id: i64,
    limit: u32,
) -> rusqlite::Result<Vec<RecentMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.direction, m.origin, m.body, m.created_at, m.kind, m.revoked_at IS NOT NULL, t.text, t.language,
                m.id, m.details
         FROM messages m LEFT JOIN transcripts t ON t.message_id = m.id AND t.state = 'done'
         WHERE m.chat_id = ?1 ORDER BY m.id DESC LIMIT ?2",
    )?;
    let mut rows: Vec<_> = stmt
        .query_map(params![chat_id, limit], recent)?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

/// A reply of the bot's that no server ack confirmed yet.
pub struct Unconfirmed {
    /// Its chat's WhatsApp id.
    pub wa_chat_id: String,
    pub wa_msg_id: String,
    /// When it was stored (our clock).
    pub stored_at: i64,
}

/// The bot's replies from a number stored since `since` (our clock) that no server ack
/// confirmed yet, by chat.
pub fn unconfirmed_replies(
    conn: &Connection,
    account_id: i64,
    since: i64,
) -> rusqlite::Result<Vec<Unconfirmed>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.wa_chat_id, m.wa_msg_id, m.created_at FROM messages m
         JOIN chats c ON c.id = m.chat_id
         JOIN inbox i ON i.reply_message_id = m.id AND i.state = 'replied'
         WHERE m.account_id = ?1 AND m.origin = 'bot' AND m.ack = 0 AND m.created_at >= ?2
         ORDER BY c.wa_chat_id, m.id",
    )?;
    stmt.query_map(params![account_id, since], |r| {
        Ok(Unconfirmed {
            wa_chat_id: r.get(0)?,
            wa_msg_id: r.get(1)?,
            stored_at: r.get(2)?,
        })
    })?
    .collect()
}

/// One of our sends (the bot's or the owner's from the app) without a server ack yet,
/// if `wa_msg_id` is one.
pub fn unconfirmed(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
) -> rusqlite::Result<Option<Unconfirmed>> {
    conn.query_row(
        "SELECT c.wa_chat_id, m.wa_msg_id, m.created_at FROM messages m
         JOIN chats c ON c.id = m.chat_id
         WHERE m.account_id = ?1 AND m.wa_msg_id = ?2 AND m.direction = 'out' AND m.ack = 0",
        params![account_id, wa_msg_id],
        |r| {
            Ok(Unconfirmed {
                wa_chat_id: r.get(0)?,
                wa_msg_id: r.get(1)?,
                stored_at: r.get(2)?,
            })
        },
    )
    .optional()
}

/// The row of a message stored under WhatsApp's id, if there is one.
pub fn id_of_sent(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
) -> rusqlite::Result<Option<i64>> {
    id_of(conn, account_id, wa_msg_id).optional()
}

/// Records a server ack (or later) for a message.
pub fn set_ack(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
    ack: i64,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE messages SET ack = MAX(ack, ?3) WHERE account_id = ?1 AND wa_msg_id = ?2",
        params![account_id, wa_msg_id, ack],
    )? > 0)
}

/// `recent_in_chat`, without the customer's messages after `until`: those are the next
/// turn's (our own messages all count, whenever they were recorded).
pub fn recent_in_chat_until(
    conn: &Connection,
    chat_id: i64,
    until: i64,
    limit: u32,
) -> rusqlite::Result<Vec<RecentMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.direction, m.origin, m.body, m.created_at, m.kind, m.revoked_at IS NOT NULL, t.text, t.language,
                m.id, m.details
         FROM messages m LEFT JOIN transcripts t ON t.message_id = m.id AND t.state = 'done'
         WHERE m.chat_id = ?1 AND (m.id <= ?2 OR m.direction = 'out') ORDER BY m.id DESC LIMIT ?3",
    )?;
    let mut rows: Vec<_> = stmt
        .query_map(params![chat_id, until, limit], recent)?
        .collect::<rusqlite::Result<_>>()?;
    rows.reverse();
    Ok(rows)
}

/// A sent message WhatsApp's server never took: its ack becomes the error ack (-1), unless
/// the server confirmed it in the meantime. Returns whether a row changed.
pub fn mark_not_delivered(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE messages SET ack = -1 WHERE account_id = ?1 AND wa_msg_id = ?2 AND ack < 1",
        rusqlite::params![account_id, wa_msg_id],
    )?;
    Ok(changed > 0)
}

/// The row of a message stored under WhatsApp's id (an error if there is none).
pub fn id_of(conn: &Connection, account_id: i64, wa_msg_id: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT id FROM messages WHERE account_id = ?1 AND wa_msg_id = ?2",
        params![account_id, wa_msg_id],
        |r| r.get(0),
    )
}

/// Whether a message with WhatsApp's id is stored for the number.
pub fn exists(conn: &Connection, account_id: i64, wa_msg_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM messages WHERE account_id = ?1 AND wa_msg_id = ?2")?
        .exists(params![account_id, wa_msg_id])
}

/// Whether the owner wrote in chat `chat_id` (on the phone or from the app) after message
/// `message_id` was stored.
pub fn owner_wrote_after(
    conn: &Connection,
    chat_id: i64,
    message_id: i64,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM messages WHERE chat_id = ?1 AND id > ?2 AND origin IN ('owner_phone', 'owner_app')",
    )?
    .exists(params![chat_id, message_id])
}

/// A message of the bot's, and the chat it is in.
pub struct Reply {
    pub id: i64,
    pub chat_id: i64,
}

/// The bot's reply the server never took (ack -1), if the id is one.
pub fn undelivered_reply(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
) -> rusqlite::Result<Option<Reply>> {
    conn.query_row(
        "SELECT id, chat_id FROM messages WHERE account_id = ?1 AND wa_msg_id = ?2 AND origin = 'bot' AND ack = -1",
        params![account_id, wa_msg_id],
        |r| {
            Ok(Reply {
                id: r.get(0)?,
                chat_id: r.get(1)?,
            })
        },
    )
    .optional()
}

/// When a message of a chat was sent, if it is in that chat.
pub fn time_in_chat(
    conn: &Connection,
    message_id: i64,
    chat_id: i64,
) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT sent_at FROM messages WHERE id = ?1 AND chat_id = ?2",
        [message_id, chat_id],
        |r| r.get(0),
    )
    .optional()
}

/// Up to `limit` of a chat's messages before (`before_at`, `before`), newest first.
pub fn transcript_before(
    conn: &Connection,
    chat_id: i64,
    before_at: i64,
    before: i64,
    limit: u32,
) -> rusqlite::Result<Vec<ChatMessage>> {
    conn.prepare_cached(
        "SELECT id, direction, origin, body, ack, sent_at, kind, details, edited_at IS NOT NULL,
                revoked_at IS NOT NULL, original_body FROM messages
         WHERE chat_id = ?1 AND (sent_at < ?2 OR (sent_at = ?2 AND id < ?3))
         ORDER BY sent_at DESC, id DESC LIMIT ?4",
    )?
    .query_map(params![chat_id, before_at, before, i64::from(limit)], |r| {
        Ok(ChatMessage {
            id: r.get(0)?,
            direction: r.get(1)?,
            origin: r.get(2)?,
            kind: r.get(6)?,
            body: r.get(3)?,
            details: details_from(r.get(7)?),
            edited: r.get(8)?,
            deleted: r.get(9)?,
            original_body: r.get(10)?,
            reactions: Vec::new(),
            media: None,
            heard: None,
            ack: r.get(4)?,
            sent_at: r.get(5)?,
        })
    })?
    .collect()
}

/// Marks a message as the owner's from the app (WhatsApp's echo may have been stored
/// first, as if typed on the phone).
pub fn mark_from_app(conn: &Connection, account_id: i64, wa_msg_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE messages SET origin = 'owner_app' WHERE account_id = ?1 AND wa_msg_id = ?2",
        params![account_id, wa_msg_id],
    )?;
    Ok(())
}
