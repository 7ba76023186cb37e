//! The inbox: what became of each customer message, and the decision stored on its row
//! (so a resend after a crash sends the same words).

use super::handle::Bot;
use crate::error::{Error, Result};
use crate::model::decision::SkipReason;
use crate::model::inbox::InboxState;
use crate::store::{inbox, messages};
use crate::text;

/// What became of one inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Replied {
        wa_msg_id: String,
    },
    Skipped {
        reason: SkipReason,
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

/// Which open rows of a chat a turn takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Only the owner's messages (they are acted on at once, a customer's burst waits).
    Owner,
    /// Everything open.
    All,
}

/// What became of one row, read from the store.
pub async fn outcome(bot: &Bot, message_id: i64) -> Result<Handled> {
    bot.store()
        .call(move |conn| {
            let row = inbox::get(conn, message_id)?.ok_or_else(|| {
                Error::NotFound(text!(
                    "bot.inbox_gone",
                    "That message is no longer waiting for an answer."
                ))
            })?;
            Ok(match row.state {
                InboxState::Replied => Handled::Replied {
                    wa_msg_id: match row.reply_message_id {
                        Some(id) => messages::get(conn, id)?
                            .map(|m| m.wa_msg_id)
                            .unwrap_or_default(),
                        None => String::new(),
                    },
                },
                InboxState::Skipped => Handled::Skipped {
                    reason: row.skip_reason.unwrap_or(SkipReason::Unknown),
                },
                InboxState::Failed => Handled::Failed {
                    error: row.error.unwrap_or_default(),
                },
                _ => Handled::Waiting {
                    reason: row.error.unwrap_or_else(|| "waiting".into()),
                },
            })
        })
        .await
}
