//! IPC commands, one file per domain. Each is thin: parse, call the core, map the error.
//!
//! `list.rs` names every command once; the handler, the names for the ACL manifest and the
//! signatures for the TypeScript bindings are made from it by `registry.rs`.

pub mod ai;
pub mod app;
pub mod autostart;
pub mod bot;
pub mod chats;
pub mod contacts;
pub mod data;
pub mod leads;
pub mod linking;
pub mod local_ai;
pub mod notifications;
pub mod numbers;
pub mod registry;
pub mod reports;
pub mod settings;
pub mod updates;
pub mod voice;
pub mod webhook;
