//! The first-run checklist on Home: the steps from install to the assistant's first real
//! answer, each done (read from what the owner did) or put off by them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One step of the checklist, in the order they are best done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FirstStep {
    /// Choose the assistant's AI (a provider with its key).
    Ai,
    /// Link a WhatsApp number.
    Link,
    /// Write the assistant's instructions and try them in the Playground.
    Assistant,
    /// Set working hours.
    Hours,
}

/// Where the checklist stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FirstSteps {
    /// The steps done, from what the owner did (never ticked by hand).
    pub done: Vec<FirstStep>,
    /// The steps the owner put off ("Later").
    pub later: Vec<FirstStep>,
    /// The owner closed the checklist.
    pub hidden: bool,
}

/// What the owner chose, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct FirstStepsChoice {
    pub later: Vec<FirstStep>,
    pub hidden: bool,
}
