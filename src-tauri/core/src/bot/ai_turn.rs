//! The AI's part of a turn: one call for the reply and the lead's fields, at most a few
//! turns in flight at once, and what a failure means for the row: a timeout, a 5xx or a
//! rate limit is tried again with backoff while the message is fresh; anything else, or
//! the last try, fails the row with its reason and tells the owner once.

use std::collections::BTreeMap;

use super::hours::Hours;
use super::inbox::Handled;
use crate::ai::chat::ChatMessage;
use crate::ai::prompt::{self, DEFAULT_HISTORY_BUDGET, TurnContext};
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::chat::Direction;
use crate::model::inbox::InboxState;
use crate::store::{activity, inbox, messages};

/// The row a turn answers and what its AI call needs.
pub(crate) struct AiTurn {
    pub account_id: i64,
    pub message_id: i64,
    pub chat_id: i64,
    pub contact_id: Option<i64>,
    pub closed: bool,
    /// WhatsApp's time of the turn's message, unix ms.
    pub sent_at: i64,
    /// How long after `sent_at` an answer is still worth sending.
    pub freshness_ms: i64,
}

/// What an AI call leaves to record: its usage, and the lead's fields it found. Written in
/// the same transaction as the reply's words when there is a reply.
pub(crate) struct TurnRecord {
    account_id: i64,
    chat_id: i64,
    provider: String,
    model: String,
    usage: crate::ai::chat::Usage,
    cost: Option<u64>,
    elapsed: u64,
    ok: bool,
    merge: Option<(
        i64,
        Vec<crate::model::lead_field::LeadField>,
        crate::ai::turn::TurnOutput,
        Option<String>,
    )>,
    now: i64,
}

impl TurnRecord {
    /// Writes it inside the caller's transaction; a lead that changed (and whether it
    /// qualified now) to announce after the commit. A failure is logged, never fatal.
    pub(crate) fn write(
        self,
        tx: &rusqlite::Connection,
    ) -> Option<(i64, Option<crate::model::lead::QualifiedLead>)> {
        let row = crate::store::ai_usage::UsageRow {
            account_id: Some(self.account_id),
            provider: &self.provider,
            model: &self.model,
            purpose: "reply",
            prompt_tokens: self.usage.prompt_tokens,
            completion_tokens: self.usage.completion_tokens,
            cost_micros: self.cost.unwrap_or(0),
            latency_ms: self.elapsed,
            ok: self.ok,
        };
        if let Err(e) = crate::store::ai_usage::insert(tx, &row, self.now) {
            tracing::error!(error = %e, "could not record AI usage");
        }
        let (contact, asked, output, country) = self.merge?;
        match crate::leads::merge::merge_turn_in(
            tx,
            self.account_id,
            contact,
            self.chat_id,
            &asked,
            &output,
            country.as_deref(),
            self.now,
        ) {
            Ok(merged) => Some(merged),
            Err(e) => {
                tracing::error!(account_id = self.account_id, error = %e, "could not update the lead");
                None
            }
        }
    }
}

impl Leadline {
    /// The reply's words, or what became of the row when the AI could not give them.
    pub(crate) async fn ai_turn(
        &self,
        turn: &AiTurn,
        hours: Option<&Hours>,
        now: i64,
    ) -> Result<std::result::Result<(String, TurnRecord), Handled>> {
        // A limit on turns in flight: a burst of chats queues here, not at the provider.
        let _permit = self
            .turns
            .acquire()
            .await
            .map_err(|_| Error::Internal("the turn limit was closed".into()))?;
        let message_id = turn.message_id;
        let (attempt, answered) = self
            .ai_reply(
                turn.account_id,
                turn.message_id,
                turn.chat_id,
                turn.contact_id,
                turn.closed,
                hours,
                now,
            )
            .await;
        let error = match answered {
            Ok(worded) => return Ok(Ok(worded)),
            Err(error) => error,
        };
        let now = self.now_ms();
        let asked = match &error {
            crate::ai::error::AiError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        };
        let retry_at = now.saturating_add(
            i64::try_from(self.retry_times.ai(attempt, asked).as_millis()).unwrap_or(i64::MAX),
        );
        let fresh_until = turn.sent_at.saturating_add(turn.freshness_ms);
        let text = error.text();
        let account_id = turn.account_id;
        if error.is_retryable() && retry_at < fresh_until {
            // Tried again at its time; the owner hears of it the first time only.
            let shown = text.clone();
            self.store
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
                        activity::insert_with_text(
                            &tx,
                            Some(account_id),
                            "ai_failed",
                            &format!("The assistant could not answer a customer: {shown}"),
                            &[],
                            ("error", &shown),
                            now,
                        )?;
                    }
                    tx.commit().map_err(Error::from)
                })
                .await?;
            tracing::warn!(
                account_id,
                kind = error.kind(),
                attempt,
                "the AI failed; trying again later"
            );
            return Ok(Err(self.outcome(message_id).await?));
        }
        tracing::warn!(
            account_id,
            kind = error.kind(),
            attempt,
            "the AI failed; giving up on this message"
        );
        self.give_up(
            account_id,
            message_id,
            turn.chat_id,
            &[InboxState::Decided],
            text,
            super::reply::Failing::Ai,
        )
        .await?;
        Ok(Err(self.outcome(message_id).await?))
    }

    /// The AI's reply for this chat's latest turn.
    /// The AI's reply for this chat's turn, and which try it was. One read before the call
    /// (the number's settings, its provider, the conversation, what the lead already
    /// told, the prices, the try counted) and one write after it (the usage and the lead's
    /// fields): a turn holds the shared connection as little as it can.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn ai_reply(
        &self,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        contact_id: Option<i64>,
        closed: bool,
        hours: Option<&Hours>,
        now: i64,
    ) -> (u32, Result<(String, TurnRecord), crate::ai::error::AiError>) {
        // Leadline's own side failing is tried again; anything else (the number or its
        // provider gone) is the owner's to set up. Neither is the provider's refusal.
        let local_failure = |e: Error| match e {
            Error::Store(_) | Error::Unavailable(_) | Error::Internal(_) => {
                crate::ai::error::AiError::Unavailable(e.text())
            }
            other => crate::ai::error::AiError::NotSetUp(other.text()),
        };
        let read = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let attempt = inbox::ai_attempt(&tx, message_id, now)?;
                let settings = crate::ai::assistant::read_number_ai(&tx, account_id)?;
                let provider =
                    crate::ai::providers::provider_for(&tx, settings.provider.as_deref());
                // The conversation up to this turn's message: what came after it is the
                // next turn's to answer.
                let recent = messages::recent_in_chat_until(&tx, chat_id, message_id, 60)?;
                let known: BTreeMap<String, String> = match contact_id {
                    Some(contact) => {
                        crate::store::leads::fields_of_contact(&tx, account_id, contact)?
                            .into_iter()
                            .collect()
                    }
                    None => BTreeMap::new(),
                };
                let prices = crate::ai::providers::read_prices(&tx).unwrap_or_default();
                let me = crate::store::accounts::get(&tx, account_id)?.and_then(|n| n.wa_id);
                // The owner's ceiling on the AI's cost in any hour (calls already under
                // way may take it a little past).
                let limit = crate::store::app_settings::settings(&tx)?.ai_spend_per_hour_micros;
                let over = match limit {
                    Some(limit) => {
                        crate::store::ai_usage::spent_since(&tx, now - 3_600_000)? >= limit
                    }
                    None => false,
                };
                tx.commit()?;
                Ok((
                    attempt,
                    settings,
                    provider,
                    recent,
                    known,
                    prices,
                    me,
                    limit.filter(|_| over),
                ))
            })
            .await;
        let (attempt, settings, provider, recent, known, prices, me, over) = match read {
            Ok(read) => read,
            Err(e) => return (1, Err(local_failure(e))),
        };
        if let Some(limit_micros) = over {
            return (
                attempt,
                Err(crate::ai::error::AiError::SpendLimit { limit_micros }),
            );
        }
        let endpoint = match provider {
            Ok(provider) => self.with_key(provider).await,
            Err(e) => Err(e),
        };
        let (endpoint, default_model) = match endpoint {
            Ok(found) => found,
            // The keychain is locked or not answering: tried again later.
            Err(Error::Unavailable(text)) => {
                return (attempt, Err(crate::ai::error::AiError::Keychain(text)));
            }
            Err(e) => return (attempt, Err(local_failure(e))),
        };
        let model = match crate::ai::assistant::model_for(
            settings.model.clone(),
            default_model,
            &endpoint.name,
        ) {
            Ok(model) => model,
            Err(text) => return (attempt, Err(crate::ai::error::AiError::NotSetUp(text))),
        };
        let history: Vec<ChatMessage> = recent
            .into_iter()
            .map(|(direction, _, body, _)| {
                if direction == Direction::In {
                    ChatMessage::user(body)
                } else {
                    ChatMessage::assistant(body)
                }
            })
            .collect();
        let hours_context = if closed {
            prompt::Hours::Closed {
                next_open: hours
                    .and_then(|h| {
                        h.next_open(jiff::Timestamp::from_millisecond(now).unwrap_or_default())
                    })
                    .map(|z| z.strftime("%A %H:%M").to_string()),
            }
        } else {
            prompt::Hours::Open
        };
        let turn = TurnContext {
            prompt: &settings.prompt,
            facts: &settings.facts,
            fields: &settings.fields,
            criteria: &settings.criteria,
            hours: hours_context,
            known: &known,
            history: &history,
            history_budget: DEFAULT_HISTORY_BUDGET,
        };
        let started = std::time::Instant::now();
        let answered = crate::ai::answer::answer_turn(&self.ai, &endpoint, &model, &turn).await;
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let usage = answered.as_ref().map(|a| a.usage).unwrap_or_default();
        let cost = crate::ai::pricing::cost_micros(&prices, &model, usage);
        let ok = answered.is_ok();
        // The lead takes what this turn found, recorded with the usage; a failure to
        // record either is logged and never holds up the customer's reply.
        let merge = match (&answered, contact_id) {
            (Ok(answered), Some(contact)) if !answered.output.truncated => Some((
                contact,
                settings.fields.clone(),
                answered.output.clone(),
                me.as_deref().and_then(crate::ai::fields::country_of),
            )),
            _ => None,
        };
        let record = TurnRecord {
            account_id,
            chat_id,
            provider: endpoint.name.clone(),
            model: model.clone(),
            usage,
            cost,
            elapsed,
            ok,
            merge,
            now,
        };
        let answered = match answered {
            Ok(answered) if !answered.output.truncated => answered,
            failed => {
                // Recorded now: no reply follows to record it with.
                self.record_turn(record).await;
                return match failed {
                    Ok(_) => (
                        attempt,
                        Err(crate::ai::error::AiError::BadResponse {
                            provider: endpoint.name,
                            detail: "the answer was cut off".into(),
                        }),
                    ),
                    Err(e) => (attempt, Err(e)),
                };
            }
        };
        (attempt, Ok((answered.output.reply, record)))
    }

    /// Records a turn's usage and lead fields on their own (when no reply goes with them).
    pub(crate) async fn record_turn(&self, record: TurnRecord) {
        let account_id = record.account_id;
        let written = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let merged = record.write(&tx);
                tx.commit()?;
                Ok(merged)
            })
            .await;
        match written {
            Ok(Some(merged)) => {
                self.turn_merged(account_id, merged);
            }
            Ok(None) => {}
            Err(e) => tracing::error!(account_id, error = %e, "could not record the AI's turn"),
        }
    }
}
