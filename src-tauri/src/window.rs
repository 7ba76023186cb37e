//! The main window, shown (made when there is none), and quitting for real.

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// Shows the window and brings it to the front, making it when there is none (at start,
/// tray "Open", a second launch, a click on a notification). True when it already existed.
pub fn show_window<R: Runtime>(app: &AppHandle<R>) -> bool {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return true;
    }
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == "main") else {
        tracing::error!("tauri.conf.json has no main window");
        return false;
    };
    match tauri::WebviewWindowBuilder::from_config(app, config).and_then(|b| b.build()) {
        Ok(window) => {
            let _ = window.set_focus();
        }
        Err(e) => tracing::error!(error = %e, "the window could not be opened"),
    }
    false
}

/// Quits for real: every WhatsApp browser is stopped first (up to 15 s), then the app exits.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tracing::info!("quitting: stopping every WhatsApp browser");
        if let Some(state) = app.try_state::<AppState>() {
            let stopped =
                tokio::time::timeout(std::time::Duration::from_secs(15), state.stop_browsers())
                    .await;
            if stopped.is_err() {
                tracing::warn!("browsers did not stop within 15 s; quitting anyway");
            }
        }
        app.exit(0);
    });
}
