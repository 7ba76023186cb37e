//! A detail the owner asks the assistant to collect from customers: its name, what to ask
//! for, and what kind of value it is.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Email,
    Phone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadField {
    /// The key in the AI's answer and in the lead, e.g. `email`.
    pub name: String,
    /// What to ask for, in the owner's words; goes into the prompt.
    pub description: String,
    pub kind: FieldKind,
}

impl LeadField {
    pub fn new(name: &str, description: &str, kind: FieldKind) -> LeadField {
        LeadField {
            name: name.into(),
            description: description.into(),
            kind,
        }
    }
}
