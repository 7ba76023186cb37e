//! Visible windows for linking (WHATSAPP_WEB.md §5.1). Some accounts must confirm a new
//! linked device with a passkey, in a dialog only the owner can answer, and a headless
//! browser can't show one (nor become visible). So, where there is a screen and a full
//! browser, a number that isn't linked yet starts in a real window, kept minimized while
//! the app mirrors the QR and brought forward on the passkey step; once linked and synced
//! the session starts again headless on the same profile (`LINKED_MARKER` says so).

use std::path::{Path, PathBuf};

use chromiumoxide::cdp::browser_protocol::browser::{
    Bounds, GetWindowForTargetParams, SetWindowBoundsParams, WindowState,
};
use chromiumoxide::page::Page;

use super::browser;
use super::error::WaError;

/// Written in a profile once its number reached Working: from then on it starts headless.
pub const LINKED_MARKER: &str = "leadline-linked";

/// Where a visible window can open: a full browser (the headless shell has no windows)
/// and, on X11 or Wayland, the display to open it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible {
    pub browser: PathBuf,
    /// `DISPLAY` for the browser (X11); `None` keeps the environment's (Wayland, Windows,
    /// macOS).
    pub display: Option<String>,
}

/// Whether this computer can show a linking window, and with which browser: a screen
/// (always on Windows and macOS; `DISPLAY` or `WAYLAND_DISPLAY` on Linux) and a full
/// browser (the one chosen in Settings unless it is a headless shell, else the first
/// full one in the usual places).
pub fn visible_links(configured: Option<&Path>) -> Option<Visible> {
    let display = if cfg!(any(target_os = "windows", target_os = "macos")) {
        None
    } else {
        let x11 = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty());
        let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
        if x11.is_none() && !wayland {
            return None;
        }
        x11
    };
    let browser = browser::find_full(configured)?;
    Some(Visible { browser, display })
}

/// Whether the number of `profile` was linked in it before (then it starts headless).
pub fn linked_before(profile: &Path) -> bool {
    profile.join(LINKED_MARKER).exists()
}

/// Remembers that `profile` is linked.
pub fn mark_linked(profile: &Path) {
    if let Err(e) = std::fs::write(profile.join(LINKED_MARKER), b"linked\n") {
        tracing::warn!(error = %e, "could not mark the profile as linked");
    }
}

async fn set_state(page: &Page, state: WindowState) -> Result<(), WaError> {
    let which = GetWindowForTargetParams::builder()
        .target_id(page.target_id().clone())
        .build();
    let window = page
        .execute(which)
        .await
        .map_err(|e| WaError::Page(format!("the browser's window: {e}")))?;
    let bounds = Bounds::builder().window_state(state).build();
    page.execute(SetWindowBoundsParams::new(window.result.window_id, bounds))
        .await
        .map_err(|e| WaError::Page(format!("the browser's window: {e}")))?;
    Ok(())
}

/// Keeps the window out of the way while the app shows the QR.
pub(super) async fn hide(page: &Page) -> Result<(), WaError> {
    set_state(page, WindowState::Minimized).await
}

/// Brings the window forward for the owner (the passkey step).
pub(super) async fn show(page: &Page) -> Result<(), WaError> {
    set_state(page, WindowState::Normal).await?;
    page.bring_to_front()
        .await
        .map_err(|e| WaError::Page(format!("the browser's window: {e}")))?;
    Ok(())
}
