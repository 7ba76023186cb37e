//! AI on this computer: the chat models (downloaded, chosen, removed) and the llama.cpp
//! server's state.

use leadline_core::local_ai::choose;
use leadline_core::model::local_ai::LocalAiState;
use leadline_core::model::model_file::ModelFile;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// The chat models, each with its size, memory and state.
#[tauri::command]
pub async fn local_ai_models(state: State<'_, AppState>) -> Result<Vec<ModelFile>, IpcError> {
    Ok(choose::models(&state.core()?).await?)
}

/// Downloads a chat model (progress as `model:progress` events).
#[tauri::command]
pub async fn local_ai_install(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<ModelFile>, IpcError> {
    Ok(choose::install(&state.core()?, &id).await?)
}

/// Stops a download, keeping what came for "Resume".
#[tauri::command]
pub fn local_ai_cancel(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    Ok(choose::cancel(&state.core()?, &id)?)
}

/// "Use AI on this computer" with a downloaded model: the server starts, and it becomes
/// the default AI provider.
#[tauri::command]
pub async fn local_ai_use(
    state: State<'_, AppState>,
    id: String,
) -> Result<LocalAiState, IpcError> {
    Ok(choose::choose(&state.core()?, &id).await?)
}

/// Removes a chat model (AI on this computer stops first if it answers with it).
#[tauri::command]
pub async fn local_ai_remove(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<ModelFile>, IpcError> {
    Ok(choose::remove(&state.core()?, &id).await?)
}

/// The server's state (also announced as `local_ai:state`).
#[tauri::command]
pub async fn local_ai_state(state: State<'_, AppState>) -> Result<LocalAiState, IpcError> {
    Ok(choose::state(&state.core()?).await)
}
