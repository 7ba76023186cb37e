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
    /// Not text (a photo, a voice note, a document…): the owner's, in Conversations.
    NotText,
    /// The customer deleted it for everyone.
    Deleted,
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

impl Skip {
    /// Why, as the inbox row keeps it.
    pub fn reason(&self) -> SkipReason {
        match self {
            Skip::OwnMessage => SkipReason::OwnMessage,
            Skip::Status => SkipReason::Status,
            Skip::Group => SkipReason::Group,
            Skip::IgnoredContact => SkipReason::IgnoredContact,
            Skip::KnownContact => SkipReason::KnownContact,
            Skip::TooOld => SkipReason::TooOld,
            Skip::Empty => SkipReason::Empty,
            Skip::NotText => SkipReason::NotText,
            Skip::Deleted => SkipReason::Deleted,
            Skip::TakenOver { .. } => SkipReason::TakenOver,
            Skip::NumberPaused { .. } => SkipReason::NumberPaused,
            Skip::BotOff { .. } => SkipReason::BotOff,
            Skip::ContactCap => SkipReason::ContactCap,
            Skip::NumberCap => SkipReason::NumberCap,
            Skip::LoopGuard => SkipReason::LoopGuard,
            Skip::ClosedSilent => SkipReason::ClosedSilent,
            Skip::OpenOwnerAnswers => SkipReason::OpenOwnerAnswers,
            Skip::AwayAlreadySent => SkipReason::AwayAlreadySent,
        }
    }
}

crate::text_enum::text_enum! {
    /// Why a message got no reply of its own, as its inbox row keeps it (the words are the
    /// `Skip` variants', and two of the turn's own).
    pub enum SkipReason {
        OwnMessage = "own_message",
        Status = "status",
        Group = "group",
        IgnoredContact = "ignored_contact",
        KnownContact = "known_contact",
        TooOld = "too_old",
        Empty = "empty",
        NotText = "not_text",
        TakenOver = "taken_over",
        NumberPaused = "number_paused",
        BotOff = "bot_off",
        ContactCap = "contact_cap",
        NumberCap = "number_cap",
        LoopGuard = "loop_guard",
        ClosedSilent = "closed_silent",
        OpenOwnerAnswers = "open_owner_answers",
        AwayAlreadySent = "away_already_sent",
        /// The owner typed in the chat on the phone: the bot steps back there.
        OwnerTakeover = "owner_takeover",
        /// An earlier message of a burst, answered with the later ones as one turn.
        MergedIntoLaterTurn = "merged_into_later_turn",
        /// The customer deleted it for everyone before it was answered.
        Deleted = "deleted",
        /// The customer sent what the assistant can't see, and the owner's setting leaves
        /// such a chat to them.
        HandedOver = "handed_over",
        /// A word this build doesn't know (written by another build); never written.
        Unknown = "unknown",
    }
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
    /// The customer sent what the assistant can't see: pause the bot there and tell the
    /// owner (`Behaviour::unseen_media`).
    HandOver {
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
