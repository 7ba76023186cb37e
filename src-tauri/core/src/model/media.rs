//! A media message's file as Leadline keeps it: on its way, kept in the data folder, or
//! not had (and why, in words the UI translates).

use serde::Serialize;
use ts_rs::TS;

crate::text_enum::text_enum! {
    /// Where a media message's file is.
    pub enum MediaState {
        /// Being fetched from WhatsApp.
        Pending = "pending",
        /// Kept in the data folder.
        Stored = "stored",
        /// Not had: `reason` says why; "Try again" fetches it again.
        Failed = "failed",
    }
}

/// A media message's file, as Conversations shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MediaFile {
    pub state: MediaState,
    /// Why it was not had: `expired`, `not_on_phone`, `timeout`, `too_large`,
    /// `refused_type`, `hash_mismatch`, `number_full`, `not_connected` or `failed`.
    pub reason: Option<String>,
    /// Its size once kept.
    #[ts(type = "number | null")]
    pub bytes: Option<u64>,
}

/// A kept file's bytes, for the window to show or play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MediaContent {
    pub mimetype: String,
    /// The file, base64.
    pub data: String,
}
