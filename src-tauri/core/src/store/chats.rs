//! Queries on `chats`: one per conversation of a number, with the bot's pause in it.

use rusqlite::{Connection, OptionalExtension, params};

pub struct Chat {
    pub id: i64,
    pub paused_until: Option<i64>,
}

/// `person`, `group` or `broadcast`, from the chat id.
pub fn kind_of(wa_chat_id: &str) -> &'static str {
    if wa_chat_id.ends_with("@g.us") {
        "group"
    } else if wa_chat_id.ends_with("@broadcast") {
        "broadcast"
    } else {
        "person"
    }
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

/// A chat's WhatsApp id, its contact, and until when its bot is paused.
pub type ChatRow = (String, Option<i64>, Option<i64>);

pub fn get(conn: &Connection, chat_id: i64) -> rusqlite::Result<Option<ChatRow>> {
    conn.query_row(
        "SELECT wa_chat_id, contact_id, bot_paused_until FROM chats WHERE id = ?1",
        params![chat_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
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
