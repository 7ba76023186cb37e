//! The log file's writer, kept for the life of the app and closed before its folder is
//! deleted.

use tauri::{AppHandle, Manager, Runtime};

/// Keeps the log writer alive for the life of the app (dropping it stops file logging).
pub struct LogGuard(std::sync::Mutex<Option<leadline_core::logging::LogGuard>>);

impl LogGuard {
    pub fn new(guard: leadline_core::logging::LogGuard) -> LogGuard {
        LogGuard(std::sync::Mutex::new(Some(guard)))
    }
}

/// Flushes the log file and closes it (the app's last lines go to nowhere after), so the
/// log folder can be deleted: Windows refuses to delete a file a program has open.
pub fn close_log_file<R: Runtime>(app: &AppHandle<R>) {
    if let Some(guard) = app.try_state::<LogGuard>() {
        let taken = guard
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(taken);
    }
}
