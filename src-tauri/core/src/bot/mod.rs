//! The bot: what to do with each customer message, and when.

pub mod ai_turn;
mod arrivals;
mod by_provider;
pub mod changes;
pub mod commands;
pub(crate) mod decide;
pub mod delivery;
pub mod handle;
mod handover;
pub mod hearing;
pub mod hours;
pub mod inbox;
pub mod intake;
pub mod media;
mod photos;
pub mod pipeline;
pub mod policy;
pub(crate) mod recheck;
pub(crate) mod reply;
pub mod rules;
pub mod runner;
pub mod settings;
pub mod switch;
pub mod timing;
mod turns;
