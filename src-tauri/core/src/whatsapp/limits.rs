//! What WhatsApp limits for an account while it stays connected (WHATSAPP_WEB.md §5.2): the
//! reachout timelock (no messages to new contacts until a time) and the monthly cap on new
//! chats. Shown to the owner, never fought: a refused send is never retried. The limits
//! themselves are `model::limits::Limits`, kept with the number.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::text;
use crate::text::Text;

/// Why WhatsApp refused (or would refuse) a send, as the contract classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The reachout timelock: a message to someone who hasn't written recently.
    Timelocked,
    /// The monthly cap on new chats.
    Capped,
    /// Refused by WhatsApp for a reason it doesn't say.
    Refused,
}

impl Refusal {
    /// The page's word for it (`inject.js`); anything else is a refusal without a reason.
    pub fn from_page(word: Option<&str>) -> Refusal {
        match word {
            Some("timelocked") => Refusal::Timelocked,
            Some("capped") => Refusal::Capped,
            _ => Refusal::Refused,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Timelocked => "timelocked",
            Refusal::Capped => "capped",
            Refusal::Refused => "refused",
        }
    }

    /// The sentence the owner reads about a message it kept from going out.
    pub fn text(self) -> Text {
        match self {
            Refusal::Timelocked => text!(
                "wa.refused_timelocked",
                "WhatsApp is limiting this number's messages to people who haven't written to it recently, so this message was not sent. Leadline won't try again: reply from the phone once the limit ends."
            ),
            Refusal::Capped => text!(
                "wa.refused_capped",
                "This number reached WhatsApp's monthly limit of new chats, so this message was not sent. Leadline won't try again."
            ),
            Refusal::Refused => text!(
                "wa.refused",
                "WhatsApp refused this message. Leadline won't try again: check the chat on the phone."
            ),
        }
    }
}
