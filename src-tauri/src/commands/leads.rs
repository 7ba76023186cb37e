//! Leads as the owner sees them: pages of the table, one lead in full, edits, CSV export.

use leadline_core::leads::detail::{LeadDetail, LeadEdit};
use leadline_core::leads::export::{ExportProgress, LeadExport, LeadExportRequest};
use leadline_core::model::lead::LeadSummary;
use leadline_core::model::lead::{LeadPage, LeadPageRequest};
use tauri::State;
use tauri::ipc::Channel;

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

/// One page of the Leads table for a filter and sort.
#[tauri::command]
pub async fn leads_page(
    state: State<'_, AppState>,
    request: LeadPageRequest,
) -> Result<LeadPage, IpcError> {
    Ok(state.core()?.lead_page(request).await?)
}

#[tauri::command]
pub async fn lead_get(state: State<'_, AppState>, id: i64) -> Result<LeadDetail, IpcError> {
    Ok(state.core()?.lead_detail(id).await?)
}

#[tauri::command]
pub async fn lead_edit(
    state: State<'_, AppState>,
    id: i64,
    edit: LeadEdit,
) -> Result<LeadDetail, IpcError> {
    Ok(state.core()?.edit_lead(id, edit).await?)
}

/// Saves the leads of the current filter as a CSV file in the Downloads folder, streaming
/// its progress to `on_progress`.
#[tauri::command]
pub async fn leads_export(
    state: State<'_, AppState>,
    request: LeadExportRequest,
    on_progress: Channel<ExportProgress>,
) -> Result<LeadExport, IpcError> {
    let progress = move |step: ExportProgress| {
        // The window stopped listening: the export still finishes.
        let _ = on_progress.send(step);
    };
    Ok(state
        .core()?
        .export_leads(request, state.export_dir(), progress)
        .await?)
}

/// The lead a notification asked to show while the window was closed, once.
#[tauri::command]
pub fn lead_take_pending(pending: tauri::State<'_, crate::notify::PendingLead>) -> Option<i64> {
    pending.take()
}
