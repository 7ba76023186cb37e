//! Each number's bot (behaviour, working hours, quick replies) and "Pause all bots".

use leadline_core::bot::settings::NumberBot;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// A number's bot behaviour, working hours and quick replies.
#[tauri::command]
pub async fn number_bot_get(state: State<'_, AppState>, id: i64) -> Result<NumberBot, IpcError> {
    Ok(state.core()?.number_bot(id).await?)
}

#[tauri::command]
pub async fn number_bot_set(
    state: State<'_, AppState>,
    id: i64,
    bot: NumberBot,
) -> Result<NumberBot, IpcError> {
    Ok(state.core()?.set_number_bot(id, bot).await?)
}

/// Whether every bot is paused ("Pause all bots" in the tray or on Home).
#[tauri::command]
pub async fn bots_paused(state: State<'_, AppState>) -> Result<bool, IpcError> {
    Ok(state.core()?.bots_paused().await?)
}

/// Pauses or resumes every bot; the tray and the window hear `bots:paused`.
#[tauri::command]
pub async fn bots_pause(state: State<'_, AppState>, paused: bool) -> Result<bool, IpcError> {
    Ok(state.core()?.set_bots_paused(paused).await?)
}
