//! Queries on `contacts`: the people who wrote to a number.

use rusqlite::{Connection, params};

use crate::model::wa_id::phone_number;

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
    username: Option<&str>,
    now: i64,
) -> rusqlite::Result<Contact> {
    let phone = phone_number(wa_id).or_else(|| phone.map(str::to_string));
    // A phone learnt later fills the gap; a username follows its latest value.
    conn.query_row(
        "INSERT INTO contacts (account_id, wa_id, phone, push_name, username, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (account_id, wa_id) DO UPDATE
             SET push_name = COALESCE(excluded.push_name, push_name),
                 phone = COALESCE(phone, excluded.phone),
                 username = COALESCE(excluded.username, username),
                 updated_at = excluded.updated_at
         RETURNING id, ignored, known",
        params![account_id, wa_id, phone, push_name, username, now],
        |r| {
            Ok(Contact {
                id: r.get(0)?,
                ignored: r.get(1)?,
                known: r.get(2)?,
            })
        },
    )
}

/// A contact of a number as stored.
pub struct ContactRow {
    pub id: i64,
    /// WhatsApp's id for them (`…@c.us`, or a linked id `…@lid`).
    pub wa_id: String,
    pub phone: Option<String>,
    pub push_name: Option<String>,
    pub known: bool,
    pub ignored: bool,
}

/// Every contact of a number, oldest first.
pub fn of_account(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<ContactRow>> {
    conn.prepare_cached(
        "SELECT id, wa_id, phone, push_name, known, ignored FROM contacts WHERE account_id = ?1 ORDER BY id",
    )?
    .query_map([account_id], |r| {
        Ok(ContactRow {
            id: r.get(0)?,
            wa_id: r.get(1)?,
            phone: r.get(2)?,
            push_name: r.get(3)?,
            known: r.get(4)?,
            ignored: r.get(5)?,
        })
    })?
    .collect()
}

/// How the owner stands to a contact: ignored (left alone by the bot), and known (in
/// their address book).
pub struct Standing {
    pub ignored: bool,
    pub known: bool,
}

pub fn standing(conn: &Connection, contact_id: i64) -> rusqlite::Result<Standing> {
    conn.prepare_cached("SELECT ignored, known FROM contacts WHERE id = ?1")?
        .query_row([contact_id], |r| {
            Ok(Standing {
                ignored: r.get(0)?,
                known: r.get(1)?,
            })
        })
}

/// Ignores (or stops ignoring) the contact of a chat; false if the chat has no single
/// contact (a group or a broadcast).
pub fn set_ignored_in_chat(
    conn: &Connection,
    chat_id: i64,
    ignored: bool,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE contacts SET ignored = ?2, updated_at = ?3
         WHERE id = (SELECT contact_id FROM chats WHERE id = ?1)",
        params![chat_id, ignored, now],
    )?;
    Ok(changed > 0)
}

/// A contact as a notification names it: the phone, and the name the owner or WhatsApp
/// gives it.
pub struct Named {
    pub phone: Option<String>,
    pub name: Option<String>,
}

pub fn named(conn: &Connection, contact_id: i64) -> rusqlite::Result<Named> {
    conn.query_row(
        "SELECT phone, COALESCE(display_name, push_name) FROM contacts WHERE id = ?1",
        [contact_id],
        |r| {
            Ok(Named {
                phone: r.get(0)?,
                name: r.get(1)?,
            })
        },
    )
}

/// Marks a person of the owner's address book as known: a new contact, or one who already
/// wrote (by WhatsApp id, or from a linked id whose phone is this one). Whether anyone was
/// added or marked (false: already known).
pub fn mark_known(
    conn: &Connection,
    account_id: i64,
    wa_id: &str,
    phone: &str,
    name: Option<&str>,
    now: i64,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO contacts (account_id, wa_id, phone, display_name, known, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5) ON CONFLICT (account_id, wa_id) DO NOTHING",
        )?
        .execute(params![account_id, wa_id, phone, name, now])?;
    // Two statements, each served by its own index (an OR of the two scanned the number's
    // contacts for every entry).
    let mut marked = 0;
    for sql in [
        "UPDATE contacts SET known = 1, display_name = COALESCE(display_name, ?4), updated_at = ?5
         WHERE account_id = ?1 AND wa_id = ?2 AND known = 0",
        "UPDATE contacts SET known = 1, display_name = COALESCE(display_name, ?4), updated_at = ?5
         WHERE account_id = ?1 AND phone = ?3 AND known = 0",
    ] {
        marked += conn
            .prepare_cached(sql)?
            .execute(params![account_id, wa_id, phone, name, now])?;
    }
    Ok(inserted + marked > 0)
}

/// How many contacts of a number are in the owner's address book.
pub fn known_count(conn: &Connection, account_id: i64) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT COUNT(*) FROM contacts WHERE account_id = ?1 AND known = 1",
        [account_id],
        |r| r.get(0),
    )
}

/// Forgets a number's address book (the people stay as customers); how many were known.
pub fn forget_known(conn: &Connection, account_id: i64, now: i64) -> rusqlite::Result<u32> {
    let cleared = conn.execute(
        "UPDATE contacts SET known = 0, updated_at = ?2 WHERE account_id = ?1 AND known = 1",
        params![account_id, now],
    )?;
    Ok(u32::try_from(cleared).unwrap_or(u32::MAX))
}
