//! Queries on `ai_usage`: one row per AI call, what it used and cost.

use rusqlite::{Connection, params};

use super::app_settings;
use crate::model::ai_call::{AiCall, Purpose};

/// What the AI cost since `since` (unix ms), across numbers.
pub fn spent_since(conn: &Connection, since: i64) -> rusqlite::Result<u64> {
    let spent: i64 = conn.query_row(
        "SELECT COALESCE(SUM(cost_micros), 0) FROM ai_usage WHERE created_at >= ?1",
        [since],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(spent).unwrap_or(0))
}

/// The owner's ceiling on the AI's cost in any hour, when the last hour's cost reached it
/// (calls already under way may take it a little past); `None` under it or with no ceiling.
pub fn ceiling_reached(conn: &Connection, now: i64) -> rusqlite::Result<Option<u64>> {
    let Some(limit) = app_settings::settings(conn)?.ai_spend_per_hour_micros else {
        return Ok(None);
    };
    Ok((spent_since(conn, now - 3_600_000)? >= limit).then_some(limit))
}

/// Every call recorded, oldest first.
pub fn calls(conn: &Connection) -> rusqlite::Result<Vec<AiCall>> {
    conn.prepare_cached(
        "SELECT account_id, provider, model, purpose, prompt_tokens, completion_tokens, cost_micros, latency_ms, ok
         FROM ai_usage ORDER BY id",
    )?
    .query_map([], |r| {
        let purpose: String = r.get(3)?;
        Ok(AiCall {
            account_id: r.get(0)?,
            provider: r.get(1)?,
            model: r.get(2)?,
            purpose: Purpose::parse(&purpose).unwrap_or(Purpose::Reply),
            prompt_tokens: r.get(4)?,
            completion_tokens: r.get(5)?,
            cost_micros: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
            latency_ms: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
            ok: r.get(8)?,
        })
    })?
    .collect()
}

pub fn insert(conn: &Connection, row: &AiCall, now: i64) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO ai_usage (account_id, provider, model, purpose, prompt_tokens,
             completion_tokens, cost_micros, latency_ms, ok, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            row.account_id,
            row.provider,
            row.model,
            row.purpose.as_str(),
            row.prompt_tokens,
            row.completion_tokens,
            i64::try_from(row.cost_micros).unwrap_or(i64::MAX),
            i64::try_from(row.latency_ms).unwrap_or(i64::MAX),
            row.ok,
            now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Whether the owner has had an answer in the Playground of a number with instructions.
pub fn playground_tried(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM ai_usage u JOIN account_settings s ON s.account_id = u.account_id
         WHERE u.purpose = 'playground' AND u.ok = 1 AND TRIM(s.prompt) <> '')",
        [],
        |r| r.get(0),
    )
}
