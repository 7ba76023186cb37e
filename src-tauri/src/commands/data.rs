//! The owner's data as files: a backup of the database, the logs folder, and removing
//! everything Leadline keeps on this computer.

use leadline_core::backup::Backup;
use leadline_core::error::Error;
use leadline_core::text;
use leadline_core::text::Text;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

use crate::desktop::Desktop;
use crate::ipc::IpcError;
use crate::log_file::close_log_file;
use crate::state::AppState;

/// What the owner types (in their language the window shows the phrase) is checked in the
/// window; the command itself wants this exact value, so no stray call can remove data.
pub const REMOVE_CONFIRMATION: &str = "remove-all-data";

/// A copy of the database in the Downloads folder, consistent while the bots run.
#[tauri::command]
pub async fn app_backup(state: State<'_, AppState>) -> Result<Backup, IpcError> {
    let dir = state.export_dir();
    Ok(state.core()?.backup_database(&dir).await?)
}

/// Opens the logs folder in the file manager.
#[tauri::command]
pub async fn app_open_logs<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    let dir = state.log_dir();
    let desktop = app.try_state::<Desktop>().ok_or_else(|| {
        IpcError::from(Error::Unavailable(text!(
            "desktop.no_file_manager",
            "Leadline can't open folders here. The logs are in {folder}.",
            folder = dir.display()
        )))
    })?;
    let _ = std::fs::create_dir_all(&dir);
    desktop.open_folder(&dir).map_err(|e| {
        IpcError::from(Error::Unavailable(text!(
            "desktop.open_failed",
            "The folder {folder} could not be opened ({error}). Open it from your file manager.",
            folder = dir.display(),
            error = e
        )))
    })
}

/// What "Remove all data" did.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataRemoved {
    /// Set when the API keys could not be removed from the keychain: what to do by hand.
    pub keys_left: Option<Text>,
    /// True when Leadline closes itself now (the app); false in tests.
    pub closing: bool,
}

/// Removes everything Leadline keeps: numbers' links (browser profiles), conversations,
/// leads, settings, logs and the API keys in the keychain; then the app closes. Exports
/// and backups in the Downloads folder are the owner's files and stay.
#[tauri::command]
pub async fn app_remove_data<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    confirm: String,
) -> Result<DataRemoved, IpcError> {
    if confirm != REMOVE_CONFIRMATION {
        return Err(IpcError::from(Error::InvalidInput(text!(
            "data.not_confirmed",
            "Nothing was removed: confirm first."
        ))));
    }
    tracing::warn!("the owner asked to remove all data");
    let keys_left = match state.core() {
        Ok(core) => match async {
            core.forget_all_ai_keys().await?;
            core.forget_all_webhook_secrets().await
        }
        .await
        {
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, "API keys could not be removed from the keychain");
                Some(text!(
                    "data.keys_left",
                    "The API keys could not be removed from the keychain ({detail}). Remove the entries named “Leadline AI provider” in your keychain app.",
                    detail = e
                ))
            }
        },
        Err(_) => None,
    };
    state.stop_browsers().await;
    tracing::warn!("removing all data; the log file closes now");
    close_log_file(&app);
    state.remove_all_files()?;
    let closing = app.try_state::<Desktop>().is_some();
    if closing {
        // After the answer reaches the window, so it can say what happened.
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            app.exit(0);
        });
    }
    Ok(DataRemoved { keys_left, closing })
}
