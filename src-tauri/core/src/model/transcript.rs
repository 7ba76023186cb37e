//! A customer's voice note as Leadline heard it: on its way, heard (the words and the
//! language), or not (and why, in words the UI translates).

use serde::Serialize;
use ts_rs::TS;

crate::text_enum::text_enum! {
    /// Where a voice note's hearing is.
    pub enum HearingState {
        /// Being heard: the chat's turn waits for it.
        Pending = "pending",
        /// Heard: answered like text.
        Done = "done",
        /// Not heard: `reason` says why; left for the owner.
        Failed = "failed",
    }
}

/// A voice note's transcript, as Conversations shows it and the assistant reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VoiceTranscript {
    pub state: HearingState,
    /// The words heard (done).
    pub text: Option<String>,
    /// The language heard, ISO 639-1 ("es").
    pub language: Option<String>,
    /// Why not (failed): `no_file`, `not_sound`, `too_long`, `no_model`, `off`, `timeout`,
    /// `failed`, or the provider's: `provider_key`, `provider_down`, `provider_refused`,
    /// `no_provider`, `spend_limit`, `keychain`.
    pub reason: Option<String>,
    /// The AI provider that heard it (its name), when it wasn't this computer.
    pub by_provider: Option<String>,
}

/// How a hearing by a provider is recorded as its engine, and read back.
pub fn provider_engine(provider: &str, model: &str) -> String {
    format!("provider:{provider}:{model}")
}

/// The provider's name in an engine `provider_engine` wrote; `None` for this computer's.
pub fn provider_of(engine: &str) -> Option<String> {
    let (provider, _model) = engine.strip_prefix("provider:")?.rsplit_once(':')?;
    Some(provider.to_string())
}
