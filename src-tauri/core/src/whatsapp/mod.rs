//! WhatsApp Web, driven in a headless Chromium (WHATSAPP_WEB.md). Everything page-facing is
//! in `inject.js`; this module turns what the page reports into account states and messages.

pub mod browser;
pub mod chromium;
pub mod delivery;
mod page_event;
pub mod process;
pub mod qr;
mod recent;

use serde::Serialize;
use ts_rs::TS;

use crate::text;
use crate::text::Text;

pub use page_event::PageEvent;

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn builds_inside_the_tested_range_are_known() {
        assert!(version_tested("2.3000.1045818043"));
        assert!(version_tested("2.3000.1031992593"));
        assert!(version_tested("2.3000.1040000000"));
        assert!(
            !version_tested("2.3000.1029999999"),
            "older than the object-form sendSeen"
        );
        assert!(
            !version_tested("2.3000.1045818044"),
            "newer than the contract"
        );
        assert!(!version_tested("2.3001.0"));
        assert!(!version_tested(""));
        assert!(!version_tested("2.3000.x"));
    }
}

/// `+34600111222` for `34600111222@c.us`; ids that carry no phone number (`@lid`,
/// groups, anything odd) give `None`.
pub fn phone_number(wa_id: &str) -> Option<String> {
    let user = wa_id.strip_suffix("@c.us")?;
    (user.len() >= 6 && user.chars().all(|c| c.is_ascii_digit())).then(|| format!("+{user}"))
}

/// Where the driver opens WhatsApp Web; tests point it at the local fake.
pub const DEFAULT_URL: &str = "https://web.whatsapp.com/";

/// Lets anyone point the driver at another WhatsApp Web (the local fake, in tests).
pub const URL_ENV: &str = "LEADLINE_WA_URL";

/// The address to open: the one set in Settings, then `LEADLINE_WA_URL`, then WhatsApp's.
pub fn whatsapp_url(configured: Option<&str>) -> String {
    configured
        .map(str::to_string)
        .or_else(|| std::env::var(URL_ENV).ok())
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_URL.to_string())
}

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

/// A message as the page reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WaMessage {
    /// WhatsApp's id, unique per number (`<fromMe>_<chat>_<id>`).
    pub id: String,
    /// The chat it belongs to: `…@c.us`, `…@lid`, `…@g.us`.
    pub chat: String,
    /// Who wrote it: the chat for a person, the author in a group.
    pub from: String,
    pub from_me: bool,
    pub body: String,
    /// Unix seconds, WhatsApp's clock.
    pub timestamp: i64,
    /// The sender's own WhatsApp name, if any.
    pub push_name: Option<String>,
    /// The sender's phone number (`+34600111222`) when WhatsApp knows it: from a `@c.us`
    /// id, or the page's mapping of a `@lid` one.
    pub phone: Option<String>,
}

/// The longest text kept from one message: WhatsApp's own limit is 65,536 characters, so
/// anything longer is not a customer's message as WhatsApp sent it.
pub const MAX_BODY_CHARS: usize = 65_536;

/// The latest time a page may report (the year 9999): anything later, or before 1970, is
/// a page's garbage, taken as "now" so the message is still stored and judged.
const MAX_TIMESTAMP_S: i64 = 253_402_300_799;

impl WaMessage {
    /// The message with what no real message has brought into range: a body cut to
    /// `MAX_BODY_CHARS`, a timestamp outside 1970..9999 replaced by `now_s`.
    pub fn bounded_at(mut self, now_s: i64) -> WaMessage {
        if let Some((cut, _)) = self.body.char_indices().nth(MAX_BODY_CHARS) {
            self.body.truncate(cut);
        }
        if !(0..=MAX_TIMESTAMP_S).contains(&self.timestamp) {
            self.timestamp = now_s;
        }
        self
    }
}

/// One of the owner's own messages in a chat, as WhatsApp has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct OwnMessage {
    pub id: String,
    pub body: String,
    /// Unix seconds, WhatsApp's clock.
    pub timestamp: i64,
    /// How far it got (-1 error, 0 pending, 1 server, …), when the page says.
    #[serde(default)]
    pub ack: Option<Ack>,
}

/// How far a sent message got: -1 error, 0 pending, 1 server, 2 delivered, 3 read, 4 played.
pub type Ack = i8;

/// What a running session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaEvent {
    State(AccountState),
    Message(WaMessage),
    Ack {
        id: String,
        ack: Ack,
    },
    /// Which WhatsApp Web the page is and what of it the bridge can use: record it with the
    /// number, and tell the owner when it is outside the tested range or lacks a feature.
    Page(PageInfo),
    /// A sent message WhatsApp's server never took: the bot decides what to do about it.
    NotDelivered {
        id: String,
        reason: Undelivered,
    },
    /// A message that stayed encrypted after a resend was asked for: it can't be read.
    Unreadable {
        id: String,
        chat: String,
    },
}

/// Why a sent message counts as not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Undelivered {
    /// The server answered with an error ack (-1 or below).
    Refused,
    /// No server ack within the bound (`ChromiumDriver::delivery_timeout`).
    NoServerAck,
}

/// The WhatsApp Web builds this bridge was checked against (WHATSAPP_WEB.md §1): the first
/// with the object-form `sendSeen`, and the build the contract was written from.
pub const TESTED_VERSIONS: (&str, &str) = ("2.3000.1031992593", "2.3000.1045818043");

/// What the page says of itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// `Debug.VERSION`, e.g. `2.3000.1045818043`.
    pub version: Option<String>,
    /// `WAWebBuildConstants.VERSION_STR`, when the page has it.
    pub build: Option<String>,
    /// Whether `version` is inside `TESTED_VERSIONS` (false when unknown).
    pub tested: bool,
    /// The bridge's features the page lacks (names of `inject.js`'s FEATURES table).
    pub missing: Vec<String>,
}

impl PageInfo {
    pub fn new(version: Option<String>, build: Option<String>, missing: Vec<String>) -> PageInfo {
        let tested = version.as_deref().is_some_and(version_tested);
        PageInfo {
            version,
            build,
            tested,
            missing,
        }
    }
}

/// `2.3000.1045818043` as numbers, for comparing builds; `None` for anything else.
fn version_parts(version: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = version.trim().split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// Whether a WhatsApp Web build is inside the range this bridge was checked against.
pub fn version_tested(version: &str) -> bool {
    let (Some(v), Some(low), Some(high)) = (
        version_parts(version),
        version_parts(TESTED_VERSIONS.0),
        version_parts(TESTED_VERSIONS.1),
    ) else {
        return false;
    };
    low <= v && v <= high
}

#[derive(Debug, thiserror::Error)]
pub enum WaError {
    #[error("{0}")]
    BrowserMissing(Text),
    #[error("{}", self.text())]
    Launch(String),
    #[error("{}", self.text())]
    Page(String),
    #[error("{}", self.text())]
    NotConnected,
    #[error("{0}")]
    InvalidPhone(Text),
    /// WhatsApp Web refused a send (`messageSendResult` not `OK`, or the result rejected);
    /// `id` is the message's id, which may show in the chat as failed.
    #[error("{}", self.text())]
    SendRefused { id: String, detail: String },
    /// The connection to WhatsApp Web failed its certificate check: never loaded.
    #[error("{}", self.text())]
    Insecure(String),
    /// The page lacks what this needs (a WhatsApp Web update renamed it).
    #[error("{}", self.text())]
    Unsupported(String),
}

impl WaError {
    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            WaError::BrowserMissing(text) | WaError::InvalidPhone(text) => text.clone(),
            WaError::Launch(detail) => text!(
                "wa.launch",
                "The browser for WhatsApp could not start: {detail}",
                detail = detail
            ),
            WaError::Page(detail) => text!(
                "wa.page",
                "WhatsApp Web did not answer: {detail}",
                detail = detail
            ),
            WaError::NotConnected => text!(
                "wa.not_connected",
                "This number is not connected to WhatsApp right now."
            ),
            WaError::SendRefused { detail, .. } => text!(
                "wa.send_refused",
                "WhatsApp did not send the message ({detail}).",
                detail = detail
            ),
            WaError::Insecure(detail) => text!(
                "wa.insecure",
                "The connection to WhatsApp is not secure ({detail}), so Leadline did not open it. \
                 Check that the computer's date and time are right, and that no program or network \
                 is intercepting secure connections; Leadline keeps trying.",
                detail = detail
            ),
            WaError::Unsupported(detail) => text!(
                "wa.unsupported",
                "This part of WhatsApp Web changed and Leadline can't use it yet ({detail}). \
                 Update Leadline.",
                detail = detail
            ),
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

/// The seam between the runtime and a browser: tests swap in an in-memory double.
pub trait Driver: Send + Sync {
    /// Starts a session on `profile`; what it reports goes to `events`, which closes when
    /// the session ends for any reason (stopped, browser crashed).
    fn start<'a>(
        &'a self,
        profile: &'a std::path::Path,
        events: tokio::sync::mpsc::UnboundedSender<WaEvent>,
    ) -> futures::future::BoxFuture<'a, Result<Box<dyn Session>, WaError>>;
}

/// A running session, whatever drives it.
pub trait Session: Send + Sync {
    fn send_text<'a>(
        &'a self,
        chat: &'a str,
        text: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<String, WaError>>;
    fn mark_seen<'a>(
        &'a self,
        chat: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<(), WaError>>;
    fn set_typing<'a>(
        &'a self,
        chat: &'a str,
        on: bool,
    ) -> futures::future::BoxFuture<'a, Result<(), WaError>>;
    fn refresh_qr(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>>;
    /// The own messages in `chat` (sent from here or typed on the phone) from `since`
    /// (unix seconds, WhatsApp's clock) on, oldest first, the page loading earlier
    /// messages until it holds that far back: after a crash, they tell whether a reply
    /// already went out.
    fn recent_own<'a>(
        &'a self,
        chat: &'a str,
        since: i64,
    ) -> futures::future::BoxFuture<'a, Result<Vec<OwnMessage>, WaError>>;
    /// "Use here": takes WhatsApp back from the other computer or browser it is open on.
    fn take_over(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>>;
    /// An 8-character code to type on the phone instead of scanning the QR.
    fn pairing_code<'a>(
        &'a self,
        phone: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<String, WaError>>;
    fn logout(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>>;
    /// Answers when the page is alive and responsive; errors or hangs when it isn't.
    fn ping(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>>;
    /// Reports again, as messages, what customers wrote in chats still unread here: after
    /// a crash, a message the page showed before it was stored is history to the page
    /// (never reported as new), and only this brings it back. Returns how many.
    fn catch_up(&self) -> futures::future::BoxFuture<'_, Result<usize, WaError>>;
    /// The browser's process id, when there is a browser.
    fn pid(&self) -> Option<u32>;
    fn stop(self: Box<Self>) -> futures::future::BoxFuture<'static, ()>;
}
