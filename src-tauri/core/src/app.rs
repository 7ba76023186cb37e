//! Leadline started: the one wiring the desktop app, the tests and the benchmarks share.
//! What each number's page reports goes through the bot's runner (messages stored at once,
//! then answered; states through the same channel, in order with them, so a later state
//! never lands before an earlier one, nor a message before the state it came in).

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;

use crate::bot::runner;
use crate::clock::Clock;
use crate::error::Result;
use crate::events::EventSink;
use crate::leadline::Leadline;
use crate::model::number::LinkState;
use crate::model::settings::AppSettings;
use crate::runtime::tasks::Runtime;
use crate::secrets::Keychain;
use crate::store::database::Store;
use crate::whatsapp::chromium::{BrowserChoice, ChromiumSessions};
use crate::whatsapp::driver::Driver;
use crate::whatsapp::page::whatsapp_url;

/// A running Leadline: its core and the numbers' browsers, wired to the bot.
#[derive(Clone)]
pub struct App {
    core: Leadline,
    runtime: Arc<Runtime>,
}

impl App {
    /// Wires `core` to WhatsApp through `driver` (one browser profile per number under
    /// `profiles`) and starts the bot's runner. Numbers start when asked
    /// (`reconnect_linked`, or the owner's Link). Needs a tokio runtime.
    pub fn start(core: Leadline, driver: Arc<dyn Driver>, profiles: PathBuf) -> App {
        let (to_bot, from_pages) = mpsc::unbounded_channel::<runner::Input>();
        let states = to_bot.clone();
        let runtime = Arc::new(Runtime::new(
            driver,
            profiles,
            Arc::new(move |id, event| {
                let _ = to_bot.send(runner::Input::Event(id, event));
            }),
            Arc::new(move |id, state| {
                let _ = states.send(runner::Input::State(id, state.clone()));
            }),
        ));
        tokio::spawn(runner::run(core.clone(), runtime.clone(), from_pages));
        App { core, runtime }
    }

    pub fn core(&self) -> &Leadline {
        &self.core
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// Starts every number that was linked when the app last ran (the profile keeps the
    /// link, so no new QR).
    pub async fn reconnect_linked(&self) -> Result<usize> {
        let linked: Vec<i64> = self
            .core
            .numbers()
            .await?
            .into_iter()
            .filter(|n| n.link_state == LinkState::Linked)
            .map(|n| n.id)
            .collect();
        for id in &linked {
            self.runtime.start(*id);
        }
        Ok(linked.len())
    }

    /// Stops every number's browser (the app is closing).
    pub async fn stop(&self) {
        self.runtime.stop_all().await;
    }
}

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
        let sessions = Arc::new(ChromiumSessions::new(whatsapp_url(None), config.clock));
        let app = App::start(core, sessions.clone(), config.profiles);
        let desktop = Desktop { app, sessions };
        let starting = desktop.clone();
        tokio::spawn(async move {
            match starting.app.core.settings().await {
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
        let saved = self.app.core.set_settings(settings).await?;
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
