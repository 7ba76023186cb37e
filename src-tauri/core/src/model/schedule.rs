//! A number's working hours as the owner sets them: an IANA zone, periods per weekday,
//! holidays and one-off closures (read and checked by `bot::hours`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One opening period on a weekday, `start`–`end` as "HH:MM". An `end` at or before
/// `start` runs into the next day (22:00–02:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// 1 = Monday … 7 = Sunday (ISO).
    pub weekday: u8,
    pub start: String,
    pub end: String,
}

/// A one-off closure, local date-times "YYYY-MM-DDTHH:MM" in the schedule's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Closure {
    pub from: String,
    pub until: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// IANA zone, e.g. `Europe/Madrid`.
    pub zone: String,
    pub periods: Vec<Period>,
    /// Whole days closed, "YYYY-MM-DD" (periods that started the day before still end).
    pub holidays: Vec<String>,
    pub closures: Vec<Closure>,
}
