//! Where a customer's message is on its way to an answer, and the decision its inbox row
//! keeps (so a resend after a crash sends the same words).

use serde::{Deserialize, Serialize};

use super::decision::Decision;

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

/// The decision as stored on the inbox row: the policy's decision, plus the text to send
/// once it is known (so a resend after a crash sends the same words).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub decision: Decision,
    pub text: Option<String>,
    /// Where the text goes (the customer's chat, or the owner's own for commands).
    pub to: Option<String>,
}

impl Stored {
    /// The words to send and where, once known.
    pub fn reply(&self) -> Option<WordedReply<'_>> {
        Some(WordedReply {
            text: self.text.as_deref()?,
            to: self.to.as_deref()?,
        })
    }
}

/// A reply whose words are known: what to send, and to which chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordedReply<'a> {
    pub text: &'a str,
    pub to: &'a str,
}
