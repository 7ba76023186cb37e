//! The bot: what to do with each customer message, and when.

pub mod commands;
pub mod hours;
pub mod owner;
pub mod pipeline;
pub mod policy;
pub mod rules;
pub mod runner;
pub mod switch;
