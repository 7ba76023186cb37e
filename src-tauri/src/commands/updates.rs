//! Signed updates: check (at start, quietly, and from Settings), download with progress,
//! verify against the public key in tauri.conf.json, install, and restart when the owner
//! says so. A failed or tampered update is never installed: the running version stays and
//! the window says why.

use std::sync::Mutex;

use leadline_core::error::Error;
use leadline_core::text;
use leadline_core::text::Text;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_updater::{Update, UpdaterExt};
use ts_rs::TS;

use crate::ipc::IpcError;
use crate::state::AppState;

/// The update found by the last check, until it is installed.
#[derive(Default)]
pub struct PendingUpdate(Mutex<Option<Update>>);

/// An update the server offers.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AvailableUpdate {
    pub version: String,
    /// The release notes, as published.
    pub notes: Option<String>,
    /// RFC 3339, when published.
    pub date: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCheck {
    pub current: String,
    /// `None`: this is the latest version.
    pub available: Option<AvailableUpdate>,
}

/// How a download goes, for the progress bar.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(
    tag = "event",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum UpdateProgress {
    Downloading {
        downloaded: u64,
        total: Option<u64>,
    },
    /// Downloaded and its signature checked; being put in place.
    Installing,
}

/// The owner-facing sentence for an updater failure.
fn explain(e: &tauri_plugin_updater::Error) -> Text {
    use tauri_plugin_updater::Error as U;
    match e {
        U::Minisign(_) | U::SignatureUtf8(_) | U::Base64(_) => text!(
            "update.bad_signature",
            "This update's signature does not match Leadline's publisher key, so it was not installed. Your current version keeps running."
        ),
        U::Reqwest(_) | U::Network(_) | U::ReleaseNotFound => text!(
            "update.unreachable",
            "Leadline can't reach its update server: check this computer's internet connection. It tries again by itself in an hour."
        ),
        U::EmptyEndpoints => text!(
            "update.not_configured",
            "This copy of Leadline has no update server set, so it can't check for updates."
        ),
        U::TargetsNotFound(_) | U::TargetNotFound(_) | U::UnsupportedOs | U::UnsupportedArch => {
            text!(
                "update.not_for_this_system",
                "The new version is not available for this computer's system yet."
            )
        }
        other => text!(
            "update.install_failed",
            "The update could not be installed ({detail}). Your current version keeps running.",
            detail = other
        ),
    }
}

/// Whether `e` only means the update server can't be reached now (offline, a placeholder or
/// no address): news for nobody, so one line at info level; the window tries again later.
fn unreachable(e: &tauri_plugin_updater::Error) -> bool {
    use tauri_plugin_updater::Error as U;
    matches!(
        e,
        U::Reqwest(_) | U::Network(_) | U::ReleaseNotFound | U::EmptyEndpoints
    )
}

fn failed(e: &tauri_plugin_updater::Error) -> IpcError {
    let owner = Error::Unavailable(explain(e));
    if unreachable(e) {
        tracing::info!(error = %e, "could not check for updates; trying again later");
        return IpcError::unlogged(owner);
    }
    tracing::warn!(error = %e, "update failed");
    IpcError::from(owner)
}

/// Where this build looks for updates, set once when it is built (`LEADLINE_UPDATE_ENDPOINT`,
/// RELEASING.md); a build made without it has none, and never goes to the network for them.
const UPDATE_ENDPOINT: Option<&str> = option_env!("LEADLINE_UPDATE_ENDPOINT");

/// The updater, with test-only overrides in debug builds: another server and key
/// (`LEADLINE_UPDATE_URL`, `LEADLINE_UPDATE_PUBKEY`). Release builds trust only the
/// configuration compiled in.
fn updater<R: Runtime>(app: &AppHandle<R>) -> Result<tauri_plugin_updater::Updater, IpcError> {
    // Only the real app goes to the network for updates (never the shell's tests).
    if app.try_state::<crate::desktop::Desktop>().is_none() {
        return Err(failed(&tauri_plugin_updater::Error::EmptyEndpoints));
    }
    let mut builder = app.updater_builder();
    if let Some(url) = UPDATE_ENDPOINT.filter(|u| !u.is_empty()) {
        let url = url.parse().map_err(|e| {
            IpcError::from(Error::Internal(format!(
                "the update address this build was made with is not an address: {e}"
            )))
        })?;
        builder = builder.endpoints(vec![url]).map_err(|e| failed(&e))?;
    }
    #[cfg(debug_assertions)]
    {
        if let Some(url) = std::env::var("LEADLINE_UPDATE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            let url = url.parse().map_err(|e| {
                IpcError::from(Error::Internal(format!(
                    "LEADLINE_UPDATE_URL is not an address: {e}"
                )))
            })?;
            builder = builder.endpoints(vec![url]).map_err(|e| failed(&e))?;
        }
        if let Some(key) = std::env::var("LEADLINE_UPDATE_PUBKEY")
            .ok()
            .filter(|k| !k.is_empty())
        {
            builder = builder.pubkey(key);
        }
    }
    builder.build().map_err(|e| failed(&e))
}

/// Asks the update server whether a newer version exists.
#[tauri::command]
pub async fn update_check<R: Runtime>(
    app: AppHandle<R>,
    pending: State<'_, PendingUpdate>,
) -> Result<UpdateCheck, IpcError> {
    let found = updater(&app)?.check().await.map_err(|e| failed(&e))?;
    let available = found.as_ref().map(|update| AvailableUpdate {
        version: update.version.clone(),
        notes: update.body.clone(),
        date: update
            .raw_json
            .get("pub_date")
            .and_then(|d| d.as_str())
            .map(str::to_string),
    });
    tracing::info!(available = ?available.as_ref().map(|a| &a.version), "checked for updates");
    if let Ok(mut slot) = pending.0.lock() {
        *slot = found;
    }
    Ok(UpdateCheck {
        current: app.package_info().version.to_string(),
        available,
    })
}

/// Downloads the update found by the last check, verifies its signature and installs it.
/// The new version runs after `update_restart`.
#[tauri::command]
pub async fn update_install(
    pending: State<'_, PendingUpdate>,
    on_progress: Channel<UpdateProgress>,
) -> Result<(), IpcError> {
    let update = pending
        .0
        .lock()
        .ok()
        .and_then(|slot| slot.clone())
        .ok_or_else(|| {
            IpcError::from(Error::InvalidInput(text!(
                "update.none_pending",
                "Check for updates first."
            )))
        })?;
    let mut downloaded: u64 = 0;
    let progress = on_progress.clone();
    let bytes = update
        .download(
            move |chunk, total| {
                downloaded += chunk as u64;
                let _ = progress.send(UpdateProgress::Downloading { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(|e| failed(&e))?;
    let _ = on_progress.send(UpdateProgress::Installing);
    // `install` checks the signature again before touching anything.
    update.install(&bytes).map_err(|e| failed(&e))?;
    tracing::info!(version = %update.version, "update installed; it runs after a restart");
    if let Ok(mut slot) = pending.0.lock() {
        *slot = None;
    }
    Ok(())
}

/// Restarts into the installed update: every browser is stopped first.
#[tauri::command]
pub async fn update_restart<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), IpcError> {
    tracing::info!("restarting into the new version");
    state.stop_browsers().await;
    if app.try_state::<crate::desktop::Desktop>().is_some() {
        app.request_restart();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_config_names_no_update_host_only_the_key() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../../tauri.conf.json")).unwrap();
        let updater = &config["plugins"]["updater"];
        assert!(
            updater.get("endpoints").is_none(),
            "the address is set when the app is built (RELEASING.md §3): {updater}"
        );
        assert!(updater["pubkey"].as_str().is_some_and(|k| !k.is_empty()));
    }

    #[test]
    fn a_server_out_of_reach_is_quiet_and_said_plainly_and_a_bad_signature_is_not() {
        use tauri_plugin_updater::Error as U;
        assert!(unreachable(&U::EmptyEndpoints));
        assert!(unreachable(&U::ReleaseNotFound));
        assert!(!unreachable(&U::UnsupportedOs));
        let said = explain(&U::ReleaseNotFound);
        assert_eq!(said.key, "update.unreachable");
        assert!(
            said.english.contains("internet connection") && !said.english.contains('('),
            "no technical detail in the sentence: {}",
            said.english
        );
    }
}
