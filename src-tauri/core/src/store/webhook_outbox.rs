//! Queries on `webhook_outbox`: qualified leads waiting to be posted to a webhook.

use rusqlite::{Connection, params};

pub fn insert(
    conn: &Connection,
    account_id: i64,
    lead_id: i64,
    payload: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO webhook_outbox (account_id, lead_id, payload, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?4) RETURNING id",
        params![account_id, lead_id, payload, now],
        |r| r.get(0),
    )
}

/// A delivery waiting to go out.
pub struct Pending {
    pub id: i64,
    pub account_id: i64,
    pub lead_id: i64,
    pub payload: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
}

/// Every delivery waiting, oldest first.
pub fn pending(conn: &Connection) -> rusqlite::Result<Vec<Pending>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, lead_id, payload, attempts, next_attempt_at FROM webhook_outbox ORDER BY id",
    )?;
    stmt.query_map([], |r| {
        Ok(Pending {
            id: r.get(0)?,
            account_id: r.get(1)?,
            lead_id: r.get(2)?,
            payload: r.get(3)?,
            attempts: r.get(4)?,
            next_attempt_at: r.get(5)?,
        })
    })?
    .collect()
}

/// Counts a failed try and when the next one is due.
pub fn tried(conn: &Connection, id: i64, next_attempt_at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1",
        params![id, next_attempt_at],
    )?;
    Ok(())
}

/// Delivered or given up on: gone (the activity log says which).
pub fn remove(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM webhook_outbox WHERE id = ?1", [id])? == 1)
}
