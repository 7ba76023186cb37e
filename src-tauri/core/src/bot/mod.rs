//! The bot: what to do with each customer message, and when.

pub mod ai_turn;
pub mod commands;
pub(crate) mod decide;
pub(crate) mod delivery;
pub mod hours;
pub mod owner;
pub mod pipeline;
pub mod policy;
pub mod rules;
pub mod runner;
pub mod switch;
