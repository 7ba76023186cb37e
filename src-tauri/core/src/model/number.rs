//! A number as Leadline knows it: its name, its link, what its page runs.

use serde::Serialize;
use ts_rs::TS;

use super::limits::Limits;

/// Whether WhatsApp knows this number as linked, as last seen. The live state of its
/// browser comes from the runtime; this is what survives a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Added in Leadline, never linked: the owner still has to scan a QR.
    Unlinked,
    Linked,
    /// Was linked, then WhatsApp logged it out (from the phone, or expired): link again.
    LoggedOut,
}

impl LinkState {
    pub(crate) fn from_db(s: &str) -> LinkState {
        match s {
            "linked" => LinkState::Linked,
            "logged_out" => LinkState::LoggedOut,
            _ => LinkState::Unlinked,
        }
    }
}

/// A number as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WaNumber {
    pub id: i64,
    pub name: String,
    /// WhatsApp's id for the number once linked (e.g. `15551234567@c.us`).
    pub wa_id: Option<String>,
    pub link_state: LinkState,
    /// Unix milliseconds.
    pub created_at: i64,
    /// How many conversations and leads removing it would delete.
    pub chat_count: i64,
    pub lead_count: i64,
    /// The WhatsApp Web build its page ran when last seen (`Debug.VERSION`).
    pub wa_version: Option<String>,
    /// Whether Leadline's bridge was checked against that build (true while unknown).
    pub wa_version_tested: bool,
    /// Parts of the bridge that build lacked (names of inject.js's features).
    pub wa_missing_features: Vec<String>,
    /// What WhatsApp limits for this number now, as its page last said.
    pub limits: Limits,
}
