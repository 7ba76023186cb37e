//! A quick reply: a keyword or a regular expression, and the fixed text it answers with.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

crate::text_enum::text_enum! {
    /// How a quick reply's pattern is matched.
    pub enum MatchKind {
        /// The message contains the word(s), ignoring case and accents' case.
        Keyword = "keyword",
        Regex = "regex",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuickReply {
    pub kind: MatchKind,
    pub pattern: String,
    pub reply: String,
    pub enabled: bool,
}
