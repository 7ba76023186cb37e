//! Queries on `leads`, `lead_fields` and `lead_events`.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use serde_json::json;

use crate::model::lead::{ChangedBy, LeadChange, LeadEvent, LeadSummary, Stage};

pub struct Lead {
    pub id: i64,
    pub stage: Stage,
    pub qualified_at: Option<i64>,
}

/// The contact's lead on this number, created as `new` on first need.
pub fn upsert(
    conn: &Connection,
    account_id: i64,
    contact_id: i64,
    chat_id: Option<i64>,
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
pub fn fields(conn: &Connection, lead_id: i64) -> rusqlite::Result<Vec<FieldRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, value, source FROM lead_fields WHERE lead_id = ?1 ORDER BY key",
    )?;
    stmt.query_map([lead_id], |r| {
        Ok(FieldRow {
            key: r.get(0)?,
            value: r.get(1)?,
            source: r.get(2)?,
        })
    })?
    .collect()
}

/// One field of a lead: its name, value, and who set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub key: String,
    pub value: String,
    pub source: ChangedBy,
}

/// Every lead of a number, oldest first.
pub fn of_account(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<Lead>> {
    conn.prepare_cached(
        "SELECT id, stage, qualified_at FROM leads WHERE account_id = ?1 ORDER BY id",
    )?
    .query_map([account_id], |r| {
        Ok(Lead {
            id: r.get(0)?,
            stage: r.get(1)?,
            qualified_at: r.get(2)?,
        })
    })?
    .collect()
}

/// Fields known for a contact's lead on a number, for the prompt.
pub fn fields_of_contact(
    conn: &Connection,
    account_id: i64,
    contact_id: i64,
) -> rusqlite::Result<BTreeMap<String, String>> {
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
    stage: Stage,
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

/// Adds a change to a lead's history. The detail keeps the shape earlier builds wrote
/// (the AI's fields as a flat object; the owner's with `by` and `fields`), so old and new
/// entries read alike.
pub fn record(
    conn: &Connection,
    lead_id: i64,
    change: &LeadChange,
    now: i64,
) -> rusqlite::Result<()> {
    let kind = change.kind();
    let detail = match change {
        LeadChange::Fields { by, fields } => {
            let map: serde_json::Map<String, serde_json::Value> =
                fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            match by {
                ChangedBy::Ai => serde_json::Value::Object(map),
                ChangedBy::Owner => json!({ "by": "owner", "fields": map }),
            }
        }
        LeadChange::Stage {
            by: ChangedBy::Ai,
            from,
            to,
            reason,
        } => {
            json!({ "from": from, "to": to, "reason": reason })
        }
        LeadChange::Stage {
            by: ChangedBy::Owner,
            from,
            to,
            ..
        } => {
            json!({ "from": from, "to": to, "by": "owner" })
        }
        LeadChange::Notes { by } => json!({ "by": by }),
    };
    conn.execute(
        "INSERT INTO lead_events (lead_id, kind, detail, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![lead_id, kind, detail.to_string(), now],
    )?;
    Ok(())
}

/// A stored history entry as a change; `None` for one this build can't read.
fn change_of(kind: &str, detail: &str) -> Option<LeadChange> {
    let detail: serde_json::Map<String, serde_json::Value> = serde_json::from_str(detail).ok()?;
    let by = match detail.get("by").and_then(|v| v.as_str()) {
        Some("owner") => ChangedBy::Owner,
        _ => ChangedBy::Ai,
    };
    let word = |key: &str| detail.get(key).and_then(|v| v.as_str());
    match kind {
        "fields" => {
            let fields = match detail.get("fields").and_then(|v| v.as_object()) {
                Some(owner) => owner,
                None => &detail,
            };
            let fields = fields
                .iter()
                .filter(|(k, _)| k.as_str() != "by")
                .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                .collect();
            Some(LeadChange::Fields { by, fields })
        }
        // `stage_changed`: the name builds before 0.1 gave it.
        "stage" | "stage_changed" => Some(LeadChange::Stage {
            by,
            from: Stage::parse(word("from")?)?,
            to: Stage::parse(word("to")?)?,
            reason: word("reason").map(str::to_string),
        }),
        "notes" => Some(LeadChange::Notes { by }),
        _ => None,
    }
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
                    (SELECT COALESCE(display_name, push_name, phone, '@' || username, '') FROM contacts WHERE id = (SELECT contact_id FROM leads WHERE id = ?1)),
                    '') AS name,
                trim(
                    COALESCE((SELECT COALESCE(display_name, '') || ' ' || COALESCE(push_name, '') || ' ' || COALESCE(phone, '')
                                     || COALESCE(' @' || username, '')
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

/// How many leads a number gained since `since`, and how many of them qualified.
pub fn new_and_qualified_since(
    conn: &Connection,
    account_id: i64,
    since: i64,
) -> rusqlite::Result<NewLeads> {
    conn.query_row(
        "SELECT COUNT(*), COUNT(qualified_at) FROM leads WHERE account_id = ?1 AND created_at >= ?2",
        params![account_id, since],
        |r| {
            Ok(NewLeads {
                new: r.get(0)?,
                qualified: r.get(1)?,
            })
        },
    )
}

/// How many leads a number got in a while, and how many of them qualified.
pub struct NewLeads {
    pub new: i64,
    pub qualified: i64,
}

/// A lead's summary (fields still empty) from a row of id, number id, number name, name,
/// phone, stage, score, reason, qualified at, updated at; `name` as the caller reads it.
pub fn summary_from_row(
    r: &rusqlite::Row<'_>,
    name: Option<String>,
) -> rusqlite::Result<LeadSummary> {
    Ok(LeadSummary {
        id: r.get(0)?,
        number_id: r.get(1)?,
        number_name: r.get(2)?,
        name,
        phone: r.get(4)?,
        stage: r.get(5)?,
        score: r.get(6)?,
        reason: r.get(7)?,
        qualified_at: r.get(8)?,
        updated_at: r.get(9)?,
        fields: Vec::new(),
    })
}

/// One lead as lists show it: its name (the one it gave, else the contact's), phone,
/// number, stage, score and reason, and its fields.
pub fn summary(conn: &Connection, lead_id: i64) -> rusqlite::Result<LeadSummary> {
    let mut lead = conn
        .prepare_cached(
            "SELECT l.id, l.account_id, a.name,
                    COALESCE((SELECT value FROM lead_fields WHERE lead_id = l.id AND key = 'name'),
                             NULLIF(c.display_name, ''), NULLIF(c.push_name, ''),
                             CASE WHEN c.phone IS NULL THEN '@' || NULLIF(c.username, '') END),
                    c.phone, l.stage, l.score, l.qualified_reason, l.qualified_at, l.updated_at
             FROM leads l JOIN accounts a ON a.id = l.account_id JOIN contacts c ON c.id = l.contact_id
             WHERE l.id = ?1",
        )?
        .query_row([lead_id], |r| summary_from_row(r, r.get(3)?))?;
    lead.fields = fields(conn, lead_id)?
        .into_iter()
        .map(|field| (field.key, field.value))
        .collect();
    Ok(lead)
}

/// The number a lead belongs to (an error if there is no such lead).
pub fn number_of(conn: &Connection, lead_id: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT account_id FROM leads WHERE id = ?1",
        [lead_id],
        |r| r.get(0),
    )
}

/// A lead's notes, chat and creation time.
pub fn notes_chat_created(conn: &Connection, lead_id: i64) -> rusqlite::Result<LeadOrigin> {
    conn.query_row(
        "SELECT notes, chat_id, created_at FROM leads WHERE id = ?1",
        [lead_id],
        |r| {
            Ok(LeadOrigin {
                notes: r.get(0)?,
                chat_id: r.get(1)?,
                created_at: r.get(2)?,
            })
        },
    )
}

/// A lead's notes, the chat it came from and when it was made.
pub struct LeadOrigin {
    pub notes: String,
    pub chat_id: Option<i64>,
    pub created_at: i64,
}

/// A lead's stage, number and notes.
pub fn stage_number_notes(conn: &Connection, lead_id: i64) -> rusqlite::Result<LeadStanding> {
    conn.query_row(
        "SELECT stage, account_id, notes FROM leads WHERE id = ?1",
        [lead_id],
        |r| {
            Ok(LeadStanding {
                stage: r.get(0)?,
                account_id: r.get(1)?,
                notes: r.get(2)?,
            })
        },
    )
}

/// Where a lead stands before an owner's edit: its stage, number and notes.
pub struct LeadStanding {
    pub stage: Stage,
    pub account_id: i64,
    pub notes: String,
}

/// A lead's newest history entries, at most `limit` (any this build can't read left out).
pub fn events(conn: &Connection, lead_id: i64, limit: u32) -> rusqlite::Result<Vec<LeadEvent>> {
    let rows = conn
        .prepare_cached(
            "SELECT id, kind, detail, created_at FROM lead_events WHERE lead_id = ?1
             ORDER BY created_at DESC, id DESC LIMIT ?2",
        )?
        .query_map(params![lead_id, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, detail, created_at)| {
            let change = change_of(&kind, &detail);
            if change.is_none() {
                tracing::warn!(
                    id,
                    kind,
                    "a lead history entry this build can't read was left out"
                );
            }
            Some(LeadEvent {
                id,
                change: change?,
                created_at,
            })
        })
        .collect())
}

/// Removes a field of a lead; whether it had one.
pub fn clear_field(conn: &Connection, lead_id: i64, key: &str) -> rusqlite::Result<bool> {
    let removed = conn.execute(
        "DELETE FROM lead_fields WHERE lead_id = ?1 AND key = ?2",
        params![lead_id, key],
    )?;
    Ok(removed > 0)
}

/// Sets a field as the owner's (the AI never overwrites it then); whether it changed.
pub fn set_owner_field(
    conn: &Connection,
    lead_id: i64,
    key: &str,
    value: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let written = conn.execute(
        "INSERT INTO lead_fields (lead_id, key, value, source, updated_at) VALUES (?1, ?2, ?3, 'owner', ?4)
         ON CONFLICT (lead_id, key) DO UPDATE SET value = excluded.value, source = 'owner', updated_at = excluded.updated_at
         WHERE lead_fields.value IS NOT excluded.value OR lead_fields.source <> 'owner'",
        params![lead_id, key, value, now],
    )?;
    Ok(written > 0)
}

/// Moves a lead to `stage` (the first move to qualified records when).
pub fn set_stage(conn: &Connection, lead_id: i64, stage: Stage, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE leads SET stage = ?2,
             qualified_at = CASE WHEN ?2 = 'qualified' THEN COALESCE(qualified_at, ?3) ELSE qualified_at END
         WHERE id = ?1",
        params![lead_id, stage, now],
    )?;
    Ok(())
}

pub fn set_notes(conn: &Connection, lead_id: i64, notes: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE leads SET notes = ?2 WHERE id = ?1",
        params![lead_id, notes],
    )?;
    Ok(())
}

/// Marks a lead as changed now.
pub fn touch(conn: &Connection, lead_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE leads SET updated_at = ?2 WHERE id = ?1",
        params![lead_id, now],
    )?;
    Ok(())
}
