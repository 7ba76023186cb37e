//! "Start Leadline when I log in": off until the owner turns it on in Settings. At login
//! Leadline starts in the background (tray only), the bots answering.

use leadline_core::error::Error;
use leadline_core::text;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_autostart::AutoLaunchManager;

use crate::ipc::IpcError;

fn unavailable(detail: impl std::fmt::Display) -> IpcError {
    IpcError::from(Error::Unavailable(text!(
        "autostart.unavailable",
        "Leadline can't set itself to start when you log in on this computer ({detail}). You can add it to your desktop's startup applications yourself.",
        detail = detail
    )))
}

fn manager<R: Runtime>(
    app: &AppHandle<R>,
) -> Result<tauri::State<'_, AutoLaunchManager>, IpcError> {
    app.try_state::<AutoLaunchManager>()
        .ok_or_else(|| unavailable("no start-at-login support in this build"))
}

/// Whether Leadline starts when the owner logs in.
#[tauri::command]
pub async fn autostart_get<R: Runtime>(app: AppHandle<R>) -> Result<bool, IpcError> {
    manager(&app)?.is_enabled().map_err(unavailable)
}

/// Turns starting at login on or off; answers what is in force afterwards.
#[tauri::command]
pub async fn autostart_set<R: Runtime>(app: AppHandle<R>, enabled: bool) -> Result<bool, IpcError> {
    let manager = manager(&app)?;
    if enabled {
        // The plugin creates ~/.config/autostart but not ~/.config (a fresh account).
        #[cfg(target_os = "linux")]
        if let Ok(home) = app.path().home_dir() {
            let _ = std::fs::create_dir_all(home.join(".config"));
        }
        manager.enable().map_err(unavailable)?;
    } else {
        manager.disable().map_err(unavailable)?;
    }
    let now = manager.is_enabled().map_err(unavailable)?;
    tracing::info!(enabled = now, "start at login changed");
    Ok(now)
}
