//! A number's bot behaviour as the owner sets it: what it answers, how long it waits, its
//! caps, what it does outside working hours, and when it switches itself on and off.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What to do outside working hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutsideHours {
    /// Send the away message, once per closed stretch and contact.
    #[default]
    AwayMessage,
    /// Let the AI answer, told that the business is closed.
    AiClosed,
    /// Say nothing.
    Silent,
    /// Answer only while closed (the owner answers in working hours).
    OnlyWhenClosed,
}

/// What to do when a customer sends what the assistant can't see: a video, a document, an
/// audio file, a view-once, or a photo when the number's model can't see photos.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum UnseenMedia {
    /// Answer, the assistant told what arrived ("a PDF named price-list.pdf").
    #[default]
    Answer,
    /// Leave the chat to the owner (the bot is paused there for the takeover time) and
    /// tell them.
    HandOver,
}

/// A number's bot behaviour, with the defaults a new owner gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Behaviour {
    pub answer_groups: bool,
    /// Contacts imported from the owner's address book are left to the owner.
    pub ignore_known_contacts: bool,
    /// How long a message from the owner pauses the bot in that chat.
    pub takeover_minutes: u32,
    pub max_replies_per_contact_hour: u32,
    pub max_replies_per_number_day: u32,
    /// A burst of customer messages within this many seconds is answered as one turn.
    pub debounce_seconds: u32,
    /// Messages that arrived while the app was closed are answered if newer than this.
    pub freshness_hours: u32,
    pub outside_hours: OutsideHours,
    pub away_message: String,
    /// The bot starts answering at this local time, "YYYY-MM-DDTHH:MM" in the number's
    /// zone; `None`: already on.
    pub bot_starts_at: Option<String>,
    /// The bot stops answering at this local time; `None`: no end.
    pub bot_stops_at: Option<String>,
    pub unseen_media: UnseenMedia,
}

impl Default for Behaviour {
    fn default() -> Behaviour {
        Behaviour {
            answer_groups: false,
            ignore_known_contacts: true,
            takeover_minutes: 12 * 60,
            max_replies_per_contact_hour: 20,
            max_replies_per_number_day: 500,
            debounce_seconds: 8,
            freshness_hours: 12,
            outside_hours: OutsideHours::AwayMessage,
            away_message: "Thanks for your message! We're closed right now and will answer as soon as we open."
                .into(),
            bot_starts_at: None,
            bot_stops_at: None,
            unseen_media: UnseenMedia::Answer,
        }
    }
}
