//! The customer's photos shown to a model that can see (`ai::vision`): those of the turn
//! being answered (after the last message to the customer), read from the files Leadline
//! keeps, each a type models take and not too large. Older photos, and photos whose file
//! isn't kept, are named to the model instead.

use std::collections::HashMap;

use super::handle::Bot;
use super::media;
use crate::ai::chat::Image;
use crate::ai::vision::{MAX_PHOTO_BYTES, PHOTO_TYPES};
use crate::model::chat::Direction;
use crate::model::message_kind::MessageKind;
use crate::store::messages::RecentMessage;

/// At most this many photos go with one turn (a customer sending an album of twenty is
/// answered from the first few).
pub const MAX_PHOTOS: usize = 4;

/// Where the turn being answered starts in `recent`: after the last message to the
/// customer.
pub fn turn_starts(recent: &[RecentMessage]) -> usize {
    recent
        .iter()
        .rposition(|m| m.direction == Direction::Out)
        .map_or(0, |at| at + 1)
}

/// The photos of this turn, by message id.
pub async fn of_turn(bot: &Bot, recent: &[RecentMessage]) -> HashMap<i64, Image> {
    let wanted: Vec<i64> = recent[turn_starts(recent)..]
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
                if PHOTO_TYPES.contains(&file.mimetype.as_str())
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
