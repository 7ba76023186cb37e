//! The owner in a chat: a reply written in the app goes out through WhatsApp and pauses the
//! bot in that chat (as typing on the phone does); a paused chat can be resumed by hand.

use crate::bot::handle::Bot;
use crate::error::{Error, Result};
use crate::model::activity::Activity;
use crate::model::chat::{Direction, Origin};
use crate::model::message_kind::MessageKind;
use crate::store::{account_settings, activity, chats, messages};
use crate::text;

/// WhatsApp's own limit for one text message.
const MAX_CHARS: usize = 65_536;

/// The owner writes in chat `chat_id` from the app: `text` is sent through WhatsApp,
/// recorded as theirs, and the bot pauses in that chat for the number's takeover time.
/// The send and its record hold the chat's send lock, which the bot's sends take with
/// their last checks: a bot reply in flight either went out before this one or is voided
/// by it. Returns WhatsApp's message id.
pub async fn reply(bot: &Bot, chat_id: i64, text: &str) -> Result<String> {
    let core = &bot.core;
    if crate::bot::policy::is_blank(text) {
        return Err(Error::InvalidInput(text!(
            "chat.reply_empty",
            "Write a message first."
        )));
    }
    if text.chars().count() > MAX_CHARS {
        return Err(Error::InvalidInput(text!(
            "chat.reply_too_long",
            "This message is longer than WhatsApp allows (65,536 characters). Split it in two."
        )));
    }
    let chats::ChatAddress {
        account_id,
        wa_chat_id,
    } = core.chat_address(chat_id).await?;
    let takeover_minutes = core
        .store
        .call(move |conn| {
            let row = account_settings::bot(conn, account_id)?.ok_or_else(|| {
                Error::NotFound(text!(
                    "number.removed",
                    "That number was removed. Reload the list."
                ))
            })?;
            Ok(row.behaviour.takeover_minutes)
        })
        .await?;
    let lock = bot.send_lock(chat_id);
    let _sending = lock.lock().await;
    // The takeover is written before the send: a crash between the send and its record
    // must not leave the bot answering after the owner (a failed send leaves the chat to
    // the owner too; they are writing there).
    let started = core.now_ms();
    let until = started + i64::from(takeover_minutes) * 60_000;
    core.store
        .call(move |conn| {
            let tx = conn.transaction()?;
            chats::set_pause(&tx, chat_id, Some(until), Some("owner_takeover"))?;
            activity::record(
                &tx,
                Some(account_id),
                &Activity::Takeover {
                    minutes: takeover_minutes,
                },
                started,
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    let wa_msg_id = bot.runtime.send_text(account_id, &wa_chat_id, text).await.map_err(|e| {
        Error::Unavailable(text!("chat.reply_not_sent", "The message was not sent: {error}. Check that the number is connected and try again.", error = e))
    })?;
    let now = core.now_ms();
    let (id, body) = (wa_msg_id.clone(), text.to_string());
    core.store
        .call(move |conn| {
            let tx = conn.transaction()?;
            chats::upsert(&tx, account_id, &wa_chat_id, None, now, now)?;
            // WhatsApp's echo of it may have come first; then it is already stored.
            messages::insert(
                &tx,
                &messages::NewMessage {
                    account_id,
                    chat_id,
                    wa_msg_id: &id,
                    direction: Direction::Out,
                    origin: Origin::OwnerApp,
                    author: None,
                    body: &body,
                    kind: MessageKind::Text,
                    details: None,
                    sent_at: now,
                },
                now,
            )?;
            // WhatsApp's echo may have been stored first, as if typed on the phone.
            messages::mark_from_app(&tx, account_id, &id)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    core.chat_changed(account_id, chat_id);
    Ok(wa_msg_id)
}
