//! Counts across tables for the Home page: conversations, leads, reply times, AI cost.

use rusqlite::{Connection, params};

/// (when answered, how long it took) for replies since `since`, newest first, at most
/// `limit`. One pass over the inbox for both periods: it has no index on the answer time,
/// on purpose, since every reply would pay to keep one and this is asked only when Home is
/// open.
pub fn reply_waits_since(
    conn: &Connection,
    since: i64,
    limit: u32,
) -> rusqlite::Result<Vec<ReplyWait>> {
    conn.prepare_cached(
        "SELECT i.updated_at, r.created_at - m.created_at FROM inbox i
         JOIN messages m ON m.id = i.message_id JOIN messages r ON r.id = i.reply_message_id
         WHERE i.state = 'replied' AND i.updated_at >= ?1
         ORDER BY i.message_id DESC LIMIT ?2",
    )?
    .query_map(params![since, limit], |r| {
        Ok(ReplyWait {
            answered_at: r.get(0)?,
            wait_ms: r.get(1)?,
        })
    })?
    .collect()
}

/// A customer's message answered: when, and how long after it arrived (ms).
pub struct ReplyWait {
    pub answered_at: i64,
    pub wait_ms: i64,
}

fn count_since(conn: &Connection, sql: &str, since: i64) -> rusqlite::Result<u32> {
    conn.prepare_cached(sql)?.query_row([since], |r| r.get(0))
}

/// Chats with a message since `since`.
pub fn chats_active_since(conn: &Connection, since: i64) -> rusqlite::Result<u32> {
    count_since(
        conn,
        "SELECT COUNT(*) FROM chats WHERE last_message_at >= ?1",
        since,
    )
}

/// Leads created since `since`.
pub fn leads_created_since(conn: &Connection, since: i64) -> rusqlite::Result<u32> {
    count_since(
        conn,
        "SELECT COUNT(*) FROM leads WHERE created_at >= ?1",
        since,
    )
}

/// Leads that qualified since `since`.
pub fn leads_qualified_since(conn: &Connection, since: i64) -> rusqlite::Result<u32> {
    count_since(
        conn,
        "SELECT COUNT(*) FROM leads WHERE qualified_at >= ?1",
        since,
    )
}

/// What the AI cost since `since`, in millionths of a US dollar.
pub fn ai_cost_since(conn: &Connection, since: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "SELECT COALESCE(SUM(cost_micros), 0) FROM ai_usage WHERE created_at >= ?1",
    )?
    .query_row([since], |r| r.get(0))
}

/// The leads that qualified last, newest first, at most `limit`.
pub fn latest_qualified(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<i64>> {
    conn.prepare_cached(
        "SELECT id FROM leads WHERE qualified_at IS NOT NULL ORDER BY qualified_at DESC, id DESC LIMIT ?1",
    )?
    .query_map([limit], |r| r.get(0))?
    .collect()
}
