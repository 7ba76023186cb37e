//! The customer's photos shown to a model that can see (`ai::vision`): those of the turn
//! being answered (after the last message to the customer), read from the files Leadline
//! keeps, each a type models take and not too large. Older photos, and photos whose file
//! isn't kept, are named to the model instead.

use std::collections::HashMap;

use super::handle::Bot;
use super::media;
use crate::ai::chat::Image;
use crate::model::chat::Direction;
use crate::model::message_kind::MessageKind;
use crate::store::messages::RecentMessage;

/// At most this many photos go with one turn (a customer sending an album of twenty is
/// answered from the first few).
pub const MAX_PHOTOS: usize = 4;

/// A photo larger than this is named, not shown: Anthropic refuses images over 5 MB, and
/// the others bill by size.
const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

const TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/// The photos of this turn, by message id.
pub async fn of_turn(bot: &Bot, recent: &[RecentMessage]) -> HashMap<i64, Image> {
    let turn_starts = recent
        .iter()
        .rposition(|m| m.direction == Direction::Out)
        .map_or(0, |at| at + 1);
    let wanted: Vec<i64> = recent[turn_starts..]
        .iter()
        .filter(|m| m.kind == MessageKind::Image && !m.revoked)
        .map(|m| m.id)
        .rev()
        .take(MAX_PHOTOS)
        .collect();
    let mut shown = HashMap::new();
    for id in wanted {
        match media::content(bot, id).await {
            Ok(file)
                if TYPES.contains(&file.mimetype.as_str())
                    && file.data.len() / 4 * 3 <= MAX_PHOTO_BYTES =>
            {
                shown.insert(
                    id,
                    Image {
                        mimetype: file.mimetype,
                        base64: file.data,
                    },
                );
            }
            Ok(_) => tracing::info!("a photo was named to the model, not shown: its type or size"),
            Err(_) => {
                tracing::info!("a photo was named to the model, not shown: its file isn't kept")
            }
        }
    }
    shown
}
