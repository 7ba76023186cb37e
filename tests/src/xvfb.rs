//! A private X display for tests that need a visible window (the passkey step links in
//! one): Xvfb on the first free display number, stopped by its PID when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Xvfb {
    /// Starts Xvfb (scripts/setup.sh --test installs it) and waits for its socket.
    pub fn start() -> Xvfb {
        for number in 140..200 {
            let socket = format!("/tmp/.X11-unix/X{number}");
            let lock = format!("/tmp/.X{number}-lock");
            if Path::new(&socket).exists() || Path::new(&lock).exists() {
                continue;
            }
            let Ok(child) = Command::new("Xvfb")
                .args([
                    format!(":{number}").as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            else {
                continue;
            };
            let xvfb = Xvfb {
                child,
                display: format!(":{number}"),
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if Path::new(&socket).exists() {
                    return xvfb;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // Someone else took the number meanwhile: try the next one.
        }
        panic!("no X display could be started (is Xvfb installed? scripts/setup.sh --test)");
    }
}
