//! App-wide settings.

use leadline_core::model::first_steps::{FirstSteps, FirstStepsChoice};
use leadline_core::model::settings::AppSettings;
use leadline_core::settings::first_steps;
use leadline_core::text::Text;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> Result<AppSettings, IpcError> {
    Ok(state.core()?.settings().await?)
}

#[tauri::command]
pub async fn settings_set(
    state: State<'_, AppState>,
    settings: AppSettings,
) -> Result<AppSettings, IpcError> {
    state.set_settings(settings).await
}

/// Where the first-run checklist on Home stands.
#[tauri::command]
pub async fn first_steps_get(state: State<'_, AppState>) -> Result<FirstSteps, IpcError> {
    Ok(first_steps::read(&state.core()?).await?)
}

/// The owner puts steps off, or closes the checklist (or opens it again).
#[tauri::command]
pub async fn first_steps_set(
    state: State<'_, AppState>,
    choice: FirstStepsChoice,
) -> Result<FirstSteps, IpcError> {
    Ok(first_steps::choose(&state.core()?, choice).await?)
}

/// Which browser runs WhatsApp Web with the current settings, or why none can.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BrowserInUse {
    /// The program's path, when one was found.
    pub path: Option<String>,
    /// What is wrong and what to do, when none was found.
    pub problem: Option<Text>,
}

#[tauri::command]
pub fn settings_browser(state: State<'_, AppState>) -> Result<BrowserInUse, IpcError> {
    Ok(match state.browser_in_use()? {
        Ok(path) => BrowserInUse {
            path: Some(path.display().to_string()),
            problem: None,
        },
        Err(problem) => BrowserInUse {
            path: None,
            problem: Some(problem),
        },
    })
}
