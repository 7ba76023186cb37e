//! A lead as the app shows it and announces it, its stages and its score.

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::text;

/// Announced once, when a lead first qualifies: notify the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QualifiedLead {
    pub lead_id: i64,
    pub account_id: i64,
    /// The name the lead gave, or their WhatsApp name.
    pub name: Option<String>,
    /// E.164 when known.
    pub phone: Option<String>,
    pub reason: String,
    pub score: u8,
    /// The key fields, as (name, value).
    pub fields: Vec<(String, String)>,
}

/// A lead as the Leads list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadSummary {
    pub id: i64,
    pub number_id: i64,
    pub number_name: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub stage: String,
    pub score: u8,
    pub reason: Option<String>,
    pub qualified_at: Option<i64>,
    pub updated_at: i64,
    /// (name, value), by name.
    pub fields: Vec<(String, String)>,
}

/// The stages a lead can be in, in their order.
pub const STAGES: [&str; 5] = ["new", "engaged", "qualified", "won", "lost"];

/// Refuses anything that isn't one of `STAGES`, naming it.
pub(crate) fn check_stage(stage: &str) -> Result<()> {
    if STAGES.contains(&stage) {
        return Ok(());
    }
    Err(Error::InvalidInput(text!(
        "lead.bad_stage",
        "“{stage}” is not a stage (new, engaged, qualified, won, lost).",
        stage = stage.chars().take(20).collect::<String>()
    )))
}

/// 0–100: how much of what the owner asked for is known (up to 60), and the AI's verdict
/// (40 more when it says the lead qualifies).
pub fn score(known: usize, asked: usize, qualified: bool) -> u8 {
    let completeness = (known.min(asked) * 60)
        .checked_div(asked)
        .map_or(60, |part| u8::try_from(part).unwrap_or(60));
    completeness + if qualified { 40 } else { 0 }
}
