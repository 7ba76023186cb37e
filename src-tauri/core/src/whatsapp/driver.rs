//! The seams between the runtime and a browser: a driver starts sessions, a session drives
//! one number's page.

use super::error::WaError;
use super::media::{DownloadError, Downloaded};
use super::message::{OwnMessage, WaEvent};

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
    /// The owner compared the passkey step's verification code with the phone's: confirm
    /// it to WhatsApp.
    fn confirm_passkey_code(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>>;
    /// An 8-character code to type on the phone instead of scanning the QR.
    fn pairing_code<'a>(
        &'a self,
        phone: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<String, WaError>>;
    fn logout(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>>;
    /// A media message's file (`id` as reported), never larger than `max_bytes`, checked
    /// against the hash WhatsApp announced; expired media is asked of the phone again.
    fn download<'a>(
        &'a self,
        id: &'a str,
        max_bytes: u64,
    ) -> futures::future::BoxFuture<'a, Result<Downloaded, DownloadError>>;
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
