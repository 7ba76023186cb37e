//! Queries on `inbox`: where each inbound message is in the pipeline.

use rusqlite::{Connection, params};

pub fn insert(
    conn: &Connection,
    message_id: i64,
    account_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO inbox (message_id, account_id, state, updated_at) VALUES (?1, ?2, 'received', ?3)",
        params![message_id, account_id, now],
    )?;
    Ok(())
}

/// The decision, as JSON; a decision with a reply text carries it, so a resend after a
/// crash sends the same words.
pub fn decided(
    conn: &Connection,
    message_id: i64,
    decision: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE inbox SET state = 'decided', decision = ?2, updated_at = ?3 WHERE message_id = ?1",
        params![message_id, decision, now],
    )?;
    Ok(())
}

/// Counted before each send attempt: a row with attempts > 0 may have been sent.
pub fn attempt(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE inbox SET attempts = attempts + 1, updated_at = ?2 WHERE message_id = ?1",
        params![message_id, now],
    )?;
    Ok(())
}

pub fn skipped(conn: &Connection, message_id: i64, reason: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE inbox SET state = 'skipped', skip_reason = ?2, updated_at = ?3 WHERE message_id = ?1",
        params![message_id, reason, now],
    )?;
    Ok(())
}

pub fn replied(
    conn: &Connection,
    message_id: i64,
    reply_message_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE inbox SET state = 'replied', reply_message_id = ?2, error = NULL, updated_at = ?3 WHERE message_id = ?1",
        params![message_id, reply_message_id, now],
    )?;
    Ok(())
}

pub fn failed(
    conn: &Connection,
    message_id: i64,
    error: &str,
    next_attempt_at: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE inbox SET state = 'failed', error = ?2, next_attempt_at = ?3, updated_at = ?4 WHERE message_id = ?1",
        params![message_id, error, next_attempt_at, now],
    )?;
    Ok(())
}

pub struct Row {
    pub message_id: i64,
    pub state: String,
    pub decision: Option<String>,
    pub skip_reason: Option<String>,
    pub attempts: u32,
}

pub fn get(conn: &Connection, message_id: i64) -> rusqlite::Result<Option<Row>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT message_id, state, decision, skip_reason, attempts FROM inbox WHERE message_id = ?1",
        params![message_id],
        |r| Ok(Row { message_id: r.get(0)?, state: r.get(1)?, decision: r.get(2)?, skip_reason: r.get(3)?, attempts: r.get(4)? }),
    )
    .optional()
}

/// How many times a reply is tried before the row stays failed.
pub const MAX_ATTEMPTS: u32 = 5;

/// Rows to work on, oldest first: those a crash left open (received or decided), and
/// failed sends whose retry time has come.
/// `only_failures`: just the failed sends that are due (the periodic retry, which must
/// not answer a message still inside its debounce).
pub fn open(
    conn: &Connection,
    account_id: i64,
    now: i64,
    only_failures: bool,
) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT message_id FROM inbox WHERE account_id = ?1 AND (
             (?4 = 0 AND state IN ('received', 'decided'))
             OR (state = 'failed' AND next_attempt_at <= ?2 AND attempts < ?3))
         ORDER BY message_id",
    )?;
    stmt.query_map(params![account_id, now, MAX_ATTEMPTS, only_failures], |r| {
        r.get(0)
    })?
    .collect()
}
