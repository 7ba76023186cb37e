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
