//! AI on this computer as Settings shows it: the chat models Leadline offers (size, memory,
//! whether each is here or partly fetched, the one in use) and the state of the llama.cpp
//! server that runs it. Never its port or key: the window doesn't need them.

use serde::Serialize;
use ts_rs::TS;

use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatModel {
    pub id: String,
    /// The download's size (approximate until it is here).
    #[ts(type = "number")]
    pub bytes: u64,
    /// Memory it needs while it answers.
    #[ts(type = "number")]
    pub ram_mb: u64,
    /// Downloaded and checked.
    pub installed: bool,
    /// Bytes of an interrupted download kept for "Resume".
    #[ts(type = "number")]
    pub partial_bytes: u64,
    /// The one the assistant answers with.
    pub in_use: bool,
    /// This computer has the memory for it (at most half of it).
    pub fits: bool,
    /// This computer's memory, when known.
    #[ts(type = "number | null")]
    pub total_mb: Option<u64>,
}

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
