//! Queries on `activity`: the audit log.

use rusqlite::{Connection, params};

pub fn insert(
    conn: &Connection,
    account_id: Option<i64>,
    kind: &str,
    message: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO activity (account_id, kind, message, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![account_id, kind, message, now],
    )?;
    Ok(conn.last_insert_rowid())
}
