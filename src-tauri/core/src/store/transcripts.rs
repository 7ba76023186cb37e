//! Queries on `transcripts`: a customer's voice note, from waiting to be heard to heard or
//! not.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::transcript::{VoiceTranscript, provider_of};

/// What a hearing found, as stored.
pub struct Heard<'a> {
    pub text: &'a str,
    /// ISO 639-1; `None` when what heard it didn't say.
    pub language: Option<&'a str>,
    /// What heard it ("local:ggml-base.bin").
    pub engine: &'a str,
    pub audio_ms: i64,
    pub took_ms: i64,
}

/// Message `message_id` (a customer's voice note of `account_id`) waits to be heard.
pub fn pending(
    conn: &Connection,
    message_id: i64,
    account_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO transcripts (message_id, account_id, state, updated_at) VALUES (?1, ?2, 'pending', ?3)
         ON CONFLICT (message_id) DO NOTHING",
        params![message_id, account_id, now],
    )?;
    Ok(())
}

/// The note was heard. False when it was not waiting (heard or given up meanwhile).
pub fn done(
    conn: &Connection,
    message_id: i64,
    heard: &Heard<'_>,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE transcripts SET state = 'done', text = ?2, language = ?3, engine = ?4, audio_ms = ?5,
         took_ms = ?6, reason = NULL, updated_at = ?7 WHERE message_id = ?1 AND state = 'pending'",
        params![
            message_id,
            heard.text,
            heard.language,
            heard.engine,
            heard.audio_ms,
            heard.took_ms,
            now
        ],
    )?;
    Ok(changed > 0)
}

/// The note could not be heard, for `reason`. False when it was not waiting.
pub fn failed(
    conn: &Connection,
    message_id: i64,
    reason: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE transcripts SET state = 'failed', reason = ?2, updated_at = ?3
         WHERE message_id = ?1 AND state = 'pending'",
        params![message_id, reason, now],
    )?;
    Ok(changed > 0)
}

/// A note not heard for want of its file waits to be heard again, its file now kept. False
/// when it wasn't one, or its file isn't kept.
pub fn hear_again(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE transcripts SET state = 'pending', reason = NULL, updated_at = ?2
         WHERE message_id = ?1 AND state = 'failed' AND reason = 'no_file'
               AND EXISTS (SELECT 1 FROM media_files f WHERE f.message_id = ?1 AND f.state = 'stored')",
        params![message_id, now],
    )?;
    Ok(changed > 0)
}

fn transcript(r: &rusqlite::Row<'_>) -> rusqlite::Result<VoiceTranscript> {
    Ok(VoiceTranscript {
        state: r.get(0)?,
        text: r.get(1)?,
        language: r.get(2)?,
        reason: r.get(3)?,
        by_provider: r
            .get::<_, Option<String>>(4)?
            .as_deref()
            .and_then(provider_of),
    })
}

/// Message `message_id`'s transcript, if it was ever to be heard.
pub fn get(conn: &Connection, message_id: i64) -> rusqlite::Result<Option<VoiceTranscript>> {
    conn.query_row(
        "SELECT state, text, language, reason, engine FROM transcripts WHERE message_id = ?1",
        [message_id],
        transcript,
    )
    .optional()
}

/// A message's transcript.
pub struct OfMessage {
    pub message_id: i64,
    pub transcript: VoiceTranscript,
}

/// The transcripts of `message_ids` that have one.
pub fn of_messages(conn: &Connection, message_ids: &[i64]) -> rusqlite::Result<Vec<OfMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, text, language, reason, engine FROM transcripts WHERE message_id = ?1",
    )?;
    let mut found = Vec::new();
    for &id in message_ids {
        if let Some(t) = stmt.query_row([id], transcript).optional()? {
            found.push(OfMessage {
                message_id: id,
                transcript: t,
            });
        }
    }
    Ok(found)
}

/// Whether chat `chat_id` has a voice note still being heard: its turn waits for it.
pub fn waiting_in_chat(conn: &Connection, chat_id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM transcripts t JOIN messages m ON m.id = t.message_id
         WHERE m.chat_id = ?1 AND t.state = 'pending')",
        [chat_id],
        |r| r.get(0),
    )
}

/// A voice note waiting to be heard.
pub struct Waiting {
    pub message_id: i64,
    pub account_id: i64,
    pub chat_id: i64,
}

/// Every voice note still waiting to be heard (what a restart interrupted).
pub fn all_waiting(conn: &Connection) -> rusqlite::Result<Vec<Waiting>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.message_id, t.account_id, m.chat_id FROM transcripts t
         JOIN messages m ON m.id = t.message_id WHERE t.state = 'pending' ORDER BY t.message_id",
    )?;
    stmt.query_map([], |r| {
        Ok(Waiting {
            message_id: r.get(0)?,
            account_id: r.get(1)?,
            chat_id: r.get(2)?,
        })
    })?
    .collect()
}
