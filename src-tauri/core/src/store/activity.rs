//! Queries on `activity`: the audit log.

use rusqlite::{Connection, params};

use crate::activity::ActivityEntry;

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

/// The newest entries first.
pub fn recent(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<ActivityEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, kind, message, created_at FROM activity
         ORDER BY created_at DESC, id DESC LIMIT ?1",
    )?;
    stmt.query_map([limit], |r| {
        Ok(ActivityEntry {
            id: r.get(0)?,
            account_id: r.get(1)?,
            kind: r.get(2)?,
            message: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?
    .collect()
}
