//! Linking numbers to WhatsApp: the QR flow, unlinking, and live states.

use leadline_core::numbers::linking::{LinkEvent, NumberState};
use tauri::State;
use tauri::ipc::Channel;

use crate::ipc::IpcError;
use crate::state::AppState;

/// Starts the number's browser and streams its state (with the QR as an SVG while one is
/// shown) to `on_event` until it is linked, fails, or the window stops listening.
#[tauri::command]
pub async fn numbers_link(
    state: State<'_, AppState>,
    id: i64,
    on_event: Channel<LinkEvent>,
) -> Result<(), IpcError> {
    let mut states = state.app()?.link(id).await?;
    tauri::async_runtime::spawn(async move {
        loop {
            let event = LinkEvent::new(states.borrow_and_update().clone());
            let done = event.is_final();
            // An error means the window closed the dialog: stop streaming, keep the browser.
            if on_event.send(event).is_err() || done || states.changed().await.is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// Logs the number out of WhatsApp, deletes its browser profile, and forgets the link.
#[tauri::command]
pub async fn numbers_unlink(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(state.app()?.unlink(id).await?)
}

/// Starts a new batch of QR codes after the last one expired.
#[tauri::command]
pub async fn numbers_refresh_qr(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    state.app()?.refresh_qr(id);
    Ok(())
}

/// Every number's connection state now.
#[tauri::command]
pub async fn numbers_states(state: State<'_, AppState>) -> Result<Vec<NumberState>, IpcError> {
    Ok(state.app()?.number_states().await?)
}

/// An 8-character code to type on the phone (Linked devices › Link with phone number
/// instead), for owners who can't scan the QR.
#[tauri::command]
pub async fn numbers_pairing_code(
    state: State<'_, AppState>,
    id: i64,
    phone: String,
) -> Result<String, IpcError> {
    Ok(state.app()?.pairing_code(id, &phone).await?)
}

/// "Use here": takes WhatsApp back when it was opened on another computer or browser.
#[tauri::command]
pub async fn numbers_use_here(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(state.app()?.use_here(id).await?)
}

/// The owner compared the passkey step's verification code with the one on the phone:
/// confirm it to WhatsApp.
#[tauri::command]
pub async fn numbers_confirm_passkey(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(state.app()?.confirm_passkey_code(id).await?)
}
