//! What can go wrong driving WhatsApp Web, in words an owner can act on.

use super::limits::Refusal;
use crate::error::Error;
use crate::text;
use crate::text::Text;

#[derive(Debug, thiserror::Error)]
pub enum WaError {
    #[error("{0}")]
    BrowserMissing(Text),
    #[error("{}", self.said())]
    Launch(String),
    #[error("{}", self.said())]
    Page(String),
    #[error("{}", self.said())]
    NotConnected,
    #[error("{0}")]
    InvalidPhone(Text),
    /// WhatsApp Web refused a send (`messageSendResult` not `OK`, or the result rejected);
    /// `id` is the message's id, which may show in the chat as failed.
    #[error("{}", self.said())]
    SendRefused { id: String, detail: String },
    /// WhatsApp's limits on this account kept a send from going out (§5.2): refused by
    /// the server (`id` set) or not attempted because it would be. Never retried.
    #[error("{}", self.said())]
    Limited {
        id: Option<String>,
        refusal: Refusal,
    },
    /// The connection to WhatsApp Web failed its certificate check: never loaded.
    #[error("{}", self.said())]
    Insecure(String),
    /// The page lacks what this needs (a WhatsApp Web update renamed it).
    #[error("{}", self.said())]
    Unsupported(String),
    /// WhatsApp can't be reached: no internet, no name resolution, nothing answering.
    /// The browser's own code (`net::ERR_NAME_NOT_RESOLVED`) is for the log.
    #[error("{}", self.said())]
    Unreachable(String),
    /// A proxy on the way to WhatsApp failed or refused (the browser's code for the log).
    #[error("{}", self.said())]
    Proxy(String),
    /// WhatsApp Web's address answered, but the page did not open (the browser's words are
    /// the detail).
    #[error("{}", self.said())]
    PageNotOpened(String),
}

impl WaError {
    /// The English sentence with its technical detail, for logs and callers' messages.
    fn said(&self) -> String {
        let text = self.text();
        match &text.detail {
            Some(detail) => format!("{} ({detail})", text.english),
            None => text.english,
        }
    }

    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            WaError::BrowserMissing(text) | WaError::InvalidPhone(text) => text.clone(),
            WaError::Launch(detail) => text!(
                "wa.launch_failed",
                "The browser Leadline uses for WhatsApp could not start. Restart Leadline; if it happens again, choose another browser in Settings › WhatsApp, or reinstall Chromium."
            )
            .with_detail(detail.clone()),
            WaError::Page(detail) => text!(
                "wa.page",
                "WhatsApp Web did not answer: {detail}",
                detail = detail
            ),
            WaError::PageNotOpened(detail) => text!(
                "wa.page_not_opened",
                "WhatsApp Web did not open properly. Leadline keeps trying; if it goes on, check this computer's internet connection."
            )
            .with_detail(detail.clone()),
            WaError::NotConnected => text!(
                "wa.not_connected",
                "This number is not connected to WhatsApp right now."
            ),
            WaError::SendRefused { detail, .. } => text!(
                "wa.send_refused",
                "WhatsApp did not send the message ({detail}).",
                detail = detail
            ),
            WaError::Limited { refusal, .. } => refusal.text(),
            // A Wi-Fi that wants a sign-in first (a hotel's, a café's) answers for WhatsApp
            // with its own page, whose certificate fails: the same error as interception.
            WaError::Insecure(detail) => text!(
                "wa.insecure_network",
                "The connection to WhatsApp is not secure, so Leadline did not open it. If this network asks you to sign in (a hotel, café or office Wi-Fi), open any web page in your browser and sign in. Otherwise check that the computer's date and time are right and that no program is intercepting secure connections. Leadline keeps trying."
            )
            .with_detail(detail.clone()),
            WaError::Unreachable(detail) => text!(
                "wa.unreachable",
                "Leadline can't reach WhatsApp: check this computer's internet connection. Leadline keeps trying."
            )
            .with_detail(detail.clone()),
            WaError::Proxy(detail) => text!(
                "wa.proxy",
                "Leadline can't reach WhatsApp through this network's proxy: check the proxy settings on this computer, or try another network. Leadline keeps trying."
            )
            .with_detail(detail.clone()),
            WaError::Unsupported(detail) => text!(
                "wa.unsupported",
                "This part of WhatsApp Web changed and Leadline can't use it yet ({detail}). \
                 Update Leadline.",
                detail = detail
            ),
        }
    }
}

impl From<WaError> for Error {
    fn from(e: WaError) -> Self {
        match e {
            WaError::InvalidPhone(text) => Error::InvalidInput(text),
            other => Error::Unavailable(other.text()),
        }
    }
}
