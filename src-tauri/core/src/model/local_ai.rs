//! AI on this computer as Settings shows it: the state of the llama.cpp server that runs
//! the chat model (its models are `ModelFile`s). Never its port or key: the window doesn't
//! need them.

use serde::Serialize;
use ts_rs::TS;

use crate::text::Text;

/// The llama.cpp server's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum LocalAiState {
    /// Not running (no model chosen, or stopped).
    Off,
    /// Loading `model` (at first use, or again after it stopped unexpectedly).
    Starting { model: String },
    /// Answering with `model`.
    Running { model: String },
    /// It could not start or kept stopping; `reason` says what to do.
    Failed { reason: Text },
    /// This installation has no llama.cpp server.
    Missing,
}
