//! Queries on `activity`: the audit log.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::activity::{Activity, ActivityKind};

/// Records `activity` for number `account_id` (`None`: app-wide): its kind's word, its
/// values in `detail` (so the window says it in the owner's language) and its English
/// sentence in `message`, for anything that can't.
pub fn record(
    conn: &Connection,
    account_id: Option<i64>,
    activity: &Activity,
    now: i64,
) -> rusqlite::Result<i64> {
    let detail: serde_json::Map<String, serde_json::Value> = activity
        .args()
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::from(v)))
        .collect();
    conn.execute(
        "INSERT INTO activity (account_id, kind, message, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            account_id,
            activity.kind().as_str(),
            activity.english(),
            serde_json::Value::Object(detail).to_string(),
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// An entry of the audit log as stored; `detail` is its JSON arguments.
pub struct ActivityRow {
    pub id: i64,
    pub account_id: Option<i64>,
    pub kind: String,
    pub message: String,
    pub created_at: i64,
    /// The values its sentence is made of (only string values count; anything else, or
    /// a detail that can't be read, is left out).
    pub args: std::collections::BTreeMap<String, String>,
}

/// The newest entries, at most `limit`: of these kinds only (all if `None`), of one
/// number only, and older than entry `before_id` (the next page).
pub fn page(
    conn: &Connection,
    kinds: Option<&[ActivityKind]>,
    number_id: Option<i64>,
    before_id: Option<i64>,
    limit: u32,
) -> rusqlite::Result<Vec<ActivityRow>> {
    let mut sql = String::from(
        "SELECT id, account_id, kind, message, created_at, detail FROM activity WHERE 1 = 1",
    );
    let mut params: Vec<Value> = Vec::new();
    if let Some(kinds) = kinds {
        sql.push_str(&format!(
            " AND kind IN ({})",
            vec!["?"; kinds.len()].join(", ")
        ));
        params.extend(kinds.iter().map(|k| Value::Text(k.as_str().to_string())));
    }
    if let Some(number) = number_id {
        sql.push_str(" AND account_id = ?");
        params.push(Value::Integer(number));
    }
    if let Some(before) = before_id {
        sql.push_str(" AND (created_at, id) < (SELECT created_at, id FROM activity WHERE id = ?)");
        params.push(Value::Integer(before));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
    params.push(Value::Integer(i64::from(limit)));
    conn.prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(params.iter()), |r| {
            Ok(ActivityRow {
                id: r.get(0)?,
                account_id: r.get(1)?,
                kind: r.get(2)?,
                message: r.get(3)?,
                created_at: r.get(4)?,
                args: args_of(&r.get::<_, String>(5)?),
            })
        })?
        .collect()
}

fn args_of(detail: &str) -> std::collections::BTreeMap<String, String> {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(detail)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
        .collect()
}

/// The kind of a number's newest failure, recovery or link entry.
pub fn last_connection_kind(
    conn: &Connection,
    account_id: i64,
) -> rusqlite::Result<Option<ActivityKind>> {
    let word: Option<String> = conn
        .query_row(
            "SELECT kind FROM activity WHERE account_id = ?1 AND kind IN ('number_failed', 'number_recovered', 'number_linked')
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [account_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(word.as_deref().and_then(ActivityKind::parse))
}
