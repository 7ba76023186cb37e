//! Whether the app can work, and where its files are.

use tauri::State;

use crate::ipc::IpcError;
use crate::state::{AppState, AppStatus};

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    Ok(state.status())
}

/// Opens the database again, after the owner fixed what the start-up error said.
#[tauri::command]
pub async fn app_retry_open(state: State<'_, AppState>) -> Result<AppStatus, IpcError> {
    // Runs on this async worker: it happens once, when the owner clicks "Try again", and
    // the window has nothing else to do until it answers.
    state.retry_open();
    Ok(state.status())
}
