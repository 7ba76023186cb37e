//! App-wide settings: read, checked and saved, and announced when they change.

pub mod app;
pub mod first_steps;
