//! Where a number's browser profile lives, and the file in it that names its browser.

use std::path::{Path, PathBuf};

/// Where a number's browser profile lives, under the profiles folder.
pub fn profile_dir(profiles: &Path, account_id: i64) -> PathBuf {
    profiles.join(account_id.to_string())
}

/// The file in a profile that names its browser's PID while one runs.
pub(super) const PID_FILE: &str = "leadline-browser.pid";
