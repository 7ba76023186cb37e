//! The AI's part of a turn: one call for the reply and the lead's fields, at most a few
//! turns in flight at once, and what a failure means for the row: a timeout, a 5xx or a
//! rate limit is tried again with backoff while the message is fresh; anything else, or
//! the last try, fails the row with its reason and tells the owner once.

use std::collections::BTreeMap;
use std::time::Duration;

use super::hours::Hours;
use super::pipeline::Handled;
use crate::Leadline;
use crate::ai::chat::ChatMessage;
use crate::ai::prompt::{self, DEFAULT_HISTORY_BUDGET, TurnContext};
use crate::error::{Error, Result};
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

/// How long the pipeline waits before trying a failed turn again.
#[derive(Debug, Clone, Copy)]
pub struct RetryTimes {
    /// After the AI's first failure; doubling after each one, up to `ai_max`.
    pub ai_first: Duration,
    pub ai_max: Duration,
    /// After a send's first failure; doubling after each one. Longer than WhatsApp takes
    /// to echo a send that went out despite its error, so the echo (or the reconcile)
    /// finds it first.
    pub send_first: Duration,
}

impl Default for RetryTimes {
    fn default() -> RetryTimes {
        RetryTimes {
            ai_first: Duration::from_secs(30),
            ai_max: Duration::from_secs(15 * 60),
            send_first: Duration::from_secs(20),
        }
    }
}

impl RetryTimes {
    /// The wait before the AI is tried again after its `attempt`th failure; longer if the
    /// provider asked for it.
    pub(crate) fn ai(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let doubled = self
            .ai_first
            .saturating_mul(1 << attempt.saturating_sub(1).min(10));
        doubled.min(self.ai_max).max(asked.unwrap_or_default())
    }

    /// The wait before a failed send is tried again after its `attempt`th try.
    pub(crate) fn send(&self, attempt: u32) -> Duration {
        self.send_first
            .saturating_mul(1 << attempt.saturating_sub(1).min(6))
    }
}

impl Leadline {
    /// The reply's words, or what became of the row when the AI could not give them.
    pub(crate) async fn ai_turn(
        &self,
        turn: &AiTurn,
        hours: Option<&Hours>,
        now: i64,
    ) -> Result<std::result::Result<String, Handled>> {
        // A limit on turns in flight: a burst of chats queues here, not at the provider.
        let _permit = self
            .turns
            .acquire()
            .await
            .map_err(|_| Error::Internal("the turn limit was closed".into()))?;
        let message_id = turn.message_id;
        let attempt = self
            .store
            .call(move |conn| Ok(inbox::ai_attempt(conn, message_id, now)?))
            .await?;
        let answered = self
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
            Ok(text) => return Ok(Ok(text)),
            Err(error) => error,
        };
        let now = super::pipeline::now_ms(self);
        let asked = match &error {
            crate::ai::AiError::RateLimited { retry_after, .. } => *retry_after,
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
                        &["decided"],
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
            &["decided"],
            text,
            super::delivery::Failing::Ai,
        )
        .await?;
        Ok(Err(self.outcome(message_id).await?))
    }

    /// The AI's reply for this chat's latest turn.
    pub(crate) async fn ai_reply(
        &self,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        contact_id: Option<i64>,
        closed: bool,
        hours: Option<&Hours>,
        now: i64,
    ) -> Result<String, crate::ai::AiError> {
        let provider_error = |e: Error| crate::ai::AiError::Rejected {
            provider: "Leadline".into(),
            status: 0,
            detail: e.to_string(),
        };
        let settings = self.number_ai(account_id).await.map_err(provider_error)?;
        let (endpoint, default_model) = self
            .ai_endpoint(settings.provider.as_deref())
            .await
            .map_err(|e| match e {
                // The keychain is locked or not answering: tried again later.
                Error::Unavailable(text) => crate::ai::AiError::Keychain(text),
                other => provider_error(other),
            })?;
        let model = settings.model.clone().or(default_model).unwrap_or_default();
        let recent = self
            .store
            // The conversation up to this turn's message: what came after it is the next
            // turn's to answer.
            .call(move |conn| {
                Ok(messages::recent_in_chat_until(
                    conn, chat_id, message_id, 60,
                )?)
            })
            .await
            .map_err(provider_error)?;
        let history: Vec<ChatMessage> = recent
            .into_iter()
            .map(|(direction, _, body, _)| {
                if direction == "in" {
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
        let known: BTreeMap<String, String> = match contact_id {
            Some(contact) => self
                .store
                .call(move |conn| {
                    Ok(crate::store::leads::fields_of_contact(
                        conn, account_id, contact,
                    )?)
                })
                .await
                .map_err(provider_error)?
                .into_iter()
                .collect(),
            None => BTreeMap::new(),
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
        let answered = crate::ai::answer_turn(&self.ai, &endpoint, &model, &turn).await;
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let prices = self.ai_prices().await.unwrap_or_default();
        let usage = answered.as_ref().map(|a| a.usage).unwrap_or_default();
        let cost = crate::ai::pricing::cost_micros(&prices, &model, usage);
        self.record_usage(
            Some(account_id),
            &endpoint.name,
            &model,
            "reply",
            usage,
            cost,
            elapsed,
            answered.is_ok(),
        )
        .await;
        let answered = answered?;
        if answered.output.truncated {
            return Err(crate::ai::AiError::BadResponse {
                provider: endpoint.name,
                detail: "the answer was cut off".into(),
            });
        }
        let reply = answered.output.reply.clone();
        // The lead takes what this turn found; a failure to record it is logged and never
        // holds up the customer's reply.
        if let Some(contact) = contact_id {
            let me = self.number(account_id).await.ok().and_then(|n| n.wa_id);
            let country = me.as_deref().and_then(crate::ai::fields::country_of);
            let asked = settings.fields.clone();
            if let Err(e) = self
                .merge_turn(
                    account_id,
                    contact,
                    chat_id,
                    asked,
                    answered.output,
                    country,
                )
                .await
            {
                tracing::error!(account_id, error = %e, "could not update the lead");
            }
        }
        Ok(reply)
    }
}
