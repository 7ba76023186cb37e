//! Browser processes: found and stopped by PID (never by name), and the lock files a
//! crashed Chromium leaves in its profile.

use std::path::Path;

/// `root` and every process below it, children first. Linux reads /proc; elsewhere only
/// `root` is known (its children exit with it).
pub fn tree(root: u32) -> Vec<u32> {
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(children(parent));
        index += 1;
    }
    found.reverse();
    found
}

#[cfg(target_os = "linux")]
fn children(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| parent_of(*pid) == Some(parent))
        .collect()
}

#[cfg(not(target_os = "linux"))]
fn children(_parent: u32) -> Vec<u32> {
    Vec::new()
}

/// The parent PID from /proc/<pid>/stat (the field after the parenthesised name).
#[cfg(target_os = "linux")]
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// A process as recorded: its PID and when it started (clock ticks after boot), so a PID
/// the OS later gives to another program is never mistaken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    pub pid: u32,
    pub started: u64,
}

/// When `pid` started, from /proc/<pid>/stat (field 22); `None` if it is gone or a zombie.
#[cfg(target_os = "linux")]
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    // After the name: state (field 3) … starttime (field 22).
    if fields.next()? == "Z" {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

#[cfg(not(target_os = "linux"))]
fn start_time(_pid: u32) -> Option<u64> {
    None
}

/// Records these processes (those still running).
pub fn record(pids: &[u32]) -> Vec<Recorded> {
    pids.iter()
        .filter_map(|&pid| start_time(pid).map(|started| Recorded { pid, started }))
        .collect()
}

/// Whether the recorded process still runs (same PID, same start).
pub fn still_running(recorded: &Recorded) -> bool {
    start_time(recorded.pid) == Some(recorded.started)
}

/// Writes `records` one per line, `<pid> <start>`; the browser comes first.
pub fn write_records(path: &Path, records: &[Recorded]) -> std::io::Result<()> {
    let text: String = records
        .iter()
        .map(|r| format!("{} {}\n", r.pid, r.started))
        .collect();
    std::fs::write(path, text)
}

/// Reads what `write_records` wrote; unreadable lines are skipped.
pub fn read_records(path: &Path) -> Vec<Recorded> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let pid = parts.next()?.parse().ok()?;
            let started = parts.next()?.parse().ok()?;
            Some(Recorded { pid, started })
        })
        .collect()
}

/// Kills `root` and everything under it. Safe to call on a tree that already exited.
pub fn kill_tree(root: u32) {
    kill(&tree(root));
}

/// Kills these processes (collected with `tree` while their parent was alive: once it
/// exits, its children are re-parented and can no longer be found from it).
pub fn kill(pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    #[cfg(unix)]
    {
        let args: Vec<String> = pids.iter().map(u32::to_string).collect();
        let _ = std::process::Command::new("kill")
            .arg("-KILL")
            .args(&args)
            .output();
    }
    #[cfg(windows)]
    for pid in pids {
        let _ = std::process::Command::new("taskkill")
            .args(["/T", "/F", "/PID", &pid.to_string()])
            .output();
    }
    tracing::debug!(?pids, "browser processes stopped");
}

/// Set in each browser's environment to the profile it runs on. Helpers inherit it, so it
/// finds the ones whose command line doesn't name the profile (the headless shell's
/// zygotes and renderers) even after they left the browser's process tree.
pub const PROFILE_ENV: &str = "LEADLINE_BROWSER_PROFILE";

/// Live processes that Chromium started on `profile`: the browser and its helpers, including
/// ones that left its process tree (crash handlers). They name the profile in a
/// `--flag=<profile>…` argument or carry it in `PROFILE_ENV`; this process itself is never
/// one. Linux; elsewhere none.
pub fn using_profile(profile: &Path) -> Vec<u32> {
    #[cfg(target_os = "linux")]
    {
        let needle = format!("={}", profile.display());
        let marker = format!("{PROFILE_ENV}={}", profile.display());
        let marked = |environ: Vec<u8>| {
            environ
                .split(|b| *b == 0)
                .any(|entry| names_path(entry, marker.as_bytes()))
        };
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let pid: u32 = e
                    .file_name()
                    .to_str()?
                    .parse()
                    .ok()
                    .filter(|pid| *pid != me)?;
                let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
                let state = std::fs::read_to_string(e.path().join("stat")).ok()?;
                let zombie = state
                    .rsplit(')')
                    .next()
                    .is_some_and(|s| s.trim_start().starts_with('Z'));
                let named = names_path(&cmdline, needle.as_bytes())
                    || std::fs::read(e.path().join("environ")).is_ok_and(marked);
                (!zombie && named).then_some(pid)
            })
            .collect()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = profile;
        Vec::new()
    }
}

/// Whether `haystack` (a command line or an environment entry) holds `needle` naming a
/// whole path: followed by its end, a separator between arguments, or a path inside it.
/// So profile `…/1` is never taken for profile `…/12`. (Read from `/proc`, so Linux only.)
#[cfg(any(target_os = "linux", test))]
fn names_path(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() || haystack.len() < needle.len() {
        return false;
    }
    haystack
        .windows(needle.len())
        .enumerate()
        .any(|(at, window)| {
            window == needle
                && matches!(
                    haystack.get(at + needle.len()),
                    None | Some(0) | Some(b' ') | Some(b'/')
                )
        })
}

/// Whether any live process still uses `profile`. Used to prove nothing was left behind.
pub fn any_using_profile(profile: &Path) -> bool {
    !using_profile(profile).is_empty()
}

/// Chromium refuses a profile that another instance holds; after a crash these files are
/// stale and must go before the next launch.
pub fn remove_stale_locks(profile: &Path) {
    for name in ["SingletonLock", "SingletonSocket", "SingletonCookie"] {
        let path = profile.join(name);
        if path.symlink_metadata().is_ok() {
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "removed a stale browser lock"),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "could not remove a stale browser lock")
                }
            }
        }
    }
}

/// Whether `pid` is a browser started on `profile` (its command line names the profile), so
/// a recorded PID that the OS has since given to another program is never killed.
pub fn is_browser_of(pid: u32, profile: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            return false;
        };
        let wanted = format!("--user-data-dir={}", profile.display());
        let wanted = wanted.as_bytes();
        // Chromium rewrites its process title, joining its arguments with spaces, so the
        // flag may end in a space as well as in a NUL or at the end.
        cmdline
            .windows(wanted.len())
            .enumerate()
            .any(|(at, window)| {
                window == wanted
                    && matches!(cmdline.get(at + wanted.len()), None | Some(0) | Some(b' '))
            })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (pid, profile);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_is_named_only_as_a_whole_path() {
        let line = b"chromium\0--user-data-dir=/data/profiles/12\0--no-first-run\0";
        assert!(names_path(line, b"=/data/profiles/12"));
        assert!(!names_path(line, b"=/data/profiles/1"), "1 is not 12");
        assert!(
            names_path(line, b"=/data/profiles"),
            "a folder holding the profile"
        );
        assert!(names_path(
            b"chromium --user-data-dir=/p/1 --type=renderer",
            b"=/p/1"
        ));
        assert!(!names_path(
            b"LEADLINE_PROFILE=/p/12",
            b"LEADLINE_PROFILE=/p/1"
        ));
        assert!(!names_path(b"", b"=/p/1"));
    }

    /// A real process on profile `…/12` is not one of profile `…/1`'s.
    #[cfg(target_os = "linux")]
    #[test]
    fn stopping_profile_1_never_touches_profile_12() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let twelve = dir.path().join("12");
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg("sleep 30; true")
            .arg(format!("--user-data-dir={}", twelve.display()))
            .spawn()
            .expect("sh runs");
        let pid = child.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !using_profile(&twelve).contains(&pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let found_12 = using_profile(&twelve);
        let found_1 = using_profile(&dir.path().join("1"));
        let _ = child.kill();
        let _ = child.wait();
        assert!(found_12.contains(&pid), "its own profile finds it");
        assert!(
            !found_1.contains(&pid),
            "profile 1 never matches profile 12"
        );
    }
}
