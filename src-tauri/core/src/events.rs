//! Facts the core announces. The shell forwards each one to the UI under its fixed name.

use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use crate::model::lead::QualifiedLead;
use crate::model::number::WaNumber;
use crate::model::settings::AppSettings;
use crate::whatsapp::account::AccountState;

/// One variant per fact, each saying what the receiver should do next.
#[derive(Debug, Clone, Serialize, TS)]
// The tag is the event's name on the IPC bus, so the UI can type a payload by its name.
#[serde(tag = "type", content = "payload")]
pub enum CoreEvent {
    /// A number was added or changed: replace it in any list by `id`, or add it.
    #[serde(rename = "number:upserted")]
    NumberUpserted(WaNumber),
    /// A number and everything under it was removed: drop it from every view.
    #[serde(rename = "number:removed")]
    NumberRemoved { id: i64 },
    /// A number's WhatsApp connection changed state: update its badge.
    #[serde(rename = "account:status")]
    AccountStatus { id: i64, state: AccountState },
    /// App settings changed (maybe from another window): apply them, e.g. the theme.
    #[serde(rename = "settings:changed")]
    SettingsChanged(AppSettings),
    /// A lead just qualified: tell the owner (desktop notification) and add it to lists.
    #[serde(rename = "lead:qualified")]
    LeadQualified(QualifiedLead),
    /// A lead's fields, score or stage changed: refresh it where it is shown.
    #[serde(rename = "lead:updated")]
    LeadUpdated { id: i64, number_id: i64 },
    /// The owner clicked a lead's desktop notification: show that lead.
    #[serde(rename = "lead:open")]
    LeadOpen { id: i64 },
    /// A chat has a new message, a new tick or a new bot state: refresh it where shown.
    #[serde(rename = "chat:updated")]
    ChatUpdated { id: i64, number_id: i64 },
    /// A message sent from this number got a new tick (delivered, read): refresh an open
    /// transcript of this number.
    #[serde(rename = "message:acked")]
    MessageAcked { number_id: i64 },
    /// Every bot was paused or resumed (from the tray or Home).
    #[serde(rename = "bots:paused")]
    BotsPaused { paused: bool },
    /// A customer could not be answered, for good (the reason says why): tell the owner
    /// (desktop notification) so they answer on the phone. Sent once per message.
    #[serde(rename = "reply:failed", rename_all = "camelCase")]
    ReplyFailed {
        number_id: i64,
        chat_id: i64,
        /// The number's name.
        number: String,
        /// The customer, as shown (`+34600111222`).
        who: String,
        reason: crate::text::Text,
    },
    /// Incoming messages can't be stored (the database is damaged, or stays locked or
    /// full): tell the owner (desktop notification); the messages stay in WhatsApp. Sent
    /// once per run of the app.
    #[serde(rename = "store:failed")]
    StoreFailed { reason: crate::text::Text },
    /// AI on this computer started, stopped, failed or is starting again: show its state.
    #[serde(rename = "local_ai:state")]
    LocalAiState(crate::model::local_ai::LocalAiState),
    /// A model is being fetched: move its progress bar.
    #[serde(rename = "model:progress")]
    ModelProgress {
        id: String,
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number")]
        total: u64,
    },
}

impl CoreEvent {
    /// The fixed event name on the IPC bus; the UI listens by these names.
    pub fn name(&self) -> &'static str {
        match self {
            CoreEvent::NumberUpserted(_) => "number:upserted",
            CoreEvent::NumberRemoved { .. } => "number:removed",
            CoreEvent::AccountStatus { .. } => "account:status",
            CoreEvent::SettingsChanged(_) => "settings:changed",
            CoreEvent::LeadQualified(_) => "lead:qualified",
            CoreEvent::LeadUpdated { .. } => "lead:updated",
            CoreEvent::LeadOpen { .. } => "lead:open",
            CoreEvent::ChatUpdated { .. } => "chat:updated",
            CoreEvent::MessageAcked { .. } => "message:acked",
            CoreEvent::BotsPaused { .. } => "bots:paused",
            CoreEvent::ReplyFailed { .. } => "reply:failed",
            CoreEvent::StoreFailed { .. } => "store:failed",
            CoreEvent::ModelProgress { .. } => "model:progress",
            CoreEvent::LocalAiState(_) => "local_ai:state",
        }
    }

    /// What the UI receives under `name()`.
    pub fn payload(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => {
                tagged.remove("payload").unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }
}

/// Where the core sends events. The shell passes one that emits to the webview; tests pass
/// one that records.
pub type EventSink = Arc<dyn Fn(CoreEvent) + Send + Sync>;
