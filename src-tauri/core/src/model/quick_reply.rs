//! A quick reply: a keyword or a regular expression, and the fixed text it answers with.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The message contains the word(s), ignoring case and accents' case.
    Keyword,
    Regex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuickReply {
    pub kind: MatchKind,
    pub pattern: String,
    pub reply: String,
    pub enabled: bool,
}
