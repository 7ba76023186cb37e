//! What the bot decided for a customer's message, as its inbox row keeps it: skip (and why),
//! pause the chat for the owner, carry out an owner command, or a reply and where its words
//! come from.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "command",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum OwnerCommand {
    Pause { minutes: u32 },
    Resume,
    Status,
    LeadsToday,
}

/// Why a message gets no reply. Recorded on the inbox row; shown in Activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "reason",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Skip {
    OwnMessage,
    Status,
    Group,
    IgnoredContact,
    KnownContact,
    /// History, or older than the freshness window when it arrived.
    TooOld,
    Empty,
    TakenOver {
        until_ms: i64,
    },
    NumberPaused {
        until_ms: i64,
    },
    BotOff {
        until_ms: i64,
    },
    ContactCap,
    NumberCap,
    LoopGuard,
    ClosedSilent,
    OpenOwnerAnswers,
    AwayAlreadySent,
}

/// The decision for one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(
    tag = "action",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Decision {
    Skip(Skip),
    /// The owner typed in a customer chat: pause the bot there.
    PauseChat {
        until_ms: i64,
    },
    Command(OwnerCommand),
    Away {
        text: String,
    },
    QuickReply {
        rule_id: i64,
        text: String,
    },
    Ai {
        closed: bool,
    },
}
