//! One Leadline per data folder: the name its single-instance guard holds, shared by the
//! app and the tests that wait for a closed app to let go of it.

use std::ffi::OsStr;

/// The app's identifier, as in `tauri.conf.json`.
pub const APP_ID: &str = "app.leadline.desktop";

/// The usual data folder shares the app's identifier; each other folder (tests, power
/// users) gets its own, so two folders run side by side and one folder never twice. The
/// name is valid as a D-Bus name (Linux) and a mutex and window-class name (Windows):
/// letters, digits, `_` and dots.
pub fn single_instance_id(data_dir: Option<&OsStr>) -> String {
    match data_dir.filter(|dir| !dir.is_empty()) {
        Some(dir) => {
            // FNV-1a: stable across builds and platforms, unlike the standard hasher.
            let hash = dir
                .as_encoded_bytes()
                .iter()
                .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                    (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
                });
            format!("{APP_ID}.data_{hash:016x}")
        }
        None => APP_ID.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_data_folder_has_its_own_stable_name_and_the_usual_one_the_apps() {
        assert_eq!(single_instance_id(None), APP_ID);
        assert_eq!(single_instance_id(Some(OsStr::new(""))), APP_ID);
        let a = single_instance_id(Some(OsStr::new("/tmp/a")));
        assert_eq!(a, single_instance_id(Some(OsStr::new("/tmp/a"))));
        assert_ne!(a, single_instance_id(Some(OsStr::new("/tmp/b"))));
        // The value is pinned: a running app of an older build must be found by a newer one.
        assert_eq!(a, "app.leadline.desktop.data_6cc13bddf2746ce7");
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        );
    }
}
