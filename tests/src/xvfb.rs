//! A private X display for tests that need a visible window (the passkey step links in
//! one): Xvfb on a display number it chooses itself, stopped by its PID when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

impl Drop for Xvfb {
    /// SIGTERM first, so Xvfb removes its socket: a killed one leaves it (and its lock),
    /// and sixty of those once used up every display number an earlier version tried.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Xvfb {
    /// Starts Xvfb (scripts/setup.sh --test installs it). `-displayfd` makes Xvfb pick a
    /// free display itself (by binding its socket, which only one server can hold, so the
    /// files a dead server left don't count) and write its number once it accepts
    /// connections, so two tests never race for one.
    pub fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("Xvfb starts (is it installed? scripts/setup.sh --test): {error}")
            });
        let Some(stdout) = child.stdout.take() else {
            panic!("Xvfb's output is piped");
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let number = rx
            .recv_timeout(Duration::from_secs(20))
            .ok()
            .and_then(|line| line.trim().parse::<u32>().ok());
        let Some(number) = number else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Xvfb did not report a display within 20 s");
        };
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Xvfb;

    /// Two displays at once get two numbers, whatever files killed servers left behind (an
    /// earlier version skipped every number with a leftover lock and ran out), and a stopped
    /// one removes its socket.
    #[test]
    fn two_displays_get_their_own_numbers_and_clean_up() {
        let first = Xvfb::start();
        let second = Xvfb::start();
        assert_ne!(first.display, second.display);
        let socket = format!("/tmp/.X11-unix/X{}", first.display.trim_start_matches(':'));
        assert!(
            std::path::Path::new(&socket).exists(),
            "{socket} while running"
        );
        drop(first);
        assert!(
            !std::path::Path::new(&socket).exists(),
            "{socket} removed when stopped"
        );
    }
}
