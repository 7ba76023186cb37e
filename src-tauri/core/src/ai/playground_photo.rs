//! A photo the owner sends in the playground as the customer: checked as the live bot
//! checks a customer's (a type models take, at most 5 MB), then shown to a model that sees
//! or named to one that doesn't, in the same words the live bot uses.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ai::chat::{ChatMessage, Image};
use crate::ai::vision::{MAX_PHOTO_BYTES, PHOTO_NOT_SHOWN, PHOTO_SHOWN, PHOTO_TYPES};
use crate::error::{Error, Result};
use crate::text;

/// A photo as the window sends it: its type and its bytes in base64.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaygroundPhoto {
    pub mimetype: String,
    pub base64: String,
}

impl std::fmt::Debug for PlaygroundPhoto {
    // Megabytes of base64 never go into a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PlaygroundPhoto({}, {} base64 bytes)",
            self.mimetype,
            self.base64.len()
        )
    }
}

/// The customer's `text` with `photo`: shown to a model that `sees`, named to one that
/// doesn't. A photo of another type, too large or unreadable is refused in plain words.
pub fn customer_message(text: &str, photo: &PlaygroundPhoto, sees: bool) -> Result<ChatMessage> {
    if !PHOTO_TYPES.contains(&photo.mimetype.as_str()) {
        return Err(Error::InvalidInput(text!(
            "assistant.playground_photo_type",
            "The assistant takes JPEG, PNG, WebP or GIF photos: choose one of those."
        )));
    }
    let Ok(bytes) = STANDARD.decode(photo.base64.as_bytes()) else {
        return Err(Error::InvalidInput(text!(
            "assistant.playground_photo_unreadable",
            "That photo couldn't be read: choose another one."
        )));
    };
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(Error::InvalidInput(text!(
            "assistant.playground_photo_large",
            "That photo is larger than 5 MB, more than the assistant is shown: choose a smaller one."
        )));
    }
    let words = text.trim();
    Ok(if sees {
        ChatMessage::user_with_images(
            format!("[{PHOTO_SHOWN}] {words}"),
            vec![Image {
                mimetype: photo.mimetype.clone(),
                base64: photo.base64.clone(),
            }],
        )
    } else {
        ChatMessage::user(format!("[{PHOTO_NOT_SHOWN}] {words}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(mimetype: &str, base64: &str) -> PlaygroundPhoto {
        PlaygroundPhoto {
            mimetype: mimetype.into(),
            base64: base64.into(),
        }
    }

    #[test]
    fn a_photo_is_shown_to_a_model_that_sees_and_named_to_one_that_doesnt() {
        let jpeg = photo("image/jpeg", "/9j/4AAQ");
        let shown = customer_message("¿la tienen en azul?", &jpeg, true).unwrap();
        assert_eq!(shown.content, "[a photo, shown to you] ¿la tienen en azul?");
        assert_eq!(shown.images.len(), 1);
        let named = customer_message("¿la tienen en azul?", &jpeg, false).unwrap();
        assert_eq!(
            named.content,
            "[a photo, not shown to you] ¿la tienen en azul?"
        );
        assert!(
            named.images.is_empty(),
            "never sent to a model that can't see"
        );
    }

    #[test]
    fn a_photo_of_another_type_too_large_or_unreadable_is_refused_in_plain_words() {
        for (bad, key) in [
            (
                photo("image/svg+xml", "PHN2Zz4="),
                "assistant.playground_photo_type",
            ),
            (
                photo("image/png", "not base64!"),
                "assistant.playground_photo_unreadable",
            ),
            (
                photo(
                    "image/png",
                    &STANDARD.encode(vec![0u8; MAX_PHOTO_BYTES + 1]),
                ),
                "assistant.playground_photo_large",
            ),
        ] {
            match customer_message("hola", &bad, true) {
                Err(Error::InvalidInput(text)) => assert_eq!(text.key, key),
                other => panic!("{bad:?} must be refused, got {other:?}"),
            }
        }
        assert!(
            format!("{:?}", photo("image/png", &"A".repeat(1_000))).len() < 100,
            "no bytes in a log line"
        );
    }
}
