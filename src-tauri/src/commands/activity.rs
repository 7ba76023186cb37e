//! The audit log.

use leadline_core::activity::ActivityEntry;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn activity_list(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<ActivityEntry>, IpcError> {
    Ok(state.core()?.activity(limit).await?)
}
