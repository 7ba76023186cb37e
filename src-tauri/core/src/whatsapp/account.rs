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
    /// Linking by a code typed on the phone: `code` until `expires_at` (unix ms), when
    /// WhatsApp replaces it, `renewals_left` more times; `None` once the last ran out (the
    /// owner asks for a new one).
    PairingCode {
        code: Option<String>,
        expires_at: i64,
        renewals_left: u8,
    },
    /// WhatsApp wants the owner to confirm this computer with their passkey (after the QR
    /// scan or the pairing code): the WhatsApp window is brought forward, where they press
    /// Continue and answer the browser's own dialog. `stage` is the page's own name for
    /// where the step is (`NotStarted`, `WaitingForPrimaryIdentity`, …); `code`, when set,
    /// is a verification code to compare with the phone before confirming it here.
    Passkey {
        stage: Option<String>,
        code: Option<String>,
    },
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
            AccountState::PairingCode { .. } => "PairingCode",
            AccountState::Passkey { .. } => "Passkey",
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

/// The sentence an owner reads when the passkey step ended without a link (`reason` as the
/// page gave it: "timeout", "server_error", …).
pub fn passkey_failure(reason: Option<&str>) -> Text {
    match reason {
        Some("timeout") => text!(
            "wa.passkey_timeout",
            "The passkey check took too long and WhatsApp stopped it. Press Try again for a new QR code."
        ),
        _ => text!(
            "wa.passkey_failed",
            "WhatsApp could not confirm this computer with your passkey. Press Try again for a new QR code."
        ),
    }
}

/// The sentence an owner reads when WhatsApp asks for a passkey on a computer with no screen
/// to show it on.
pub fn passkey_needs_display() -> Text {
    text!(
        "wa.passkey_no_display",
        "WhatsApp wants this computer confirmed with your passkey, which needs a screen. Link this number with Leadline open on your desktop."
    )
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
