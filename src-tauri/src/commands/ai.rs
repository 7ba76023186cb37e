//! AI providers and keys, each number's AI settings, and the playground. Keys come in (to be
//! stored in the keychain) and never go out: responses carry only "set" and the last four.

use leadline_core::ai::assistant::{PlaygroundMessage, PlaygroundTurn};
use leadline_core::ai::pricing::PriceTable;
use leadline_core::ai::providers::{
    self, ConnectionCheck, PresetInfo, ProviderInput, ProviderView,
};
use leadline_core::model::number_ai::NumberAi;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub fn ai_presets() -> Vec<PresetInfo> {
    providers::presets()
}

#[tauri::command]
pub async fn ai_providers(state: State<'_, AppState>) -> Result<Vec<ProviderView>, IpcError> {
    Ok(state.core()?.ai_providers().await?)
}

#[tauri::command]
pub async fn ai_provider_save(
    state: State<'_, AppState>,
    provider: ProviderInput,
) -> Result<ProviderView, IpcError> {
    Ok(state.core()?.save_ai_provider(provider).await?)
}

#[tauri::command]
pub async fn ai_provider_remove(state: State<'_, AppState>, id: String) -> Result<(), IpcError> {
    Ok(state.core()?.remove_ai_provider(&id).await?)
}

/// "Test connection": the real answer from the provider, or its real error.
#[tauri::command]
pub async fn ai_provider_test(
    state: State<'_, AppState>,
    id: String,
) -> Result<ConnectionCheck, IpcError> {
    Ok(state.core()?.test_ai_provider(&id).await?)
}

#[tauri::command]
pub async fn ai_prices(state: State<'_, AppState>) -> Result<PriceTable, IpcError> {
    Ok(state.core()?.ai_prices().await?)
}

#[tauri::command]
pub async fn ai_prices_set(
    state: State<'_, AppState>,
    prices: PriceTable,
) -> Result<PriceTable, IpcError> {
    Ok(state.core()?.set_ai_prices(prices).await?)
}

#[tauri::command]
pub async fn number_ai_get(state: State<'_, AppState>, id: i64) -> Result<NumberAi, IpcError> {
    Ok(state.core()?.number_ai(id).await?)
}

#[tauri::command]
pub async fn number_ai_set(
    state: State<'_, AppState>,
    id: i64,
    ai: NumberAi,
) -> Result<NumberAi, IpcError> {
    Ok(state.core()?.set_number_ai(id, ai).await?)
}

/// One playground turn with the number's prompt, fields and model.
#[tauri::command]
pub async fn playground_turn(
    state: State<'_, AppState>,
    id: i64,
    conversation: Vec<PlaygroundMessage>,
) -> Result<PlaygroundTurn, IpcError> {
    Ok(state.core()?.playground_turn(id, conversation).await?)
}
