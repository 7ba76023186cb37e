//! What flows between the runtime and a number's task: the commands sent to it, and the
//! sinks its events and states leave by.

use std::sync::Arc;

use tokio::sync::oneshot;

use crate::whatsapp::account::AccountState;
use crate::whatsapp::error::WaError;
use crate::whatsapp::media::{DownloadError, Downloaded};
use crate::whatsapp::message::WaEvent;

/// Messages and acks from every number, for the message pipeline.
pub type Inbound = Arc<dyn Fn(i64, WaEvent) + Send + Sync>;

/// Every state change of every number, in order (a watch keeps only the latest).
pub type StateSink = Arc<dyn Fn(i64, &AccountState) + Send + Sync>;

pub(super) enum Command {
    Stop(oneshot::Sender<()>),
    Unlink(oneshot::Sender<()>),
    RefreshQr,
    TakeOver(oneshot::Sender<Result<(), WaError>>),
    ConfirmPasskeyCode(oneshot::Sender<Result<(), WaError>>),
    Seen {
        chat: String,
        reply: oneshot::Sender<Result<(), WaError>>,
    },
    Typing {
        chat: String,
        on: bool,
        reply: oneshot::Sender<Result<(), WaError>>,
    },
    CatchUp(oneshot::Sender<Result<usize, WaError>>),
    RecentOwn {
        chat: String,
        since: i64,
        reply: oneshot::Sender<Result<Vec<crate::whatsapp::message::OwnMessage>, WaError>>,
    },
    PairingCode {
        phone: String,
        reply: oneshot::Sender<Result<String, WaError>>,
    },
    Send {
        chat: String,
        text: String,
        reply: oneshot::Sender<Result<String, WaError>>,
    },
    /// A media message's file: run beside everything else, never holding up a send.
    Download {
        id: String,
        max_bytes: u64,
        reply: oneshot::Sender<Result<Result<Downloaded, DownloadError>, WaError>>,
    },
}
