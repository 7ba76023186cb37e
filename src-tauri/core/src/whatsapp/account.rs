//! A number's connection as everyone sees it, and what WhatsApp's failures mean for the owner.

use serde::Serialize;
use ts_rs::TS;

use crate::text;
use crate::text::Text;

/// A linked number's state, shown the same way everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all_fields = "camelCase")]
pub enum AccountState {
    /// No browser is running for this number.
    Stopped,
    /// The browser is starting or WhatsApp Web is loading.
    Starting,
    /// Show `qr` as a QR code for the phone to scan; a new one replaces it before `expires_at`
    /// (unix ms).
    ScanQr { qr: String, expires_at: i64 },
    /// Linked; the phone is sending history. Show a progress bar.
    Syncing { percent: u8 },
    /// Linked and ready; `me` is the number's WhatsApp id.
    Working { me: String },
    /// Can't work; `reason` says why and what to do. `open_elsewhere`: WhatsApp is open on
    /// another computer or browser, and "Use here" (`take_over`) takes it back.
    Failed { reason: Text, open_elsewhere: bool },
    /// WhatsApp ended this link (from the phone, or it expired): link again with a new QR.
    LoggedOut,
}

impl AccountState {
    /// The state's name, for logs (which never carry its QR string or number).
    pub fn kind(&self) -> &'static str {
        match self {
            AccountState::Stopped => "Stopped",
            AccountState::Starting => "Starting",
            AccountState::ScanQr { .. } => "ScanQr",
            AccountState::Syncing { .. } => "Syncing",
            AccountState::Working { .. } => "Working",
            AccountState::Failed { .. } => "Failed",
            AccountState::LoggedOut => "LoggedOut",
        }
    }

    /// A failure that only the reason explains (not WhatsApp being open elsewhere).
    pub fn failed(reason: Text) -> AccountState {
        AccountState::Failed {
            reason,
            open_elsewhere: false,
        }
    }
}

/// The sentence an owner reads for a socket state WhatsApp gives as a failure.
pub fn failure_reason(socket_state: &str) -> Text {
    match socket_state {
        "CONFLICT" => text!(
            "wa.conflict",
            "WhatsApp is open on another computer or browser. Use it here to take it back."
        ),
        "TIMEOUT" => text!(
            "wa.timeout",
            "WhatsApp did not answer in time. Check the internet connection; Leadline keeps trying."
        ),
        "DEPRECATED_VERSION" => text!(
            "wa.deprecated_version",
            "WhatsApp says this version of WhatsApp Web is too old. Update Leadline."
        ),
        "TOS_BLOCK" => text!(
            "wa.tos_block",
            "WhatsApp blocked this number for breaking its terms of service. Check the WhatsApp app on the phone."
        ),
        "SMB_TOS_BLOCK" => text!(
            "wa.smb_tos_block",
            "WhatsApp blocked this business number for breaking its terms. Check WhatsApp Business on the phone."
        ),
        "PROXYBLOCK" => text!(
            "wa.proxy_block",
            "WhatsApp refused the connection from this network. Try another network."
        ),
        other => text!(
            "wa.socket_problem",
            "WhatsApp reported a problem ({state}). Leadline will try again.",
            state = other
        ),
    }
}
