//! Queries on `app_settings`: JSON values under fixed keys. The app's own settings are read
//! and written here as one `AppSettings`, each under its key, so that adding a setting never
//! needs a migration, and a value this build can't read falls back to its default.

use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::model::settings::AppSettings;

const THEME: &str = "theme";
const BROWSER_PATH: &str = "browser_path";
const WHATSAPP_URL: &str = "whatsapp_url";
const LANGUAGE: &str = "language";
const DETAILED_LOGS_UNTIL: &str = "detailed_logs_until";
const AI_SPEND_PER_HOUR: &str = "ai_spend_per_hour_micros";
const MEDIA_KEEP_DAYS: &str = "media_keep_days";
const VOICE: &str = "voice_hearing";

/// The app's settings: each key read on its own; a value this build can't read falls back
/// to its default (logged), a key a newer build wrote is kept for it and ignored here.
pub fn settings(conn: &Connection) -> rusqlite::Result<AppSettings> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM app_settings")?;
    let pairs = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut settings = AppSettings::default();
    for (key, json) in pairs {
        let applied = match key.as_str() {
            THEME => serde_json::from_str(&json).map(|v| settings.theme = v),
            BROWSER_PATH => serde_json::from_str(&json).map(|v| settings.browser_path = v),
            WHATSAPP_URL => serde_json::from_str(&json).map(|v| settings.whatsapp_url = v),
            LANGUAGE => serde_json::from_str(&json).map(|v| settings.language = v),
            DETAILED_LOGS_UNTIL => {
                serde_json::from_str(&json).map(|v| settings.detailed_logs_until = v)
            }
            AI_SPEND_PER_HOUR => {
                serde_json::from_str(&json).map(|v| settings.ai_spend_per_hour_micros = v)
            }
            MEDIA_KEEP_DAYS => serde_json::from_str(&json).map(|v| settings.media_keep_days = v),
            VOICE => serde_json::from_str(&json).map(|v| settings.voice = v),
            _ => Ok(()),
        };
        if let Err(e) = applied {
            tracing::warn!(key, error = %e, "unreadable setting, using its default");
        }
    }
    Ok(settings)
}

/// Saves every setting under its key.
pub fn set_settings(conn: &Connection, settings: &AppSettings, now: i64) -> Result<()> {
    let json = |value: serde_json::Result<String>| {
        value.map_err(|e| Error::Internal(format!("a setting could not be saved: {e}")))
    };
    let pairs = [
        (THEME, json(serde_json::to_string(&settings.theme))?),
        (
            BROWSER_PATH,
            json(serde_json::to_string(&settings.browser_path))?,
        ),
        (
            WHATSAPP_URL,
            json(serde_json::to_string(&settings.whatsapp_url))?,
        ),
        (LANGUAGE, json(serde_json::to_string(&settings.language))?),
        (
            DETAILED_LOGS_UNTIL,
            json(serde_json::to_string(&settings.detailed_logs_until))?,
        ),
        (
            AI_SPEND_PER_HOUR,
            json(serde_json::to_string(&settings.ai_spend_per_hour_micros))?,
        ),
        (
            MEDIA_KEEP_DAYS,
            json(serde_json::to_string(&settings.media_keep_days))?,
        ),
        (VOICE, json(serde_json::to_string(&settings.voice))?),
    ];
    for (key, json) in &pairs {
        put(conn, key, json, now)?;
    }
    Ok(())
}

/// The "Pause all bots" switch's key (not part of `AppSettings`: the settings form must
/// never undo a pause made from the tray while it was open).
const BOTS_PAUSED: &str = "bots_paused";

/// Whether every bot is paused, as stored (an unreadable value counts as not paused).
pub fn bots_paused(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(get(conn, BOTS_PAUSED)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or(false))
}

pub fn set_bots_paused(conn: &Connection, paused: bool, now: i64) -> rusqlite::Result<()> {
    put(
        conn,
        BOTS_PAUSED,
        if paused { "true" } else { "false" },
        now,
    )
}

pub fn put(conn: &Connection, key: &str, json: &str, now: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO app_settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, json, now],
    )?;
    Ok(())
}

/// The JSON stored under `key`, if any.
pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached("SELECT value FROM app_settings WHERE key = ?1")?
        .query_row(params![key], |r| r.get(0))
        .optional()
}

/// Removes the value under `key`, if any.
pub fn delete(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM app_settings WHERE key = ?1", [key])?;
    Ok(())
}
