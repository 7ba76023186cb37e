//! Test harness: the real parts a test starts (keyring, notification daemon, the desktop
//! around the app) and, in `fakes`, stand-ins for what can't be reached.
//!
//! The end-to-end harness: starts tauri-driver (which starts WebKitWebDriver,
//! which starts the built app) and stops the whole tree by its process group, never by name.
//!
//! The tests expect what `scripts/test.sh` provides: a display (Xvfb), a private D-Bus
//! session, the app built with the `custom-protocol` feature, and tauri-driver on PATH or in
//! the tools cache.

pub mod address_books;
pub mod big_data;
pub mod desktop;
pub mod documents;
pub mod fakes;
pub mod inspect;
pub mod keyring;
pub mod linked_profiles;
pub mod model_server;
pub mod notifications;
pub mod photos;
pub mod soak;
pub mod tamper;
pub mod voice_notes;
pub mod xvfb;

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::error::NewSessionError;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long anything in the window may take to appear before a test fails with a message.
pub const UI_DEADLINE: Duration = Duration::from_secs(20);

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The app binary under test: `LEADLINE_APP_BIN`, or the debug build in `target/`.
pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("LEADLINE_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/debug/leadline"));
    assert!(
        path.is_file(),
        "the app binary {} is missing: run scripts/test.sh, which builds it with the UI inside",
        path.display()
    );
    path
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let cached = dirs_home().join(".cache/leadline/tools/bin/tauri-driver");
    if cached.is_file() {
        cached
    } else {
        PathBuf::from("tauri-driver")
    }
}

fn dirs_home() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

/// A free TCP port on loopback, picked by the OS.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port can be bound");
    listener
        .local_addr()
        .expect("a bound socket has an address")
        .port()
}

/// A running tauri-driver. Dropping it kills its process group (tauri-driver, the native
/// WebDriver and the app).
pub struct Driver {
    child: Child,
    port: u16,
    native_port: u16,
    /// The D-Bus name the app's single-instance guard holds while it runs.
    instance_name: String,
    log_path: PathBuf,
}

impl Driver {
    /// Starts tauri-driver; apps it launches keep their data in `data_dir`.
    pub fn start(data_dir: &Path) -> Driver {
        Driver::start_with(data_dir, &[])
    }

    /// Like `start`, with more environment for the app (e.g. `LEADLINE_WA_URL`).
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Driver {
        let port = free_port();
        let native_port = free_port();
        let log_path = data_dir.with_extension("driver.log");
        let log = std::fs::File::create(&log_path)
            .expect("the driver log can be created next to the data folder");
        let child = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("LEADLINE_DATA_DIR", data_dir)
            .envs(env.iter().copied())
            .stdout(Stdio::from(log.try_clone().expect("log handle")))
            .stderr(Stdio::from(log))
            // Its own group, so the whole tree can be stopped by one id.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("tauri-driver could not start ({e}): run scripts/setup.sh --test")
            });
        let data_dir_seen = env
            .iter()
            .rev()
            .find(|(key, _)| *key == "LEADLINE_DATA_DIR")
            .map_or(data_dir.as_os_str(), |(_, dir)| std::ffi::OsStr::new(*dir));
        let driver = Driver {
            child,
            port,
            native_port,
            instance_name: format!(
                "{}.SingleInstance",
                leadline_core::instance::single_instance_id(Some(data_dir_seen))
            ),
            log_path,
        };
        driver.wait_until_listening();
        driver
    }

    /// Waits for tauri-driver and the native WebDriver it starts (WebKitWebDriver): a
    /// session asked for before the native one listens is dropped mid-request.
    fn wait_until_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        for (what, port) in [
            ("tauri-driver", self.port),
            ("WebKitWebDriver", self.native_port),
        ] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "{what} did not listen on port {port} within 15 s"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Waits (up to 40 s) until no process started under this driver runs `binary`; fails
    /// naming it when one still does (a launch then would be handed to it and never open a
    /// window of its own).
    fn wait_for_apps_to_exit(&self, binary: &Path) {
        let binary = binary
            .canonicalize()
            .unwrap_or_else(|_| binary.to_path_buf());
        let group = self.child.id().to_string();
        let running = || {
            std::fs::read_dir("/proc")
                .into_iter()
                .flatten()
                .flatten()
                .any(|entry| {
                    let dir = entry.path();
                    let in_group = std::fs::read_to_string(dir.join("stat")).is_ok_and(|stat| {
                        // pid (comm) state ppid pgrp …: the fields after the last ')'.
                        stat.rsplit_once(')')
                            .and_then(|(_, rest)| {
                                rest.split_whitespace().nth(2).map(|g| g == group)
                            })
                            .unwrap_or(false)
                    });
                    in_group && std::fs::read_link(dir.join("exe")).is_ok_and(|exe| exe == binary)
                })
        };
        let deadline = Instant::now() + Duration::from_secs(40);
        while running() {
            assert!(
                Instant::now() < deadline,
                "the app launched before under this driver was still running 40 s after its session ended"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to 20 s) until the bus has let go of the last app's single-instance name.
    /// A process can be gone from the process table before the bus daemon has seen its
    /// socket close; a launch in between is handed to an app that no longer answers and
    /// exits, and the window never comes (seen on a loaded machine).
    fn wait_for_instance_name_to_be_free(&self) {
        let has_owner = || notifications::bus_has(&self.instance_name);
        let deadline = Instant::now() + Duration::from_secs(20);
        while has_owner() {
            assert!(
                Instant::now() < deadline,
                "the bus still gave {} to a closed app 20 s after it ended",
                self.instance_name
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last lines tauri-driver and the app printed, for a failure's message.
    fn driver_log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Launches the app in a real window and connects to it.
    /// tauri-driver's process id: the app runs below it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub async fn open_app(&self) -> Client {
        self.open_app_at(&app_binary()).await
    }

    /// Opens the app from another copy of its binary (the update test replaces it).
    pub async fn open_app_at(&self, binary: &Path) -> Client {
        // A second launch while the last one is still closing is handed to it by the
        // single-instance guard and exits at once, and the native driver then waits for a
        // window that never comes: the last one is waited for first.
        self.wait_for_apps_to_exit(binary);
        self.wait_for_instance_name_to_be_free();
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": binary }));
        let url = format!("http://127.0.0.1:{}", self.port);
        // On a loaded machine the first request can be dropped while the native driver warms
        // up; a connection failure is retried until the deadline, anything else fails at once.
        let deadline = Instant::now() + UI_DEADLINE;
        loop {
            let mut builder = ClientBuilder::rustls().expect("a WebDriver client can be built");
            let connecting = builder.capabilities(caps.clone()).connect(&url);
            // Never a hang: a window that doesn't come within the minute is a failure.
            let Ok(connected) = tokio::time::timeout(Duration::from_secs(60), connecting).await
            else {
                panic!(
                    "the app's window did not open within 60 s; the driver's log ends:\n{}",
                    self.driver_log_tail()
                );
            };
            match connected {
                Ok(client) => return client,
                Err(
                    e @ (NewSessionError::Failed(_)
                    | NewSessionError::FailedC(_)
                    | NewSessionError::Lost(_)),
                ) if Instant::now() < deadline => {
                    eprintln!("retrying the WebDriver session after a dropped connection: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => panic!(
                    "a WebDriver session opens the app (is a display and D-Bus session available?): {e:?}"
                ),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// The element once it appears, or a failure naming it.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(UI_DEADLINE)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("`{css}` did not appear within {UI_DEADLINE:?}: {e}"))
}

/// Waits for the element and returns its text.
pub async fn text_of(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("`{css}` has no readable text: {e}"))
}

/// Waits for a form field and returns its current value.
pub async fn value_of(client: &Client, css: &str) -> String {
    wait_for(client, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("`{css}` has no readable value: {e}"))
        .unwrap_or_default()
}

/// Clicks the element once it appears.
pub async fn click(client: &Client, css: &str) {
    wait_for(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("`{css}` could not be clicked: {e}"));
}

/// Polls `observe` until it returns `want`, or fails with `what` and the last value seen.
pub async fn eventually<T, F, Fut>(what: &str, want: T, mut observe: F)
where
    T: PartialEq + std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = Instant::now() + UI_DEADLINE;
    loop {
        let seen = observe().await;
        if seen == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: wanted {want:?}, still {seen:?} after {UI_DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The texts of every element matching `css`, in page order.
pub async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
        out.push(element.text().await.unwrap_or_default());
    }
    out
}

/// Saves a picture of the window's page as `<dir>/<name>.png`, when a folder is given (the
/// documentation's screenshots), once fonts and the last rows have settled.
pub async fn save_page_picture(client: &Client, dir: Option<&Path>, name: &str) {
    let Some(dir) = dir else { return };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let png = client
        .screenshot()
        .await
        .expect("the window can be pictured");
    std::fs::create_dir_all(dir).expect("the screenshots folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("the screenshot is saved");
}

/// Saves a picture of the whole X screen (the real window, decorations and all) as
/// `<LEADLINE_SCREENSHOTS>/<name>.png`, when that variable is set.
pub fn screenshot_screen(name: &str) {
    let Some(dir) = std::env::var_os("LEADLINE_SCREENSHOTS") else {
        return;
    };
    let path = Path::new(&dir).join(format!("{name}.png"));
    let status = Command::new("import")
        .args(["-window", "root", "-trim", "+repage"])
        .arg(&path)
        .status();
    assert!(
        matches!(status, Ok(s) if s.success()),
        "could not take a screenshot into {} (is imagemagick installed?)",
        path.display()
    );
}

/// The value at fraction `p` (0.5 = median) of already sorted figures, for benchmarks.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

/// One test at a time for something the tests of a binary share (the session's keyring, its
/// notification service): the guard holds the turn until dropped. Each shared thing keeps
/// its own `static` lock.
pub async fn take_turn(
    lock: &'static std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>>,
) -> tokio::sync::OwnedMutexGuard<()> {
    lock.get_or_init(|| std::sync::Arc::new(tokio::sync::Mutex::new(())))
        .clone()
        .lock_owned()
        .await
}

/// The log files in `log_dir`, by name (none when it isn't there yet).
fn log_files(log_dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(log_dir)
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Every log file's text in `log_dir`, oldest name first ("" when there is none yet).
pub fn log_text(log_dir: &Path) -> String {
    log_files(log_dir)
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).to_string())
        .collect()
}

/// Every place in the log files under `log_dir` where one of `secrets` appears (file name
/// and the secret), for a test that customers' words, names, numbers and QR codes stay
/// out of the logs. Panics when there are no log lines at all: a scan of nothing proves
/// nothing.
pub fn log_leaks(log_dir: &Path, secrets: &[String]) -> Vec<(String, String)> {
    assert!(log_dir.is_dir(), "no log folder at {}", log_dir.display());
    let files = log_files(log_dir);
    let mut lines = 0;
    let mut leaks = Vec::new();
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap_or_default()).to_string();
        lines += text.lines().count();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            if text.contains(secret.as_str()) {
                leaks.push((file.display().to_string(), secret.clone()));
            }
        }
    }
    assert!(
        lines > 0,
        "the log folder {} has no log lines to scan: {files:?}",
        log_dir.display()
    );
    leaks
}
