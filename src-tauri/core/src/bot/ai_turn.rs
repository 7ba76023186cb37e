//! The AI's part of a turn: one call for the reply and the lead's fields, at most a few
//! turns in flight at once, and what a failure means for the row: a timeout, a 5xx or a
//! rate limit is tried again with backoff while the message is fresh; anything else, or
//! the last try, fails the row with its reason and tells the owner once.

use std::collections::{BTreeMap, HashMap};

use super::decide::AiAsk;
use super::handle::Bot;
use super::inbox::{Handled, outcome};
use super::photos;
use super::reply::{self, Failing};
use crate::ai::assistant::{self, AskedTurn, TurnRun, TurnView};
use crate::ai::chat::{ChatMessage, Image};
use crate::ai::error::AiError;
use crate::ai::fields;
use crate::ai::pricing::PriceTable;
use crate::ai::prompt;
use crate::ai::providers::{self, ProviderConfig};
use crate::ai::vision;
use crate::error::{Error, Result};
use crate::leads::merge::Findings;
use crate::model::activity::Activity;
use crate::model::ai_call::{AiCall, Purpose};
use crate::model::chat::Direction;
use crate::model::inbox::InboxState;
use crate::model::message_kind::MessageKind;
use crate::model::number_ai::NumberAi;
use crate::store::messages::RecentMessage;
use crate::store::{accounts, activity, ai_usage, inbox, leads, messages};

/// A reply the AI worded, the call as the usage table keeps it, and what the turn found
/// about the customer (to merge into their lead).
pub(crate) struct Answered {
    pub text: String,
    pub call: AiCall,
    pub findings: Option<Findings>,
}

/// The reply's words, or what became of the row when the AI could not give them.
pub(crate) async fn answer(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    ask: &AiAsk,
) -> Result<std::result::Result<Answered, Handled>> {
    // A limit on turns in flight: a burst of chats queues here, not at the provider.
    let _permit = bot
        .turns
        .acquire()
        .await
        .map_err(|_| Error::Internal("the turn limit was closed".into()))?;
    let (attempt, answered) = ask_ai(bot, account_id, message_id, ask).await;
    match answered {
        Ok(answered) => Ok(Ok(answered)),
        Err(error) => Ok(Err(failed(
            bot, account_id, message_id, ask, attempt, error,
        )
        .await?)),
    }
}

/// What an AI failure means for the row: tried again at its time while the message is
/// fresh (the owner hears of it the first time only), else failed for good.
async fn failed(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    ask: &AiAsk,
    attempt: u32,
    error: AiError,
) -> Result<Handled> {
    let now = bot.now_ms();
    let asked = match &error {
        AiError::RateLimited { retry_after, .. } => *retry_after,
        _ => None,
    };
    let retry_at = now.saturating_add(
        i64::try_from(bot.tuning.retry_times.ai(attempt, asked).as_millis()).unwrap_or(i64::MAX),
    );
    let fresh_until = ask.sent_at.saturating_add(ask.freshness_ms);
    let text = error.text();
    if error.is_retryable() && retry_at < fresh_until {
        let shown = text.clone();
        bot.store()
            .call(move |conn| {
                let tx = conn.transaction()?;
                if inbox::failed(
                    &tx,
                    message_id,
                    &[InboxState::Decided],
                    &shown.english,
                    Some(retry_at),
                    now,
                )? && attempt == 1
                {
                    activity::record(
                        &tx,
                        Some(account_id),
                        &Activity::AiFailed {
                            error: shown.clone(),
                        },
                        now,
                    )?;
                }
                tx.commit().map_err(Error::from)
            })
            .await?;
        tracing::warn!(
            account_id,
            kind = error.kind(),
            status = error.status(),
            attempt,
            "the AI failed; trying again later"
        );
        return outcome(bot, message_id).await;
    }
    tracing::warn!(
        account_id,
        kind = error.kind(),
        status = error.status(),
        attempt,
        "the AI failed; giving up on this message"
    );
    reply::give_up(
        bot,
        account_id,
        message_id,
        ask.chat_id,
        &[InboxState::Decided],
        text,
        Failing::Ai,
    )
    .await?;
    outcome(bot, message_id).await
}

/// What a turn reads before its AI call, in one go (a turn holds the shared connection as
/// little as it can).
struct TurnNeeds {
    /// Which try of this row's AI call this is.
    attempt: u32,
    settings: NumberAi,
    provider: Result<ProviderConfig>,
    /// The conversation up to this turn's message.
    recent: Vec<RecentMessage>,
    /// What the lead already told.
    known: BTreeMap<String, String>,
    prices: PriceTable,
    /// The number's own WhatsApp id.
    me: Option<String>,
    /// The owner's ceiling on the AI's cost per hour, when reached.
    over_limit: Option<u64>,
}

fn read_needs(
    conn: &mut rusqlite::Connection,
    account_id: i64,
    message_id: i64,
    ask: &AiAsk,
    now: i64,
) -> Result<TurnNeeds> {
    let tx = conn.transaction()?;
    let attempt = inbox::ai_attempt(&tx, message_id, now)?;
    let settings = assistant::read_number_ai(&tx, account_id)?;
    let provider = providers::provider_for(&tx, settings.provider.as_deref());
    // The conversation up to this turn's message: what came after it is the next turn's.
    let recent = messages::recent_in_chat_until(&tx, ask.chat_id, message_id, 60)?;
    let known: BTreeMap<String, String> = match ask.contact_id {
        Some(contact) => leads::fields_of_contact(&tx, account_id, contact)?,
        None => BTreeMap::new(),
    };
    let prices = providers::read_prices(&tx).unwrap_or_default();
    let me = accounts::get(&tx, account_id)?.and_then(|n| n.wa_id);
    let over_limit = ai_usage::ceiling_reached(&tx, now)?;
    tx.commit()?;
    Ok(TurnNeeds {
        attempt,
        settings,
        provider,
        recent,
        known,
        prices,
        me,
        over_limit,
    })
}

/// Leadline's own side failing is tried again; anything else (the number or its provider
/// gone) is the owner's to set up. Neither is the provider's refusal.
fn local_failure(e: Error) -> AiError {
    match e {
        Error::Store(_) | Error::Unavailable(_) | Error::Internal(_) => {
            AiError::Unavailable(e.text())
        }
        other => AiError::NotSetUp(other.text()),
    }
}

/// The AI's reply for this chat's turn, and which try it was: what the turn needs read,
/// the provider's key and model found, the one turn asked (`assistant::run_turn`).
async fn ask_ai(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    ask: &AiAsk,
) -> (u32, std::result::Result<Answered, AiError>) {
    let now = bot.now_ms();
    let read_ask = ask.clone();
    let needs = bot
        .store()
        .call(move |conn| read_needs(conn, account_id, message_id, &read_ask, now))
        .await;
    let needs = match needs {
        Ok(needs) => needs,
        Err(e) => return (1, Err(local_failure(e))),
    };
    let attempt = needs.attempt;
    if let Some(limit_micros) = needs.over_limit {
        return (attempt, Err(AiError::SpendLimit { limit_micros }));
    }
    let endpoint = match needs.provider {
        Ok(provider) => bot.core.with_key(provider).await,
        Err(e) => Err(e),
    };
    let (endpoint, default_model) = match endpoint {
        Ok(found) => found,
        // The keychain is locked or not answering: tried again later.
        Err(Error::Unavailable(text)) => return (attempt, Err(AiError::Keychain(text))),
        Err(e) => return (attempt, Err(local_failure(e))),
    };
    let model =
        match assistant::model_for(needs.settings.model.clone(), default_model, &endpoint.name) {
            Ok(model) => model,
            Err(text) => return (attempt, Err(AiError::NotSetUp(text))),
        };
    // A model that sees is shown the photos of this turn.
    let sees = vision::sees_images(endpoint.preset, &model);
    let mut shown = if sees {
        photos::of_turn(bot, &needs.recent).await
    } else {
        HashMap::new()
    };
    let turn_starts = photos::turn_starts(&needs.recent);
    let view = TurnView {
        history: needs
            .recent
            .into_iter()
            .enumerate()
            .map(|(at, m)| {
                let image = shown.remove(&m.id);
                let seen = Seen {
                    shown: image.is_some(),
                    sees,
                    in_turn: at >= turn_starts,
                };
                as_chat(m, image, seen)
            })
            .collect(),
        known: needs.known,
        hours: hours_told(ask, now),
    };
    let run = assistant::run_turn(
        &bot.core.ai,
        &AskedTurn {
            account_id,
            purpose: Purpose::Reply,
            endpoint: &endpoint,
            model: &model,
            settings: &needs.settings,
            view: &view,
            prices: &needs.prices,
        },
    )
    .await;
    let country = needs.me.as_deref().and_then(fields::country_of);
    (
        attempt,
        answered(bot, account_id, ask, run, needs.settings, country, now).await,
    )
}

/// A message of the conversation as the model reads it: what is not text is named (with
/// what it carries: a file's name, a place), so the model knows a photo or a document came
/// and never takes it for something it saw; a photo shown to a model that sees goes with
/// it (`image`).
fn as_chat(message: RecentMessage, image: Option<Image>, seen: Seen) -> ChatMessage {
    let text = match seen_as(&message, seen) {
        _ if message.revoked => "[a message its sender deleted]".to_string(),
        // A voice note heard: its words, said to be a voice note's, with the language
        // heard (so the reply keeps it).
        Some(_) if message.heard.is_some() => format!(
            "[a voice note, transcribed; spoken in {}] {}",
            message
                .heard_language
                .as_deref()
                .unwrap_or("an unknown language"),
            message.heard.as_deref().unwrap_or_default()
        ),
        None => message.body,
        Some(what) if message.body.trim().is_empty() => format!("[{what}]"),
        Some(what) => format!("[{what}] {}", message.body),
    };
    if message.direction == Direction::In {
        ChatMessage::user_with_images(text, image.into_iter().collect())
    } else {
        ChatMessage::assistant(text)
    }
}

/// What the model is shown of a message.
#[derive(Clone, Copy)]
struct Seen {
    /// Its photo goes with it.
    shown: bool,
    /// The model sees photos.
    sees: bool,
    /// It is of the turn being answered (not an earlier one).
    in_turn: bool,
}

/// How a message that is not text is named to the model.
fn seen_as(message: &RecentMessage, seen: Seen) -> Option<String> {
    let Seen {
        shown,
        sees,
        in_turn,
    } = seen;
    if message.kind == MessageKind::Text {
        return None;
    }
    let details = message.details.clone().unwrap_or_default();
    let seconds = |what: &str| match details.duration_s {
        Some(s) => format!("{what} of {s} seconds"),
        None => what.to_string(),
    };
    let at = match (details.lat, details.lng) {
        (Some(lat), Some(lng)) => format!(" at {lat:.5}, {lng:.5}"),
        _ => String::new(),
    };
    Some(match message.kind {
        MessageKind::Text => return None,
        MessageKind::Image if shown => vision::PHOTO_SHOWN.into(),
        // A photo of this turn whose file didn't come (in time, or at all).
        MessageKind::Image if sees && in_turn => {
            "a photo, not shown to you: it didn't come through".into()
        }
        MessageKind::Image if sees => "a photo sent earlier, not shown to you again".into(),
        MessageKind::Image => vision::PHOTO_NOT_SHOWN.into(),
        MessageKind::Video => format!("{}, not shown to you", seconds("a video")),
        MessageKind::Voice => "a voice note, not transcribed".into(),
        MessageKind::Audio => format!("{}, not transcribed", seconds("an audio file")),
        MessageKind::Document => {
            let mut what = "a document".to_string();
            if let Some(name) = details.filename.as_deref().filter(|n| !n.trim().is_empty()) {
                let name: String = name.chars().take(100).collect();
                what.push_str(&format!(" named \"{name}\""));
            }
            if let Some(pages) = details.page_count {
                what.push_str(&format!(" of {pages} pages"));
            }
            format!("{what}, not shown to you")
        }
        MessageKind::Sticker => "a sticker".into(),
        MessageKind::Location => match details.place.as_deref().filter(|p| !p.trim().is_empty()) {
            Some(place) => format!(
                "a location: {}{at}",
                place.chars().take(200).collect::<String>()
            ),
            None => format!("a location{at}"),
        },
        MessageKind::LiveLocation => format!("a live location{at}"),
        MessageKind::Contact => {
            let names: Vec<String> = details
                .contacts
                .iter()
                .map(|c| c.name.chars().take(60).collect())
                .filter(|n: &String| !n.trim().is_empty())
                .collect();
            if names.is_empty() {
                "a contact card".into()
            } else {
                format!("a contact card: {}", names.join(", "))
            }
        }
        MessageKind::ViewOnce => "a view-once photo or video, only on the phone".into(),
        MessageKind::Album => "several photos or videos, not shown to you".into(),
        MessageKind::Unsupported => "a message of a kind you can't see".into(),
    })
}

/// Whether the business is open, as the prompt tells the model.
fn hours_told(ask: &AiAsk, now: i64) -> prompt::Hours {
    if !ask.closed {
        return prompt::Hours::Open;
    }
    prompt::Hours::Closed {
        next_open: ask
            .hours
            .as_ref()
            .and_then(|h| h.next_open(jiff::Timestamp::from_millisecond(now).unwrap_or_default()))
            .map(|z| z.strftime("%A %H:%M").to_string()),
    }
}

/// A usable answer with what it found, or the failure; a call that gives no reply is
/// recorded now (no reply follows to record it with).
async fn answered(
    bot: &Bot,
    account_id: i64,
    ask: &AiAsk,
    run: TurnRun,
    settings: NumberAi,
    country: Option<String>,
    now: i64,
) -> std::result::Result<Answered, AiError> {
    let TurnRun { answered, call, .. } = run;
    match answered {
        Ok(answer) if !answer.output.truncated => {
            let findings = ask.contact_id.map(|contact_id| Findings {
                account_id,
                contact_id,
                chat_id: ask.chat_id,
                asked: settings.fields,
                output: answer.output.clone(),
                country,
                now,
            });
            Ok(Answered {
                text: answer.output.reply,
                call,
                findings,
            })
        }
        Ok(_) => {
            let provider = call.provider.clone();
            assistant::record_call(&bot.core, call).await;
            Err(AiError::BadResponse {
                provider,
                detail: "the answer was cut off".into(),
            })
        }
        Err(e) => {
            assistant::record_call(&bot.core, call).await;
            Err(e)
        }
    }
}
