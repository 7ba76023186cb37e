//! The audit log and Home's figures.

use leadline_core::reports::activity::{ActivityEntry, ActivityGroup, ActivityQuery};
use leadline_core::reports::home::HomeFigures;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// The newest entries, optionally of one group, one number, or older than `before_id`.
#[tauri::command]
pub async fn activity_list(
    state: State<'_, AppState>,
    limit: u32,
    group: Option<ActivityGroup>,
    number_id: Option<i64>,
    before_id: Option<i64>,
) -> Result<Vec<ActivityEntry>, IpcError> {
    let query = ActivityQuery {
        group,
        number_id,
        before_id,
        limit,
    };
    Ok(state.core()?.activity_page(query).await?)
}

#[tauri::command]
pub async fn home_figures(state: State<'_, AppState>) -> Result<HomeFigures, IpcError> {
    Ok(state.core()?.home_figures().await?)
}
