//! The types the store reads and writes: below the store and every domain, importing only
//! the foundation (`text`, `text_enum`, `i18n`), so the store and the domains share one
//! vocabulary.

pub mod activity;
pub mod ai_call;
pub mod behaviour;
pub mod bot_start;
pub mod chat;
pub mod decision;
pub mod first_steps;
pub mod inbox;
pub mod lead;
pub mod lead_field;
pub mod limits;
pub mod local_ai;
pub mod media;
pub mod message_kind;
pub mod model_file;
pub mod number;
pub mod number_ai;
pub mod quick_reply;
pub mod schedule;
pub mod settings;
pub mod speech;
pub mod transcript;
pub mod wa_id;
