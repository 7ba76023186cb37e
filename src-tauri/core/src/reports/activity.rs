//! The audit log: what happened, newest first, filtered by what it was about and by number.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::leadline::Leadline;
use crate::model::activity::ActivityKind;
use crate::store::activity;

/// How many entries one page of the log shows at most.
pub const MAX_PAGE: u32 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    pub id: i64,
    /// The number it concerns; `None` once that number is removed, or for app-wide entries.
    pub account_id: Option<i64>,
    /// A stable machine name, e.g. `number_added`.
    pub kind: String,
    /// The sentence the owner reads, in English.
    pub message: String,
    /// The values the sentence is made of (e.g. `name`), for saying it in another language.
    pub args: std::collections::BTreeMap<String, String>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// What an entry is about, for the log's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActivityGroup {
    /// Numbers added, linked, unlinked, logged out, renamed, removed.
    Linking,
    /// A number that stopped working (browser or connection) and came back.
    Connection,
    /// Something failed: the AI, a webhook, a number.
    Errors,
    /// The owner took over chats, paused, resumed or ignored them.
    Takeovers,
    /// Commands the owner sent to their own number.
    Commands,
    /// Webhook deliveries, delivered or failed.
    Webhooks,
    /// Settings, providers and address books.
    Settings,
}

impl ActivityGroup {
    pub fn kinds(self) -> &'static [ActivityKind] {
        use ActivityKind as K;
        match self {
            ActivityGroup::Linking => &[
                K::NumberAdded,
                K::NumberLinked,
                K::NumberUnlinked,
                K::NumberLoggedOut,
                K::NumberRenamed,
                K::NumberRemoved,
            ],
            ActivityGroup::Connection => &[K::NumberFailed, K::NumberRecovered],
            ActivityGroup::Errors => &[
                K::AiFailed,
                K::ReplyFailed,
                K::WebhookFailed,
                K::NumberFailed,
                K::NumberDuplicate,
            ],
            ActivityGroup::Takeovers => &[
                K::Takeover,
                K::HandedOver,
                K::ChatPaused,
                K::ChatResumed,
                K::ContactIgnored,
            ],
            ActivityGroup::Commands => &[K::OwnerCommand, K::BotsPaused],
            ActivityGroup::Webhooks => &[K::WebhookDelivered, K::WebhookFailed],
            ActivityGroup::Settings => &[
                K::BotSettings,
                K::AiProvider,
                K::ContactsImported,
                K::ContactsForgotten,
                K::BackupMade,
            ],
        }
    }
}

/// One page of the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityQuery {
    pub group: Option<ActivityGroup>,
    pub number_id: Option<i64>,
    /// Entries older than this one (the next page).
    pub before_id: Option<i64>,
    pub limit: u32,
}

impl Leadline {
    /// The newest `limit` entries.
    pub async fn activity(&self, limit: u32) -> Result<Vec<ActivityEntry>> {
        self.activity_page(ActivityQuery {
            limit,
            ..ActivityQuery::default()
        })
        .await
    }

    pub async fn activity_page(&self, query: ActivityQuery) -> Result<Vec<ActivityEntry>> {
        let limit = query.limit.clamp(1, MAX_PAGE);
        self.store
            .call(move |conn| {
                let rows = activity::page(
                    conn,
                    query.group.map(ActivityGroup::kinds),
                    query.number_id,
                    query.before_id,
                    limit,
                )?
                .into_iter()
                .map(|row| ActivityEntry {
                    id: row.id,
                    account_id: row.account_id,
                    kind: row.kind,
                    message: row.message,
                    created_at: row.created_at,
                    args: row.args,
                })
                .collect();
                Ok(rows)
            })
            .await
    }
}
