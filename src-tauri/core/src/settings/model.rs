//! The app-wide settings and how each is stored: one JSON value per key, so that adding a
//! setting never needs a migration, and a value this build can't read falls back to its
//! default.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::text;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system's light or dark mode.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    pub theme: Theme,
    /// The browser program that runs WhatsApp Web; `None`: Leadline finds one.
    pub browser_path: Option<String>,
    /// Where WhatsApp Web is; `None`: WhatsApp's own address. Pointing it elsewhere is for
    /// testing Leadline against a stand-in.
    pub whatsapp_url: Option<String>,
    /// The window's language (`en`, `es`, `pt`, `ar`); `None`: the computer's.
    pub language: Option<String>,
    /// Until when (unix ms) the logs record message texts, contact names, phone numbers
    /// and QR codes, for troubleshooting; at most a day after it is turned on. `None`: off.
    pub detailed_logs_until: Option<i64>,
    /// The most the AI may cost in any hour, in millionths of a US dollar; once reached,
    /// answers wait until the last hour's cost falls below it. `None`: no limit.
    #[serde(default)]
    pub ai_spend_per_hour_micros: Option<u64>,
}

/// The languages the window is translated into.
pub const LANGUAGES: [&str; 4] = ["en", "es", "pt", "ar"];

const THEME: &str = "theme";
const BROWSER_PATH: &str = "browser_path";
const WHATSAPP_URL: &str = "whatsapp_url";
pub(crate) const LANGUAGE: &str = "language";
const DETAILED_LOGS_UNTIL: &str = "detailed_logs_until";
pub(crate) const AI_SPEND_PER_HOUR: &str = "ai_spend_per_hour_micros";

impl AppSettings {
    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> AppSettings {
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
                // Written by a newer build: keep it for that build, ignore it here.
                _ => Ok(()),
            };
            if let Err(e) = applied {
                tracing::warn!(key, error = %e, "unreadable setting, using its default");
            }
        }
        settings
    }

    pub(super) fn to_pairs(&self) -> Result<Vec<(&'static str, String)>> {
        let json = |value: serde_json::Result<String>| {
            value.map_err(|e| Error::Internal(format!("a setting could not be saved: {e}")))
        };
        Ok(vec![
            (THEME, json(serde_json::to_string(&self.theme))?),
            (
                BROWSER_PATH,
                json(serde_json::to_string(&self.browser_path))?,
            ),
            (
                WHATSAPP_URL,
                json(serde_json::to_string(&self.whatsapp_url))?,
            ),
            (LANGUAGE, json(serde_json::to_string(&self.language))?),
            (
                DETAILED_LOGS_UNTIL,
                json(serde_json::to_string(&self.detailed_logs_until))?,
            ),
            (
                AI_SPEND_PER_HOUR,
                json(serde_json::to_string(&self.ai_spend_per_hour_micros))?,
            ),
        ])
    }

    /// Trims the owner's input, turns blanks into "not set", and refuses what can't work,
    /// saying what to do instead.
    pub(super) fn checked(mut self, now: i64) -> Result<AppSettings> {
        self.detailed_logs_until = detailed_logs_in_force(self.detailed_logs_until, now);
        let blank_to_none = |value: Option<String>| {
            value
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        self.browser_path = blank_to_none(self.browser_path);
        self.whatsapp_url = blank_to_none(self.whatsapp_url);
        self.language = blank_to_none(self.language);
        if let Some(language) = &self.language {
            if !LANGUAGES.contains(&language.as_str()) {
                return Err(Error::InvalidInput(text!(
                    "settings.language",
                    "Leadline is not translated into “{language}” yet (English, Spanish, Portuguese and Arabic are).",
                    language = language.chars().take(20).collect::<String>()
                )));
            }
        }
        if let Some(path) = &self.browser_path {
            if !std::path::Path::new(path).is_file() {
                return Err(Error::InvalidInput(text!(
                    "settings.browser_path",
                    "There is no program at “{path}”. Enter the full path of Chrome, Chromium, Edge or Brave, or leave it empty and Leadline finds one.",
                    path = path
                )));
            }
        }
        if let Some(url) = &self.whatsapp_url {
            let web = url.starts_with("https://") || url.starts_with("http://");
            if !web || url.chars().any(char::is_whitespace) {
                return Err(Error::InvalidInput(text!(
                    "settings.wa_url",
                    "“{url}” is not a web address. It must start with https://, or leave it empty to use WhatsApp's own.",
                    url = url
                )));
            }
        }
        Ok(self)
    }
}

/// Detailed logs end by themselves: never more than a day ahead, and off once past.
pub(super) fn detailed_logs_in_force(until: Option<i64>, now: i64) -> Option<i64> {
    until
        .filter(|until| *until > now)
        .map(|until| until.min(now.saturating_add(crate::logging::DETAILED_FOR_MS)))
}

/// The owner's chosen language as stored (`None`: not chosen, or unreadable).
pub(crate) fn stored_language(conn: &rusqlite::Connection) -> rusqlite::Result<Option<String>> {
    Ok(crate::store::app_settings::get(conn, LANGUAGE)?
        .and_then(|json| serde_json::from_str::<Option<String>>(&json).ok().flatten()))
}
