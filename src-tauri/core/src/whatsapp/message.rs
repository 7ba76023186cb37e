//! What a running session reports: messages, acks, the page, what could not be read or
//! delivered.

use serde::Serialize;
use ts_rs::TS;

use super::account::AccountState;
use super::page::PageInfo;
use crate::model::limits::Limits;
use crate::model::message_kind::{MessageDetails, MessageKind};

/// A message as the page reported it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WaMessage {
    /// WhatsApp's id, unique per number (`<fromMe>_<chat>_<id>`).
    pub id: String,
    /// The chat it belongs to: `…@c.us`, `…@lid`, `…@g.us`.
    pub chat: String,
    /// Who wrote it: the chat for a person, the author in a group.
    pub from: String,
    pub from_me: bool,
    /// What kind of message it is: text, a photo, a voice note…
    pub kind: MessageKind,
    /// What a person wrote: the text, or a photo's caption ("" when nothing was written).
    pub body: String,
    /// What it carries besides its text (empty for plain text; boxed: most messages are
    /// text, and events are moved around a lot).
    pub details: Box<MessageDetails>,
    /// Unix seconds, WhatsApp's clock.
    pub timestamp: i64,
    /// The sender's own WhatsApp name, if any.
    pub push_name: Option<String>,
    /// The sender's phone number (`+34600111222`) when WhatsApp knows it: from a `@c.us`
    /// id, or the page's mapping of a `@lid` one.
    pub phone: Option<String>,
    /// The sender's WhatsApp username (without "@"), when they have one: a customer may
    /// reach the business by username with no phone at all.
    pub username: Option<String>,
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
    /// Unix seconds as the page stamped it: the laptop's clock for a send from here
    /// (`inject.js` stamps it with `Date.now()`), the phone's for one typed there.
    pub timestamp: i64,
    /// How far it got (-1 error, 0 pending, 1 server, …), when the page says.
    #[serde(default)]
    pub ack: Option<Ack>,
}

/// How far a sent message got: -1 error, 0 pending, 1 server, 2 delivered, 3 read, 4 played.
pub type Ack = i8;

/// What a running session reports.
#[derive(Debug, Clone, PartialEq)]
pub enum WaEvent {
    State(AccountState),
    Message(WaMessage),
    Ack {
        id: String,
        ack: Ack,
    },
    /// A message was edited: its new text (a media message's caption).
    Edited {
        id: String,
        text: String,
    },
    /// A message was deleted for everyone.
    Revoked {
        id: String,
    },
    /// Someone reacted to message `parent` (`emoji` empty: taken back).
    Reaction {
        parent: String,
        from: String,
        emoji: String,
        at_ms: i64,
    },
    /// Which WhatsApp Web the page is and what of it the bridge can use: record it with the
    /// number, and tell the owner when it is outside the tested range or lacks a feature.
    Page(PageInfo),
    /// A sent message WhatsApp's server never took: the bot decides what to do about it.
    NotDelivered {
        id: String,
        reason: Undelivered,
    },
    /// The session asks to be started again at once: a number linked in a visible window
    /// goes back to headless on the same profile.
    Relaunch,
    /// The account's limits changed (or were read for the first time since the start).
    Limits(Limits),
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
