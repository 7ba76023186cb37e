//! A customer's media file, fetched after the message is stored and off its path (a slow
//! download never holds up a reply): within the caps, through WhatsApp, written under the
//! number, and the outcome shown in Conversations. A failure is a state with its reason,
//! never a lost message; "Try again" fetches it again.

use std::path::PathBuf;

use base64::Engine;

use super::handle::Bot;
use crate::error::{Error, Result};
use crate::media::files;
use crate::model::media::MediaContent;
use crate::model::message_kind::MessageDetails;
use crate::model::settings::DEFAULT_MEDIA_KEEP_DAYS;
use crate::store::media;
use crate::store::messages::details_from;
use crate::text;

/// The largest file kept.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most one number keeps in all.
pub const MAX_NUMBER_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Fetches message `message_id`'s file and records how it went.
pub async fn fetch(bot: &Bot, message_id: i64) -> Result<()> {
    let now = bot.now_ms();
    let wanted = bot
        .store()
        .call(move |conn| {
            let Some(wanted) = media::want(conn, message_id, now)? else {
                return Ok(None);
            };
            let kept = media::bytes_kept(conn, wanted.account_id)?;
            Ok(Some((wanted, kept)))
        })
        .await?;
    let Some((wanted, kept)) = wanted else {
        return Ok(());
    };
    bot.core.chat_changed(wanted.account_id, wanted.chat_id);
    let details: MessageDetails = details_from(wanted.details.clone()).unwrap_or_default();
    let room = MAX_NUMBER_BYTES.saturating_sub(kept).min(MAX_FILE_BYTES);
    let outcome = match details.size {
        Some(size) if size > MAX_FILE_BYTES => Err("too_large".to_string()),
        Some(size) if size > room => Err("number_full".to_string()),
        _ => download(bot, &wanted, &details, room).await,
    };
    let now = bot.now_ms();
    let account_id = wanted.account_id;
    bot.store()
        .call(move |conn| {
            match &outcome {
                Ok((file, sha256, bytes)) => {
                    media::stored(conn, message_id, file, sha256, *bytes, now)?
                }
                Err(reason) => media::failed(conn, message_id, reason, now)?,
            }
            Ok(())
        })
        .await?;
    bot.core.chat_changed(account_id, wanted.chat_id);
    Ok(())
}

/// The file through WhatsApp, written under the number: its name (relative to the media
/// folder), SHA-256 and size; or why not.
async fn download(
    bot: &Bot,
    wanted: &media::Wanted,
    details: &MessageDetails,
    max_bytes: u64,
) -> std::result::Result<(String, String, u64), String> {
    let file = match bot
        .runtime
        .download(wanted.account_id, &wanted.wa_msg_id, max_bytes)
        .await
    {
        Err(_) => return Err("not_connected".into()),
        Ok(Err(e)) => {
            tracing::info!(reason = e.reason.as_str(), "a media file could not be had");
            return Err(e.reason.as_str().into());
        }
        Ok(Ok(file)) => file,
    };
    let name = files::name_for(&file.sha256, wanted.kind, details.mimetype.as_deref());
    let dir = files::number_dir(bot.runtime.profiles(), wanted.account_id);
    let bytes = file.bytes.len() as u64;
    let written =
        tokio::task::spawn_blocking(move || files::write(&dir, &name, &file.bytes).map(|()| name))
            .await
            .map_err(|_| "failed".to_string())?;
    match written {
        Ok(name) => Ok((format!("{}/{name}", wanted.account_id), file.sha256, bytes)),
        Err(e) => {
            tracing::warn!(error = %e, "a media file could not be written");
            Err("failed".into())
        }
    }
}

/// Removes the files of messages older than the owner keeps them (Settings, 90 days unless
/// changed): each ends failed as `removed_old`, so Conversations says so and "Try again"
/// can still fetch it while WhatsApp has it. Returns how many went.
pub async fn forget_old(bot: &Bot) -> Result<usize> {
    let now = bot.now_ms();
    let old = bot
        .store()
        .call(move |conn| {
            let days = crate::store::app_settings::settings(conn)?
                .media_keep_days
                .unwrap_or(DEFAULT_MEDIA_KEEP_DAYS);
            let cutoff = now.saturating_sub(i64::from(days) * 86_400_000);
            Ok(media::kept_before(conn, cutoff, 500)?)
        })
        .await?;
    let folder = bot.runtime.profiles().join("media");
    for file in &old {
        if files::is_kept_name(&file.file) {
            let path = folder.join(&file.file);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(error = %e, "could not remove an old media file");
                continue;
            }
        }
        let message_id = file.message_id;
        bot.store()
            .call(move |conn| Ok(media::failed(conn, message_id, "removed_old", now)?))
            .await?;
        bot.core.chat_changed(file.account_id, file.chat_id);
    }
    Ok(old.len())
}

/// Where message `message_id`'s kept file is, and its details; a file not kept (or a
/// stored name Leadline never writes) is "not kept".
async fn kept(bot: &Bot, message_id: i64) -> Result<(PathBuf, MessageDetails)> {
    let (file, details) = bot
        .store()
        .call(move |conn| {
            Ok((
                media::file_of(conn, message_id)?,
                media::details_of(conn, message_id)?,
            ))
        })
        .await?;
    let path = file
        .filter(|f| files::is_kept_name(f))
        .map(|f| bot.runtime.profiles().join("media").join(f))
        .ok_or_else(not_kept)?;
    Ok((path, details.unwrap_or_default()))
}

fn not_kept() -> Error {
    Error::NotFound(text!(
        "media.not_kept",
        "This file is not kept on this computer. Use Try again to fetch it from WhatsApp."
    ))
}

/// Message `message_id`'s kept file's bytes and details.
async fn read_kept(bot: &Bot, message_id: i64) -> Result<(Vec<u8>, MessageDetails)> {
    let (path, details) = kept(bot, message_id).await?;
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|_| not_kept())?
        .map_err(|_| not_kept())?;
    Ok((bytes, details))
}

/// Message `message_id`'s kept file's bytes (a voice note to hear).
pub(crate) async fn file_bytes(bot: &Bot, message_id: i64) -> Result<Vec<u8>> {
    Ok(read_kept(bot, message_id).await?.0)
}

/// Message `message_id`'s kept file and its type, for the window.
pub async fn content(bot: &Bot, message_id: i64) -> Result<MediaContent> {
    let (bytes, details) = read_kept(bot, message_id).await?;
    let mimetype = details
        .mimetype
        .map(|m| m.split(';').next().unwrap_or_default().trim().to_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    Ok(MediaContent {
        mimetype,
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// A copy of message `message_id`'s kept file in `dir`, named as the customer named it
/// (made safe, never over another file); where it went.
pub async fn save_copy(bot: &Bot, message_id: i64, dir: PathBuf) -> Result<PathBuf> {
    let (source, details) = kept(bot, message_id).await?;
    let name = files::safe_name(details.filename.as_deref(), &source, message_id);
    tokio::task::spawn_blocking(move || files::copy_out(&source, &dir, &name))
        .await
        .map_err(|e| Error::Internal(format!("saving a file stopped: {e}")))?
        .map_err(|e| {
            Error::Unavailable(text!(
                "media.not_saved",
                "The file could not be saved in {dir}: {detail}. Check that the folder exists and has free space.",
                dir = e.dir,
                detail = e.detail
            ))
        })
}
