//! The language of what the shell shows outside the window (notifications, the tray menu):
//! the owner's choice in Settings, else the computer's. The window's own texts live in the
//! UI's translations.

use std::sync::RwLock;

/// The languages Leadline speaks; anything else is English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    En,
    Es,
    Pt,
    Ar,
}

/// The owner's choice (`None`: the computer's language).
static CHOSEN: RwLock<Option<String>> = RwLock::new(None);

/// From now on the shell speaks `language` (`None`: the computer's language).
pub fn use_language(language: Option<&str>) {
    if let Ok(mut chosen) = CHOSEN.write() {
        *chosen = language.map(str::to_string);
    }
}

pub fn current() -> Language {
    let chosen = CHOSEN.read().ok().and_then(|chosen| chosen.clone());
    match chosen.or_else(computer_language).as_deref() {
        Some("es") => Language::Es,
        Some("pt") => Language::Pt,
        Some("ar") => Language::Ar,
        _ => Language::En,
    }
}

/// The computer's language from the usual environment variables (`es_ES.UTF-8` → `es`).
fn computer_language() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .map(|value| {
            value
                .split(['_', '.', '-'])
                .next()
                .unwrap_or_default()
                .to_lowercase()
        })
}
