//! A number's address book: import (vCard or CSV), count, forget.

use leadline_core::contacts::import::ImportReport;
use leadline_core::error::Error;
use leadline_core::text;
use tauri::State;
use tauri::ipc::{InvokeBody, Request};

use crate::ipc::IpcError;
use crate::state::AppState;

/// The header that carries a file command's other arguments (JSON) beside its raw body.
pub const ARGS_HEADER: &str = "leadline-args";

#[derive(serde::Deserialize)]
struct ImportArgs {
    id: i64,
}

/// Marks the people in a vCard or CSV file as known contacts of number `id`. The file comes
/// as the request's raw bytes (read in whatever encoding it is written in; a JSON string
/// would have been decoded, wrongly, by the webview), `id` in the `leadline-args` header.
#[tauri::command]
pub async fn contacts_import(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<ImportReport, IpcError> {
    let refused = || {
        IpcError::from(Error::InvalidInput(text!(
            "contacts.no_file",
            "No address book file came with the request. Choose the file again."
        )))
    };
    let args: ImportArgs = request
        .headers()
        .get(ARGS_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str(v).ok())
        .ok_or_else(refused)?;
    let InvokeBody::Raw(file) = request.body() else {
        return Err(refused());
    };
    Ok(state.core()?.import_contacts(args.id, file.clone()).await?)
}

#[tauri::command]
pub async fn contacts_known(state: State<'_, AppState>, id: i64) -> Result<u32, IpcError> {
    Ok(state.core()?.known_contacts(id).await?)
}

#[tauri::command]
pub async fn contacts_forget(state: State<'_, AppState>, id: i64) -> Result<u32, IpcError> {
    Ok(state.core()?.forget_known_contacts(id).await?)
}
