//! A model Leadline offers, as Settings lists it (a speech model, a chat model): its size,
//! the memory it needs, whether it is on this computer (or partly fetched), whether it is
//! the one in use, and whether this computer has the memory for it.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelFile {
    pub id: String,
    /// The download's size (approximate until it is here, when not pinned).
    #[ts(type = "number")]
    pub bytes: u64,
    /// Memory it needs while it works.
    #[ts(type = "number")]
    pub ram_mb: u64,
    /// Downloaded and checked.
    pub installed: bool,
    /// Bytes of an interrupted download kept for "Resume".
    #[ts(type = "number")]
    pub partial_bytes: u64,
    /// The one in use.
    pub in_use: bool,
    /// This computer has the memory for it (at most half of it).
    pub fits: bool,
    /// This computer's memory, when known.
    #[ts(type = "number | null")]
    pub total_mb: Option<u64>,
}
