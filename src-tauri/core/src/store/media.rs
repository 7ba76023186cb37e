//! Queries on `media_files`: a media message's file, from asked for to kept or failed.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::media::{MediaFile, MediaState};
use crate::model::message_kind::MessageKind;

/// A media message whose file is wanted: what fetching it needs.
pub struct Wanted {
    pub account_id: i64,
    pub chat_id: i64,
    pub wa_msg_id: String,
    pub kind: MessageKind,
    /// Its details as stored (mimetype, size…), JSON.
    pub details: Option<String>,
}

/// Marks message `message_id`'s file as on its way (again); `None` if it is no media
/// message of a customer's, or its file is being fetched already.
pub fn want(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<Option<Wanted>> {
    let wanted = conn
        .query_row(
            "SELECT account_id, wa_msg_id, kind, details, chat_id FROM messages
             WHERE id = ?1 AND direction = 'in'",
            [message_id],
            |r| {
                Ok(Wanted {
                    account_id: r.get(0)?,
                    chat_id: r.get(4)?,
                    wa_msg_id: r.get(1)?,
                    kind: r.get(2)?,
                    details: r.get(3)?,
                })
            },
        )
        .optional()?;
    // Only a kind with a file of its own (`MessageKind::has_media`).
    let Some(wanted) = wanted.filter(|w| w.kind.has_media()) else {
        return Ok(None);
    };
    let changed = conn.execute(
        "INSERT INTO media_files (message_id, account_id, state, updated_at) VALUES (?1, ?2, 'pending', ?3)
         ON CONFLICT (message_id) DO UPDATE SET state = 'pending', reason = NULL, updated_at = ?3
         WHERE media_files.state = 'failed'",
        params![message_id, wanted.account_id, now],
    )?;
    Ok((changed > 0).then_some(wanted))
}

/// The file is kept at `file` (relative to the media folder).
pub fn stored(
    conn: &Connection,
    message_id: i64,
    file: &str,
    sha256: &str,
    bytes: u64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE media_files SET state = 'stored', reason = NULL, file = ?2, sha256 = ?3, bytes = ?4, updated_at = ?5
         WHERE message_id = ?1",
        params![message_id, file, sha256, bytes as i64, now],
    )?;
    Ok(())
}

/// The file could not be had, for `reason`.
pub fn failed(conn: &Connection, message_id: i64, reason: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE media_files SET state = 'failed', reason = ?2, updated_at = ?3 WHERE message_id = ?1",
        params![message_id, reason, now],
    )?;
    Ok(())
}

/// How many bytes of files number `account_id` keeps.
pub fn bytes_kept(conn: &Connection, account_id: i64) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT COALESCE(SUM(bytes), 0) FROM media_files WHERE account_id = ?1 AND state = 'stored'",
        [account_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|b| b.max(0) as u64)
}

/// Where message `message_id`'s kept file is (relative to the media folder).
pub fn file_of(conn: &Connection, message_id: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT file FROM media_files WHERE message_id = ?1 AND state = 'stored'",
        [message_id],
        |r| r.get(0),
    )
    .optional()
    .map(Option::flatten)
}

/// A media file of one of a transcript's messages.
pub struct OfMessage {
    pub message_id: i64,
    pub file: MediaFile,
}

/// The files of `message_ids` that were asked for.
pub fn of_messages(conn: &Connection, message_ids: &[i64]) -> rusqlite::Result<Vec<OfMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT message_id, state, reason, bytes FROM media_files WHERE message_id = ?1",
    )?;
    let mut found = Vec::new();
    for id in message_ids {
        if let Some(row) = stmt
            .query_row([id], |r| {
                Ok(OfMessage {
                    message_id: r.get(0)?,
                    file: MediaFile {
                        state: r.get::<_, MediaState>(1)?,
                        reason: r.get(2)?,
                        bytes: r.get::<_, Option<i64>>(3)?.map(|b| b.max(0) as u64),
                    },
                })
            })
            .optional()?
        {
            found.push(row);
        }
    }
    Ok(found)
}

/// Whether a customer's photo of chat `chat_id` is still being fetched, asked for at
/// `since` or later (a turn that may show it to the model waits for it, but not forever).
/// Looked up from `account_id`'s few pending files, by their index.
pub fn photo_coming_in_chat(
    conn: &Connection,
    account_id: i64,
    chat_id: i64,
    since: i64,
) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM media_files f JOIN messages m ON m.id = f.message_id
         WHERE f.account_id = ?1 AND f.state = 'pending' AND f.updated_at >= ?3 AND m.chat_id = ?2
               AND m.kind = 'image' AND m.direction = 'in')",
        [account_id, chat_id, since],
        |r| r.get(0),
    )
}

/// Files left on their way by an earlier run (a crash or a quit mid-download): failed, so
/// the owner sees "Try again" rather than a download that never ends.
pub fn interrupted(conn: &Connection, now: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE media_files SET state = 'failed', reason = 'failed', updated_at = ?1 WHERE state = 'pending'",
        [now],
    )
}

/// Message `message_id`'s details (mimetype, file name…), if it has any.
pub fn details_of(
    conn: &Connection,
    message_id: i64,
) -> rusqlite::Result<Option<crate::model::message_kind::MessageDetails>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT details FROM messages WHERE id = ?1",
            [message_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(super::messages::details_from(json))
}

/// A kept file older than the owner keeps them.
pub struct Old {
    pub message_id: i64,
    pub account_id: i64,
    pub chat_id: i64,
    /// Relative to the media folder.
    pub file: String,
}

/// Kept files whose message arrived before `cutoff` (our clock), oldest first.
pub fn kept_before(conn: &Connection, cutoff: i64, limit: u32) -> rusqlite::Result<Vec<Old>> {
    conn.prepare_cached(
        "SELECT f.message_id, f.account_id, m.chat_id, f.file FROM media_files f
         JOIN messages m ON m.id = f.message_id
         WHERE f.state = 'stored' AND m.created_at < ?1 AND f.file IS NOT NULL
         ORDER BY m.created_at LIMIT ?2",
    )?
    .query_map(params![cutoff, limit], |r| {
        Ok(Old {
            message_id: r.get(0)?,
            account_id: r.get(1)?,
            chat_id: r.get(2)?,
            file: r.get(3)?,
        })
    })?
    .collect()
}
