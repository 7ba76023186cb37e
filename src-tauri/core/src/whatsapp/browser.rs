//! Which browser drives WhatsApp Web, and how it is started.

use std::path::{Path, PathBuf};

use super::error::WaError;
use crate::text;
use crate::text::Text;

/// Lets the owner (or a test) name the browser to use.
pub const BROWSER_ENV: &str = "LEADLINE_CHROME";

/// Where Chrome, Chromium, Edge and Brave usually live, in the order we prefer them.
fn usual_places() -> Vec<PathBuf> {
    let mut places: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "linux") {
        for name in [
            // Chromium's headless shell first: no browser UI at all, so about half the
            // memory of a full browser running headless. The program itself before the
            // wrapper script, which doesn't `exec` (its PID would not be the browser's).
            "/usr/lib/chromium/chromium-headless-shell",
            "/usr/bin/chromium-headless-shell",
            "/usr/bin/google-chrome-stable",
            "/usr/bin/google-chrome",
            // Debian's full Chromium itself, before its wrapper script.
            "/usr/lib/chromium/chromium",
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/snap/bin/chromium",
            "/usr/bin/microsoft-edge",
            "/usr/bin/brave-browser",
        ] {
            places.push(PathBuf::from(name));
        }
    } else if cfg!(target_os = "macos") {
        for app in [
            "Google Chrome.app/Contents/MacOS/Google Chrome",
            "Chromium.app/Contents/MacOS/Chromium",
            "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
            "Brave Browser.app/Contents/MacOS/Brave Browser",
        ] {
            places.push(Path::new("/Applications").join(app));
        }
    } else if cfg!(target_os = "windows") {
        // Where the installers registered them first ("App Paths"), then where they put them.
        places.extend(registered_browsers());
        let roots = ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"]
            .iter()
            .filter_map(std::env::var_os)
            .map(PathBuf::from)
            .collect::<Vec<_>>();
        for root in roots {
            for exe in [
                r"Microsoft\Edge\Application\msedge.exe",
                r"Google\Chrome\Application\chrome.exe",
                r"Chromium\Application\chrome.exe",
                r"BraveSoftware\Brave-Browser\Application\brave.exe",
                // Other channels, when that is all an owner has.
                r"Microsoft\Edge Beta\Application\msedge.exe",
                r"Microsoft\Edge Dev\Application\msedge.exe",
                r"Google\Chrome Beta\Application\chrome.exe",
                r"Google\Chrome Dev\Application\chrome.exe",
                r"Google\Chrome SxS\Application\chrome.exe",
            ] {
                places.push(root.join(exe));
            }
        }
    }
    places
}

/// The programs of the Chromium family by file name (lower case, without `.exe`): the only
/// ones Leadline drives (over the DevTools protocol, with Chromium's flags).
const CHROMIUM_FAMILY: &[&str] = &[
    "chrome",
    "chromium",
    "chromium-browser",
    "chromium-headless-shell",
    "chrome-headless-shell",
    "headless_shell",
    "google-chrome",
    "google-chrome-stable",
    "google-chrome-beta",
    "google-chrome-unstable",
    "google chrome",
    "msedge",
    "microsoft-edge",
    "microsoft-edge-stable",
    "microsoft edge",
    "brave",
    "brave-browser",
    "brave browser",
];

/// Whether `path` is a program of the Chromium family Leadline can start: named as one, a
/// file, and (on Unix) executable. One answer for every reason it isn't, so asking says
/// nothing about what else is on the disk.
pub fn is_chromium_family(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|name| name.to_str())
        .map(|name| name.to_lowercase())
        .is_some_and(|name| {
            let name = name.strip_suffix(".exe").unwrap_or(&name);
            CHROMIUM_FAMILY.contains(&name)
        });
    // The name first: a path that isn't a browser's is never looked up on the disk.
    named && path.is_absolute() && executable(path)
}

#[cfg(unix)]
fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable(path: &Path) -> bool {
    path.is_file()
}

/// The browsers Windows' "App Paths" keys name (the current user's, then the machine's).
#[cfg(windows)]
fn registered_browsers() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for hive in [
        windows_registry::CURRENT_USER,
        windows_registry::LOCAL_MACHINE,
    ] {
        for exe in ["msedge.exe", "chrome.exe", "brave.exe"] {
            let key = format!(r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\{exe}");
            if let Ok(path) = hive.open(&key).and_then(|key| key.get_string("")) {
                // The default value may be quoted.
                found.push(PathBuf::from(path.trim().trim_matches('"')));
            }
        }
    }
    found
}

#[cfg(not(windows))]
fn registered_browsers() -> Vec<PathBuf> {
    Vec::new()
}

/// The words for "no browser" on this system.
fn no_browser() -> Text {
    if cfg!(target_os = "windows") {
        text!(
            "wa.no_browser_windows",
            "Leadline needs Microsoft Edge, Google Chrome, Chromium or Brave to connect to WhatsApp, \
             and none was found. Every Windows 10 and 11 PC comes with Microsoft Edge: repair or \
             reinstall it from Settings › Apps, or choose a browser in Leadline's Settings."
        )
    } else if cfg!(target_os = "macos") {
        text!(
            "wa.no_browser_macos",
            "Leadline needs Google Chrome, Chromium, Microsoft Edge or Brave to connect to \
             WhatsApp, and none is in Applications. Install one of them, or choose one in \
             Leadline's Settings, then try again."
        )
    } else {
        text!(
            "wa.no_browser",
            "Leadline needs Google Chrome, Chromium, Microsoft Edge or Brave to connect to \
             WhatsApp, and none is installed. Install one of them (on Ubuntu or Debian: \
             `sudo apt install chromium-headless-shell`, the lightest), then try again."
        )
    }
}

/// The browser to use: the one set in Settings, then `LEADLINE_CHROME`, then the usual places.
pub fn find(configured: Option<&Path>) -> Result<PathBuf, WaError> {
    let from_env = std::env::var_os(BROWSER_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    // A browser named explicitly is used or reported, never silently replaced.
    if let Some(explicit) = configured.map(Path::to_path_buf).or(from_env) {
        if explicit.is_file() {
            return Ok(explicit);
        }
        return Err(WaError::BrowserMissing(text!(
            "wa.browser_not_found",
            "The browser set for WhatsApp ({path}) does not exist. Choose another in Settings, or \
             clear the setting to let Leadline find one.",
            path = explicit.display()
        )));
    }
    usual_places()
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| WaError::BrowserMissing(no_browser()))
}

/// Whether `path` is a headless shell (no windows at all), by its name.
pub fn is_headless_shell(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.to_lowercase().contains("headless"))
}

/// A full browser (one that can open a window): the one chosen, unless it is a headless
/// shell, else the first full one in the usual places.
pub fn find_full(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(chosen) = configured.filter(|p| p.is_file() && !is_headless_shell(p)) {
        return Some(chosen.to_path_buf());
    }
    usual_places()
        .into_iter()
        .find(|p| p.is_file() && !is_headless_shell(p))
}

/// The flags a visible linking window adds: a window the owner may not be looking at
/// still runs its timers and renders (§5.1).
pub const VISIBLE_FLAGS: &[&str] = &[
    "disable-backgrounding-occluded-windows",
    "disable-renderer-backgrounding",
    "disable-background-timer-throttling",
];

/// The flags every WhatsApp browser gets: headless and quiet, nothing it doesn't need
/// (no sync, no component updates, no background traffic), and no automation banner.
pub const FLAGS: &[&str] = &[
    "disable-gpu",
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "disable-default-apps",
    "disable-extensions",
    "disable-breakpad",
    "disable-crash-reporter",
    "disable-dev-shm-usage",
    "no-first-run",
    "no-default-browser-check",
    "mute-audio",
    "hide-scrollbars",
    "password-store=basic",
    "use-mock-keychain",
    "disable-blink-features=AutomationControlled",
    // Fewer processes: the GPU and network services run inside the browser process.
    "in-process-gpu",
    "enable-features=NetworkServiceInProcess2",
    // Chromium takes only the last `disable-features`, so there is exactly one. No spare
    // renderer kept warm for navigations that never come, and no preloaded omnibox popup
    // (a WebUI renderer of ~80 MiB that a full Chrome starts even when headless).
    "disable-features=SpareRendererForSitePerProcess,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
];

/// The user agent to present: the browser's own, without "Headless" (the real site sends
/// headless browsers an "update your browser" page).
pub fn desktop_user_agent(browser_agent: &str) -> String {
    browser_agent.replace("HeadlessChrome", "Chrome")
}

/// The desktop user agent of the browser at `path`, from its `--version`, to set for the
/// whole browser at launch; `None` when the version can't be read (Chrome on Windows
/// prints nothing), and the page's own agent is then fixed per page.
pub fn desktop_user_agent_for(path: &Path) -> Option<String> {
    static KNOWN: std::sync::Mutex<Vec<(PathBuf, Option<String>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut known = KNOWN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, agent)) = known.iter().find(|(p, _)| p == path) {
        return agent.clone();
    }
    let agent = installed_major_version(path).map(user_agent_for_major);
    known.push((path.to_path_buf(), agent.clone()));
    agent
}

/// The browser's major version. On Windows from the version folder its installer puts
/// beside it: `chrome.exe --version` prints nothing there and may open (or hand over to) a
/// normal browser window, and waiting on it would stall linking.
#[cfg(windows)]
fn installed_major_version(path: &Path) -> Option<u32> {
    version_beside(path)
}

#[cfg(not(windows))]
fn installed_major_version(path: &Path) -> Option<u32> {
    std::process::Command::new(path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .and_then(|out| major_version(&String::from_utf8_lossy(&out.stdout)))
}

/// The newest `131.0.6778.85`-style folder beside `path` (Chrome's, Edge's and Brave's
/// installers keep each version's files in one), as a major version.
#[cfg(any(windows, test))]
fn version_beside(path: &Path) -> Option<u32> {
    std::fs::read_dir(path.parent()?)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .filter_map(|entry| entry.file_name().to_str().and_then(major_version))
        .max()
}

/// `156` from `Chromium 156.0.8078.114 built on Debian…` or `Google Chrome 131.0.6778.85`.
fn major_version(version_line: &str) -> Option<u32> {
    version_line
        .split_whitespace()
        .find(|word| {
            word.split('.').count() == 4 && word.split('.').all(|p| p.parse::<u32>().is_ok())
        })
        .and_then(|word| word.split('.').next())
        .and_then(|major| major.parse().ok())
}

/// The reduced user agent desktop Chrome sends (minor versions are zeros since Chrome 101).
fn user_agent_for_major(major: u32) -> String {
    let platform = if cfg!(target_os = "windows") {
        "Windows NT 10.0; Win64; x64"
    } else if cfg!(target_os = "macos") {
        "Macintosh; Intel Mac OS X 10_15_7"
    } else {
        "X11; Linux x86_64"
    };
    format!(
        "Mozilla/5.0 ({platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36"
    )
}

/// Chromium's sandbox stays on for owners: WhatsApp Web is remote content. Chromium refuses
/// to start as root with it, so only then (CI, containers) is it turned off.
pub fn needs_no_sandbox() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_read_from_the_folder_beside_the_browser() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("chrome.exe");
        std::fs::write(&exe, b"").unwrap();
        for folder in ["130.0.6723.117", "131.0.6778.85", "SetupMetrics", "Locales"] {
            std::fs::create_dir(dir.path().join(folder)).unwrap();
        }
        std::fs::write(dir.path().join("132.0.0.1"), b"a file, not a version").unwrap();
        assert_eq!(version_beside(&exe), Some(131));
        assert_eq!(version_beside(Path::new("/nowhere/chrome.exe")), None);
    }

    /// On Windows the browser is never run to ask its version (it may open a window and
    /// wait): this "browser" is no program at all, and its version still reads.
    #[cfg(windows)]
    #[test]
    fn a_windows_browser_is_never_run_for_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("msedge.exe");
        std::fs::write(&exe, b"not a program").unwrap();
        std::fs::create_dir(dir.path().join("131.0.2903.70")).unwrap();
        let agent = desktop_user_agent_for(&exe).expect("the version beside it");
        assert!(agent.contains("Chrome/131.0.0.0"), "{agent}");
        assert!(agent.contains("Windows NT 10.0"), "{agent}");
    }

    #[cfg(windows)]
    #[test]
    fn no_browser_on_windows_says_edge_not_apt() {
        let words = no_browser();
        assert_eq!(words.key, "wa.no_browser_windows");
        assert!(!words.english.contains("apt"), "{}", words.english);
    }

    #[test]
    fn the_user_agent_names_the_browsers_major_version_and_no_headless() {
        assert_eq!(
            major_version("Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)"),
            Some(156)
        );
        assert_eq!(major_version("Google Chrome 131.0.6778.85 "), Some(131));
        assert_eq!(major_version("no version here"), None);
        let agent = user_agent_for_major(156);
        assert!(
            agent.contains("Chrome/156.0.0.0") && !agent.contains("Headless"),
            "{agent}"
        );
    }
}
