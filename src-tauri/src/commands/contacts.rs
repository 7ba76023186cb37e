//! A number's address book: import (vCard or CSV), count, forget.

use leadline_core::contacts_import::ImportReport;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// Marks the people in a vCard or CSV file's text as known contacts of number `id`.
#[tauri::command]
pub async fn contacts_import(
    state: State<'_, AppState>,
    id: i64,
    text: String,
) -> Result<ImportReport, IpcError> {
    Ok(state.core()?.import_contacts(id, text).await?)
}

#[tauri::command]
pub async fn contacts_known(state: State<'_, AppState>, id: i64) -> Result<u32, IpcError> {
    Ok(state.core()?.known_contacts(id).await?)
}

#[tauri::command]
pub async fn contacts_forget(state: State<'_, AppState>, id: i64) -> Result<u32, IpcError> {
    Ok(state.core()?.forget_known_contacts(id).await?)
}
