//! A media message's file, fetched through the page (WHATSAPP_WEB_MEDIA.md §2): what the
//! bridge answers, checked again here (the bytes' SHA-256 against what the page said), and
//! why a download failed, in words the app and the harness share.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long the phone may take to upload expired media again: the page never gives up on
/// its own, so Leadline does.
pub const REUPLOAD_WAIT_MS: u64 = 30_000;

/// How long a file may take to come, beside the phone's upload: a 64 MB file at 2 Mbit/s.
/// Past it the page's fetch is stopped (a file much larger than it said, or a stalled
/// connection, never fills the page's memory).
pub const FILE_WAIT_MS: u64 = 270_000;

/// The longest one call into the page waits on a download before asking again: well
/// inside the browser connection's own limit for one call.
pub const DOWNLOAD_POLL_MS: u64 = 10_000;

/// Why a file could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadFailure {
    /// Gone from WhatsApp's servers, and the phone couldn't be asked again.
    Expired,
    /// The phone no longer has it.
    NotOnPhone,
    /// The phone didn't upload it again in time (it may be offline), or the file didn't come
    /// in time (its fetch is stopped).
    Timeout,
    /// Larger than Leadline keeps.
    TooLarge,
    /// WhatsApp refused its type.
    RefusedType,
    /// The bytes are not the file WhatsApp announced.
    HashMismatch,
    Failed,
}

impl DownloadFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            DownloadFailure::Expired => "expired",
            DownloadFailure::NotOnPhone => "not_on_phone",
            DownloadFailure::Timeout => "timeout",
            DownloadFailure::TooLarge => "too_large",
            DownloadFailure::RefusedType => "refused_type",
            DownloadFailure::HashMismatch => "hash_mismatch",
            DownloadFailure::Failed => "failed",
        }
    }
}

/// A download that failed: why, and the page's own words (for the log, never a customer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadError {
    pub reason: DownloadFailure,
    pub detail: String,
}

/// A downloaded file and its SHA-256 (hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// What `window.__leadline.download` answers.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageDownload {
    /// Still on its way (the page answered before it ended), and which download it is.
    pub pending: bool,
    pub ticket: Option<u64>,
    bytes: Option<String>,
    sha256: Option<String>,
    error: Option<String>,
    detail: Option<String>,
}

/// The page's answer as a file, or why not. The bytes are hashed again here: what the page
/// said is checked, never trusted.
pub fn downloaded(answer: PageDownload, max_bytes: u64) -> Result<Downloaded, DownloadError> {
    let fail = |reason, detail: &str| DownloadError {
        reason,
        detail: detail.to_string(),
    };
    if let Some(error) = answer.error {
        let reason = serde_json::from_value(serde_json::Value::String(error.clone()))
            .unwrap_or(DownloadFailure::Failed);
        return Err(fail(reason, answer.detail.as_deref().unwrap_or(&error)));
    }
    let bytes = answer
        .bytes
        .as_deref()
        .and_then(|b| STANDARD.decode(b).ok())
        .ok_or_else(|| fail(DownloadFailure::Failed, "the page gave no readable file"))?;
    if bytes.len() as u64 > max_bytes {
        return Err(fail(DownloadFailure::TooLarge, "larger than allowed"));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    if answer.sha256.as_deref() != Some(sha256.as_str()) {
        return Err(fail(
            DownloadFailure::HashMismatch,
            "the file is not what the page hashed",
        ));
    }
    Ok(Downloaded { bytes, sha256 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(bytes: &[u8], sha256: &str) -> PageDownload {
        PageDownload {
            bytes: Some(STANDARD.encode(bytes)),
            sha256: Some(sha256.into()),
            ..PageDownload::default()
        }
    }

    #[test]
    fn a_file_is_taken_only_when_its_hash_is_what_the_page_said_and_within_the_size() {
        let hash = hex::encode(Sha256::digest(b"OggS voice"));
        let got = downloaded(answer(b"OggS voice", &hash), 100).unwrap();
        assert_eq!(
            (got.bytes.as_slice(), got.sha256.as_str()),
            (&b"OggS voice"[..], hash.as_str())
        );
        let wrong = downloaded(answer(b"OggS voice", "00"), 100).unwrap_err();
        assert_eq!(wrong.reason, DownloadFailure::HashMismatch);
        assert_eq!(
            downloaded(answer(b"OggS voice", &hash), 4)
                .unwrap_err()
                .reason,
            DownloadFailure::TooLarge
        );
    }

    #[test]
    fn the_pages_reasons_are_read_and_anything_else_is_a_failure() {
        let said = |error: &str| PageDownload {
            error: Some(error.into()),
            ..PageDownload::default()
        };
        assert_eq!(
            downloaded(said("not_on_phone"), 9).unwrap_err().reason,
            DownloadFailure::NotOnPhone
        );
        assert_eq!(
            downloaded(said("timeout"), 9).unwrap_err().reason,
            DownloadFailure::Timeout
        );
        assert_eq!(
            downloaded(said("gremlins"), 9).unwrap_err().reason,
            DownloadFailure::Failed
        );
        assert_eq!(
            downloaded(PageDownload::default(), 9).unwrap_err().reason,
            DownloadFailure::Failed
        );
    }
}
