//! The desktop app's Leadline: the database on disk, real Chromium for each number with
//! the browser and address from Settings, and the linked numbers reconnecting.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::App;
use crate::bot::timing::Tuning;
use crate::clock::Clock;
use crate::error::Result;
use crate::events::EventSink;
use crate::leadline::Leadline;
use crate::model::settings::AppSettings;
use crate::secrets::Keychain;
use crate::store::database::Store;
use crate::whatsapp::chromium::{BrowserChoice, ChromiumSessions, test_passkey_from_env};
use crate::whatsapp::page::whatsapp_url;

/// What the desktop app starts Leadline with.
pub struct DesktopConfig {
    pub database: PathBuf,
    pub profiles: PathBuf,
    pub events: EventSink,
    pub keychain: Arc<dyn Keychain>,
    pub clock: Arc<dyn Clock>,
}

/// The desktop app's Leadline: the database on disk, real Chromium for each number with
/// the browser and address from Settings, and the linked numbers reconnecting.
#[derive(Clone)]
pub struct Desktop {
    pub app: App,
    sessions: Arc<ChromiumSessions>,
}

impl Desktop {
    /// Opens the database (a failure is returned, nothing started) and starts everything
    /// else.
    pub fn open(config: DesktopConfig) -> Result<Desktop> {
        let store = Store::open(&config.database)?;
        let core = Leadline::new(store, config.events, config.clock.clone())
            .with_keychain(config.keychain);
        let url = whatsapp_url(None);
        let mut sessions = ChromiumSessions::new(url.clone(), config.clock);
        sessions.test_passkey = test_passkey_from_env(&url);
        let sessions = Arc::new(sessions);
        let app = App::start(core, sessions.clone(), config.profiles, Tuning::default());
        let desktop = Desktop { app, sessions };
        let starting = desktop.clone();
        tokio::spawn(async move {
            match starting.app.core().settings().await {
                Ok(settings) => starting.apply(&settings),
                Err(e) => {
                    tracing::error!(error = %e, "could not read the settings; using the defaults")
                }
            }
            if let Err(e) = starting.app.reconnect_linked().await {
                tracing::error!(error = %e, "could not list the numbers to reconnect");
            }
        });
        Ok(desktop)
    }

    /// Saves the owner's settings and applies them to browsers started from now on.
    pub async fn set_settings(&self, settings: AppSettings) -> Result<AppSettings> {
        let saved = self.app.core().set_settings(settings).await?;
        self.apply(&saved);
        Ok(saved)
    }

    /// The browser and WhatsApp address in force.
    pub fn browser_choice(&self) -> BrowserChoice {
        self.sessions.choice()
    }

    fn apply(&self, settings: &AppSettings) {
        self.sessions.configure(BrowserChoice {
            browser: settings.browser_path.as_deref().map(PathBuf::from),
            url: whatsapp_url(settings.whatsapp_url.as_deref()),
        });
        crate::logging::set_detailed_until(settings.detailed_logs_until);
        crate::i18n::use_language(settings.language.as_deref());
    }
}
