//! What kind of message a customer sent, and what it carries besides its text: a photo's
//! size and thumbnail, a document's name, a place, contact cards, the message it quotes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

crate::text_enum::text_enum! {
    /// A message's kind, as `messages.kind` keeps it (text is WhatsApp's own word, `chat`).
    pub enum MessageKind {
        Text = "chat",
        Image = "image",
        Video = "video",
        /// A voice note recorded in WhatsApp (the page's `ptt`).
        Voice = "voice",
        /// An audio file.
        Audio = "audio",
        Document = "document",
        Sticker = "sticker",
        Location = "location",
        LiveLocation = "live_location",
        /// One contact card or several.
        Contact = "contact",
        /// A photo or video that can be opened once, on the phone only.
        ViewOnce = "view_once",
        /// The head of several photos or videos sent together (they follow as their own).
        Album = "album",
        /// A kind this build doesn't show (a poll, an order, a payment…); its WhatsApp type
        /// is kept in the details.
        Unsupported = "unsupported",
    }
}

impl MessageKind {
    /// Whether the message's bytes can be downloaded from WhatsApp (a file of its own).
    pub fn has_media(self) -> bool {
        matches!(
            self,
            MessageKind::Image
                | MessageKind::Video
                | MessageKind::Voice
                | MessageKind::Audio
                | MessageKind::Document
                | MessageKind::Sticker
        )
    }

    /// Whether it is a voice note (recorded in WhatsApp: Ogg/Opus, what Leadline hears). An
    /// audio file sent as a file may be any format and is kept, not heard.
    pub fn is_voice(self) -> bool {
        self == MessageKind::Voice
    }
}

/// A contact card as the message carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactCard {
    pub name: String,
    /// The card itself (vCard text).
    pub vcard: String,
}

/// The message a reply quotes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Quoted {
    /// WhatsApp's short id of the quoted message (its `id.id`).
    pub wa_id: String,
    /// Its text, when it had some (cut short).
    pub text: Option<String>,
}

/// What a message carries besides its text; every field is absent when WhatsApp gave none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mimetype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub filename: Option<String>,
    /// Bytes, as WhatsApp announced them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub duration_s: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page_count: Option<u32>,
    /// A small JPEG preview, base64, as WhatsApp sends it with a photo, video, document or
    /// place.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub thumbnail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub lng: Option<f64>,
    /// A place's name and address, as the customer's phone wrote them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub place: Option<String>,
    pub contacts: Vec<ContactCard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub quoted: Option<Quoted>,
    /// WhatsApp's own word for a kind this build doesn't show.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub wa_type: Option<String>,
}

impl MessageDetails {
    /// Whether there is nothing in it (a plain text message).
    pub fn is_empty(&self) -> bool {
        *self == MessageDetails::default()
    }
}
