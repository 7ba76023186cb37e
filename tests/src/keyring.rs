//! A real Secret Service for tests: gnome-keyring with a fresh data folder on the session
//! bus the test runs under (`dbus-run-session`, which `scripts/test.sh` provides), unlocked,
//! and stopped by its PID when dropped.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct GnomeKeyring {
    child: Child,
    _data: tempfile::TempDir,
}

impl Drop for GnomeKeyring {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts gnome-keyring's Secret Service on this session bus, unlocked, with a fresh folder
/// (a stale keyring with another password would wait for a prompt forever).
pub fn start() -> GnomeKeyring {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run under dbus-run-session (scripts/test.sh does)"
    );
    let data = tempfile::tempdir().expect("a temp folder");
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("XDG_DATA_HOME", data.path())
        .env("HOME", data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon starts (scripts/setup.sh --test installs it)");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(b"leadline-test-password");
    }
    // Ready when the bus knows the name.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listed = Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("org.freedesktop.secrets"))
            .unwrap_or(false);
        if listed {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "gnome-keyring did not appear on the session bus"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    GnomeKeyring { child, _data: data }
}

/// One keyring for every test of this process that needs one at the same time: a second
/// daemon can't own the bus name while the first runs. Stopped when the last user drops it.
pub fn shared() -> std::sync::Arc<GnomeKeyring> {
    static RUNNING: std::sync::Mutex<std::sync::Weak<GnomeKeyring>> =
        std::sync::Mutex::new(std::sync::Weak::new());
    let mut running = RUNNING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(keyring) = running.upgrade() {
        return keyring;
    }
    let keyring = std::sync::Arc::new(start());
    *running = std::sync::Arc::downgrade(&keyring);
    keyring
}

/// The shared keyring, for one test at a time: tests that save a provider's key under the
/// same name would otherwise overwrite each other's key mid-test.
pub struct KeyringTurn {
    // Dropped in this order: the turn ends, then (maybe) the daemon.
    _turn: tokio::sync::OwnedMutexGuard<()>,
    _keyring: std::sync::Arc<GnomeKeyring>,
}

pub async fn exclusive() -> KeyringTurn {
    static TURN: std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
        std::sync::OnceLock::new();
    KeyringTurn {
        _turn: crate::take_turn(&TURN).await,
        _keyring: shared(),
    }
}

/// Keys in memory that can be locked: while locked, every call hangs the way a locked
/// Secret Service does while its unlock prompt waits (here for `hang`), then answers.
#[derive(Default)]
pub struct LockableKeychain {
    keys: leadline_core::secrets::MemoryKeychain,
    locked: std::sync::atomic::AtomicBool,
    /// Reads of keys starting with the prefix that fail before answering again, as a
    /// Secret Service does for a moment (a collection being unlocked, the daemon restarting).
    failing_reads: std::sync::Mutex<(String, usize)>,
    /// Calls waiting for the unlock now.
    waiting: std::sync::atomic::AtomicUsize,
}

impl LockableKeychain {
    /// The next `n` reads of keys starting with `prefix` fail with the keychain's error.
    pub fn fail_reads(&self, prefix: &str, n: usize) {
        *self.failing_reads.lock().unwrap_or_else(|p| p.into_inner()) = (prefix.to_string(), n);
    }

    pub fn lock(&self, locked: bool) {
        self.locked
            .store(locked, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether a call is still waiting for the unlock (it answers a moment after it).
    pub fn waiting(&self) -> bool {
        self.waiting.load(std::sync::atomic::Ordering::SeqCst) > 0
    }

    fn wait_while_locked(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.waiting.fetch_add(1, SeqCst);
        let until = Instant::now() + Duration::from_secs(30);
        while self.locked.load(SeqCst) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.waiting.fetch_sub(1, SeqCst);
    }
}

impl leadline_core::secrets::Keychain for LockableKeychain {
    fn get(
        &self,
        provider: &str,
    ) -> Result<Option<leadline_core::ai::secret::ApiKey>, leadline_core::secrets::SecretsError>
    {
        self.wait_while_locked();
        let failing = {
            let mut failing = self.failing_reads.lock().unwrap_or_else(|p| p.into_inner());
            let hit = failing.1 > 0 && provider.starts_with(failing.0.as_str());
            if hit {
                failing.1 -= 1;
            }
            hit
        };
        if failing {
            return Err(leadline_core::secrets::SecretsError::Failed {
                action: leadline_core::secrets::KeychainAction::Read,
                detail: "the keychain's daemon did not answer".into(),
            });
        }
        self.keys.get(provider)
    }

    fn set(
        &self,
        provider: &str,
        key: &leadline_core::ai::secret::ApiKey,
    ) -> Result<(), leadline_core::secrets::SecretsError> {
        self.wait_while_locked();
        self.keys.set(provider, key)
    }

    fn delete(&self, provider: &str) -> Result<(), leadline_core::secrets::SecretsError> {
        self.wait_while_locked();
        self.keys.delete(provider)
    }
}
