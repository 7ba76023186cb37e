//! What the shell keeps between commands: the core once the database opened, or why it
//! could not, plus where the owner's files live.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use leadline_core::Text;
use leadline_core::bot::runner;
use leadline_core::numbers::LinkState;
use leadline_core::runtime::Runtime;
use leadline_core::secrets::Keychain;
use leadline_core::settings::AppSettings;
use leadline_core::whatsapp::chromium::{BrowserChoice, ChromiumSessions};
use leadline_core::whatsapp::whatsapp_url;
use leadline_core::{Clock, EventSink, Leadline, Store, SystemClock};
use serde::Serialize;
use tokio::sync::mpsc;
use ts_rs::TS;

use crate::ipc::IpcError;

/// Where Leadline keeps its files on this computer.
#[derive(Debug, Clone)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    /// Where CSV exports are saved (the Downloads folder).
    pub export_dir: PathBuf,
}

impl AppPaths {
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("leadline.db")
    }

    /// One browser profile per linked number lives here.
    pub fn profiles(&self) -> PathBuf {
        self.data_dir.join("profiles")
    }
}

/// The core and the numbers' browsers, once the database opened.
#[derive(Clone)]
struct Ready {
    core: Leadline,
    runtime: Arc<Runtime>,
    sessions: Arc<ChromiumSessions>,
}

/// The browser and WhatsApp address the owner's settings ask for.
fn browser_choice(settings: &AppSettings) -> BrowserChoice {
    BrowserChoice {
        browser: settings.browser_path.as_ref().map(PathBuf::from),
        url: whatsapp_url(settings.whatsapp_url.as_deref()),
    }
}

/// The answer to "can the app work, and where are its files?", asked by the UI at start.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// False when the database could not be opened; `error` says why and what to do.
    pub ready: bool,
    pub error: Option<IpcError>,
    pub version: String,
    pub database_path: String,
    pub log_dir: String,
    /// Where backups and exports are saved (the Downloads folder).
    pub export_dir: String,
}

pub struct AppState {
    core: RwLock<Result<Ready, IpcError>>,
    events: EventSink,
    keychain: Arc<dyn Keychain>,
    paths: AppPaths,
}

impl AppState {
    /// Opens the database at `paths`; a failure is kept and shown, not fatal.
    pub fn open(paths: AppPaths, events: EventSink, keychain: Arc<dyn Keychain>) -> AppState {
        let core = open_core(&paths, events.clone(), keychain.clone());
        AppState {
            core: RwLock::new(core),
            events,
            keychain,
            paths,
        }
    }

    fn ready(&self) -> Result<Ready, IpcError> {
        match self.core.read() {
            Ok(core) => core.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The core, or the reason the app can't work right now.
    pub fn core(&self) -> Result<Leadline, IpcError> {
        self.ready().map(|ready| ready.core)
    }

    /// The numbers' browsers, or the reason the app can't work right now.
    /// Where CSV exports are saved.
    pub fn export_dir(&self) -> PathBuf {
        self.paths.export_dir.clone()
    }

    pub fn runtime(&self) -> Result<Arc<Runtime>, IpcError> {
        self.ready().map(|ready| ready.runtime)
    }

    /// Saves the owner's settings and applies them to browsers started from now on.
    pub async fn set_settings(&self, settings: AppSettings) -> Result<AppSettings, IpcError> {
        let ready = self.ready()?;
        let saved = ready.core.set_settings(settings).await?;
        ready.sessions.configure(browser_choice(&saved));
        leadline_core::logging::set_detailed_until(saved.detailed_logs_until);
        Ok(saved)
    }

    /// Where the browser for WhatsApp is, with the settings in force, or why there is none.
    pub fn browser_in_use(&self) -> Result<Result<PathBuf, Text>, IpcError> {
        let choice = self.ready()?.sessions.choice();
        Ok(leadline_core::whatsapp::browser::find(choice.browser.as_deref()).map_err(|e| e.text()))
    }

    /// Where the logs are written.
    pub fn log_dir(&self) -> PathBuf {
        self.paths.log_dir.clone()
    }

    /// Deletes the database, the browser profiles and the logs ("Remove all data"; the
    /// browsers are stopped first). The app closes right after: open handles to deleted
    /// files go with it.
    pub fn remove_all_files(&self) -> Result<(), IpcError> {
        let database = self.paths.database();
        let mut files = vec![database.clone()];
        for suffix in ["-wal", "-shm"] {
            let mut name = database.clone().into_os_string();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        for file in files.iter().filter(|f| f.exists()) {
            std::fs::remove_file(file).map_err(|e| removal_failed(file, &e))?;
        }
        for dir in [self.paths.profiles(), self.paths.log_dir.clone()] {
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| removal_failed(&dir, &e))?;
            }
        }
        tracing::warn!("all data removed");
        Ok(())
    }

    /// Stops every number's browser (app exit).
    pub async fn stop_browsers(&self) {
        if let Ok(runtime) = self.runtime() {
            runtime.stop_all().await;
        }
    }

    /// Tries the database again after the owner fixed what the error said.
    pub fn retry_open(&self) {
        if self.core().is_ok() {
            return;
        }
        let reopened = open_core(&self.paths, self.events.clone(), self.keychain.clone());
        match self.core.write() {
            Ok(mut core) => *core = reopened,
            Err(poisoned) => *poisoned.into_inner() = reopened,
        }
    }

    pub fn status(&self) -> AppStatus {
        let core = self.ready();
        AppStatus {
            ready: core.is_ok(),
            error: core.err(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            database_path: self.paths.database().display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
            export_dir: self.paths.export_dir.display().to_string(),
        }
    }
}

fn removal_failed(path: &std::path::Path, e: &std::io::Error) -> IpcError {
    IpcError::from(leadline_core::Error::Unavailable(leadline_core::text!(
        "data.remove_failed",
        "{path} could not be removed ({error}). Close other programs using it and try again, or delete it yourself.",
        path = path.display(),
        error = e
    )))
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

fn open_core(
    paths: &AppPaths,
    events: EventSink,
    keychain: Arc<dyn Keychain>,
) -> Result<Ready, IpcError> {
    let store = Store::open(&paths.database())
        .map_err(|e| IpcError::from(leadline_core::Error::from(e)))?;
    let core = Leadline::new(store, events, clock()).with_keychain(keychain);

    let sessions = Arc::new(ChromiumSessions::new(whatsapp_url(None), clock()));
    // What WhatsApp reports goes to the bot: messages stored at once, then answered; the
    // states through the same channel, in order with them (a later state never lands
    // before an earlier one, nor a message before the state it came in).
    let (bot_tx, bot_rx) = mpsc::unbounded_channel::<runner::Input>();
    let on_state = bot_tx.clone();
    let runtime = Arc::new(Runtime::new(
        sessions.clone(),
        paths.profiles(),
        Arc::new(move |id, event| {
            let _ = bot_tx.send(runner::Input::Event(id, event));
        }),
        Arc::new(move |id, state| {
            let _ = on_state.send(runner::Input::State(id, state.clone()));
        }),
    ));
    tauri::async_runtime::spawn(runner::run(core.clone(), runtime.clone(), bot_rx));

    // Numbers that were linked when the app last ran reconnect by themselves, with the
    // browser and address from Settings.
    let (starter, numbers, chosen) = (runtime.clone(), core.clone(), sessions.clone());
    tauri::async_runtime::spawn(async move {
        match numbers.settings().await {
            Ok(settings) => {
                chosen.configure(browser_choice(&settings));
                crate::language::use_language(settings.language.as_deref());
                leadline_core::logging::set_detailed_until(settings.detailed_logs_until);
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read the settings; using the defaults")
            }
        }
        match numbers.numbers().await {
            Ok(list) => {
                for number in list
                    .into_iter()
                    .filter(|n| n.link_state == LinkState::Linked)
                {
                    starter.start(number.id);
                }
            }
            Err(e) => tracing::error!(error = %e, "could not list the numbers to reconnect"),
        }
    });
    Ok(Ready {
        core,
        runtime,
        sessions,
    })
}
