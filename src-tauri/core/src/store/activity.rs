//! Queries on `activity`: the audit log.

use rusqlite::{Connection, params};

use crate::text::Text;

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

/// Like [`insert_with`], with one value that is itself a sentence (a failure's reason):
/// `<name>` keeps its English, `<name>_key` its key and `<name>_<value>` each of its values,
/// so the window can say that part in the owner's language too.
pub fn insert_with_text(
    conn: &Connection,
    account_id: Option<i64>,
    kind: &str,
    message: &str,
    args: &[(&str, &str)],
    (name, text): (&str, &Text),
    now: i64,
) -> rusqlite::Result<i64> {
    let nested: Vec<(String, &str)> = std::iter::once((format!("{name}_key"), text.key.as_str()))
        .chain(
            text.args
                .iter()
                .map(|(arg, value)| (format!("{name}_{arg}"), value.as_str())),
        )
        .collect();
    let mut all: Vec<(&str, &str)> = args.to_vec();
    all.push((name, &text.english));
    all.extend(nested.iter().map(|(arg, value)| (arg.as_str(), *value)));
    insert_with(conn, account_id, kind, message, &all, now)
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
