//! App-wide settings: read, checked and saved, and announced when they change.

pub mod model;

pub(crate) use model::AI_SPEND_PER_HOUR;
pub use model::{AppSettings, LANGUAGES, Theme};

use model::detailed_logs_in_force;

use crate::Leadline;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::store::app_settings;

impl Leadline {
    pub async fn settings(&self) -> Result<AppSettings> {
        let pairs = self.store.call(|conn| Ok(app_settings::all(conn)?)).await?;
        let mut settings = AppSettings::from_pairs(pairs);
        settings.detailed_logs_until =
            detailed_logs_in_force(settings.detailed_logs_until, self.clock.now_ms());
        Ok(settings)
    }

    pub async fn set_settings(&self, settings: AppSettings) -> Result<AppSettings> {
        let now = self.clock.now_ms();
        let settings = settings.checked(now)?;
        let pairs = settings.to_pairs()?;
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
