//! IPC commands, one file per domain. Each is thin: parse, call the core, map the error.

pub mod activity;
pub mod app;
pub mod linking;
mod names;
pub mod numbers;
pub mod settings;

use leadline_core::activity::ActivityEntry;
use leadline_core::linking::{LinkEvent, NumberState};
use leadline_core::numbers::WaNumber;
use leadline_core::settings::AppSettings;
pub use names::NAMES;
use tauri::Runtime;
use tauri::ipc::Invoke;
use ts_rs::TS;

use crate::state::AppStatus;
use settings::BrowserInUse;

pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_status,
        app::app_retry_open,
        numbers::numbers_list,
        numbers::numbers_add,
        numbers::numbers_rename,
        numbers::numbers_remove,
        linking::numbers_link,
        linking::numbers_unlink,
        linking::numbers_refresh_qr,
        linking::numbers_pairing_code,
        linking::numbers_use_here,
        linking::numbers_states,
        settings::settings_get,
        settings::settings_set,
        settings::settings_browser,
        activity::activity_list,
    ]
}

/// A command as the TypeScript bindings describe it.
pub struct Signature {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub result: String,
}

/// The argument names and types of every command in `handler`, for the bindings. The shell
/// tests call each command with exactly these arguments, so a mismatch fails there.
pub fn signatures(cfg: &ts_rs::Config) -> Vec<Signature> {
    let sig = |name, args: Vec<(&'static str, String)>, result| Signature { name, args, result };
    vec![
        sig("app_status", vec![], AppStatus::name(cfg)),
        sig("app_retry_open", vec![], AppStatus::name(cfg)),
        sig("numbers_list", vec![], Vec::<WaNumber>::name(cfg)),
        sig(
            "numbers_add",
            vec![("name", String::name(cfg))],
            WaNumber::name(cfg),
        ),
        sig(
            "numbers_rename",
            vec![("id", i64::name(cfg)), ("name", String::name(cfg))],
            WaNumber::name(cfg),
        ),
        sig(
            "numbers_remove",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "numbers_link",
            vec![
                ("id", i64::name(cfg)),
                ("onEvent", format!("Channel<{}>", LinkEvent::name(cfg))),
            ],
            <()>::name(cfg),
        ),
        sig(
            "numbers_unlink",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "numbers_refresh_qr",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig(
            "numbers_pairing_code",
            vec![("id", i64::name(cfg)), ("phone", String::name(cfg))],
            String::name(cfg),
        ),
        sig(
            "numbers_use_here",
            vec![("id", i64::name(cfg))],
            <()>::name(cfg),
        ),
        sig("numbers_states", vec![], Vec::<NumberState>::name(cfg)),
        sig("settings_get", vec![], AppSettings::name(cfg)),
        sig(
            "settings_set",
            vec![("settings", AppSettings::name(cfg))],
            AppSettings::name(cfg),
        ),
        sig("settings_browser", vec![], BrowserInUse::name(cfg)),
        sig(
            "activity_list",
            vec![("limit", u32::name(cfg))],
            Vec::<ActivityEntry>::name(cfg),
        ),
    ]
}
