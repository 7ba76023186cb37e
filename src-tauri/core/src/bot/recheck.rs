//! The owner's hand wins, even mid-turn: right before a reply to a customer goes out (every
//! send: the first, a retry, one that waited for the connection), whatever would have
//! stopped the turn is read again, since the AI's call, the typing pause or the wait may
//! have taken seconds or hours. The caller holds the chat's send lock, which a reply from
//! the app takes too, so the owner's reply and the bot's can't pass each other.

use super::switch::BotSwitch;
use crate::model::decision::{Decision, SkipReason};
use crate::store::account_settings::BotRow;
use crate::store::{app_settings, chats, contacts, inbox, messages};

/// Why the reply to row `message_id` must not go out now, if it must not: the customer's
/// message deleted for everyone, the contact
/// ignored, the customer's message past the freshness window, the chat paused or the owner
/// writing in it since (phone or app), the bot switched off (its switch, its window, Pause
/// all), the number paused. Replies to the owner's commands always go out.
pub(crate) fn voided(
    conn: &rusqlite::Connection,
    account_id: i64,
    message_id: i64,
    now: i64,
) -> rusqlite::Result<Option<SkipReason>> {
    let (Some(row), Some(message)) = (
        inbox::get(conn, message_id)?,
        messages::get(conn, message_id)?,
    ) else {
        // Gone meanwhile: recording the send finds that.
        return Ok(None);
    };
    if matches!(
        row.decision.as_ref().map(|stored| &stored.decision),
        Some(Decision::Command(_))
    ) {
        return Ok(None);
    }
    if message.revoked {
        return Ok(Some(SkipReason::Deleted));
    }
    let (Some(chat), Some(bot)) = (
        chats::get(conn, message.chat_id)?,
        crate::store::account_settings::bot(conn, account_id)?,
    ) else {
        return Ok(None);
    };
    if let Some(contact) = chat.contact_id {
        if contacts::standing(conn, contact)?.ignored {
            return Ok(Some(SkipReason::IgnoredContact));
        }
    }
    let freshness_ms = i64::from(bot.behaviour.freshness_hours) * 3_600_000;
    if now.saturating_sub(message.sent_at) > freshness_ms {
        return Ok(Some(SkipReason::TooOld));
    }
    if chat.paused_until.is_some_and(|until| until > now)
        || messages::owner_wrote_after(conn, message.chat_id, message_id)?
    {
        return Ok(Some(SkipReason::TakenOver));
    }
    if off_until(conn, account_id, &bot, now)?.is_some() {
        return Ok(Some(SkipReason::BotOff));
    }
    if bot.paused_until.is_some_and(|until| until > now) {
        return Ok(Some(SkipReason::NumberPaused));
    }
    Ok(None)
}

/// Until when number `account_id`'s bot is off at `now` (its switch, its on/off window in
/// the number's zone, or "Pause all bots"), `None` when it runs. Unusable window times
/// are logged and the switch alone counts.
pub(crate) fn off_until(
    conn: &rusqlite::Connection,
    account_id: i64,
    bot: &BotRow,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    let enabled = bot.bot_enabled && !app_settings::bots_paused(conn)?;
    let behaviour = &bot.behaviour;
    let zone = bot.schedule.as_ref().map(|s| s.zone.as_str());
    let switch = BotSwitch::new(
        enabled,
        behaviour.bot_starts_at.as_deref(),
        behaviour.bot_stops_at.as_deref(),
        zone,
    )
    .map_err(|e| tracing::warn!(account_id, error = %e, "unusable bot on/off times; using the switch alone"))
    .ok()
    .or_else(|| BotSwitch::new(enabled, None, None, None).ok());
    Ok(switch.and_then(|s| s.off_until(now)))
}
