//! Queries on `contacts`: the people who wrote to a number.

use rusqlite::{Connection, params};

use crate::whatsapp::phone_number;

pub struct Contact {
    pub id: i64,
    pub ignored: bool,
    pub known: bool,
}

/// The contact for `wa_id`, created on first sight; a new push name is kept, and so is the
/// phone number WhatsApp gives for an `@lid` id (which carries none itself).
pub fn upsert(
    conn: &Connection,
    account_id: i64,
    wa_id: &str,
    phone: Option<&str>,
    push_name: Option<&str>,
    now: i64,
) -> rusqlite::Result<Contact> {
    let phone = phone_number(wa_id).or_else(|| phone.map(str::to_string));
    conn.query_row(
        "INSERT INTO contacts (account_id, wa_id, phone, push_name, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT (account_id, wa_id) DO UPDATE
             SET push_name = COALESCE(excluded.push_name, push_name),
                 phone = COALESCE(phone, excluded.phone),
                 updated_at = excluded.updated_at
         RETURNING id, ignored, known",
        params![account_id, wa_id, phone, push_name, now],
        |r| {
            Ok(Contact {
                id: r.get(0)?,
                ignored: r.get(1)?,
                known: r.get(2)?,
            })
        },
    )
}
