//! Desktop notifications: whether they can show here, and a sample one.

use tauri::{AppHandle, Runtime};

use crate::ipc::IpcError;
use crate::notify::{self, NotificationsStatus};

/// Whether a notification service answers on this computer.
#[tauri::command]
pub async fn notifications_status() -> Result<NotificationsStatus, IpcError> {
    tokio::task::spawn_blocking(notify::status)
        .await
        .map_err(|e| IpcError::from(leadline_core::error::Error::Internal(e.to_string())))
}

/// Shows a sample lead notification.
#[tauri::command]
pub async fn notifications_test<R: Runtime>(
    app: AppHandle<R>,
) -> Result<NotificationsStatus, IpcError> {
    let status = tokio::task::spawn_blocking(notify::status)
        .await
        .map_err(|e| IpcError::from(leadline_core::error::Error::Internal(e.to_string())))?;
    if status.available {
        notify::show_test(&app);
    }
    Ok(status)
}
