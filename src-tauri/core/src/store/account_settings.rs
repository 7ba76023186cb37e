//! Queries on `account_settings`: one row per number, created with it. Its JSON columns
//! (the assistant's lead fields, the bot's behaviour and hours) are read into their types
//! here and nowhere else; a value this build can't read falls back (the defaults, no
//! fields, always open), and that is logged once per number and column.

use std::collections::BTreeSet;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::behaviour::Behaviour;
use crate::model::bot_start::BotStart;
use crate::model::lead_field::LeadField;
use crate::model::number_ai::NumberAi;
use crate::model::schedule::Schedule;

/// Creates the settings row a new number starts with: the table's defaults, its assistant
/// waiting to be tried or switched on before it answers anyone (`BotStart::Waiting`).
pub fn create_defaults(conn: &Connection, account_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO account_settings (account_id, bot_enabled, bot_started_by, updated_at)
         VALUES (?1, 0, ?2, ?3)",
        params![account_id, BotStart::Waiting.as_str(), now],
    )?;
    Ok(())
}

/// The (number, column) pairs already logged as unreadable: once each per run, not on
/// every turn that reads them.
static UNREADABLE: Mutex<BTreeSet<(i64, &'static str)>> = Mutex::new(BTreeSet::new());

/// `json` read as a `T`, or `fallback` (logged once for this number and column).
fn read_or<T: serde::de::DeserializeOwned>(
    account_id: i64,
    column: &'static str,
    json: &str,
    fallback: impl FnOnce() -> T,
) -> T {
    match serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => {
            let first = UNREADABLE
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert((account_id, column));
            if first {
                tracing::warn!(account_id, column, error = %e, "an unreadable setting; using its fallback");
            }
            fallback()
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// A number's assistant: instructions, facts, the lead fields (none when unreadable),
/// criteria, provider and model.
pub fn ai(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<NumberAi>> {
    conn.query_row(
        "SELECT prompt, business_facts, lead_fields, qualification, ai_provider, ai_model
         FROM account_settings WHERE account_id = ?1",
        params![account_id],
        |r| {
            let fields: String = r.get(2)?;
            Ok(NumberAi {
                prompt: r.get(0)?,
                facts: r.get(1)?,
                fields: read_or::<Vec<LeadField>>(account_id, "lead_fields", &fields, Vec::new),
                criteria: r.get(3)?,
                provider: r.get(4)?,
                model: r.get(5)?,
            })
        },
    )
    .optional()
}

/// Saves a number's assistant; false if the number has no settings row (it is gone).
pub fn set_ai(
    conn: &Connection,
    account_id: i64,
    ai: &NumberAi,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE account_settings SET prompt = ?2, business_facts = ?3, lead_fields = ?4,
             qualification = ?5, ai_provider = ?6, ai_model = ?7, updated_at = ?8
         WHERE account_id = ?1",
        params![
            account_id,
            ai.prompt,
            ai.facts,
            to_json(&ai.fields)?,
            ai.criteria,
            ai.provider,
            ai.model,
            now
        ],
    )?;
    Ok(changed == 1)
}

/// What the bot reads for a number: its switch, behaviour, working hours and pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotRow {
    pub bot_enabled: bool,
    /// Why it answers or not (a word this build can't read is taken as the owner's).
    pub started_by: BotStart,
    /// The defaults when unreadable.
    pub behaviour: Behaviour,
    /// `None`: always open (none set up, or unreadable).
    pub schedule: Option<Schedule>,
    /// The owner paused the whole number until then (`!pause`).
    pub paused_until: Option<i64>,
}

pub fn bot(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<BotRow>> {
    conn.prepare_cached(
        "SELECT bot_enabled, behaviour, hours, bot_paused_until, bot_started_by
         FROM account_settings WHERE account_id = ?1",
    )?
    .query_row(params![account_id], |r| {
        let behaviour: String = r.get(1)?;
        let hours: String = r.get(2)?;
        Ok(BotRow {
            bot_enabled: r.get(0)?,
            started_by: BotStart::parse(&r.get::<_, String>(4)?).unwrap_or_default(),
            behaviour: read_or(account_id, "behaviour", &behaviour, Behaviour::default),
            schedule: schedule_of(account_id, &hours),
            paused_until: r.get(3)?,
        })
    })
    .optional()
}

/// The stored hours: `{}` (the default) is none set up.
fn schedule_of(account_id: i64, json: &str) -> Option<Schedule> {
    let unset = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json)
        .is_ok_and(|object| object.is_empty());
    if unset {
        return None;
    }
    read_or(account_id, "hours", json, || None)
}

/// Saves a number's switch, behaviour and hours (`None`: always open); false if the number
/// is gone.
pub fn set_bot(
    conn: &Connection,
    account_id: i64,
    bot_enabled: bool,
    behaviour: &Behaviour,
    schedule: Option<&Schedule>,
    now: i64,
) -> rusqlite::Result<bool> {
    let hours = match schedule {
        Some(schedule) => to_json(schedule)?,
        None => "{}".to_string(),
    };
    let changed = conn.execute(
        "UPDATE account_settings SET bot_enabled = ?2, behaviour = ?3, hours = ?4, updated_at = ?5 WHERE account_id = ?1",
        params![account_id, bot_enabled, to_json(behaviour)?, hours, now],
    )?;
    Ok(changed == 1)
}

/// Records that the owner switched the number's assistant on or off themselves.
pub fn set_started_by_owner(conn: &Connection, account_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE account_settings SET bot_started_by = ?2 WHERE account_id = ?1",
        params![account_id, BotStart::Owner.as_str()],
    )?;
    Ok(())
}

/// Switches on a number's assistant that was waiting to be tried (it just answered in the
/// Playground); true if it was waiting. One the owner switched off stays off.
pub fn start_after_playground(
    conn: &Connection,
    account_id: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE account_settings SET bot_enabled = 1, bot_started_by = ?2, updated_at = ?3
         WHERE account_id = ?1 AND bot_started_by = ?4",
        params![
            account_id,
            BotStart::Playground.as_str(),
            now,
            BotStart::Waiting.as_str()
        ],
    )?;
    Ok(changed == 1)
}

pub fn set_paused_until(
    conn: &Connection,
    account_id: i64,
    until: Option<i64>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE account_settings SET bot_paused_until = ?2 WHERE account_id = ?1",
        params![account_id, until],
    )?;
    Ok(())
}

/// Whether any number has working hours set up (`{}` is none).
pub fn any_hours_set(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM account_settings WHERE hours <> '{}')",
        [],
        |r| r.get(0),
    )
}
