//! How a message's type on the page becomes a kind Leadline keeps, its text and details
//! (WHATSAPP_WEB_MEDIA.md §1): a media message's `body` is its thumbnail and its text is the
//! caption; system messages and add-ons are not messages a customer wrote.

use serde::Deserialize;

use crate::model::message_kind::{ContactCard, MessageDetails, MessageKind, Quoted};

/// What the page reports of a message besides its id, chat and sender.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PageFields {
    /// A placeholder's kind (`view_once_unavailable_fanout`…), a text's `url`.
    pub subtype: Option<String>,
    pub caption: Option<String>,
    pub comment: Option<String>,
    pub filename: Option<String>,
    pub mimetype: Option<String>,
    pub size: Option<f64>,
    /// Whole seconds, which the page keeps as a string.
    pub duration: Option<serde_json::Value>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    pub page_count: Option<f64>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub loc: Option<String>,
    pub is_live: bool,
    /// False when a document's caption is only its file name.
    pub is_caption_by_user: Option<bool>,
    pub vcard_name: Option<String>,
    pub vcards: Vec<PageCard>,
    pub quoted_id: Option<String>,
    pub quoted_text: Option<String>,
    /// What an `unknown` message was, in WhatsApp's words.
    pub futureproof_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct PageCard {
    pub name: Option<String>,
    pub vcard: Option<String>,
}

/// Types that are not a message someone wrote (system notices, add-ons, protocol messages):
/// never stored, never answered (§1 "Ignore").
const IGNORED: &[&str] = &[
    "gp2",
    "broadcast_notification",
    "notification",
    "notification_template",
    "e2e_notification",
    "pinned_message",
    "newsletter_notification",
    "poll_add_option_decrypted",
    "group-history",
    "message_history_bundle",
    "message_history_notice",
    "call_log",
    "protocol",
    "reaction",
    "reaction_enc",
    "poll_update",
    "keep_in_chat",
    "pin_message",
    "comment",
    "event_response",
    "debug_placeholder",
    "revoked",
];

/// The longest thumbnail kept: WhatsApp's are a few KiB; a longer one was cut on the way.
const MAX_THUMBNAIL_CHARS: usize = 65_535;
/// The longest text kept of a quoted message, a file name or a place.
const MAX_SHORT_TEXT_CHARS: usize = 512;
/// The most contact cards kept from one message, and the longest card.
const MAX_CARDS: usize = 20;
const MAX_CARD_CHARS: usize = 16_384;

/// What a page message is to Leadline: its kind, its text (what a person wrote) and its
/// details; `None` for what is not a message a person wrote.
pub fn classify(
    page_type: &str,
    subtype: Option<&str>,
    body: &str,
    fields: &PageFields,
) -> Option<(MessageKind, String, MessageDetails)> {
    if IGNORED.contains(&page_type) {
        return None;
    }
    let mut details = MessageDetails {
        quoted: fields
            .quoted_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map(|id| Quoted {
                wa_id: short(id),
                text: fields
                    .quoted_text
                    .as_deref()
                    .filter(|t| !t.is_empty())
                    .map(short),
            }),
        ..MessageDetails::default()
    };
    let caption = || fields.caption.clone().unwrap_or_default();
    let kind = match page_type {
        "chat" => return Some((MessageKind::Text, body.to_string(), details)),
        "image" | "video" | "ptv" | "ptt" | "audio" | "document" | "sticker" => {
            fill_media(&mut details, body, fields, page_type);
            match page_type {
                "image" => MessageKind::Image,
                "video" | "ptv" => MessageKind::Video,
                "ptt" => MessageKind::Voice,
                "audio" => MessageKind::Audio,
                "sticker" => MessageKind::Sticker,
                _ => {
                    // A caption that is only the file name is not something the customer
                    // wrote.
                    let text = if fields.is_caption_by_user == Some(false)
                        || fields.caption.as_deref() == fields.filename.as_deref()
                    {
                        String::new()
                    } else {
                        caption()
                    };
                    return Some((MessageKind::Document, text, details));
                }
            }
        }
        "location" => {
            details.lat = fields
                .lat
                .filter(|lat| lat.is_finite() && lat.abs() <= 90.0);
            details.lng = fields
                .lng
                .filter(|lng| lng.is_finite() && lng.abs() <= 180.0);
            details.thumbnail = thumbnail(body);
            if fields.is_live {
                let text = fields.comment.clone().unwrap_or_default();
                return Some((MessageKind::LiveLocation, text, details));
            }
            details.place = fields.loc.as_deref().filter(|l| !l.is_empty()).map(short);
            return Some((MessageKind::Location, String::new(), details));
        }
        "vcard" => {
            details.contacts = vec![ContactCard {
                name: short(fields.vcard_name.as_deref().unwrap_or_default()),
                vcard: body.chars().take(MAX_CARD_CHARS).collect(),
            }];
            return Some((MessageKind::Contact, String::new(), details));
        }
        "multi_vcard" => {
            details.contacts = fields
                .vcards
                .iter()
                .take(MAX_CARDS)
                .map(|card| ContactCard {
                    name: short(card.name.as_deref().unwrap_or_default()),
                    vcard: card
                        .vcard
                        .as_deref()
                        .unwrap_or_default()
                        .chars()
                        .take(MAX_CARD_CHARS)
                        .collect(),
                })
                .collect();
            return Some((MessageKind::Contact, String::new(), details));
        }
        "ciphertext" if subtype == Some("view_once_unavailable_fanout") => MessageKind::ViewOnce,
        // Still encrypted: the bridge waits for it to change type (or reports it unreadable).
        "ciphertext" => return None,
        "album" => MessageKind::Album,
        other => {
            let named = match (other, fields.futureproof_type.as_deref()) {
                ("unknown", Some(was)) if !was.is_empty() => was,
                _ => other,
            };
            details.wa_type = Some(short(named));
            MessageKind::Unsupported
        }
    };
    let text = match kind {
        MessageKind::Image | MessageKind::Video => caption(),
        _ => String::new(),
    };
    Some((kind, text, details))
}

fn fill_media(details: &mut MessageDetails, body: &str, fields: &PageFields, page_type: &str) {
    details.mimetype = fields
        .mimetype
        .as_deref()
        .filter(|m| !m.is_empty())
        .map(short);
    details.filename = fields
        .filename
        .as_deref()
        .filter(|f| !f.is_empty())
        .map(short);
    details.size = fields
        .size
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1.0e15)
        .map(|s| s as u64);
    details.duration_s = match &fields.duration {
        Some(serde_json::Value::String(s)) => s.trim().parse::<u32>().ok(),
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    };
    details.width = whole(fields.width).filter(|w| *w > 0);
    details.height = whole(fields.height).filter(|h| *h > 0);
    details.page_count = whole(fields.page_count).filter(|p| *p > 0);
    // A voice note's or audio's `body` is not a picture.
    if !matches!(page_type, "ptt" | "audio" | "sticker") {
        details.thumbnail = thumbnail(body);
    }
}

/// A number the page gave as a whole one in `u32`'s range.
fn whole(value: Option<f64>) -> Option<u32> {
    value
        .filter(|v| v.is_finite() && *v >= 0.0 && *v <= f64::from(u32::MAX))
        .map(|v| v as u32)
}

/// A base64 JPEG preview, if `body` is one (whole, not cut on the way).
fn thumbnail(body: &str) -> Option<String> {
    let looks_base64 = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    (!body.is_empty() && body.len() < MAX_THUMBNAIL_CHARS && looks_base64).then(|| body.to_string())
}

fn short(text: &str) -> String {
    text.chars().take(MAX_SHORT_TEXT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> PageFields {
        PageFields::default()
    }

    #[test]
    fn a_photos_text_is_its_caption_and_its_body_the_thumbnail() {
        let f = PageFields {
            caption: Some("¿la tienen en azul?".into()),
            mimetype: Some("image/jpeg".into()),
            size: Some(48213.0),
            width: Some(1080.0),
            height: Some(1350.0),
            ..fields()
        };
        let (kind, text, details) = classify("image", None, "/9j/4AAQSkZJRg==", &f).unwrap();
        assert_eq!(kind, MessageKind::Image);
        assert_eq!(text, "¿la tienen en azul?");
        assert_eq!(details.thumbnail.as_deref(), Some("/9j/4AAQSkZJRg=="));
        assert_eq!(
            (details.size, details.width, details.height),
            (Some(48213), Some(1080), Some(1350))
        );
    }

    #[test]
    fn a_voice_notes_duration_is_read_from_the_pages_string_and_it_has_no_text() {
        let f = PageFields {
            mimetype: Some("audio/ogg; codecs=opus".into()),
            duration: Some(serde_json::json!("12")),
            ..fields()
        };
        let (kind, text, details) = classify("ptt", None, "", &f).unwrap();
        assert_eq!((kind, text.as_str()), (MessageKind::Voice, ""));
        assert_eq!(details.duration_s, Some(12));
        assert_eq!(details.thumbnail, None);
    }

    #[test]
    fn a_documents_caption_that_is_only_its_file_name_is_not_text() {
        let named = PageFields {
            caption: Some("lista.pdf".into()),
            filename: Some("lista.pdf".into()),
            is_caption_by_user: Some(false),
            page_count: Some(3.0),
            ..fields()
        };
        let (kind, text, details) = classify("document", None, "", &named).unwrap();
        assert_eq!((kind, text.as_str()), (MessageKind::Document, ""));
        assert_eq!(
            (details.filename.as_deref(), details.page_count),
            (Some("lista.pdf"), Some(3))
        );
        let written = PageFields {
            caption: Some("precios de diciembre".into()),
            is_caption_by_user: Some(true),
            ..named
        };
        assert_eq!(
            classify("document", None, "", &written).unwrap().1,
            "precios de diciembre"
        );
    }

    #[test]
    fn places_live_locations_and_contact_cards_keep_what_they_carry() {
        let place = PageFields {
            lat: Some(-34.6037),
            lng: Some(-58.3816),
            loc: Some("Obelisco\nAv. 9 de Julio".into()),
            ..fields()
        };
        let (kind, _, details) = classify("location", None, "", &place).unwrap();
        assert_eq!(kind, MessageKind::Location);
        assert_eq!(details.place.as_deref(), Some("Obelisco\nAv. 9 de Julio"));
        assert_eq!((details.lat, details.lng), (Some(-34.6037), Some(-58.3816)));

        let live = PageFields {
            is_live: true,
            comment: Some("voy llegando".into()),
            lat: Some(200.0),
            ..fields()
        };
        let (kind, text, details) = classify("location", None, "", &live).unwrap();
        assert_eq!(
            (kind, text.as_str()),
            (MessageKind::LiveLocation, "voy llegando")
        );
        assert_eq!(details.lat, None, "a latitude out of range is dropped");

        let cards = PageFields {
            vcards: vec![
                PageCard {
                    name: Some("Ana".into()),
                    vcard: Some("BEGIN:VCARD\nFN:Ana\nEND:VCARD".into()),
                },
                PageCard {
                    name: None,
                    vcard: None,
                },
            ],
            ..fields()
        };
        let (kind, _, details) = classify("multi_vcard", None, "", &cards).unwrap();
        assert_eq!(kind, MessageKind::Contact);
        assert_eq!(details.contacts.len(), 2);
        assert_eq!(details.contacts[0].name, "Ana");
    }

    #[test]
    fn view_once_is_its_own_kind_other_ciphertext_waits_and_system_messages_are_not_kept() {
        assert_eq!(
            classify(
                "ciphertext",
                Some("view_once_unavailable_fanout"),
                "",
                &fields()
            )
            .unwrap()
            .0,
            MessageKind::ViewOnce
        );
        assert!(classify("ciphertext", None, "", &fields()).is_none());
        for ignored in [
            "gp2",
            "e2e_notification",
            "call_log",
            "notification_template",
            "protocol",
            "reaction",
        ] {
            assert!(
                classify(ignored, None, "x", &fields()).is_none(),
                "{ignored}"
            );
        }
    }

    #[test]
    fn an_unknown_kind_is_kept_with_its_whatsapp_name() {
        let (kind, text, details) = classify("poll_creation", None, "x", &fields()).unwrap();
        assert_eq!((kind, text.as_str()), (MessageKind::Unsupported, ""));
        assert_eq!(details.wa_type.as_deref(), Some("poll_creation"));
        let was = PageFields {
            futureproof_type: Some("event_creation".into()),
            ..fields()
        };
        assert_eq!(
            classify("unknown", None, "", &was)
                .unwrap()
                .2
                .wa_type
                .as_deref(),
            Some("event_creation")
        );
    }

    #[test]
    fn a_reply_keeps_what_it_quotes_and_a_cut_thumbnail_is_dropped() {
        let f = PageFields {
            quoted_id: Some("3EB0AB12".into()),
            quoted_text: Some("¿cuánto cuesta?".into()),
            ..fields()
        };
        let (kind, text, details) = classify("chat", None, "la M", &f).unwrap();
        assert_eq!((kind, text.as_str()), (MessageKind::Text, "la M"));
        assert_eq!(
            details.quoted.unwrap().text.as_deref(),
            Some("¿cuánto cuesta?")
        );
        let cut = "A".repeat(MAX_THUMBNAIL_CHARS + 1);
        assert_eq!(
            classify("image", None, &cut, &fields())
                .unwrap()
                .2
                .thumbnail,
            None
        );
    }
}
