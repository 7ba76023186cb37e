//! The app-wide settings, as the owner edits them and the store keeps them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system's light or dark mode.
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppSettings {
    pub theme: Theme,
    /// The browser program that runs WhatsApp Web; `None`: Leadline finds one.
    pub browser_path: Option<String>,
    /// Where WhatsApp Web is; `None`: WhatsApp's own address. Pointing it elsewhere is for
    /// testing Leadline against a stand-in.
    pub whatsapp_url: Option<String>,
    /// The window's language (`en`, `es`, `pt`, `ar`); `None`: the computer's.
    pub language: Option<String>,
    /// Until when (unix ms) the logs record message texts, contact names, phone numbers
    /// and QR codes, for troubleshooting; at most a day after it is turned on. `None`: off.
    pub detailed_logs_until: Option<i64>,
    /// The most the AI may cost in any hour, in millionths of a US dollar; once reached,
    /// answers wait until the last hour's cost falls below it. `None`: no limit.
    #[serde(default)]
    pub ai_spend_per_hour_micros: Option<u64>,
    /// How many days customers' photos, voice notes and documents are kept on this
    /// computer (1 to 3650); `None`: `DEFAULT_MEDIA_KEEP_DAYS`. The messages stay.
    #[serde(default)]
    pub media_keep_days: Option<u32>,
    /// How customers' voice notes are heard (changed only through the speech commands,
    /// which load the model or check the provider first).
    #[serde(default)]
    pub voice: VoiceHearing,
}

/// How customers' voice notes are heard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "by", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum VoiceHearing {
    /// Not heard: each note is left for the owner.
    #[default]
    Off,
    /// On this computer, by speech model `model` (`models::catalog::SPEECH`): nothing
    /// leaves the laptop.
    Computer { model: String },
    /// By the owner's AI provider `provider` (its id in Settings › AI providers): the note
    /// is sent to it.
    Provider { provider: String },
}

impl VoiceHearing {
    /// The speech model on this computer in use, if that is how notes are heard.
    pub fn model(&self) -> Option<&str> {
        match self {
            VoiceHearing::Computer { model } => Some(model),
            _ => None,
        }
    }
}

/// How long customers' files are kept unless the owner says otherwise.
pub const DEFAULT_MEDIA_KEEP_DAYS: u32 = 90;
/// The longest the owner may keep them: ten years.
pub const MAX_MEDIA_KEEP_DAYS: u32 = 3650;

/// The languages the window is translated into.
pub const LANGUAGES: [&str; 4] = ["en", "es", "pt", "ar"];
