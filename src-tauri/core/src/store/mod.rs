//! The SQLite store: one file in the app data dir, WAL, numbered migrations embedded in the
//! binary. One module per table; each takes a `&Connection` and plain values.

pub mod account_settings;
pub mod accounts;
pub mod activity;
pub mod ai_usage;
pub mod app_settings;
pub mod away_sent;
pub mod backup;
pub mod chats;
pub mod contacts;
pub mod database;
pub mod error;
pub mod figures;
pub mod inbox;
pub mod lead_query;
pub mod leads;
pub mod media;
pub mod message_changes;
pub mod messages;
pub mod rules;
mod text;
pub mod transcripts;
pub mod webhook_outbox;
