//! "Pause all bots": one switch over every number, from the tray or Home. While it is on,
//! messages are still stored and shown, and nobody gets an automatic answer. It is kept in
//! the database, so a paused app stays paused after a restart.

use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::store::{activity, app_settings};

/// The app-settings key (not part of `AppSettings`: the settings form must never undo a
/// pause made from the tray while it was open).
pub(crate) const KEY: &str = "bots_paused";

/// Whether every bot is paused, as stored (an unreadable value counts as not paused).
pub(crate) fn is_paused(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    Ok(app_settings::get(conn, KEY)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or(false))
}

impl Leadline {
    pub async fn bots_paused(&self) -> Result<bool> {
        self.store.call(|conn| Ok(is_paused(conn)?)).await
    }

    /// Pauses (or resumes) every number's bot; audited and announced when it changes.
    pub async fn set_bots_paused(&self, paused: bool) -> Result<bool> {
        let now = self.clock.now_ms();
        let changed = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                if is_paused(&tx)? == paused {
                    return Ok(false);
                }
                app_settings::put(&tx, KEY, if paused { "true" } else { "false" }, now)?;
                let (variant, message) = if paused {
                    ("on", "Paused every bot: nobody gets an automatic answer")
                } else {
                    ("off", "Resumed every bot")
                };
                activity::insert_with(
                    &tx,
                    None,
                    "bots_paused",
                    message,
                    &[("variant", variant)],
                    now,
                )?;
                tx.commit().map_err(Error::from)?;
                Ok(true)
            })
            .await?;
        if changed {
            (self.events)(CoreEvent::BotsPaused { paused });
        }
        Ok(paused)
    }
}
