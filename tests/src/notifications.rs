//! A real notification daemon for tests: dunst on the private session bus (drawing on the
//! Xvfb screen), with `dbus-monitor` recording every call to the Notifications interface.
//! Both are stopped by their PIDs when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NotificationDaemon {
    dunst: Child,
    monitor: Child,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for NotificationDaemon {
    fn drop(&mut self) {
        for child in [&mut self.dunst, &mut self.monitor] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One `Notify` call as the bus carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyCall {
    pub app: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

/// Whether the session bus has a connection owning `name`.
pub(crate) fn bus_has(name: &str) -> bool {
    Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains(name))
        .unwrap_or(false)
}

fn wait(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The right to the session bus's notification service: tests that start a daemon, or
/// check that none runs, take turns (they share one bus).
pub struct NotificationsTurn(#[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>);

pub async fn exclusive() -> NotificationsTurn {
    static TURN: std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
        std::sync::OnceLock::new();
    NotificationsTurn(crate::take_turn(&TURN).await)
}

/// Starts the monitor, then dunst, on this session bus and display. Take
/// [`exclusive`] first.
pub fn start(_turn: &NotificationsTurn) -> NotificationDaemon {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            && std::env::var_os("DISPLAY").is_some(),
        "run under xvfb-run and dbus-run-session (scripts/test.sh does)"
    );
    assert!(
        !bus_has("org.freedesktop.Notifications"),
        "another notification daemon already runs on this private bus"
    );
    let dir = tempfile::tempdir().expect("a temp folder");
    let log = dir.path().join("dbus-monitor.log");
    let out = std::fs::File::create(&log).expect("the monitor log can be created");
    let monitor = Command::new("dbus-monitor")
        .args(["--session", "interface='org.freedesktop.Notifications'"])
        .stdout(Stdio::from(out))
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-monitor starts (scripts/setup.sh --test installs it)");
    // It prints its own NameAcquired signal once it listens.
    wait("dbus-monitor did not start listening", || {
        std::fs::metadata(&log)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
    });
    let dunst = Command::new("dunst")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("HOME", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dunst starts (scripts/setup.sh --test installs it)");
    wait("dunst did not appear on the session bus", || {
        bus_has("org.freedesktop.Notifications")
    });
    NotificationDaemon {
        dunst,
        monitor,
        log,
        _dir: dir,
    }
}

impl NotificationDaemon {
    /// Every `Notify` call recorded so far.
    pub fn notify_calls(&self) -> Vec<NotifyCall> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        parse_notify_calls(&text)
    }

    /// How many notifications dunst shows on the screen now.
    pub fn displayed(&self) -> u32 {
        Command::new("dunstctl")
            .args(["count", "displayed"])
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(0)
    }

    /// Clicks the newest notification on the screen (dunst's default action).
    pub fn click_newest(&self) {
        let status = Command::new("dunstctl")
            .args(["action", "0"])
            .status()
            .expect("dunstctl runs");
        assert!(status.success(), "dunstctl action failed");
    }
}

/// Reads `Notify` method calls out of dbus-monitor's text: after the call line come the
/// arguments, strings as `string "…"` (which may span lines) and the actions as an array.
fn parse_notify_calls(text: &str) -> Vec<NotifyCall> {
    let mut calls = Vec::new();
    for block in text.split("\nmethod call ").skip(1) {
        let Some((head, args)) = block.split_once('\n') else {
            continue;
        };
        if !head.contains("member=Notify") {
            continue;
        }
        // Up to the next message on the bus.
        let args = ["\nsignal ", "\nmethod return ", "\nerror "]
            .iter()
            .filter_map(|m| args.find(m))
            .min()
            .map_or(args, |end| &args[..end]);
        let strings = quoted_strings(args);
        if strings.len() < 4 {
            continue;
        }
        calls.push(NotifyCall {
            app: strings[0].clone(),
            summary: strings[2].clone(),
            body: strings[3].clone(),
            actions: strings[4..].to_vec(),
        });
    }
    calls
}

/// The `string "…"` values in order; a value ends at a quote that ends a line.
fn quoted_strings(args: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = args;
    while let Some(start) = rest.find("string \"") {
        let after = &rest[start + "string \"".len()..];
        let end = after.find("\"\n").unwrap_or(after.len());
        found.push(after[..end].to_string());
        rest = &after[end.min(after.len())..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notify_call_is_read_with_a_multi_line_body() {
        let text = "signal time=1 sender=org.freedesktop.DBus -> destination=:1.3 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired\n   string \":1.3\"\n\
method call time=2 sender=:1.9 -> destination=org.freedesktop.Notifications serial=7 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify\n   string \"leadline\"\n   uint32 0\n   string \"\"\n   string \"Qualified lead: Ana · +34611222333\"\n   string \"wants 2 bikes\nemail: ana@example.com\"\n   array [\n      string \"default\"\n      string \"Open the lead\"\n   ]\n   array [\n   ]\n   int32 -1\n\
method return time=3 sender=:1.4 -> destination=:1.9 serial=5 reply_serial=7\n   uint32 1\n";
        let calls = parse_notify_calls(text);
        assert_eq!(
            calls,
            vec![NotifyCall {
                app: "leadline".into(),
                summary: "Qualified lead: Ana · +34611222333".into(),
                body: "wants 2 bikes\nemail: ana@example.com".into(),
                actions: vec!["default".into(), "Open the lead".into()],
            }]
        );
    }
}
