//! App-wide settings.

use leadline_core::settings::AppSettings;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<AppSettings, IpcError> {
    Ok(state.core()?.settings().await?)
}

#[tauri::command]
pub async fn settings_set(
    state: State<'_, AppState>,
    settings: AppSettings,
) -> Result<AppSettings, IpcError> {
    Ok(state.core()?.set_settings(settings).await?)
}
