//! Queries on `rules`: a number's quick replies, in the owner's order.

use rusqlite::{Connection, params};

use crate::model::quick_reply::{MatchKind, QuickReply};

/// A quick reply the bot tries, with its id.
pub struct RuleRow {
    pub id: i64,
    pub kind: MatchKind,
    pub pattern: String,
    pub reply: String,
}

/// The quick replies a number's bot tries, in the owner's order (turned on ones only).
pub fn enabled(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<RuleRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, match_kind, pattern, reply FROM rules WHERE account_id = ?1 AND enabled = 1 ORDER BY position, id",
    )?;
    stmt.query_map(params![account_id], |r| {
        Ok(RuleRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            pattern: r.get(2)?,
            reply: r.get(3)?,
        })
    })?
    .collect()
}

/// Every quick reply of a number, in the owner's order (turned off ones too).
pub fn all(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<QuickReply>> {
    let mut stmt = conn.prepare_cached(
        "SELECT match_kind, pattern, reply, enabled FROM rules WHERE account_id = ?1 ORDER BY position, id",
    )?;
    stmt.query_map([account_id], |r| {
        Ok(QuickReply {
            kind: r.get(0)?,
            pattern: r.get(1)?,
            reply: r.get(2)?,
            enabled: r.get(3)?,
        })
    })?
    .collect()
}

/// Replaces a number's quick replies with `rules`, in their order.
pub fn replace_all(
    conn: &Connection,
    account_id: i64,
    rules: &[QuickReply],
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM rules WHERE account_id = ?1", [account_id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO rules (account_id, position, match_kind, pattern, reply, enabled, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )?;
    for (position, rule) in rules.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        insert.execute(params![
            account_id,
            position,
            rule.kind,
            rule.pattern,
            rule.reply,
            rule.enabled,
            now
        ])?;
    }
    Ok(())
}
