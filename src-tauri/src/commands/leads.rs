//! Leads as the owner sees them.

use leadline_core::leads::LeadSummary;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// The leads with the newest activity.
#[tauri::command]
pub async fn leads_latest(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<LeadSummary>, IpcError> {
    Ok(state.core()?.latest_leads(limit).await?)
}
