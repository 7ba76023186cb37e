//! Files Leadline writes for the owner (exports, backups): named by the local time, never
//! over an existing file.

use std::path::{Path, PathBuf};

/// `<prefix>-<YYYY-MM-DD-HHMM>.<extension>` in `dir`, with `-2`, `-3`… when taken.
pub(crate) fn free_name(dir: &Path, prefix: &str, extension: &str, now_ms: i64) -> PathBuf {
    let stamp = jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d-%H%M")
                .to_string()
        })
        .unwrap_or_else(|_| "now".into());
    let mut candidate = dir.join(format!("{prefix}-{stamp}.{extension}"));
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{prefix}-{stamp}-{n}.{extension}"));
        n += 1;
    }
    candidate
}
