//! The core's integration tests: one binary, one module per area.

// Tests may panic on what they set up themselves; that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod backup;
#[cfg(windows)]
mod keychain_windows;
mod layout;
mod leads;
mod linking;
mod models;
mod numbers;
mod settings;
mod store;
mod workspace;
