//! Leads: fields merged turn by turn (checked; the owner's own edits win), a score 0–100
//! with its reason, stages new → engaged → qualified (won / lost are the owner's), and the
//! history in lead events. The moment a lead qualifies the core announces it once.

pub mod detail;
pub mod export;
pub mod filter;
pub mod merge;
pub mod page;
pub mod webhook;
