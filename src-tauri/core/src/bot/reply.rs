//! A worded reply on its way to the customer: seen, typing, the send (its attempt counted
//! first; the turn's circumstances read again before it, `recheck`), and what each outcome
//! means for the row. Not connected: the row waits for the
//! number, no attempt spent. Any other error: tried again with backoff, each time after
//! reconciling against the chat (the send may have gone out), until its attempts run out;
//! then failed with the reason and the owner told once.

use super::handle::Bot;
use super::inbox::{Handled, message_gone, outcome};
use super::recheck;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::model::activity::Activity;
use crate::model::chat::{Direction, Origin};
use crate::model::decision::SkipReason;
use crate::model::inbox::{InboxState, Stored};
use crate::model::message_kind::MessageKind;
use crate::model::wa_id::shown_number;
use crate::store::inbox::Row;
use crate::store::{accounts, activity, chats, inbox, messages};
use crate::text::Text;
use crate::whatsapp::error::WaError;

/// How far before the customer's message an own message still counts as its reply: a
/// little slack for the page's rounding to seconds.
const RECONCILE_SLACK_MS: i64 = 2_000;

/// Which part of a turn failed for good (each has its own Activity entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failing {
    Ai,
    Send,
}

/// A reply to send for one row.
pub(crate) struct Reply {
    pub account_id: i64,
    /// The inbox row it answers.
    pub message_id: i64,
    pub chat_id: i64,
    /// The chat's WhatsApp id.
    pub to: String,
    pub text: String,
    /// The attempt was counted already (with the words, by the caller).
    pub counted: bool,
}

/// Finishes a row whose reply is worded: a row with attempts may have been sent, so
/// WhatsApp's own list of the chat is asked first.
pub(crate) async fn finish(bot: &Bot, account_id: i64, row: &Row) -> Result<Handled> {
    let message_id = row.message_id;
    let Some(worded) = worded_of(bot, row).await? else {
        return outcome(bot, message_id).await;
    };
    if row.state == InboxState::Failed {
        // Due again: back to being sent (unless an echo completed it meanwhile).
        let now = bot.now_ms();
        let moved = bot
            .store()
            .call(move |conn| Ok(inbox::due_again(conn, message_id, now)?))
            .await?;
        if !moved {
            return outcome(bot, message_id).await;
        }
    }
    if row.attempts > 0 {
        if let Some(handled) = reconciled(bot, account_id, message_id, &worded).await? {
            return Ok(handled);
        }
    }
    send(
        bot,
        Reply {
            account_id,
            message_id,
            chat_id: worded.chat_id,
            to: worded.to,
            text: worded.text,
            counted: false,
        },
    )
    .await
}

/// A row's worded reply: its words, where they go, the customer's message's chat, and
/// since when a send of it may be in WhatsApp's list of the chat.
struct Worded {
    text: String,
    to: String,
    chat_id: i64,
    /// The page stamps our sends with the laptop's clock and customers' messages with
    /// WhatsApp's, minutes apart on some laptops: a send of this reply came after the
    /// customer's message by WhatsApp's clock and after it was stored by the laptop's, so
    /// it is no older than the earlier of the two.
    since_ms: i64,
}

/// `None` when the row has no worded reply.
async fn worded_of(bot: &Bot, row: &Row) -> Result<Option<Worded>> {
    let message_id = row.message_id;
    let Some((text, to)) = row
        .decision
        .as_ref()
        .and_then(Stored::reply)
        .map(|r| (r.text.to_string(), r.to.to_string()))
    else {
        return Ok(None);
    };
    let message = bot
        .store()
        .call(move |conn| Ok(messages::get(conn, message_id)?))
        .await?
        .ok_or_else(message_gone)?;
    Ok(Some(Worded {
        text,
        to,
        chat_id: message.chat_id,
        since_ms: message.sent_at.min(message.created_at),
    }))
}

/// For a row with attempts: when WhatsApp's list of the chat shows its reply went out,
/// the row is replied with it (what became of it returned); waiting when WhatsApp can't
/// say; `None` when it didn't go out.
async fn reconciled(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    worded: &Worded,
) -> Result<Option<Handled>> {
    match already_sent(bot, account_id, &worded.to, &worded.text, worded.since_ms).await {
        Ok(Some(sent)) => {
            record(
                bot,
                account_id,
                message_id,
                worded.chat_id,
                &sent,
                &worded.text,
            )
            .await?;
            outcome(bot, message_id).await.map(Some)
        }
        Ok(None) => Ok(None),
        // Not knowing is not "not sent": the row waits until WhatsApp can say.
        Err(e) => Ok(Some(Handled::Waiting {
            reason: e.to_string(),
        })),
    }
}

/// A worded row failed and waiting for its retry, as a newer turn of its chat is answered:
/// replied if a send of it went out after all (WhatsApp's list of the chat), else skipped
/// as merged into the newer turn, its words dropped. Waiting when WhatsApp can't say.
pub(crate) async fn drop_unless_sent(bot: &Bot, account_id: i64, row: &Row) -> Result<Handled> {
    let message_id = row.message_id;
    if row.attempts > 0 {
        if let Some(worded) = worded_of(bot, row).await? {
            if let Some(handled) = reconciled(bot, account_id, message_id, &worded).await? {
                return Ok(handled);
            }
        }
    }
    let now = bot.now_ms();
    let reason = SkipReason::MergedIntoLaterTurn;
    let skipped = bot
        .store()
        .call(move |conn| {
            Ok(inbox::skipped(
                conn,
                message_id,
                &[InboxState::Failed],
                reason,
                now,
            )?)
        })
        .await?;
    if skipped {
        Ok(Handled::Skipped { reason })
    } else {
        outcome(bot, message_id).await
    }
}

/// Seen, typing for a while, then the send; the attempt is counted before it (here, unless
/// the caller did, with the words).
pub(crate) async fn send(bot: &Bot, reply: Reply) -> Result<Handled> {
    let Reply {
        account_id,
        message_id,
        chat_id,
        to,
        text,
        counted,
    } = reply;
    if !counted {
        let now = bot.now_ms();
        let counted = bot
            .store()
            .call(move |conn| Ok(inbox::attempt(conn, message_id, now)?))
            .await?;
        if !counted {
            return outcome(bot, message_id).await;
        }
    }
    let pacing = bot.tuning.pacing;
    // Not even "seen" or "typing…" in a chat the owner took over meanwhile.
    if !pacing.is_none() {
        if let Some(voided) = void_if_unwanted(bot, account_id, message_id, chat_id).await? {
            return Ok(voided);
        }
    }
    let wa = &bot.runtime;
    crate::clock::pause(pacing.before_seen).await;
    // Seen and typing are courtesy: a failure there doesn't stop the reply.
    let _ = wa.mark_seen(account_id, &to).await;
    let typing = pacing.typing_for(&text);
    if !typing.is_zero() {
        let _ = wa.set_typing(account_id, &to, true).await;
        tokio::time::sleep(typing).await;
        let _ = wa.set_typing(account_id, &to, false).await;
    }
    // The owner's hand wins: checked again right before the send, under the lock an
    // owner's reply from the app takes too.
    let lock = bot.send_lock(chat_id);
    let _sending = lock.lock().await;
    if let Some(voided) = void_if_unwanted(bot, account_id, message_id, chat_id).await? {
        return Ok(voided);
    }
    match wa.send_text(account_id, &to, &text).await {
        Ok(wa_msg_id) => {
            record(bot, account_id, message_id, chat_id, &wa_msg_id, &text).await?;
            // Replied with this message, by us or by its echo a moment earlier.
            Ok(Handled::Replied { wa_msg_id })
        }
        // Never reached WhatsApp: the attempt is taken back and the row waits for the
        // number to be connected again.
        Err(WaError::NotConnected) => {
            let now = bot.now_ms();
            bot.store()
                .call(move |conn| Ok(inbox::unattempt(conn, message_id, now)?))
                .await?;
            Ok(Handled::Waiting {
                reason: WaError::NotConnected.to_string(),
            })
        }
        Err(e) => {
            send_failed(bot, account_id, message_id, chat_id, e).await?;
            outcome(bot, message_id).await
        }
    }
}

/// The row skipped with its reason when its reply must not go out now (`recheck::voided`),
/// and what became of it; `None` when the reply may go out.
async fn void_if_unwanted(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    chat_id: i64,
) -> Result<Option<Handled>> {
    let now = bot.now_ms();
    let voided = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            // Moved on meanwhile (an echo completed it, a late server ack of the original
            // cancelled its resend).
            if inbox::get(&tx, message_id)?.is_none_or(|row| row.state != InboxState::Decided) {
                return Ok(Some(None));
            }
            let Some(reason) = recheck::voided(&tx, account_id, message_id, now)? else {
                return Ok(None);
            };
            let skipped = inbox::skipped(&tx, message_id, &[InboxState::Decided], reason, now)?;
            tx.commit()?;
            Ok(Some(skipped.then_some(reason)))
        })
        .await?;
    match voided {
        None => Ok(None),
        Some(Some(reason)) => {
            tracing::info!(
                account_id,
                reason = reason.as_str(),
                "a reply was not sent: things changed during its turn"
            );
            bot.core.chat_changed(account_id, chat_id);
            Ok(Some(Handled::Skipped { reason }))
        }
        Some(None) => outcome(bot, message_id).await.map(Some),
    }
}

/// A send that errored: tried again later with backoff while attempts are left, else the
/// row fails for good and the owner is told.
async fn send_failed(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    chat_id: i64,
    e: WaError,
) -> Result<()> {
    let now = bot.now_ms();
    let attempts = bot
        .store()
        .call(move |conn| Ok(inbox::get(conn, message_id)?.map(|r| r.attempts)))
        .await?
        .unwrap_or(inbox::MAX_ATTEMPTS);
    tracing::warn!(account_id, attempts, error = %e, "a reply could not be sent");
    // A send WhatsApp's limits refused is never tried again: that worsens the limit.
    if attempts >= inbox::MAX_ATTEMPTS || matches!(e, WaError::Limited { .. }) {
        return give_up(
            bot,
            account_id,
            message_id,
            chat_id,
            &[InboxState::Decided],
            e.text(),
            Failing::Send,
        )
        .await;
    }
    let retry_at = now.saturating_add(
        i64::try_from(bot.tuning.retry_times.send(attempts).as_millis()).unwrap_or(i64::MAX),
    );
    let shown = e.to_string();
    bot.store()
        .call(move |conn| {
            Ok(inbox::failed(
                conn,
                message_id,
                &[InboxState::Decided],
                &shown,
                Some(retry_at),
                now,
            )?)
        })
        .await?;
    Ok(())
}

/// The reply went out as `wa_msg_id`: stored as the bot's and the row replied. An echo
/// that got there first already did both; then nothing changes.
pub(crate) async fn record(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    chat_id: i64,
    wa_msg_id: &str,
    text: &str,
) -> Result<()> {
    let (wa_msg_id, text) = (wa_msg_id.to_string(), text.to_string());
    let now = bot.now_ms();
    bot.store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            messages::insert(
                &tx,
                &messages::NewMessage {
                    account_id,
                    chat_id,
                    wa_msg_id: &wa_msg_id,
                    direction: Direction::Out,
                    origin: Origin::Bot,
                    author: None,
                    body: &text,
                    kind: MessageKind::Text,
                    details: None,
                    sent_at: now,
                },
                now,
            )?;
            let reply_id = messages::id_of(&tx, account_id, &wa_msg_id)?;
            inbox::replied(&tx, message_id, reply_id, now)?;
            tx.commit().map_err(Error::from)
        })
        .await?;
    bot.core.chat_changed(account_id, chat_id);
    Ok(())
}

/// Fails the row for good (from one of `from`) with `error`, says so in Activity and tells
/// the owner once.
pub(crate) async fn give_up(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    chat_id: i64,
    from: &'static [InboxState],
    error: Text,
    part: Failing,
) -> Result<()> {
    let now = bot.now_ms();
    let told = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            if !inbox::failed(&tx, message_id, from, &error.english, None, now)? {
                return Ok(None);
            }
            if !inbox::tell_owner(&tx, message_id, now)? {
                tx.commit()?;
                return Ok(None);
            }
            let number = accounts::get(&tx, account_id)?
                .map(|n| n.name)
                .unwrap_or_default();
            let who = chats::get(&tx, chat_id)?
                .map(|chat| shown_number(&chat.wa_chat_id))
                .unwrap_or_default();
            let entry = match part {
                Failing::Ai => Activity::AiFailed {
                    error: error.clone(),
                },
                Failing::Send => Activity::ReplyFailed {
                    name: number.clone(),
                    phone: who.clone(),
                    error: error.clone(),
                },
            };
            activity::record(&tx, Some(account_id), &entry, now)?;
            tx.commit()?;
            Ok(Some((number, who, error)))
        })
        .await?;
    if let Some((number, who, reason)) = told {
        (bot.core.events)(CoreEvent::ReplyFailed {
            number_id: account_id,
            chat_id,
            number,
            who,
            reason,
        });
    }
    Ok(())
}

/// Whether `text` already went to `to` since `since_ms` (`Worded::since_ms`): an own
/// message of the chat with those words that no other row
/// claimed, by WhatsApp's ids and times, the page loading earlier messages if needed.
async fn already_sent(
    bot: &Bot,
    account_id: i64,
    to: &str,
    text: &str,
    since_ms: i64,
) -> std::result::Result<Option<String>, WaError> {
    let since = since_ms.saturating_sub(RECONCILE_SLACK_MS) / 1000;
    let own = bot.runtime.recent_own(account_id, to, since).await?;
    let candidates: Vec<String> = own
        .into_iter()
        .filter(|m| m.body == text && m.timestamp >= since)
        .map(|m| m.id)
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    // A message already stored is claimed: the reply of another row, or one the server
    // never took (ack -1).
    let claimed = bot
        .store()
        .call(move |conn| {
            let mut free = Vec::new();
            for id in candidates {
                if !messages::exists(conn, account_id, &id)? {
                    free.push(id);
                }
            }
            Ok(free)
        })
        .await;
    match claimed {
        Ok(free) => Ok(free.into_iter().next()),
        Err(e) => Err(WaError::Page(e.to_string())),
    }
}
