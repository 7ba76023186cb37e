//! Queries on `rules`: a number's quick replies, in the owner's order.

use rusqlite::{Connection, params};

pub struct RuleRow {
    pub id: i64,
    pub match_kind: String,
    pub pattern: String,
    pub reply: String,
}

pub fn enabled(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<RuleRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, match_kind, pattern, reply FROM rules WHERE account_id = ?1 AND enabled = 1 ORDER BY position, id",
    )?;
    stmt.query_map(params![account_id], |r| {
        Ok(RuleRow {
            id: r.get(0)?,
            match_kind: r.get(1)?,
            pattern: r.get(2)?,
            reply: r.get(3)?,
        })
    })?
    .collect()
}

/// A quick reply as the owner edits it, in its place in the list.
pub struct QuickReplyRow {
    pub match_kind: String,
    pub pattern: String,
    pub reply: String,
    pub enabled: bool,
}

/// Every quick reply of a number, in the owner's order (turned off ones too).
pub fn all(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<QuickReplyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT match_kind, pattern, reply, enabled FROM rules WHERE account_id = ?1 ORDER BY position, id",
    )?;
    stmt.query_map([account_id], |r| {
        Ok(QuickReplyRow {
            match_kind: r.get(0)?,
            pattern: r.get(1)?,
            reply: r.get(2)?,
            enabled: r.get(3)?,
        })
    })?
    .collect()
}

/// Replaces a number's quick replies with `rows`, in their order.
pub fn replace_all(
    conn: &Connection,
    account_id: i64,
    rows: &[QuickReplyRow],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM rules WHERE account_id = ?1", [account_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO rules (account_id, position, match_kind, pattern, reply, enabled, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?;
    for (position, row) in rows.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        insert.execute(params![
            account_id,
            position,
            row.match_kind,
            row.pattern,
            row.reply,
            row.enabled,
            now
        ])?;
    }
    Ok(())
}
