//! Queries on `accounts`: the WhatsApp numbers the owner added.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::model::limits::Limits;
use crate::model::number::{LinkState, WaNumber};

const SELECT: &str = "
    SELECT a.id, a.name, a.wa_id, a.link_state, a.created_at,
           (SELECT count(*) FROM chats c WHERE c.account_id = a.id),
           (SELECT count(*) FROM leads l WHERE l.account_id = a.id),
           a.wa_version, a.wa_version_tested, a.wa_missing_features,
           a.limit_timelocked, a.limit_timelock_ends_at, a.limit_capped
    FROM accounts a";

fn from_row(row: &Row<'_>) -> rusqlite::Result<WaNumber> {
    let link_state: String = row.get(3)?;
    Ok(WaNumber {
        id: row.get(0)?,
        name: row.get(1)?,
        wa_id: row.get(2)?,
        link_state: LinkState::from_db(&link_state),
        created_at: row.get(4)?,
        chat_count: row.get(5)?,
        lead_count: row.get(6)?,
        wa_version: row.get(7)?,
        wa_version_tested: row.get(8)?,
        // A list this build wrote; anything unreadable counts as none missing.
        wa_missing_features: serde_json::from_str(&row.get::<_, String>(9)?).unwrap_or_default(),
        limits: Limits {
            timelocked: row.get(10)?,
            timelock_ends_at: row.get(11)?,
            capped: row.get(12)?,
        },
    })
}

/// Records the limits the number's page last said; whether they changed.
pub fn set_limits(conn: &Connection, id: i64, limits: &Limits, now: i64) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE accounts SET limit_timelocked = ?2, limit_timelock_ends_at = ?3, limit_capped = ?4, updated_at = ?5
             WHERE id = ?1
               AND (limit_timelocked IS NOT ?2 OR limit_timelock_ends_at IS NOT ?3 OR limit_capped IS NOT ?4)",
        )?
        .execute(params![id, limits.timelocked, limits.timelock_ends_at, limits.capped, now])?;
    Ok(changed > 0)
}

/// Records what the number's page last said of itself.
pub fn set_page(
    conn: &Connection,
    id: i64,
    version: &str,
    tested: bool,
    missing: &[String],
    now: i64,
) -> rusqlite::Result<()> {
    let missing = serde_json::to_string(missing).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "UPDATE accounts SET wa_version = ?2, wa_version_tested = ?3, wa_missing_features = ?4, updated_at = ?5
         WHERE id = ?1",
        params![id, version, tested, missing, now],
    )?;
    Ok(())
}

/// All numbers, oldest first (the order the owner added them).
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<WaNumber>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY a.created_at, a.id"))?;
    stmt.query_map([], from_row)?.collect()
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<WaNumber>> {
    let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?;
    stmt.query_row([id], from_row).optional()
}

/// The highest id any number ever had (removed ones included).
pub fn highest_id_ever(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT MAX(COALESCE((SELECT high FROM id_high_water WHERE name = 'accounts'), 0),
                    COALESCE((SELECT MAX(id) FROM accounts), 0))",
        [],
        |r| r.get(0),
    )
}

/// A new number gets an id no number ever had: keychain entries, the browser profile and
/// webhooks are keyed by it, so a removed number's leftovers can never become a new one's.
pub fn insert(conn: &Connection, name: &str, now: i64) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO accounts (id, name, created_at, updated_at)
         VALUES (MAX(COALESCE((SELECT high FROM id_high_water WHERE name = 'accounts'), 0),
                     COALESCE((SELECT MAX(id) FROM accounts), 0)) + 1, ?1, ?2, ?2)
         RETURNING id",
        params![name, now],
        |r| r.get(0),
    )
}

/// Returns false when no such number exists.
pub fn rename(conn: &Connection, id: i64, name: &str, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE accounts SET name = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, name, now],
    )?;
    Ok(changed == 1)
}

/// Deletes the number and, through the foreign keys, everything recorded under it.
/// Returns false when no such number exists.
pub fn delete(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM accounts WHERE id = ?1", [id])? == 1)
}

/// The number is linked to WhatsApp as `wa_id`.
pub fn set_linked(conn: &Connection, id: i64, wa_id: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE accounts SET link_state = 'linked', wa_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, wa_id, now],
    )?;
    Ok(())
}

/// WhatsApp ended the link; the number keeps its id until it is linked again.
pub fn set_logged_out(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE accounts SET link_state = 'logged_out', updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// The owner unlinked the number: it has no WhatsApp id until linked again.
pub fn set_unlinked(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE accounts SET link_state = 'unlinked', wa_id = NULL, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// The name of another number linked to this WhatsApp account, if there is one.
pub fn name_of_other_with_wa_id(
    conn: &Connection,
    wa_id: &str,
    except: i64,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT name FROM accounts WHERE wa_id = ?1 AND id <> ?2",
        params![wa_id, except],
        |r| r.get(0),
    )
    .optional()
}

/// A number's WhatsApp id, once linked (an error if there is no such number).
pub fn wa_id_of(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT wa_id FROM accounts WHERE id = ?1",
        [account_id],
        |r| r.get(0),
    )
}

/// Whether any number is linked to WhatsApp now.
pub fn any_linked(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts WHERE link_state = 'linked')",
        [],
        |r| r.get(0),
    )
}
