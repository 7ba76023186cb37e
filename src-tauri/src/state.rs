//! What the shell keeps between commands: the core once the database opened, or why it
//! could not, plus where the owner's files live.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use leadline_core::app::App;
use leadline_core::clock::SystemClock;
use leadline_core::desktop::{Desktop, DesktopConfig};
use leadline_core::events::EventSink;
use leadline_core::leadline::Leadline;
use leadline_core::model::settings::AppSettings;
use leadline_core::secrets::Keychain;
use leadline_core::text::Text;
use serde::Serialize;
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

    /// Speech models downloaded to hear voice notes.
    pub fn models(&self) -> PathBuf {
        self.data_dir.join("models")
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
    core: RwLock<Result<Desktop, IpcError>>,
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

    fn ready(&self) -> Result<Desktop, IpcError> {
        match self.core.read() {
            Ok(core) => core.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The core, or the reason the app can't work right now.
    pub fn core(&self) -> Result<Leadline, IpcError> {
        self.ready().map(|ready| ready.app.core().clone())
    }

    /// Where CSV exports are saved.
    pub fn export_dir(&self) -> PathBuf {
        self.paths.export_dir.clone()
    }

    /// The running app (its operations take both the data and a number's browser), or the
    /// reason the app can't work right now.
    pub fn app(&self) -> Result<App, IpcError> {
        self.ready().map(|ready| ready.app.clone())
    }

    /// The desktop app's Leadline (speech models and the rest), or the reason the app can't
    /// work right now.
    pub fn desktop(&self) -> Result<Desktop, IpcError> {
        self.ready()
    }

    /// Saves the owner's settings and applies them to browsers started from now on.
    pub async fn set_settings(&self, settings: AppSettings) -> Result<AppSettings, IpcError> {
        Ok(self.ready()?.set_settings(settings).await?)
    }

    /// Where the browser for WhatsApp is, with the settings in force, or why there is none.
    pub fn browser_in_use(&self) -> Result<Result<PathBuf, Text>, IpcError> {
        let choice = self.ready()?.browser_choice();
        Ok(leadline_core::whatsapp::browser::find(choice.browser.as_deref()).map_err(|e| e.text()))
    }

    /// Where the logs are written.
    pub fn log_dir(&self) -> PathBuf {
        self.paths.log_dir.clone()
    }

    /// Deletes the database, the browser profiles and the logs ("Remove all data"; the
    /// browsers are stopped and the log file closed first). The database is closed here,
    /// for good: the app closes right after.
    pub fn remove_all_files(&self) -> Result<(), IpcError> {
        // Closed first: Windows refuses to delete a file a program has open.
        if let Ok(core) = self.core() {
            core.store().close();
        }
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
        for dir in [
            self.paths.profiles(),
            self.paths.models(),
            self.paths.log_dir.clone(),
        ] {
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| removal_failed(&dir, &e))?;
            }
        }
        tracing::warn!("all data removed");
        Ok(())
    }

    /// Stops every number's browser (app exit).
    pub async fn stop_browsers(&self) {
        if let Ok(ready) = self.ready() {
            ready.app.stop().await;
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
    IpcError::from(leadline_core::error::Error::Unavailable(
        leadline_core::text!(
            "data.remove_failed",
            "{path} could not be removed ({error}). Close other programs using it and try again, or delete it yourself.",
            path = path.display(),
            error = e
        ),
    ))
}

/// The llama.cpp server the installer put beside the app (a Tauri sidecar: the bundles
/// name it without its target triple). Debug builds also take `LEADLINE_LLAMA_SERVER`, for
/// tests and development, where no installer ran.
fn llama_server() -> Option<std::path::PathBuf> {
    let name = if cfg!(windows) {
        "llama-server.exe"
    } else {
        "llama-server"
    };
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .filter(|path| path.is_file());
    #[cfg(debug_assertions)]
    if beside.is_none() {
        return std::env::var_os("LEADLINE_LLAMA_SERVER").map(std::path::PathBuf::from);
    }
    beside
}

/// The desktop app's wiring lives in the core (`Desktop::open`).
fn open_core(
    paths: &AppPaths,
    events: EventSink,
    keychain: Arc<dyn Keychain>,
) -> Result<Desktop, IpcError> {
    let config = DesktopConfig {
        database: paths.database(),
        profiles: paths.profiles(),
        models: paths.models(),
        hearing_loader: Arc::new(|path: &std::path::Path| {
            let hearing =
                leadline_voice::hearing::LocalHearing::load(path).map_err(|e| e.to_string())?;
            Ok(Arc::new(hearing) as Arc<dyn leadline_core::media::hearing::Hearing>)
        }),
        llama_server: llama_server(),
        events,
        keychain,
        clock: Arc::new(SystemClock),
    };
    // The core spawns its tasks on the runtime Tauri runs.
    let _runtime = tauri::async_runtime::handle().inner().enter();
    Ok(Desktop::open(config)?)
}
