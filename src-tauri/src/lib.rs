//! Leadline's Tauri shell: plugins, window, commands and event forwarding. Everything else
//! is in `leadline-core`.

pub mod bindings;
pub mod commands;
pub mod desktop;
mod forward;
pub mod ipc;
pub mod launch;
mod log_file;
pub mod notify;
pub mod state;
pub mod tray;
pub mod window;

pub use launch::{BACKGROUND_ARG, builder, context, run, start, start_with_keychain};
pub use state::AppPaths;
pub use window::{quit, show_window};
