//! Queries on `account_settings`: one row per number, created with it.

use rusqlite::{Connection, params};

/// Creates the settings row a new number starts with (the table's defaults).
pub fn create_defaults(conn: &Connection, account_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO account_settings (account_id, updated_at) VALUES (?1, ?2)",
        params![account_id, now],
    )?;
    Ok(())
}
