//! A message edited, deleted for everyone or reacted to after it arrived
//! (WHATSAPP_WEB_MEDIA.md §3): the store follows and Conversations with it. A customer's
//! message deleted before its turn is not answered: a row not yet taken ends skipped here,
//! one in a turn is stopped by the check before its send. An edit before the answer is
//! answered as edited (the turn reads the text from the store).

use super::handle::Bot;
use crate::error::Result;
use crate::model::decision::SkipReason;
use crate::model::inbox::InboxState;
use crate::store::inbox;
use crate::store::message_changes::{self, Changed};

/// Message `wa_msg_id` now says `text`.
pub async fn edited(bot: &Bot, account_id: i64, wa_msg_id: String, text: String) -> Result<()> {
    let now = bot.now_ms();
    let changed = bot
        .store()
        .call(move |conn| {
            Ok(message_changes::edit(
                conn, account_id, &wa_msg_id, &text, now,
            )?)
        })
        .await?;
    tell(bot, account_id, changed);
    Ok(())
}

/// Message `wa_msg_id` was deleted for everyone.
pub async fn revoked(bot: &Bot, account_id: i64, wa_msg_id: String) -> Result<()> {
    let now = bot.now_ms();
    let changed = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let changed = message_changes::revoke(&tx, account_id, &wa_msg_id, now)?;
            if let Some(found) = &changed {
                // Not taken by a turn yet (or waiting to be tried again): never answered.
                inbox::skipped(
                    &tx,
                    found.message_id,
                    &[InboxState::Received, InboxState::Failed],
                    SkipReason::Deleted,
                    now,
                )?;
            }
            tx.commit()?;
            Ok(changed)
        })
        .await?;
    tell(bot, account_id, changed);
    Ok(())
}

/// `from` reacted to message `parent` (an empty `emoji`: taken back).
pub async fn reacted(
    bot: &Bot,
    account_id: i64,
    parent: String,
    from: String,
    emoji: String,
    at_ms: i64,
) -> Result<()> {
    let changed = bot
        .store()
        .call(move |conn| {
            Ok(message_changes::react(
                conn, account_id, &parent, &from, &emoji, at_ms,
            )?)
        })
        .await?;
    tell(bot, account_id, changed);
    Ok(())
}

fn tell(bot: &Bot, account_id: i64, changed: Option<Changed>) {
    if let Some(changed) = changed {
        bot.core.chat_changed(account_id, changed.chat_id);
    }
}
