//! Queries on `activity`: the audit log.

use rusqlite::{Connection, params};

/// An entry with no values for the window to fill in: it shows `message` as written.
pub fn insert(
    conn: &Connection,
    account_id: Option<i64>,
    kind: &str,
    message: &str,
    now: i64,
) -> rusqlite::Result<i64> {
    insert_with(conn, account_id, kind, message, &[], now)
}

/// An entry with the values its sentence is made of (`name`, `minutes`, …), kept in
/// `detail` so the window can say it in the owner's language; `message` is the English
/// sentence, for anything that can't.
pub fn insert_with(
    conn: &Connection,
    account_id: Option<i64>,
    kind: &str,
    message: &str,
    args: &[(&str, &str)],
    now: i64,
) -> rusqlite::Result<i64> {
    let detail: serde_json::Map<String, serde_json::Value> = args
        .iter()
        .map(|(k, v)| ((*k).to_string(), serde_json::Value::from(*v)))
        .collect();
    conn.execute(
        "INSERT INTO activity (account_id, kind, message, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![account_id, kind, message, serde_json::Value::Object(detail).to_string(), now],
    )?;
    Ok(conn.last_insert_rowid())
}
