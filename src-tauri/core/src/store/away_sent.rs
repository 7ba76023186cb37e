//! Queries on `away_sent`: the away message goes once per closed stretch and contact.

use rusqlite::{Connection, params};

pub fn was_sent(
    conn: &Connection,
    account_id: i64,
    contact_id: i64,
    stretch: &str,
) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM away_sent WHERE account_id = ?1 AND contact_id = ?2 AND stretch = ?3)",
        params![account_id, contact_id, stretch],
        |r| r.get(0),
    )
}

pub fn mark(
    conn: &Connection,
    account_id: i64,
    contact_id: i64,
    stretch: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO away_sent (account_id, contact_id, stretch, sent_at) VALUES (?1, ?2, ?3, ?4)",
        params![account_id, contact_id, stretch, now],
    )?;
    Ok(())
}
