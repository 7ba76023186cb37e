//! Queries on `account_settings`: one row per number, created with it.

use rusqlite::{Connection, params};

/// Creates the settings row a new number starts with (the table's defaults).
pub fn create_defaults(conn: &Connection, account_id: i64, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO account_settings (account_id, updated_at) VALUES (?1, ?2)",
        params![account_id, now],
    )?;
    Ok(())
}

/// A number's AI settings as stored: prompt, facts, fields (JSON), criteria, provider, model.
pub struct AiRow {
    pub prompt: String,
    pub facts: String,
    pub fields_json: String,
    pub criteria: String,
    pub provider: Option<String>,
    pub model: Option<String>,
}

pub fn ai(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<AiRow>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT prompt, business_facts, lead_fields, qualification, ai_provider, ai_model
         FROM account_settings WHERE account_id = ?1",
        params![account_id],
        |r| {
            Ok(AiRow {
                prompt: r.get(0)?,
                facts: r.get(1)?,
                fields_json: r.get(2)?,
                criteria: r.get(3)?,
                provider: r.get(4)?,
                model: r.get(5)?,
            })
        },
    )
    .optional()
}

/// Saves a number's AI settings; false if the number has no settings row (it is gone).
pub fn set_ai(conn: &Connection, account_id: i64, row: &AiRow, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE account_settings SET prompt = ?2, business_facts = ?3, lead_fields = ?4,
             qualification = ?5, ai_provider = ?6, ai_model = ?7, updated_at = ?8
         WHERE account_id = ?1",
        params![
            account_id,
            row.prompt,
            row.facts,
            row.fields_json,
            row.criteria,
            row.provider,
            row.model,
            now
        ],
    )?;
    Ok(changed == 1)
}

/// What the bot pipeline reads for a number: behaviour and hours (JSON), and the pause.
pub struct BotRow {
    pub bot_enabled: bool,
    pub behaviour_json: String,
    pub hours_json: String,
    pub paused_until: Option<i64>,
}

pub fn bot(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<BotRow>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT bot_enabled, behaviour, hours, bot_paused_until FROM account_settings WHERE account_id = ?1",
        params![account_id],
        |r| {
            Ok(BotRow {
                bot_enabled: r.get(0)?,
                behaviour_json: r.get(1)?,
                hours_json: r.get(2)?,
                paused_until: r.get(3)?,
            })
        },
    )
    .optional()
}

pub fn set_bot(
    conn: &Connection,
    account_id: i64,
    bot_enabled: bool,
    behaviour_json: &str,
    hours_json: &str,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE account_settings SET bot_enabled = ?2, behaviour = ?3, hours = ?4, updated_at = ?5 WHERE account_id = ?1",
        params![account_id, bot_enabled, behaviour_json, hours_json, now],
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
