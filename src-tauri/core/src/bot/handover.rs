//! A chat left to the owner because the customer sent what the assistant can't see and the
//! owner's setting says so (`Behaviour::unseen_media`): the bot is already paused there
//! (`decide`); here the owner is told once, in Activity and by a desktop notification.

use super::handle::Bot;
use crate::error::Result;
use crate::events::CoreEvent;
use crate::model::activity::Activity;
use crate::model::wa_id::shown_number;
use crate::store::{account_settings, accounts, activity, chats, inbox, messages};
use crate::text;

/// Tells the owner that message `message_id`'s chat is theirs now (once per message).
pub async fn tell(bot: &Bot, account_id: i64, message_id: i64) -> Result<()> {
    let now = bot.now_ms();
    let told = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let Some(message) = messages::get(&tx, message_id)? else {
                return Ok(None);
            };
            if !inbox::tell_owner(&tx, message_id, now)? {
                return Ok(None);
            }
            let number = accounts::get(&tx, account_id)?
                .map(|n| n.name)
                .unwrap_or_default();
            let who = chats::get(&tx, message.chat_id)?
                .map(|chat| shown_number(&chat.wa_chat_id))
                .unwrap_or_default();
            let minutes = account_settings::bot(&tx, account_id)?
                .map(|b| b.behaviour.takeover_minutes)
                .unwrap_or_default();
            let entry = Activity::HandedOver {
                phone: who.clone(),
                minutes,
            };
            activity::record(&tx, Some(account_id), &entry, now)?;
            tx.commit()?;
            Ok(Some((message.chat_id, number, who)))
        })
        .await?;
    let Some((chat_id, number, who)) = told else {
        return Ok(());
    };
    tracing::info!("a chat was left to the owner: the customer sent what the assistant can't see");
    bot.core.chat_changed(account_id, chat_id);
    (bot.core.events)(CoreEvent::ReplyFailed {
        number_id: account_id,
        chat_id,
        number,
        who,
        reason: text!(
            "bot.handed_over",
            "They sent something the assistant can't see (a photo, video, document or audio file), so the chat is left to you."
        ),
    });
    Ok(())
}
