//! A speech model as Settings shows it: what it hears, its size and memory, whether it is
//! on this computer (or partly fetched), in use, and whether this computer has the memory.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpeechModel {
    pub id: String,
    /// Hears English only (the smallest); else every language.
    pub english_only: bool,
    /// The download's size.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Memory it needs while hearing.
    #[ts(type = "number")]
    pub ram_mb: u64,
    /// Downloaded and checked.
    pub installed: bool,
    /// Bytes of an interrupted download kept for "Resume".
    #[ts(type = "number")]
    pub partial_bytes: u64,
    /// The one voice notes are heard with.
    pub in_use: bool,
    /// This computer has the memory for it (at most half of it).
    pub fits: bool,
    /// This computer's memory, when known.
    #[ts(type = "number | null")]
    pub total_mb: Option<u64>,
}
