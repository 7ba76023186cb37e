//! What WhatsApp limits for a number while it stays connected (WHATSAPP_WEB.md §5.2), as
//! kept with the number.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A number's limits as the page last said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// WhatsApp refuses this number's messages to contacts who haven't written recently.
    pub timelocked: bool,
    /// When the timelock ends (unix ms), when WhatsApp said.
    pub timelock_ends_at: Option<i64>,
    /// This number reached its monthly limit of new chats.
    pub capped: bool,
}

impl Limits {
    /// Whether any limit is on.
    pub fn any(&self) -> bool {
        self.timelocked || self.capped
    }
}
