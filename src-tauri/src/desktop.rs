//! What only the real app does on the desktop (never the shell's tests): open a folder in
//! the file manager. Its presence in the app's state also means "this is the real app".

use std::path::Path;
use std::process::Command;

pub struct Desktop;

impl Desktop {
    /// Opens `dir` with the desktop's file manager.
    pub fn open_folder(&self, dir: &Path) -> std::io::Result<()> {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else if cfg!(windows) {
            "explorer"
        } else {
            "xdg-open"
        };
        let mut child = Command::new(opener).arg(dir).spawn()?;
        // Reaped when it ends, so no zombie is left behind.
        std::thread::spawn(move || {
            let _ = child.wait();
        });
        Ok(())
    }
}
