//! Voice notes heard on this computer (the speech models, downloaded, chosen and removed) or
//! by the owner's AI provider.

use leadline_core::model::settings::AppSettings;
use leadline_core::model::speech::SpeechModel;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn speech_models(state: State<'_, AppState>) -> Result<Vec<SpeechModel>, IpcError> {
    Ok(state.desktop()?.speech_models().await?)
}

/// Downloads a model (progress as `model:progress` events); the list once it is checked.
#[tauri::command]
pub async fn speech_model_install(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<SpeechModel>, IpcError> {
    Ok(state.desktop()?.install_speech_model(&id).await?)
}

/// Stops a download, keeping what came for Resume.
#[tauri::command]
pub fn speech_model_cancel(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    state.desktop()?.cancel_speech_download(&id);
    Ok(())
}

/// Hears voice notes with a downloaded model, or none.
#[tauri::command]
pub async fn speech_model_use(
    state: State<'_, AppState>,
    id: Option<String>,
) -> Result<Vec<SpeechModel>, IpcError> {
    Ok(state.desktop()?.use_speech_model(id.as_deref()).await?)
}

/// Removes a model from this computer (hearing stops first if it is in use).
#[tauri::command]
pub async fn speech_model_remove(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<SpeechModel>, IpcError> {
    Ok(state.desktop()?.remove_speech_model(&id).await?)
}

/// Hears voice notes by the owner's AI provider `provider` (one that can hear); the
/// settings as saved.
#[tauri::command]
pub async fn speech_use_provider(
    state: State<'_, AppState>,
    provider: String,
) -> Result<AppSettings, IpcError> {
    Ok(state.desktop()?.hear_by_provider(&provider).await?)
}
