//! The inbox: what became of each customer message, and the decision stored on its row
//! (so a resend after a crash sends the same words).

use serde::{Deserialize, Serialize};

use super::policy::Decision;
use crate::error::{Error, Result};
use crate::text;

crate::text_enum::text_enum! {
    /// Where an inbound message is: received → decided → replied | skipped | failed.
    pub enum InboxState {
        Received = "received",
        Decided = "decided",
        Replied = "replied",
        Skipped = "skipped",
        Failed = "failed",
    }
}

/// The rows a turn may decide afresh: new ones, ones decided before their text was known
/// (a crash, or the AI failed and is tried again), and failures due for another try.
pub const UNDECIDED: &[InboxState] = &[
    InboxState::Received,
    InboxState::Decided,
    InboxState::Failed,
];

/// What became of one inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Replied {
        wa_msg_id: String,
    },
    Skipped {
        reason: String,
    },
    /// Failed: tried again at its time (`error` says why), or for good.
    Failed {
        error: String,
    },
    /// Not done yet: the number is not connected, or the reply waits for its turn.
    Waiting {
        reason: String,
    },
}

/// The decision as stored on the inbox row: the policy's decision, plus the text to send
/// once it is known (so a resend after a crash sends the same words).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub decision: Decision,
    pub text: Option<String>,
    /// Where the text goes (the customer's chat, or the owner's own for commands).
    pub to: Option<String>,
}

impl Stored {
    pub(crate) fn parse(json: Option<&str>) -> Option<Stored> {
        serde_json::from_str(json?).ok()
    }

    /// The words to send and where, once known.
    pub(crate) fn reply(json: Option<&str>) -> Option<(String, String)> {
        let stored = Stored::parse(json)?;
        Some((stored.text?, stored.to?))
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// A stored message: the inbox row to decide on, and its chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub row: i64,
    pub chat_id: i64,
    /// Typed by the owner on the phone (acted on at once; no debounce).
    pub from_owner: bool,
}

/// The error for a row whose message was removed meanwhile.
pub(crate) fn message_gone() -> Error {
    Error::NotFound(text!(
        "bot.message_gone",
        "That message is no longer in Leadline."
    ))
}

/// Why an earlier message of a burst has no reply of its own.
pub const MERGED: &str = "merged_into_later_turn";

/// Which open rows of a chat a turn takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the owner's messages (they are acted on at once, a customer's burst waits).
    Owner,
    /// Everything open.
    All,
}
