//! The owner's language, and what Leadline says in it outside the window: the core's
//! sentences (`core.<key>`), the owner's command replies, the tray's and the
//! notifications' words. The dictionaries are the window's own (`ui/src/lib/i18n/*.json`),
//! built into the binary, so every text has one home whoever says it.

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use crate::text::Text;

/// The languages Leadline speaks; anything else is English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    En,
    Es,
    Pt,
    Ar,
}

impl Language {
    /// The language a code names (`es`, `es_ES.UTF-8`, `es-MX`), if it is one of ours.
    pub fn from_code(code: &str) -> Option<Language> {
        match code.split(['_', '.', '-']).next()?.to_lowercase().as_str() {
            "en" => Some(Language::En),
            "es" => Some(Language::Es),
            "pt" => Some(Language::Pt),
            "ar" => Some(Language::Ar),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            Language::En => 0,
            Language::Es => 1,
            Language::Pt => 2,
            Language::Ar => 3,
        }
    }
}

/// The owner's choice (`None`: the computer's language).
static CHOSEN: RwLock<Option<String>> = RwLock::new(None);

/// From now on Leadline speaks `language` (`None`: the computer's language).
pub fn use_language(language: Option<&str>) {
    if let Ok(mut chosen) = CHOSEN.write() {
        *chosen = language.map(str::to_string);
    }
}

/// The language in force: the owner's choice, else the computer's, else English.
pub fn current() -> Language {
    let chosen = CHOSEN.read().ok().and_then(|chosen| chosen.clone());
    of_choice(chosen.as_deref())
}

/// The language for an owner's choice (`None`: the computer's), else English.
pub fn of_choice(chosen: Option<&str>) -> Language {
    chosen
        .map(str::to_string)
        .or_else(computer_language)
        .as_deref()
        .and_then(Language::from_code)
        .unwrap_or(Language::En)
}

/// The computer's language from the usual environment variables.
fn computer_language() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
}

type Dictionary = HashMap<String, String>;

// Each read on first use: an app speaks English (the fallback) and one other at most.
static DICTIONARIES: [LazyLock<Dictionary>; 4] = [
    LazyLock::new(|| read("en", include_str!("../../../ui/src/lib/i18n/en.json"))),
    LazyLock::new(|| read("es", include_str!("../../../ui/src/lib/i18n/es.json"))),
    LazyLock::new(|| read("pt", include_str!("../../../ui/src/lib/i18n/pt.json"))),
    LazyLock::new(|| read("ar", include_str!("../../../ui/src/lib/i18n/ar.json"))),
];

/// A dictionary as built in; one that doesn't read (a test catches that first) is empty,
/// and every text falls back to English.
fn read(language: &str, json: &str) -> Dictionary {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::error!(language, error = %e, "a built-in dictionary does not read");
        Dictionary::new()
    })
}

fn dictionary(language: Language) -> &'static Dictionary {
    &DICTIONARIES[language.index()]
}

/// The text for `key` in `language` with its `{name}`s filled in; English when the
/// language has none, the key itself when no dictionary has it.
pub fn say(language: Language, key: &str, args: &[(&str, &str)]) -> String {
    let template = dictionary(language)
        .get(key)
        .or_else(|| dictionary(Language::En).get(key))
        .map_or(key, String::as_str);
    fill(template, args.iter().copied())
}

/// A sentence of the core in `language` (its English when the language has none).
pub fn translate(text: &Text, language: Language) -> String {
    match dictionary(language).get(&format!("core.{}", text.key)) {
        Some(template) => fill(
            template,
            text.args.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ),
        None => text.english.clone(),
    }
}

fn fill<'a>(template: &str, args: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dictionary_reads_and_has_every_english_key() {
        let english = dictionary(Language::En);
        assert!(english.len() > 600);
        for language in [Language::Es, Language::Pt, Language::Ar] {
            let other = dictionary(language);
            let missing: Vec<&String> =
                english.keys().filter(|k| !other.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{language:?} lacks {missing:?}");
        }
    }

    #[test]
    fn a_core_sentence_is_said_in_the_language_with_its_values() {
        let text = crate::text!(
            "bot.cmd_status_on",
            "Leadline is answering. {replies} replies in the last 24 h.",
            replies = 3
        );
        assert_eq!(translate(&text, Language::En), text.english);
        assert_eq!(
            translate(&text, Language::Es),
            "Leadline está respondiendo. 3 respuestas en las últimas 24 h."
        );
        assert_eq!(
            say(Language::Pt, "tray.attentionMany", &[("n", "2")]),
            "2 números precisam de atenção"
        );
        assert_eq!(say(Language::Ar, "no.such.key", &[]), "no.such.key");
    }

    #[test]
    fn codes_name_languages_however_the_computer_writes_them() {
        assert_eq!(Language::from_code("es_ES.UTF-8"), Some(Language::Es));
        assert_eq!(Language::from_code("pt-BR"), Some(Language::Pt));
        assert_eq!(Language::from_code("C.UTF-8"), None);
    }
}
