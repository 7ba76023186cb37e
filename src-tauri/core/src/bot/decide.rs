//! The decision on a turn's row, in one transaction on the shared connection: what the
//! policy needs (read in one go), the policy's decision, and what follows at once from it
//! (a skip or an owner takeover recorded, an owner command carried out, the away message
//! marked, and the row decided: the reply reserved against the caps before the AI is
//! asked). A turn holds the connection once for all of it.

use super::handle::Bot;
use super::hours::Hours;
use super::inbox::Handled;
use super::policy::{self, Incoming, Situation};
use super::recheck;
use super::rules::Rule;
use crate::ai::{providers, vision};
use crate::error::{Error, Result};
use crate::model::activity::Activity;
use crate::model::behaviour::Behaviour;
use crate::model::chat::{ChatKind, Direction, Origin};
use crate::model::decision::{Decision, OwnerCommand, SkipReason};
use crate::model::inbox::{InboxState, Stored, UNDECIDED};
use crate::model::message_kind::MessageKind;
use crate::model::transcript::HearingState;
use crate::model::wa_id::kind_of;
use crate::store::messages::RecentMessage;
use crate::store::{
    account_settings, activity, away_sent, chats, contacts, inbox, leads, messages, rules,
    transcripts,
};
use crate::text;

/// What a decision leaves the turn to do.
pub(crate) enum Decided {
    /// Nothing more: skipped, taken over, gone, or moved on by someone else.
    Done(Handled),
    /// Send these words (the row is decided with them).
    Send {
        chat_id: i64,
        to: String,
        text: String,
    },
    /// Ask the AI (the row is decided, its reply reserved).
    Ai(AiAsk),
}

/// What the AI's part of the turn needs.
#[derive(Clone)]
pub(crate) struct AiAsk {
    pub decision: Decision,
    pub chat_id: i64,
    pub to: String,
    pub contact_id: Option<i64>,
    pub closed: bool,
    pub sent_at: i64,
    pub freshness_ms: i64,
    pub hours: Option<Hours>,
}

/// Decides on row `message_id` in one IMMEDIATE transaction: the caps read and the
/// reservation written are one step.
pub(crate) async fn decide(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    burst: Vec<MessageKind>,
) -> Result<Decided> {
    let now = bot.now_ms();
    bot.store()
        .call(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let decided = decide_in(&tx, account_id, message_id, &burst, now)?;
            tx.commit()?;
            Ok(decided)
        })
        .await
}

/// Decides on row `message_id` (which must be undecided, and answers `burst`'s kinds with
/// it) inside the caller's transaction.
pub(crate) fn decide_in(
    conn: &rusqlite::Connection,
    account_id: i64,
    message_id: i64,
    burst: &[MessageKind],
    now: i64,
) -> Result<Decided> {
    let (Some(row), Some(message)) = (
        inbox::get(conn, message_id)?,
        messages::get(conn, message_id)?,
    ) else {
        return Ok(Decided::Done(Handled::Waiting {
            reason: "gone".into(),
        }));
    };
    let Some(chats::ChatRow {
        wa_chat_id: chat_jid,
        contact_id,
        paused_until,
        ..
    }) = chats::get(conn, message.chat_id)?
    else {
        return Ok(Decided::Done(Handled::Waiting {
            reason: "gone".into(),
        }));
    };
    if !UNDECIDED.contains(&row.state) {
        return Ok(Decided::Done(Handled::Waiting {
            reason: row.state.to_string(),
        }));
    }
    let chat_id = message.chat_id;
    let Circumstances {
        situation: mut context,
        behaviour,
        hours,
        number_paused_until: number_paused,
        rules,
    } = circumstances_of(
        conn,
        account_id,
        message_id,
        chat_id,
        contact_id,
        paused_until,
        now,
    )?;
    // Whether the model sees matters only for a photo (read only then: a text's decision
    // stays as cheap as it was).
    if message.kind == MessageKind::Image || burst.contains(&MessageKind::Image) {
        context.sees_photos = sees_photos(conn, account_id)?;
    }
    let me = crate::store::accounts::get(conn, account_id)?
        .and_then(|n| n.wa_id)
        .unwrap_or_default();
    // A voice note heard is answered like its words.
    let heard = heard_words(conn, message_id, message.kind)?;
    let incoming = Incoming {
        kind: if heard.is_some() {
            MessageKind::Text
        } else {
            message.kind
        },
        deleted: message.revoked,
        body: heard.as_deref().unwrap_or(&message.body),
        from_me: message.direction == Direction::Out,
        is_group: kind_of(&chat_jid) == ChatKind::Group,
        is_status: chat_jid == "status@broadcast",
        to_self: !me.is_empty() && chat_jid == me,
        sent_at_ms: message.sent_at,
        burst_unseen: burst
            .iter()
            .any(|kind| policy::arrived(*kind, context.sees_photos) == policy::Arrived::Unseen),
    };
    context.number_paused_until_ms = number_paused;
    let decision = policy::decide(&incoming, &context, &behaviour, &rules);
    let from = [row.state];
    if let Some(reason) = skipped_for(conn, chat_id, &decision)? {
        return skip_row(conn, message_id, &from, reason, &decision, now);
    }
    let worded = words_for(conn, account_id, contact_id, hours.as_ref(), &decision, now)?;
    // The reservation: the row is decided (the text still unknown for the AI).
    let json = Stored {
        decision: decision.clone(),
        text: worded.clone(),
        to: worded.as_ref().map(|_| chat_jid.clone()),
    };
    if !inbox::decided(conn, message_id, &from, &json, now)? {
        return Ok(Decided::Done(Handled::Waiting {
            reason: "moved on".into(),
        }));
    }
    Ok(match (worded, decision) {
        (Some(text), _) => Decided::Send {
            chat_id,
            to: chat_jid,
            text,
        },
        (None, decision @ Decision::Ai { closed }) => Decided::Ai(AiAsk {
            decision,
            chat_id,
            to: chat_jid,
            contact_id,
            closed,
            sent_at: message.sent_at,
            freshness_ms: i64::from(behaviour.freshness_hours) * 3_600_000,
            hours,
        }),
        (None, _) => Decided::Done(Handled::Waiting {
            reason: "nothing to send".into(),
        }),
    })
}

/// A decision that ends the row skipped, and why (the owner taking over pauses the chat).
fn skipped_for(
    conn: &rusqlite::Connection,
    chat_id: i64,
    decision: &Decision,
) -> Result<Option<SkipReason>> {
    Ok(match decision {
        Decision::Skip(reason) => Some(reason.reason()),
        Decision::PauseChat { until_ms } => {
            chats::set_pause(conn, chat_id, Some(*until_ms), Some("owner_takeover"))?;
            Some(SkipReason::OwnerTakeover)
        }
        Decision::HandOver { until_ms } => {
            chats::set_pause(conn, chat_id, Some(*until_ms), Some("handed_over"))?;
            Some(SkipReason::HandedOver)
        }
        _ => None,
    })
}

/// The row decided and then skipped with `reason`.
fn skip_row(
    conn: &rusqlite::Connection,
    message_id: i64,
    from: &[InboxState],
    reason: SkipReason,
    decision: &Decision,
    now: i64,
) -> Result<Decided> {
    let stored = Stored {
        decision: decision.clone(),
        text: None,
        to: None,
    };
    if inbox::decided(conn, message_id, from, &stored, now)? {
        inbox::skipped(conn, message_id, &[InboxState::Decided], reason, now)?;
    }
    Ok(Decided::Done(Handled::Skipped { reason }))
}

/// The words a decision answers with, when they are known now (an owner command carried
/// out, the away message marked as sent, a quick reply); `None` for the AI's.
fn words_for(
    conn: &rusqlite::Connection,
    account_id: i64,
    contact_id: Option<i64>,
    hours: Option<&Hours>,
    decision: &Decision,
    now: i64,
) -> Result<Option<String>> {
    Ok(match decision {
        Decision::Command(command) => Some(command_in(conn, account_id, command, now)?),
        Decision::Away { text } => {
            let at = jiff::Timestamp::from_millisecond(now).unwrap_or_default();
            if let (Some(contact), Some(stretch)) =
                (contact_id, hours.and_then(|h| h.closed_stretch(at)))
            {
                away_sent::mark(conn, account_id, contact, &stretch, now)?;
            }
            Some(text.clone())
        }
        Decision::QuickReply { text, .. } => Some(text.clone()),
        Decision::Skip(_)
        | Decision::PauseChat { .. }
        | Decision::HandOver { .. }
        | Decision::Ai { .. } => None,
    })
}

/// Everything one decision rests on, read in one go: the policy's view of the moment, and
/// the number's own behaviour, hours, pause and quick replies.
struct Circumstances {
    situation: Situation,
    behaviour: Behaviour,
    hours: Option<Hours>,
    number_paused_until: Option<i64>,
    rules: Vec<Rule>,
}

/// Whether the model that would answer number `account_id` sees photos (its own, else its
/// provider's default); false while none is set up.
fn sees_photos(conn: &rusqlite::Connection, account_id: i64) -> Result<bool> {
    let Some(number_ai) = account_settings::ai(conn, account_id)? else {
        return Ok(false);
    };
    let Ok(provider) = providers::provider_for(conn, number_ai.provider.as_deref()) else {
        return Ok(false);
    };
    Ok(number_ai
        .model
        .or(provider.default_model)
        .is_some_and(|model| vision::sees_images(provider.preset, &model)))
}

fn circumstances_of(
    conn: &rusqlite::Connection,
    account_id: i64,
    message_id: i64,
    chat_id: i64,
    contact_id: Option<i64>,
    paused_until: Option<i64>,
    now: i64,
) -> Result<Circumstances> {
    let bot = account_settings::bot(conn, account_id)?.ok_or_else(|| {
        Error::NotFound(text!(
            "number.removed",
            "That number was removed. Reload the list."
        ))
    })?;
    // "Pause all bots" turns every number's switch off.
    let bot_off_until = recheck::off_until(conn, account_id, &bot, now)?;
    let behaviour = bot.behaviour;
    // No schedule set up means always open.
    let hours = bot.schedule.as_ref().and_then(|s| {
        Hours::new(s)
            .map_err(|e| tracing::warn!(account_id, error = %e, "unusable hours; treating as always open"))
            .ok()
    });
    let at = jiff::Timestamp::from_millisecond(now).unwrap_or_default();
    let open = hours.as_ref().is_none_or(|h| h.is_open(at));
    let (ignored, known) = match contact_id {
        Some(id) => {
            let standing = contacts::standing(conn, id)?;
            (standing.ignored, standing.known)
        }
        None => (false, false),
    };
    let away_sent_this_stretch = match (
        contact_id,
        hours.as_ref().and_then(|h| h.closed_stretch(at)),
    ) {
        (Some(contact), Some(stretch)) => away_sent::was_sent(conn, account_id, contact, &stretch)?,
        _ => false,
    };
    let rules = rules::enabled(conn, account_id)?
        .into_iter()
        .filter_map(|r| {
            Rule::new(r.id, r.kind, &r.pattern, &r.reply)
                .map_err(
                    |e| tracing::warn!(rule = r.id, error = %e, "unusable quick reply skipped"),
                )
                .ok()
        })
        .collect();
    let exchanges = exchanges(&messages::recent_in_chat(conn, chat_id, 12)?);
    let situation = Situation {
        now_ms: now,
        contact_ignored: ignored,
        contact_known: known,
        paused_until_ms: paused_until,
        number_paused_until_ms: None,
        bot_off_until_ms: bot_off_until,
        replies_to_contact_last_hour: messages::bot_replies_in_chat_since(
            conn,
            chat_id,
            now - 3_600_000,
        )?,
        // Replies other turns reserved count as sent: caps hold under a burst.
        replies_by_number_today: messages::bot_replies_since(conn, account_id, now - 86_400_000)?
            + inbox::reserved(conn, account_id, message_id)?,
        loop_suspected: policy::loop_suspected(&exchanges),
        open,
        away_sent_this_stretch,
        // Read by `decide_in` only when a photo is in the turn.
        sees_photos: false,
    };
    Ok(Circumstances {
        situation,
        behaviour,
        hours,
        number_paused_until: bot.paused_until,
        rules,
    })
}

fn command_in(
    conn: &rusqlite::Connection,
    account_id: i64,
    command: &OwnerCommand,
    now: i64,
) -> Result<String> {
    // Said in the owner's language (Settings, else the computer's), like the rest of what
    // Leadline tells them.
    let language = crate::i18n::of_choice(
        crate::store::app_settings::settings(conn)?
            .language
            .as_deref(),
    );
    let text = match command.clone() {
        OwnerCommand::Pause { minutes } => {
            let until = now + i64::from(minutes) * 60_000;
            account_settings::set_paused_until(conn, account_id, Some(until))?;
            activity::record(
                conn,
                Some(account_id),
                &Activity::PausedFromWhatsApp { minutes },
                now,
            )?;
            text!(
                "bot.cmd_paused",
                "⏸ Leadline paused for {duration}.",
                duration = human_minutes(minutes, language)
            )
        }
        OwnerCommand::Resume => {
            account_settings::set_paused_until(conn, account_id, None)?;
            activity::record(conn, Some(account_id), &Activity::ResumedFromWhatsApp, now)?;
            text!("bot.cmd_resumed", "▶ Leadline is answering again.")
        }
        OwnerCommand::Status => {
            let row = account_settings::bot(conn, account_id)?;
            let switched_off = row.as_ref().is_some_and(|b| !b.bot_enabled);
            let paused: Option<i64> = row.and_then(|b| b.paused_until).filter(|u| *u > now);
            let replies = messages::bot_replies_since(conn, account_id, now - 86_400_000)?;
            match (switched_off, paused) {
                (true, _) => text!(
                    "bot.cmd_status_off",
                    "Leadline is switched off for this number (switch it on in the app). {replies} replies in the last 24 h.",
                    replies = replies
                ),
                (false, Some(_)) => text!(
                    "bot.cmd_status_paused",
                    "Leadline is paused. {replies} replies in the last 24 h.",
                    replies = replies
                ),
                (false, None) => text!(
                    "bot.cmd_status_on",
                    "Leadline is answering. {replies} replies in the last 24 h.",
                    replies = replies
                ),
            }
        }
        OwnerCommand::LeadsToday => {
            let since = now - 86_400_000;
            let leads::NewLeads { new, qualified } =
                leads::new_and_qualified_since(conn, account_id, since)?;
            text!(
                "bot.cmd_leads_today",
                "Today: {new} new leads, {qualified} qualified.",
                new = new,
                qualified = qualified
            )
        }
    };
    Ok(crate::i18n::translate(&text, language))
}

/// (our reply's time, their next message's time) pairs from a chat's recent messages.
fn exchanges(recent: &[RecentMessage]) -> Vec<(i64, i64)> {
    recent
        .windows(2)
        .filter(|w| w[0].origin == Origin::Bot && w[1].direction == Direction::In)
        .map(|w| (w[0].stored_at, w[1].stored_at))
        .collect()
}

fn human_minutes(minutes: u32, language: crate::i18n::Language) -> String {
    let duration = match minutes {
        m if m % 1440 == 0 => text!("bot.duration_days", "{n} day(s)", n = m / 1440),
        m if m % 60 == 0 => text!("bot.duration_hours", "{n} hour(s)", n = m / 60),
        m => text!("bot.duration_minutes", "{n} minutes", n = m),
    };
    crate::i18n::translate(&duration, language)
}

/// A voice note's words, once heard.
fn heard_words(
    conn: &rusqlite::Connection,
    message_id: i64,
    kind: MessageKind,
) -> rusqlite::Result<Option<String>> {
    if !kind.is_voice() {
        return Ok(None);
    }
    Ok(transcripts::get(conn, message_id)?
        .filter(|t| t.state == HearingState::Done)
        .and_then(|t| t.text))
}
