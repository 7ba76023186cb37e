//! Queries on `leads`, `lead_fields` and `lead_events`.

use rusqlite::{Connection, OptionalExtension, params};

pub struct Lead {
    pub id: i64,
    pub stage: String,
    pub qualified_at: Option<i64>,
}

/// The contact's lead on this number, created as `new` on first need.
pub fn upsert(
    conn: &Connection,
    account_id: i64,
    contact_id: i64,
    chat_id: i64,
    now: i64,
) -> rusqlite::Result<Lead> {
    conn.query_row(
        "INSERT INTO leads (account_id, contact_id, chat_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (account_id, contact_id) DO UPDATE SET chat_id = COALESCE(chat_id, excluded.chat_id)
         RETURNING id, stage, qualified_at",
        params![account_id, contact_id, chat_id, now],
        |r| Ok(Lead { id: r.get(0)?, stage: r.get(1)?, qualified_at: r.get(2)? }),
    )
}

/// Field values of a lead: (key, value, source).
pub fn fields(conn: &Connection, lead_id: i64) -> rusqlite::Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, value, source FROM lead_fields WHERE lead_id = ?1 ORDER BY key",
    )?;
    stmt.query_map([lead_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect()
}

/// Fields known for a contact's lead on a number, for the prompt.
pub fn fields_of_contact(
    conn: &Connection,
    account_id: i64,
    contact_id: i64,
) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.key, f.value FROM lead_fields f JOIN leads l ON l.id = f.lead_id
         WHERE l.account_id = ?1 AND l.contact_id = ?2 ORDER BY f.key",
    )?;
    stmt.query_map(params![account_id, contact_id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?
    .collect()
}

/// Sets a field from the AI, unless the owner set it (the owner's value wins). Returns
/// whether it changed.
pub fn set_ai_field(
    conn: &Connection,
    lead_id: i64,
    key: &str,
    value: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let current: Option<(String, String)> = conn
        .query_row(
            "SELECT value, source FROM lead_fields WHERE lead_id = ?1 AND key = ?2",
            params![lead_id, key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match current {
        Some((_, source)) if source == "owner" => Ok(false),
        Some((old, _)) if old == value => Ok(false),
        _ => {
            conn.execute(
                "INSERT INTO lead_fields (lead_id, key, value, source, updated_at) VALUES (?1, ?2, ?3, 'ai', ?4)
                 ON CONFLICT (lead_id, key) DO UPDATE SET value = excluded.value, source = 'ai', updated_at = excluded.updated_at",
                params![lead_id, key, value, now],
            )?;
            Ok(true)
        }
    }
}

pub fn update(
    conn: &Connection,
    lead_id: i64,
    stage: &str,
    score: u8,
    reason: Option<&str>,
    qualified_at: Option<i64>,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE leads SET stage = ?2, score = ?3, qualified_reason = COALESCE(?4, qualified_reason),
             qualified_at = COALESCE(qualified_at, ?5), updated_at = ?6 WHERE id = ?1",
        params![lead_id, stage, score, reason, qualified_at, now],
    )?;
    Ok(())
}

pub fn event(
    conn: &Connection,
    lead_id: i64,
    kind: &str,
    detail: &str,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO lead_events (lead_id, kind, detail, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![lead_id, kind, detail, now],
    )?;
    Ok(())
}

/// The ids of the `limit` leads with the newest activity.
pub fn latest_ids(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<i64>> {
    conn.prepare_cached("SELECT id FROM leads ORDER BY updated_at DESC, id DESC LIMIT ?1")?
        .query_map([limit], |r| r.get(0))?
        .collect()
}

/// Marks a lead's name and search text as due for `refresh_dirty`.
pub fn mark_search_dirty(conn: &Connection, lead_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE leads SET search_dirty = 1 WHERE id = ?1 AND search_dirty = 0",
        [lead_id],
    )?;
    Ok(())
}

/// Brings every lead marked by `mark_search_dirty` up to date. Returns how many.
pub fn refresh_dirty(conn: &Connection) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM leads WHERE search_dirty = 1")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        refresh_search(conn, *id)?;
        conn.execute("UPDATE leads SET search_dirty = 0 WHERE id = ?1", [id])?;
    }
    Ok(ids.len())
}

/// Recomputes the name a lead is listed and sorted by, and the text search looks in (the
/// same expression migration 3 used for the leads already there). Written only when they
/// changed: rewriting the same text would still re-index it.
pub fn refresh_search(conn: &Connection, lead_id: i64) -> rusqlite::Result<()> {
    let fresh: Option<(String, String, bool)> = conn
        .query_row(
            "SELECT fresh.name, fresh.search, fresh.name IS NOT l.display_name OR fresh.search IS NOT l.search_text
             FROM leads l, (SELECT
                COALESCE(
                    (SELECT value FROM lead_fields WHERE lead_id = ?1 AND key = 'name'),
                    (SELECT COALESCE(display_name, push_name, phone, '') FROM contacts WHERE id = (SELECT contact_id FROM leads WHERE id = ?1)),
                    '') AS name,
                trim(
                    COALESCE((SELECT COALESCE(display_name, '') || ' ' || COALESCE(push_name, '') || ' ' || COALESCE(phone, '')
                              FROM contacts WHERE id = (SELECT contact_id FROM leads WHERE id = ?1)), '')
                    || ' ' ||
                    COALESCE((SELECT group_concat(value, ' ') FROM lead_fields WHERE lead_id = ?1), '')) AS search) AS fresh
             WHERE l.id = ?1",
            [lead_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((name, search, true)) = fresh {
        conn.execute(
            "UPDATE leads SET display_name = ?2, search_text = ?3 WHERE id = ?1",
            params![lead_id, name, search],
        )?;
    }
    Ok(())
}
