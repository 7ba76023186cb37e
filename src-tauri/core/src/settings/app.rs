//! App-wide settings: read, checked and saved, and announced when they change.

use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::settings::{AppSettings, LANGUAGES, MAX_MEDIA_KEEP_DAYS};
use crate::store::app_settings;
use crate::text;

impl Leadline {
    pub async fn settings(&self) -> Result<AppSettings> {
        let mut settings = self
            .store
            .call(|conn| Ok(app_settings::settings(conn)?))
            .await?;
        settings.detailed_logs_until =
            detailed_logs_in_force(settings.detailed_logs_until, self.clock.now_ms());
        Ok(settings)
    }

    pub async fn set_settings(&self, settings: AppSettings) -> Result<AppSettings> {
        let now = self.clock.now_ms();
        let settings = checked(settings, now)?;
        let saved = settings.clone();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                app_settings::set_settings(&tx, &saved, now)?;
                tx.commit().map_err(Error::from)
            })
            .await?;
        (self.events)(CoreEvent::SettingsChanged(settings.clone()));
        Ok(settings)
    }
}

/// Trims the owner's input, turns blanks into "not set", and refuses what can't work,
/// saying what to do instead.
fn checked(mut settings: AppSettings, now: i64) -> Result<AppSettings> {
    settings.detailed_logs_until = detailed_logs_in_force(settings.detailed_logs_until, now);
    let blank_to_none = |value: Option<String>| {
        value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    settings.browser_path = blank_to_none(settings.browser_path);
    settings.whatsapp_url = blank_to_none(settings.whatsapp_url);
    settings.language = blank_to_none(settings.language);
    if let Some(days) = settings.media_keep_days
        && !(1..=MAX_MEDIA_KEEP_DAYS).contains(&days)
    {
        return Err(Error::InvalidInput(text!(
            "settings.media_keep_days",
            "Keep customers' files for 1 to 3650 days (ten years)."
        )));
    }
    if let Some(language) = &settings.language {
        if !LANGUAGES.contains(&language.as_str()) {
            return Err(Error::InvalidInput(text!(
                "settings.language",
                "Leadline is not translated into “{language}” yet (English, Spanish, Portuguese and Arabic are).",
                language = language.chars().take(20).collect::<String>()
            )));
        }
    }
    if let Some(path) = &settings.browser_path {
        if !crate::whatsapp::browser::is_chromium_family(std::path::Path::new(path)) {
            return Err(Error::InvalidInput(text!(
                "settings.browser_not_chromium",
                "Leadline can use “{path}” only if it is Chrome, Chromium, Edge or Brave. Enter the full path of one of them, or leave it empty and Leadline finds one.",
                path = path
            )));
        }
    }
    if let Some(url) = &settings.whatsapp_url {
        match crate::net::acceptable(url) {
            Ok(_) => {}
            Err(crate::net::Refused::Insecure) => {
                return Err(Error::InvalidInput(text!(
                    "settings.wa_url_insecure",
                    "“{url}” is not encrypted. WhatsApp's address must start with https:// (plain http:// only on this computer), or leave it empty to use WhatsApp's own.",
                    url = url
                )));
            }
            Err(crate::net::Refused::NotWeb) => {
                return Err(Error::InvalidInput(text!(
                    "settings.wa_url",
                    "“{url}” is not a web address. It must start with https://, or leave it empty to use WhatsApp's own.",
                    url = url
                )));
            }
        }
    }
    Ok(settings)
}

/// Detailed logs end by themselves: never more than a day ahead, and off once past.
fn detailed_logs_in_force(until: Option<i64>, now: i64) -> Option<i64> {
    until
        .filter(|until| *until > now)
        .map(|until| until.min(now.saturating_add(crate::logging::DETAILED_FOR_MS)))
}
