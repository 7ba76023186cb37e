//! A conversation as the owner sees it: its place in the list, the bot's state in it, and
//! its transcript; and what a chat and a message are (kind, direction, origin).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::lead::Stage;
use super::media::MediaFile;
use super::message_kind::{MessageDetails, MessageKind};
use super::transcript::VoiceTranscript;

crate::text_enum::text_enum! {
    /// What a chat is, from its WhatsApp id.
    pub enum ChatKind {
        Person = "person",
        Group = "group",
        Broadcast = "broadcast",
    }
}

crate::text_enum::text_enum! {
    /// Which way a message went.
    pub enum Direction {
        In = "in",
        Out = "out",
    }
}

crate::text_enum::text_enum! {
    /// Who wrote a message: the customer, the bot, or the owner (in the app or on the phone).
    pub enum Origin {
        Customer = "customer",
        Bot = "bot",
        OwnerApp = "owner_app",
        OwnerPhone = "owner_phone",
    }
}

/// Whether the bot answers in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum BotInChat {
    /// The bot answers (within the number's own rules and hours).
    Active,
    /// The owner took over or paused it: quiet until `until` (unix ms).
    Paused { until: i64, reason: Option<String> },
    /// The owner told the bot to leave this contact alone.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LastMessage {
    pub body: String,
    pub direction: Direction,
    pub origin: Origin,
    pub ack: i8,
    pub sent_at: i64,
}

/// One chat in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatSummary {
    pub id: i64,
    pub number_id: i64,
    pub number_name: String,
    /// The contact's name as the owner or WhatsApp knows it, or the phone.
    pub title: String,
    pub phone: Option<String>,
    pub kind: ChatKind,
    pub last: Option<LastMessage>,
    pub bot: BotInChat,
    pub lead_id: Option<i64>,
    pub lead_stage: Option<Stage>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ChatListRequest {
    /// `None`: every number.
    pub number_id: Option<i64>,
    /// Words in the contact's name or phone.
    pub search: String,
    pub offset: u32,
    /// 1–500; 0 means 100.
    pub limit: u32,
}

/// One message of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    pub id: i64,
    pub direction: Direction,
    pub origin: Origin,
    /// Text, a photo, a voice note…
    pub kind: MessageKind,
    /// What a person wrote: the text, or a photo's caption.
    pub body: String,
    /// What it carries besides its text; `None` for plain text.
    pub details: Option<MessageDetails>,
    /// The sender edited it (`body` is the text now).
    pub edited: bool,
    /// The sender deleted it for everyone; its text is kept for the owner.
    pub deleted: bool,
    /// The first text of an edited message.
    pub original_body: Option<String>,
    /// Reactions to it, oldest first (one per person).
    pub reactions: Vec<String>,
    /// Its file, for a customer's photo, voice note, document…: on its way, kept or not.
    pub media: Option<MediaFile>,
    /// A customer's voice note as Leadline heard it (its words, or why not).
    pub heard: Option<VoiceTranscript>,
    /// WhatsApp's ticks: -1 failed, 0 pending, 1 sent, 2 delivered, 3 read, 4 played.
    pub ack: i8,
    pub sent_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    pub chat: ChatSummary,
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    /// Whether older messages than these exist.
    pub more_before: bool,
}
