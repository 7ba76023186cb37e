//! The tray icon: how the numbers are doing at a glance, and a menu to open the window,
//! pause or resume every bot, and quit. Closing the window leaves Leadline answering in
//! the background; only Quit (or logging out) stops it, and it stops every browser first.

use std::collections::HashMap;
use std::sync::Mutex;

use leadline_core::events::CoreEvent;
use leadline_core::whatsapp::account::AccountState;
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;
use leadline_core::i18n;

pub const TRAY_ID: &str = "main";
const OPEN: &str = "open";
const PAUSE: &str = "pause";
const QUIT: &str = "quit";

/// How the numbers are doing, for the icon and the menu's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// No linked number is failing (or there are none yet).
    Fine,
    /// This many numbers need the owner: failed, logged out.
    Attention(usize),
}

/// The tray and what it shows. Kept in the app's state; absent when the desktop has no
/// tray (the window is then the only way in, and a second launch brings it back).
pub struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
    open: MenuItem<R>,
    pause: MenuItem<R>,
    quit: MenuItem<R>,
    fine_icon: Image<'static>,
    attention_icon: Image<'static>,
    view: Mutex<View>,
}

#[derive(Default)]
struct View {
    /// Each number's latest state, by id.
    states: HashMap<i64, AccountState>,
    paused: bool,
    shown: Option<(Health, bool)>,
}

/// The tray's words in the owner's language (from the shared dictionaries).
struct Words {
    fine: String,
    attention_one: String,
    /// `{n}` numbers need attention.
    attention_many: String,
    paused: String,
    open: String,
    pause: String,
    resume: String,
    quit: String,
}

fn words() -> Words {
    let language = i18n::current();
    let say = |key: &str| i18n::say(language, key, &[]);
    Words {
        fine: say("tray.fine"),
        attention_one: say("tray.attentionOne"),
        attention_many: say("tray.attentionMany"),
        paused: say("tray.paused"),
        open: say("tray.open"),
        pause: say("tray.pause"),
        resume: say("tray.resume"),
        quit: say("tray.quit"),
    }
}

/// The health of a set of number states.
pub fn health<'a>(states: impl IntoIterator<Item = &'a AccountState>) -> Health {
    let failing = states
        .into_iter()
        .filter(|state| matches!(state, AccountState::Failed { .. } | AccountState::LoggedOut))
        .count();
    if failing == 0 {
        Health::Fine
    } else {
        Health::Attention(failing)
    }
}

/// The menu's first line for `health` (and whether every bot is paused).
pub fn status_line(health: Health, paused: bool) -> String {
    let words = words();
    let state = match health {
        Health::Fine => words.fine,
        Health::Attention(1) => words.attention_one,
        Health::Attention(n) => words.attention_many.replace("{n}", &n.to_string()),
    };
    if paused {
        format!("{state} · {}", words.paused)
    } else {
        state
    }
}

/// The app icon with a red dot in its lower corner: "something needs you".
fn with_attention_dot(base: &Image<'_>) -> Image<'static> {
    let (width, height) = (base.width(), base.height());
    let mut rgba = base.rgba().to_vec();
    let radius = f64::from(width.min(height)) * 0.22;
    let (cx, cy) = (
        f64::from(width) - radius - 1.0,
        f64::from(height) - radius - 1.0,
    );
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (f64::from(x) + 0.5 - cx, f64::from(y) + 0.5 - cy);
            let distance = (dx * dx + dy * dy).sqrt();
            let index = ((y * width + x) * 4) as usize;
            let Some(pixel) = rgba.get_mut(index..index + 4) else {
                continue;
            };
            if distance <= radius {
                pixel.copy_from_slice(&[0xd9, 0x2d, 0x20, 0xff]);
            } else if distance <= radius + 1.2 {
                // A white ring keeps the dot visible on a red or dark icon.
                pixel.copy_from_slice(&[0xff, 0xff, 0xff, 0xff]);
            }
        }
    }
    Image::new_owned(rgba, width, height)
}

/// Builds the tray. `None` when there is no icon to show or the desktop refuses a tray.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> Option<Tray<R>> {
    let base = app.default_window_icon()?.clone().to_owned();
    let fine_icon = base.clone();
    let attention_icon = with_attention_dot(&base);
    let words = words();
    let made = (|| -> tauri::Result<Tray<R>> {
        let status = MenuItem::with_id(
            app,
            "status",
            status_line(Health::Fine, false),
            false,
            None::<&str>,
        )?;
        let open = MenuItem::with_id(app, OPEN, &words.open, true, None::<&str>)?;
        let pause = MenuItem::with_id(app, PAUSE, &words.pause, true, None::<&str>)?;
        let quit = MenuItem::with_id(app, QUIT, &words.quit, true, None::<&str>)?;
        let menu = Menu::with_items(
            app,
            &[
                &status,
                &PredefinedMenuItem::separator(app)?,
                &open,
                &pause,
                &PredefinedMenuItem::separator(app)?,
                &quit,
            ],
        )?;
        let icon = TrayIconBuilder::with_id(TRAY_ID)
            .icon(fine_icon.clone())
            .tooltip("Leadline")
            .menu(&menu)
            .show_menu_on_left_click(true)
            .on_menu_event(on_menu)
            .build(app)?;
        Ok(Tray {
            icon,
            status,
            open,
            pause,
            quit,
            fine_icon,
            attention_icon,
            view: Mutex::new(View::default()),
        })
    })();
    match made {
        Ok(tray) => Some(tray),
        Err(e) => {
            tracing::warn!(error = %e, "no tray icon on this desktop; the window stays the way in");
            None
        }
    }
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => {
            crate::window::show_window(app);
        }
        PAUSE => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let Some(state) = app.try_state::<AppState>() else {
                    return;
                };
                let Ok(core) = state.core() else {
                    return;
                };
                let paused = match core.bots_paused().await {
                    Ok(paused) => paused,
                    Err(e) => {
                        tracing::error!(error = %e, "could not read whether the bots are paused");
                        return;
                    }
                };
                if let Err(e) = core.set_bots_paused(!paused).await {
                    tracing::error!(error = %e, "could not pause or resume the bots from the tray");
                }
            });
        }
        QUIT => crate::window::quit(app),
        _ => {}
    }
}

impl<R: Runtime> Tray<R> {
    /// Follows the core's events: numbers' states, removals, pauses and the language.
    pub fn on_event(&self, event: &CoreEvent) {
        {
            let Ok(mut view) = self.view.lock() else {
                return;
            };
            match event {
                CoreEvent::AccountStatus { id, state } => {
                    view.states.insert(*id, state.clone());
                }
                CoreEvent::NumberRemoved { id } => {
                    view.states.remove(id);
                }
                CoreEvent::BotsPaused { paused } => view.paused = *paused,
                // The language may have changed: say everything again.
                CoreEvent::SettingsChanged(_) => {
                    view.shown = None;
                    self.relabel();
                }
                _ => return,
            }
        }
        self.refresh();
    }

    /// Whether every bot is paused, as read at start.
    pub fn set_paused(&self, paused: bool) {
        if let Ok(mut view) = self.view.lock() {
            view.paused = paused;
        }
        self.refresh();
    }

    fn relabel(&self) {
        let words = words();
        let _ = self.open.set_text(&words.open);
        let _ = self.quit.set_text(&words.quit);
    }

    /// Shows the current health and pause state, when they changed.
    fn refresh(&self) {
        let Ok(mut view) = self.view.lock() else {
            return;
        };
        let now = (health(view.states.values()), view.paused);
        if view.shown == Some(now) {
            return;
        }
        view.shown = Some(now);
        let (health, paused) = now;
        let words = words();
        let _ = self.status.set_text(status_line(health, paused));
        let _ = self
            .pause
            .set_text(if paused { &words.resume } else { &words.pause });
        let icon = match health {
            Health::Fine => self.fine_icon.clone(),
            Health::Attention(_) => self.attention_icon.clone(),
        };
        if let Err(e) = self.icon.set_icon(Some(icon)) {
            tracing::warn!(error = %e, "could not change the tray icon");
        }
        tracing::info!(?health, paused, "tray updated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failing_or_logged_out_numbers_need_attention() {
        let working = AccountState::Working {
            me: "1@c.us".into(),
        };
        let failed =
            AccountState::failed(leadline_core::whatsapp::account::failure_reason("TIMEOUT"));
        assert_eq!(health([&working, &AccountState::Starting]), Health::Fine);
        assert_eq!(
            health([&working, &failed, &AccountState::LoggedOut]),
            Health::Attention(2)
        );
        assert_eq!(health(Vec::<&AccountState>::new()), Health::Fine);
    }

    #[test]
    fn the_status_line_counts_and_says_when_bots_are_paused() {
        i18n::use_language(Some("en"));
        assert_eq!(status_line(Health::Fine, false), "All numbers working");
        assert_eq!(
            status_line(Health::Attention(1), false),
            "One number needs attention"
        );
        assert_eq!(
            status_line(Health::Attention(3), true),
            "3 numbers need attention · Bots paused"
        );
        i18n::use_language(Some("es"));
        assert_eq!(
            status_line(Health::Attention(2), false),
            "2 números necesitan atención"
        );
        i18n::use_language(None);
    }

    #[test]
    fn the_attention_icon_has_a_red_dot_and_keeps_its_size() {
        let base = Image::new_owned(vec![0u8; 32 * 32 * 4], 32, 32);
        let dotted = with_attention_dot(&base);
        assert_eq!((dotted.width(), dotted.height()), (32, 32));
        let corner = ((25 * 32 + 25) * 4) as usize;
        assert_eq!(
            &dotted.rgba()[corner..corner + 4],
            &[0xd9, 0x2d, 0x20, 0xff]
        );
        assert_eq!(&dotted.rgba()[0..4], &[0, 0, 0, 0], "the rest is untouched");
    }
}
