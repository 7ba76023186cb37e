//! App-wide settings, stored as one JSON value per key so that adding a setting never needs
//! a migration, and a value this build can't read falls back to its default.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Leadline;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::store::app_settings;

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
}

const THEME: &str = "theme";

impl AppSettings {
    fn from_pairs(pairs: Vec<(String, String)>) -> AppSettings {
        let mut settings = AppSettings::default();
        for (key, json) in pairs {
            let applied = match key.as_str() {
                THEME => serde_json::from_str(&json).map(|v| settings.theme = v),
                // Written by a newer build: keep it for that build, ignore it here.
                _ => Ok(()),
            };
            if let Err(e) = applied {
                tracing::warn!(key, error = %e, "unreadable setting, using its default");
            }
        }
        settings
    }

    fn to_pairs(&self) -> Result<Vec<(&'static str, String)>> {
        let json = |value: serde_json::Result<String>| {
            value.map_err(|e| Error::Internal(format!("a setting could not be saved: {e}")))
        };
        Ok(vec![(THEME, json(serde_json::to_string(&self.theme))?)])
    }
}

impl Leadline {
    pub async fn settings(&self) -> Result<AppSettings> {
        let pairs = self.store.call(|conn| Ok(app_settings::all(conn)?)).await?;
        Ok(AppSettings::from_pairs(pairs))
    }

    pub async fn set_settings(&self, settings: AppSettings) -> Result<AppSettings> {
        let pairs = settings.to_pairs()?;
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                for (key, json) in &pairs {
                    app_settings::put(&tx, key, json, now)?;
                }
                tx.commit().map_err(Error::from)
            })
            .await?;
        (self.events)(CoreEvent::SettingsChanged(settings.clone()));
        Ok(settings)
    }
}
