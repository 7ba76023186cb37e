//! Each number's webhook: where qualified leads are posted, and a signed test request.

use leadline_core::leads::webhook::{WebhookCheck, WebhookView};
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

/// A number's webhook: the address and whether a secret is set (never the secret).
#[tauri::command]
pub async fn webhook_get(state: State<'_, AppState>, id: i64) -> Result<WebhookView, IpcError> {
    Ok(state.core()?.webhook(id).await?)
}

/// `secret`: null keeps the stored one, "" removes it.
#[tauri::command]
pub async fn webhook_set(
    state: State<'_, AppState>,
    id: i64,
    url: Option<String>,
    secret: Option<String>,
) -> Result<WebhookView, IpcError> {
    Ok(state.core()?.set_webhook(id, url, secret).await?)
}

/// "Send test": one signed request with a sample lead.
#[tauri::command]
pub async fn webhook_test(state: State<'_, AppState>, id: i64) -> Result<WebhookCheck, IpcError> {
    Ok(state.core()?.send_test_webhook(id).await?)
}
