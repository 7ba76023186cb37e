//! What became of our sends WhatsApp's server didn't confirm in time. "Not confirmed" is
//! never "send again": the page keeps a send on the clock and delivers it when it can, so
//! the page is asked what became of it. A reply is sent once more (reconciled first) only
//! on an explicit error ack, or when the page no longer has it (revoked, gone); still on
//! the clock, it is left to the page, whose late server ack or error ack comes as an ack.
//! A late server ack of a reply waiting to be sent again cancels that resend. After a
//! restart the replies without a server ack are looked up once the page has had time to
//! report late receipts.

use super::handle::Bot;
use super::reply::{self, Failing};
use crate::error::Result;
use crate::model::inbox::InboxState;
use crate::store::messages::Unconfirmed;
use crate::store::{inbox, messages};
use crate::text;
use crate::whatsapp::message::{Ack, OwnMessage, Undelivered};

/// Our clock and WhatsApp's may differ by minutes: the page loads its list of a chat from
/// this long before the send was stored.
const LOOKUP_SLACK_S: i64 = 3_600;

/// What the page says became of one of our sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// The server took it (ack 1 or more).
    Taken(Ack),
    /// An error ack: the server refused it.
    Refused,
    /// Still on the clock: the page delivers it when it can.
    Pending,
    /// Not in the chat's list: revoked or gone.
    Absent,
}

fn fate_of(own: &[OwnMessage], id: &str) -> Fate {
    match own.iter().find(|m| m.id == id).map(|m| m.ack) {
        None => Fate::Absent,
        Some(Some(ack)) if ack >= 1 => Fate::Taken(ack),
        Some(Some(ack)) if ack < 0 => Fate::Refused,
        Some(_) => Fate::Pending,
    }
}

/// After a restart the page no longer tells what became of replies sent before it: each
/// reply of the last day without a server ack is looked up in its chat (the page loading
/// earlier messages as needed). A server ack is recorded and an error ack acted on at once;
/// one the page no longer has is sent again only once `settled` (the page has had the
/// delivery bound to report late receipts). Returns the chats to answer again.
pub async fn recheck(bot: &Bot, account_id: i64, settled: bool) -> Result<Vec<i64>> {
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
    let mut by_chat: std::collections::BTreeMap<String, Vec<Unconfirmed>> = Default::default();
    for reply in unconfirmed {
        by_chat
            .entry(reply.wa_chat_id.clone())
            .or_default()
            .push(reply);
    }
    let mut again = Vec::new();
    for (chat, replies) in by_chat {
        let oldest = replies.iter().map(|r| r.stored_at).min().unwrap_or(now);
        let since = oldest / 1000 - LOOKUP_SLACK_S;
        let own = match bot.runtime.recent_own(account_id, &chat, since).await {
            Ok(own) => own,
            // Not connected: looked at again on the next start.
            Err(_) => continue,
        };
        for reply in replies {
            let fate = fate_of(&own, &reply.wa_msg_id);
            if fate == Fate::Absent && !settled {
                continue;
            }
            if let Some(chat_id) = act_on(bot, account_id, reply.wa_msg_id, fate).await? {
                again.push(chat_id);
            }
        }
    }
    Ok(again)
}

/// The driver's word on one of our sends: refused (an error ack), or no server ack within
/// its bound (then the page is asked). Returns the chat to answer again, if any.
pub async fn not_delivered(
    bot: &Bot,
    account_id: i64,
    wa_msg_id: String,
    reason: Undelivered,
) -> Result<Option<i64>> {
    let fate = match reason {
        Undelivered::Refused => Fate::Refused,
        Undelivered::NoServerAck => {
            let id = wa_msg_id.clone();
            let sent = bot
                .store()
                .call(move |conn| Ok(messages::unconfirmed(conn, account_id, &id)?))
                .await?;
            // Confirmed meanwhile, or not ours.
            let Some(sent) = sent else {
                return Ok(None);
            };
            let since = sent.stored_at / 1000 - LOOKUP_SLACK_S;
            match bot
                .runtime
                .recent_own(account_id, &sent.wa_chat_id, since)
                .await
            {
                Ok(own) => fate_of(&own, &wa_msg_id),
                // The page can't say now: the next start looks again.
                Err(e) => {
                    tracing::info!(account_id, error = %e, "a send without a server ack could not be looked up");
                    return Ok(None);
                }
            }
        }
    };
    act_on(bot, account_id, wa_msg_id, fate).await
}

/// A server ack of one of our sends: recorded; a resend of it waiting to go out is
/// cancelled (the original got there after all).
pub async fn acked(bot: &Bot, account_id: i64, wa_msg_id: String, ack: Ack) -> Result<()> {
    let now = bot.now_ms();
    let changed = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let changed = messages::set_ack(&tx, account_id, &wa_msg_id, i64::from(ack))?;
            let cancelled = match messages::id_of_sent(&tx, account_id, &wa_msg_id)? {
                Some(id) if ack >= 1 => inbox::cancel_resend(&tx, id, now)?,
                _ => false,
            };
            tx.commit()?;
            Ok(changed || cancelled)
        })
        .await?;
    // No lookup of the chat here: this runs for every tick of every message; the window
    // refreshes the chat it shows.
    if changed {
        bot.core.message_acked(account_id);
    }
    Ok(())
}

/// What follows from a send's fate: a server ack recorded; refused or gone, the send is
/// shown failed and a reply sent once more (its row fails with the reason after that, the
/// owner told); still on the clock, nothing.
async fn act_on(bot: &Bot, account_id: i64, wa_msg_id: String, fate: Fate) -> Result<Option<i64>> {
    match fate {
        Fate::Taken(ack) => {
            acked(bot, account_id, wa_msg_id, ack).await?;
            Ok(None)
        }
        Fate::Pending => {
            tracing::info!(
                account_id,
                "a send is still on the clock in the page; left to it"
            );
            Ok(None)
        }
        Fate::Refused | Fate::Absent => {
            tracing::warn!(account_id, ?fate, "a sent message was not delivered");
            send_again(bot, account_id, wa_msg_id).await
        }
    }
}

/// A send the server refused or the page no longer has: shown failed; a reply is sent once
/// more, and after that its row fails with the reason and the owner is told.
async fn send_again(bot: &Bot, account_id: i64, wa_msg_id: String) -> Result<Option<i64>> {
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
                    row = Some((inbox_row.message_id, reply.chat_id, again, inbox_row.state));
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
        Some((_, chat_id, true, _)) => Ok(Some(chat_id)),
        Some((message_id, chat_id, false, InboxState::Replied)) => {
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
        // Already being sent again (the same refusal reported twice).
        _ => Ok(None),
    }
}
