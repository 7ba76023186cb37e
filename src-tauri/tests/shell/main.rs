//! The shell's tests: the real app (config, capabilities, commands) on Tauri's mock runtime,
//! with a throwaway data folder. No window, no display.

mod support;

mod acl;
mod bindings;
mod ipc;
