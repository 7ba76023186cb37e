//! Hearing a voice note: what the bot asks of whatever transcribes on this computer
//! (whisper.cpp, in the `leadline-voice` crate the desktop app plugs in), or the owner's
//! provider (`ai::transcribe`). The core stays free of whisper.cpp: the app sets a hearer
//! (`App::set_hearing`) or none.

use std::sync::{Arc, RwLock};

/// What was heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// The words; empty when nothing was said.
    pub text: String,
    /// ISO 639-1 ("es").
    pub language: String,
    pub audio_ms: i64,
    pub took_ms: i64,
}

/// Why a voice note was not heard, as stored (`reason`) and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotHeard {
    /// The file is not sound Leadline can read (not Ogg/Opus, damaged, empty).
    NotSound,
    /// Longer than Leadline hears.
    TooLong,
    /// The speech model is missing or damaged.
    NoModel,
    /// The model failed on it.
    Failed,
}

impl NotHeard {
    pub fn reason(self) -> &'static str {
        match self {
            NotHeard::NotSound => "not_sound",
            NotHeard::TooLong => "too_long",
            NotHeard::NoModel => "no_model",
            NotHeard::Failed => "failed",
        }
    }
}

/// Something that hears voice notes.
pub trait Hearing: Send + Sync {
    /// What hears, as recorded with each transcript ("local:ggml-base.bin").
    fn engine(&self) -> String;
    /// Hears a voice note's file (Ogg/Opus, as WhatsApp sends them). Blocking and
    /// CPU-bound: called off the async runtime.
    fn hear(&self, audio: &[u8]) -> Result<Heard, NotHeard>;
}

/// Who hears voice notes now.
#[derive(Clone)]
pub enum Hearer {
    /// Something on this computer (whisper.cpp, loaded by the desktop app).
    Local(Arc<dyn Hearing>),
    /// The owner's AI provider with this id (read with its key at each note, so a key
    /// changed in Settings is used from the next note on).
    Provider(String),
}

/// The hearing the app has now (none until it is set up), shared with the bot.
#[derive(Clone, Default)]
pub struct HearingSlot(Arc<RwLock<Option<Hearer>>>);

impl HearingSlot {
    pub fn set(&self, hearing: Option<Hearer>) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = hearing;
    }

    pub fn get(&self) -> Option<Hearer> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Loads a hearing from a model file (the desktop app's: whisper.cpp); an error in words.
pub type HearingLoader =
    Arc<dyn Fn(&std::path::Path) -> Result<Arc<dyn Hearing>, String> + Send + Sync>;
