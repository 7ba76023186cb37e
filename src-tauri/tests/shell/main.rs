//! The shell's tests: the real app (config, capabilities, commands) on Tauri's mock runtime,
//! with a throwaway data folder. No window, no display.

// Tests may panic on what they set up themselves; that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod acl;
mod bindings;
mod csp;
#[cfg(windows)]
mod instance;
mod ipc;
mod secrets;
