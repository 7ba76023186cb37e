//! What the shell keeps between commands: the core once the database opened, or why it
//! could not, plus where the owner's files live.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use leadline_core::{Clock, EventSink, Leadline, Store, SystemClock};
use serde::Serialize;
use ts_rs::TS;

use crate::ipc::IpcError;

/// Where Leadline keeps its files on this computer.
#[derive(Debug, Clone)]
pub struct AppPaths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl AppPaths {
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("leadline.db")
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
}

pub struct AppState {
    core: RwLock<Result<Leadline, IpcError>>,
    events: EventSink,
    paths: AppPaths,
}

impl AppState {
    /// Opens the database at `paths`; a failure is kept and shown, not fatal.
    pub fn open(paths: AppPaths, events: EventSink) -> AppState {
        let core = open_core(&paths.database(), events.clone());
        AppState {
            core: RwLock::new(core),
            events,
            paths,
        }
    }

    /// The core, or the reason the app can't work right now.
    pub fn core(&self) -> Result<Leadline, IpcError> {
        match self.core.read() {
            Ok(core) => core.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Tries the database again after the owner fixed what the error said.
    pub fn retry_open(&self) {
        if self.core().is_ok() {
            return;
        }
        let reopened = open_core(&self.paths.database(), self.events.clone());
        match self.core.write() {
            Ok(mut core) => *core = reopened,
            Err(poisoned) => *poisoned.into_inner() = reopened,
        }
    }

    pub fn status(&self) -> AppStatus {
        let core = self.core();
        AppStatus {
            ready: core.is_ok(),
            error: core.err(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            database_path: self.paths.database().display().to_string(),
            log_dir: self.paths.log_dir.display().to_string(),
        }
    }
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

fn open_core(db: &Path, events: EventSink) -> Result<Leadline, IpcError> {
    let store = Store::open(db).map_err(|e| IpcError::from(leadline_core::Error::from(e)))?;
    Ok(Leadline::new(store, events, clock()))
}
