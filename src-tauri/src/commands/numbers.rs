//! The owner's WhatsApp numbers.

use leadline_core::model::number::WaNumber;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn numbers_list(state: State<'_, AppState>) -> Result<Vec<WaNumber>, IpcError> {
    Ok(state.core()?.numbers().await?)
}

#[tauri::command]
pub async fn numbers_add(state: State<'_, AppState>, name: String) -> Result<WaNumber, IpcError> {
    Ok(state.core()?.add_number(&name).await?)
}

#[tauri::command]
pub async fn numbers_rename(
    state: State<'_, AppState>,
    id: i64,
    name: String,
) -> Result<WaNumber, IpcError> {
    Ok(state.core()?.rename_number(id, &name).await?)
}

/// Removes the number; its browser is logged out and its profile deleted first.
#[tauri::command]
pub async fn numbers_remove(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(state.app()?.remove_number(id).await?)
}
