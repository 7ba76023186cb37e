//! Logs go to daily-rotated files in the OS log dir, and to stderr in debug builds.

use std::path::Path;

pub use tracing_appender::non_blocking::WorkerGuard as LogGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// How many daily files to keep: a week of history is enough to debug a customer report.
const KEPT_LOG_FILES: usize = 7;

/// Starts logging into `log_dir`. Keep the returned guard alive for the life of the app:
/// dropping it flushes and stops the writer thread.
pub fn init(log_dir: &Path) -> Result<LogGuard, String> {
    std::fs::create_dir_all(log_dir).map_err(|e| {
        format!(
            "Leadline can't create its log folder {}: {e}",
            log_dir.display()
        )
    })?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("leadline")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)
        .map_err(|e| format!("Leadline can't write logs in {}: {e}", log_dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);

    let filter = EnvFilter::try_from_env("LEADLINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,leadline=debug,leadline_core=debug"));
    let file_layer = fmt::layer().with_writer(writer).with_ansi(false);
    let stderr_layer = cfg!(debug_assertions).then(|| fmt::layer().with_writer(std::io::stderr));
    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .map_err(|e| format!("logging was already started: {e}"))?;
    Ok(guard)
}
