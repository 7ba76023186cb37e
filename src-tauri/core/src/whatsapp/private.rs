//! A number's browser profile holds its WhatsApp login: other users of a shared computer
//! must not read it, wherever the owner put the data folder.

use std::path::Path;

/// Makes a folder readable by the owner's user only: 0700 on Unix; on Windows an access list
/// of the current user alone, inherited by what is made inside (a folder outside the user's
/// own profile, e.g. `D:\Leadline`, would otherwise let every user of the PC read it).
pub fn make_private(dir: &Path) {
    #[cfg(unix)]
    set_mode(dir, 0o700);
    #[cfg(windows)]
    restrict_to_user(dir);
    #[cfg(not(any(unix, windows)))]
    let _ = dir;
}

/// Makes a file readable by the owner's user only (0600 on Unix), e.g. the DevTools port file.
/// On Windows the file inherits its profile folder's list.
pub fn make_private_file(file: &Path) {
    #[cfg(unix)]
    if file.exists() {
        set_mode(file, 0o600);
    }
    #[cfg(not(unix))]
    let _ = file;
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        tracing::warn!(path = %path.display(), error = %e, "could not make it private to this user");
    }
}

/// `icacls` arguments that leave `user` alone on `path`: inherited entries removed (copied
/// none), full control granted, and inherited by files and folders made inside.
#[cfg_attr(not(windows), allow(dead_code))]
fn icacls_args(path: &Path, user: &str) -> Vec<std::ffi::OsString> {
    vec![
        path.as_os_str().to_owned(),
        "/inheritance:r".into(),
        "/grant:r".into(),
        format!("{user}:(OI)(CI)F").into(),
        "/Q".into(),
    ]
}

/// Runs Windows' own `icacls` (from the system folder, never from `PATH`) without a console
/// window. A failure is logged, never fatal: the profile still works, as before.
#[cfg(windows)]
fn restrict_to_user(path: &Path) {
    use std::os::windows::process::CommandExt;
    /// CREATE_NO_WINDOW: no console flashes up from the GUI app.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;
    let (Some(system_root), Some(user)) = (
        std::env::var_os("SystemRoot"),
        std::env::var("USERNAME").ok().filter(|u| !u.is_empty()),
    ) else {
        tracing::warn!("could not make the profile private: no system folder or user name");
        return;
    };
    let user = match std::env::var("USERDOMAIN").ok().filter(|d| !d.is_empty()) {
        Some(domain) => format!("{domain}\\{user}"),
        None => user,
    };
    let icacls = Path::new(&system_root).join("System32").join("icacls.exe");
    match std::process::Command::new(icacls)
        .args(icacls_args(path, &user))
        .creation_flags(CREATE_NO_WINDOW)
        .output()
    {
        Ok(out) if out.status.success() => {}
        Ok(out) => tracing::warn!(
            path = %path.display(),
            code = ?out.status.code(),
            "could not make it private to this user"
        ),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "could not make it private to this user")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_access_list_keeps_only_the_user_and_is_inherited_inside() {
        let args = icacls_args(Path::new(r"D:\Leadline\profiles\1"), r"SHOP\ana");
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                r"D:\Leadline\profiles\1",
                "/inheritance:r",
                "/grant:r",
                r"SHOP\ana:(OI)(CI)F",
                "/Q"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_profile_folder_is_the_users_alone_on_unix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("profile");
        std::fs::create_dir(&profile).unwrap();
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(0o755)).unwrap();
        make_private(&profile);
        let mode = std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
