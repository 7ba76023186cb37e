//! A number's assistant as the owner sets it: instructions, business facts, the details to
//! collect, when a lead qualifies, and the provider and model.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::lead_field::LeadField;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberAi {
    pub prompt: String,
    pub facts: String,
    pub fields: Vec<LeadField>,
    /// When a lead qualifies, in plain words.
    pub criteria: String,
    /// `None`: the default provider.
    pub provider: Option<String>,
    /// `None`: the provider's default model.
    pub model: Option<String>,
}
