//! What happens to a message after it arrived: an edit (the first text kept for the
//! owner), a deletion for everyone, reactions. Each finds the message by its WhatsApp id.

use rusqlite::{Connection, OptionalExtension, params};

/// Where a changed message is: its chat and row.
pub struct Changed {
    pub chat_id: i64,
    pub message_id: i64,
}

fn changed(r: &rusqlite::Row<'_>) -> rusqlite::Result<Changed> {
    Ok(Changed {
        chat_id: r.get(0)?,
        message_id: r.get(1)?,
    })
}

/// Message `wa_msg_id` now says `text`; its first text is kept. A deleted one stays deleted.
pub fn edit(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
    text: &str,
    now: i64,
) -> rusqlite::Result<Option<Changed>> {
    conn.query_row(
        "UPDATE messages SET original_body = COALESCE(original_body, body), body = ?3, edited_at = ?4
         WHERE account_id = ?1 AND wa_msg_id = ?2 AND revoked_at IS NULL
         RETURNING chat_id, id",
        params![account_id, wa_msg_id, text, now],
        changed,
    )
    .optional()
}

/// Message `wa_msg_id` was deleted for everyone; its text is kept for the owner.
pub fn revoke(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
    now: i64,
) -> rusqlite::Result<Option<Changed>> {
    conn.query_row(
        "UPDATE messages SET revoked_at = ?3
         WHERE account_id = ?1 AND wa_msg_id = ?2 AND revoked_at IS NULL
         RETURNING chat_id, id",
        params![account_id, wa_msg_id, now],
        changed,
    )
    .optional()
}

/// `sender` reacted to message `wa_msg_id` with `emoji` (empty: taken back). An older
/// reaction than the one kept changes nothing.
pub fn react(
    conn: &Connection,
    account_id: i64,
    wa_msg_id: &str,
    sender: &str,
    emoji: &str,
    at: i64,
) -> rusqlite::Result<Option<Changed>> {
    let Some(found) = conn
        .query_row(
            "SELECT chat_id, id FROM messages WHERE account_id = ?1 AND wa_msg_id = ?2",
            params![account_id, wa_msg_id],
            changed,
        )
        .optional()?
    else {
        return Ok(None);
    };
    if emoji.is_empty() {
        conn.execute(
            "DELETE FROM reactions WHERE message_id = ?1 AND sender = ?2 AND reacted_at <= ?3",
            params![found.message_id, sender, at],
        )?;
    } else {
        conn.execute(
            "INSERT INTO reactions (message_id, sender, emoji, reacted_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (message_id, sender) DO UPDATE SET emoji = excluded.emoji, reacted_at = excluded.reacted_at
             WHERE excluded.reacted_at >= reactions.reacted_at",
            params![found.message_id, sender, emoji, at],
        )?;
    }
    Ok(Some(found))
}

/// A reaction on a message.
pub struct Reaction {
    pub message_id: i64,
    pub emoji: String,
}

/// The reactions on each of `message_ids`, oldest first.
pub fn reactions_of(conn: &Connection, message_ids: &[i64]) -> rusqlite::Result<Vec<Reaction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, emoji FROM reactions WHERE message_id = ?1 ORDER BY reacted_at",
    )?;
    let mut found = Vec::new();
    for id in message_ids {
        for row in stmt.query_map([id], |r| {
            Ok(Reaction {
                message_id: r.get(0)?,
                emoji: r.get(1)?,
            })
        })? {
            found.push(row?);
        }
    }
    Ok(found)
}
