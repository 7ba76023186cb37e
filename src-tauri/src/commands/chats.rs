//! Conversations: chats, transcripts, and the owner's hand on the bot in each chat.

use leadline_core::model::chat::{ChatListRequest, ChatSummary, Transcript};
use leadline_core::model::media::MediaContent;
use tauri::State;

use crate::ipc::IpcError;
use crate::state::AppState;

#[tauri::command]
pub async fn chats_list(
    state: State<'_, AppState>,
    request: ChatListRequest,
) -> Result<Vec<ChatSummary>, IpcError> {
    Ok(state.core()?.chats(request).await?)
}

#[tauri::command]
pub async fn chat_transcript(
    state: State<'_, AppState>,
    id: i64,
    before_id: Option<i64>,
    limit: u32,
) -> Result<Transcript, IpcError> {
    Ok(state.core()?.transcript(id, before_id, limit).await?)
}

/// Fetches a customer's photo, voice note or document again after it failed ("Try
/// again"); the transcript follows its state.
#[tauri::command]
pub async fn media_retry(state: State<'_, AppState>, message_id: i64) -> Result<(), IpcError> {
    state.app()?.retry_media(message_id);
    Ok(())
}

/// A kept media file by its message's id (never a path): for the window to show or play.
#[tauri::command]
pub async fn media_file(
    state: State<'_, AppState>,
    message_id: i64,
) -> Result<MediaContent, IpcError> {
    Ok(state.app()?.media_file(message_id).await?)
}

/// Saves a copy of a kept file (a customer's document…) in the Downloads folder; where.
#[tauri::command]
pub async fn media_save(state: State<'_, AppState>, message_id: i64) -> Result<String, IpcError> {
    let saved = state
        .app()?
        .save_media(message_id, state.export_dir())
        .await?;
    Ok(saved.display().to_string())
}

/// Sends the owner's message through WhatsApp; the bot pauses in that chat.
#[tauri::command]
pub async fn chat_reply(state: State<'_, AppState>, id: i64, text: String) -> Result<(), IpcError> {
    Ok(state.app()?.reply_in_chat(id, &text).await?)
}

#[tauri::command]
pub async fn chat_pause(
    state: State<'_, AppState>,
    id: i64,
    minutes: u32,
) -> Result<ChatSummary, IpcError> {
    Ok(state.core()?.pause_chat(id, minutes).await?)
}

#[tauri::command]
pub async fn chat_resume(state: State<'_, AppState>, id: i64) -> Result<ChatSummary, IpcError> {
    Ok(state.core()?.resume_chat_by_id(id).await?)
}

/// The bot leaves this chat's contact alone (`ignored`), or answers them again.
#[tauri::command]
pub async fn chat_ignore(
    state: State<'_, AppState>,
    id: i64,
    ignored: bool,
) -> Result<ChatSummary, IpcError> {
    Ok(state.core()?.set_chat_ignored(id, ignored).await?)
}
