//! The audit log: what happened, newest first.

use serde::Serialize;
use ts_rs::TS;

use crate::Leadline;
use crate::error::Result;
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
    /// The sentence the owner reads.
    pub message: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl Leadline {
    pub async fn activity(&self, limit: u32) -> Result<Vec<ActivityEntry>> {
        let limit = limit.clamp(1, MAX_PAGE);
        self.store
            .call(move |conn| Ok(activity::recent(conn, limit)?))
            .await
    }
}
