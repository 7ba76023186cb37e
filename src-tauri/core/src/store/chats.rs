//! Queries on `chats`: one per conversation of a number, with the bot's pause in it.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::chat::{BotInChat, ChatSummary, LastMessage};
use crate::model::wa_id::kind_of;

pub struct Chat {
    pub id: i64,
    pub paused_until: Option<i64>,
}

pub fn upsert(
    conn: &Connection,
    account_id: i64,
    wa_chat_id: &str,
    contact_id: Option<i64>,
    at: i64,
    now: i64,
) -> rusqlite::Result<Chat> {
    conn.query_row(
        "INSERT INTO chats (account_id, wa_chat_id, contact_id, kind, last_message_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account_id, wa_chat_id) DO UPDATE
             SET last_message_at = MAX(COALESCE(last_message_at, 0), excluded.last_message_at),
                 contact_id = COALESCE(contact_id, excluded.contact_id)
         RETURNING id, bot_paused_until",
        params![
            account_id,
            wa_chat_id,
            contact_id,
            kind_of(wa_chat_id),
            at,
            now
        ],
        |r| {
            Ok(Chat {
                id: r.get(0)?,
                paused_until: r.get(1)?,
            })
        },
    )
}

/// A chat as stored: its row id, its WhatsApp id, its contact (none for a group), until when its bot is
/// paused, and when its newest message was sent.
pub struct ChatRow {
    pub id: i64,
    pub wa_chat_id: String,
    pub contact_id: Option<i64>,
    pub paused_until: Option<i64>,
    pub last_message_at: Option<i64>,
}

const CHAT_ROW: &str =
    "SELECT id, wa_chat_id, contact_id, bot_paused_until, last_message_at FROM chats";

fn chat_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ChatRow> {
    Ok(ChatRow {
        id: r.get(0)?,
        wa_chat_id: r.get(1)?,
        contact_id: r.get(2)?,
        paused_until: r.get(3)?,
        last_message_at: r.get(4)?,
    })
}

pub fn get(conn: &Connection, chat_id: i64) -> rusqlite::Result<Option<ChatRow>> {
    conn.prepare_cached(&format!("{CHAT_ROW} WHERE id = ?1"))?
        .query_row(params![chat_id], chat_row)
        .optional()
}

/// Every chat of a number, oldest first.
pub fn of_account(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<ChatRow>> {
    conn.prepare_cached(&format!("{CHAT_ROW} WHERE account_id = ?1 ORDER BY id"))?
        .query_map([account_id], chat_row)?
        .collect()
}

/// Pauses the bot in a chat until `until` (`None` resumes it).
pub fn set_pause(
    conn: &Connection,
    chat_id: i64,
    until: Option<i64>,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE chats SET bot_paused_until = ?2, bot_pause_reason = ?3 WHERE id = ?1",
        params![chat_id, until, reason],
    )?;
    Ok(())
}

const SUMMARY_SQL: &str = "
    SELECT c.id, c.account_id, a.name,
           COALESCE(NULLIF(ct.display_name, ''), NULLIF(ct.push_name, ''), NULLIF(c.title, ''), ct.phone,
                    '@' || NULLIF(ct.username, ''), c.wa_chat_id),
           ct.phone, c.kind, c.bot_paused_until, c.bot_pause_reason, COALESCE(ct.ignored, 0),
           l.id, l.stage,
           m.body, m.direction, m.origin, m.ack, m.sent_at
    FROM chats c
    JOIN accounts a ON a.id = c.account_id
    LEFT JOIN contacts ct ON ct.id = c.contact_id
    LEFT JOIN leads l ON l.account_id = c.account_id AND l.contact_id = c.contact_id
    LEFT JOIN messages m ON m.id = (SELECT id FROM messages WHERE chat_id = c.id ORDER BY sent_at DESC, id DESC LIMIT 1)";

fn summary_from_row(row: &rusqlite::Row<'_>, now: i64) -> rusqlite::Result<ChatSummary> {
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

/// One chat as the list shows it (its bot state as of `now`).
pub fn summary(conn: &Connection, chat_id: i64, now: i64) -> rusqlite::Result<ChatSummary> {
    conn.prepare_cached(&format!("{SUMMARY_SQL} WHERE c.id = ?1"))?
        .query_row([chat_id], |r| summary_from_row(r, now))
}

/// Chats with the newest message first: of one number (all if `None`), whose contact's
/// name or phone holds every word of `search` (up to five), a page of `limit` from `offset`.
pub fn summaries(
    conn: &Connection,
    number_id: Option<i64>,
    search: &str,
    limit: u32,
    offset: u32,
    now: i64,
) -> rusqlite::Result<Vec<ChatSummary>> {
    let mut sql = format!("{SUMMARY_SQL} WHERE 1 = 1");
    let mut params: Vec<Value> = Vec::new();
    if let Some(number) = number_id {
        sql.push_str(" AND c.account_id = ?");
        params.push(Value::Integer(number));
    }
    for word in search.split_whitespace().take(5) {
        let word: String = word.chars().take(100).collect();
        let escaped = word
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push_str(
            " AND (COALESCE(ct.display_name, '') || ' ' || COALESCE(ct.push_name, '') || ' ' || COALESCE(c.title, '') || ' ' || COALESCE(ct.phone, '') || ' @' || COALESCE(ct.username, '')) LIKE ? ESCAPE '\\'",
        );
        params.push(Value::Text(format!("%{escaped}%")));
    }
    sql.push_str(" ORDER BY c.last_message_at DESC, c.id DESC LIMIT ? OFFSET ?");
    params.push(Value::Integer(i64::from(limit)));
    params.push(Value::Integer(i64::from(offset)));
    conn.prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            summary_from_row(r, now)
        })?
        .collect()
}

/// Where a chat is: its number, and its WhatsApp id.
pub struct ChatAddress {
    pub account_id: i64,
    pub wa_chat_id: String,
}

/// A chat's number and WhatsApp id (an error if there is no such chat).
pub fn address(conn: &Connection, chat_id: i64) -> rusqlite::Result<ChatAddress> {
    conn.query_row(
        "SELECT account_id, wa_chat_id FROM chats WHERE id = ?1",
        [chat_id],
        |r| {
            Ok(ChatAddress {
                account_id: r.get(0)?,
                wa_chat_id: r.get(1)?,
            })
        },
    )
}

/// The row of a number's chat by WhatsApp's id (an error if there is none).
pub fn id_of(conn: &Connection, account_id: i64, wa_chat_id: &str) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT id FROM chats WHERE account_id = ?1 AND wa_chat_id = ?2",
        params![account_id, wa_chat_id],
        |r| r.get(0),
    )
}
