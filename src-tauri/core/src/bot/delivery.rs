//! What became of replies WhatsApp's server never confirmed: after a restart each one is
//! looked up in its chat, and a reply the server refused or never took is sent once more
//! (reconciled first), then failed with its reason and the owner told.

use super::handle::Bot;
use super::reply::{self, Failing};
use crate::error::Result;
use crate::model::inbox::InboxState;
use crate::store::{inbox, messages};
use crate::text;
use crate::whatsapp::message::Undelivered;

/// After a restart the page no longer tells what became of replies sent before it:
/// each reply of the last day without a server ack is looked up in its chat (the page
/// loading earlier messages as needed) and its ack recorded; one the server refused,
/// or still without an ack after the delivery bound, counts as not delivered. Returns
/// the chats to answer again.
pub async fn recheck(bot: &Bot, account_id: i64) -> Result<Vec<i64>> {
    let now = bot.now_ms();
    let unconfirmed = bot
        .store()
        .call(move |conn| {
            Ok(messages::unconfirmed_replies(
                conn,
                account_id,
                now - 86_400_000,
            )?)
        })
        .await?;
    let mut by_chat: std::collections::BTreeMap<String, Vec<(String, i64)>> = Default::default();
    for reply in unconfirmed {
        by_chat
            .entry(reply.wa_chat_id)
            .or_default()
            .push((reply.wa_msg_id, reply.stored_at));
    }
    let bound = i64::try_from(bot.tuning.delivery_wait.as_millis()).unwrap_or(i64::MAX);
    let mut again = Vec::new();
    for (chat, replies) in by_chat {
        // Our clock and WhatsApp's may differ by minutes: an hour's slack to load from.
        let oldest = replies.iter().map(|(_, at)| *at).min().unwrap_or(now);
        let since = oldest / 1000 - 3_600;
        let own = match bot.runtime.recent_own(account_id, &chat, since).await {
            Ok(own) => own,
            // Not connected: looked at again on the next start.
            Err(_) => continue,
        };
        for (id, at) in replies {
            let ack = own.iter().find(|m| m.id == id).and_then(|m| m.ack);
            let undelivered = match ack {
                Some(ack) if ack >= 1 => {
                    let (id, ack) = (id.clone(), i64::from(ack));
                    bot.store()
                        .call(move |conn| Ok(messages::set_ack(conn, account_id, &id, ack)?))
                        .await?;
                    bot.core.message_acked(account_id);
                    None
                }
                Some(ack) if ack < 0 => Some(Undelivered::Refused),
                _ if now - at >= bound => Some(Undelivered::NoServerAck),
                _ => None,
            };
            if let Some(reason) = undelivered {
                if let Some(chat_id) = not_delivered(bot, account_id, id, reason).await? {
                    again.push(chat_id);
                }
            }
        }
    }
    Ok(again)
}

/// WhatsApp's server never took a sent message (no server ack in time, or an error
/// ack): shown failed; a reply is sent once more (reconciled first), and after that
/// its row fails with the reason and the owner is told. Returns the chat to answer
/// again, if any.
pub async fn not_delivered(
    bot: &Bot,
    account_id: i64,
    wa_msg_id: String,
    reason: Undelivered,
) -> Result<Option<i64>> {
    tracing::warn!(
        account = account_id,
        ?reason,
        "a sent message was not delivered"
    );
    let now = bot.now_ms();
    let error = text!(
        "bot.not_delivered",
        "WhatsApp's server did not take the reply."
    );
    let shown = error.english.clone();
    let (acked, row) = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let changed = messages::mark_not_delivered(&tx, account_id, &wa_msg_id)?;
            let reply = messages::undelivered_reply(&tx, account_id, &wa_msg_id)?;
            let mut row = None;
            if let Some(reply) = reply {
                if let Some(inbox_row) = inbox::by_reply(&tx, reply.id)? {
                    let again = inbox::resend(&tx, inbox_row.message_id, &shown, now)?;
                    row = Some((inbox_row.message_id, reply.chat_id, again));
                }
            }
            tx.commit()?;
            Ok((changed, row))
        })
        .await?;
    if acked {
        bot.core.message_acked(account_id);
    }
    match row {
        Some((_, chat_id, true)) => Ok(Some(chat_id)),
        Some((message_id, chat_id, false)) => {
            reply::give_up(
                bot,
                account_id,
                message_id,
                chat_id,
                &[InboxState::Replied],
                error,
                Failing::Send,
            )
            .await?;
            Ok(None)
        }
        None => Ok(None),
    }
}
