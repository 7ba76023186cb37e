//! Each number's AI: the owner's prompt, business facts, the lead fields to collect, the
//! qualification criteria in plain words, and the provider and model; and the playground,
//! where the owner chats as a customer would and sees the reply, the fields and the verdict
//! of each turn, with its tokens and cost, before any customer does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ai::chat::ChatMessage;
use crate::ai::error::AiError;
use crate::ai::fields;
use crate::ai::pricing;
use crate::ai::prompt::{DEFAULT_HISTORY_BUDGET, Hours, TurnContext};
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::lead_field::LeadField;
use crate::model::number_ai::NumberAi;
use crate::store::{account_settings, accounts, ai_usage};
use crate::text;
use crate::text::Text;

const MAX_PROMPT: usize = 20_000;
const MAX_FIELDS: usize = 30;

/// One message in the playground's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaygroundMessage {
    /// true: the business (the AI's reply); false: the customer (the owner typing).
    pub from_business: bool,
    pub text: String,
}

/// A field the AI found, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FoundField {
    pub name: String,
    /// As stored: an email in lower case, a phone in E.164.
    pub value: String,
    /// Why the value was not accepted, if it wasn't.
    pub problem: Option<Text>,
}

/// The playground's answer to one turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlaygroundTurn {
    pub reply: String,
    pub fields: Vec<FoundField>,
    pub qualified: bool,
    pub reason: String,
    /// The answer was cut off by the token limit.
    pub truncated: bool,
    pub model: String,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// In millionths of a dollar; `None` when the price table has no price for the model.
    pub cost_micros: Option<u64>,
    pub elapsed_ms: u64,
}

/// The parts of a number's assistant settings that have a length limit.
#[derive(Clone, Copy)]
enum Part {
    Prompt,
    Facts,
    Criteria,
    FieldDescription,
}

fn clean(text: &str, max: usize, what: Part) -> Result<String> {
    let text = text.trim().to_string();
    if text.chars().count() > max {
        let length = text.chars().count();
        return Err(Error::InvalidInput(match what {
            Part::Prompt => text!(
                "assistant.prompt_too_long",
                "The instructions are too long ({length} characters; at most {max}).",
                length = length,
                max = max
            ),
            Part::Facts => text!(
                "assistant.facts_too_long",
                "The business facts are too long ({length} characters; at most {max}).",
                length = length,
                max = max
            ),
            Part::Criteria => text!(
                "assistant.criteria_too_long",
                "The qualification criteria are too long ({length} characters; at most {max}).",
                length = length,
                max = max
            ),
            Part::FieldDescription => text!(
                "assistant.description_too_long",
                "A field's description is too long ({length} characters; at most {max}).",
                length = length,
                max = max
            ),
        }));
    }
    Ok(text)
}

fn check_fields(given: Vec<LeadField>) -> Result<Vec<LeadField>> {
    if given.len() > MAX_FIELDS {
        return Err(Error::InvalidInput(text!(
            "assistant.too_many_fields",
            "At most {max} fields.",
            max = MAX_FIELDS
        )));
    }
    let mut seen = std::collections::BTreeSet::new();
    given
        .into_iter()
        .map(|field| {
            let name = field.name.trim().to_lowercase().replace([' ', '-'], "_");
            let plain = !name.is_empty()
                && name.len() <= 40
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit());
            if !plain {
                return Err(Error::InvalidInput(text!(
                    "assistant.field_name",
                    "“{name}” can't be a field name: use letters, digits and _ (like phone_number).",
                    name = field.name.trim()
                )));
            }
            if !seen.insert(name.clone()) {
                return Err(Error::InvalidInput(text!("assistant.field_twice", "The field “{name}” is listed twice.", name = name)));
            }
            Ok(LeadField {
                name,
                description: clean(&field.description, 500, Part::FieldDescription)?,
                kind: field.kind,
            })
        })
        .collect()
}

/// The stored list of fields to collect; an unreadable one (from an early version) is none.
pub(crate) fn parse_fields(json: &str, account_id: i64) -> Vec<LeadField> {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::warn!(account_id, error = %e, "unreadable lead fields; showing none");
        Vec::new()
    })
}

/// A number's AI settings, read on `conn`.
pub(crate) fn read_number_ai(conn: &rusqlite::Connection, id: i64) -> Result<NumberAi> {
    let row = account_settings::ai(conn, id)?.ok_or_else(|| {
        Error::NotFound(text!(
            "number.removed",
            "That number was removed. Reload the list."
        ))
    })?;
    let fields = parse_fields(&row.fields_json, id);
    Ok(NumberAi {
        prompt: row.prompt,
        facts: row.facts,
        fields,
        criteria: row.criteria,
        provider: row.provider,
        model: row.model,
    })
}

/// The model a number's turn uses, in the playground and in the live bot alike: its own,
/// else its provider's default. None is the owner's to choose, in these words.
pub(crate) fn model_for(
    chosen: Option<String>,
    default_model: Option<String>,
    provider: &str,
) -> std::result::Result<String, Text> {
    chosen
        .filter(|m| !m.trim().is_empty())
        .or(default_model)
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| {
            text!(
                "assistant.no_model",
                "Choose a model for {provider} (Settings › AI providers) or for this number.",
                provider = provider
            )
        })
}

impl Leadline {
    pub async fn number_ai(&self, id: i64) -> Result<NumberAi> {
        self.store.call(move |conn| read_number_ai(conn, id)).await
    }

    pub async fn set_number_ai(&self, id: i64, ai: NumberAi) -> Result<NumberAi> {
        let ai = NumberAi {
            prompt: clean(&ai.prompt, MAX_PROMPT, Part::Prompt)?,
            facts: clean(&ai.facts, MAX_PROMPT, Part::Facts)?,
            fields: check_fields(ai.fields)?,
            criteria: clean(&ai.criteria, 2_000, Part::Criteria)?,
            provider: ai
                .provider
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty()),
            model: ai
                .model
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty()),
        };
        let row = account_settings::AiRow {
            prompt: ai.prompt.clone(),
            facts: ai.facts.clone(),
            fields_json: serde_json::to_string(&ai.fields)
                .map_err(|e| Error::Internal(format!("the fields could not be saved: {e}")))?,
            criteria: ai.criteria.clone(),
            provider: ai.provider.clone(),
            model: ai.model.clone(),
        };
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                if account_settings::set_ai(conn, id, &row, now)? {
                    Ok(())
                } else {
                    Err(Error::NotFound(text!(
                        "number.removed",
                        "That number was removed. Reload the list."
                    )))
                }
            })
            .await?;
        Ok(ai)
    }

    /// One playground turn: the conversation so far (ending with the owner's message as the
    /// customer) through this number's prompt, fields and model.
    pub async fn playground_turn(
        &self,
        id: i64,
        conversation: Vec<PlaygroundMessage>,
    ) -> Result<PlaygroundTurn> {
        if !conversation
            .last()
            .is_some_and(|m| !m.from_business && !m.text.trim().is_empty())
        {
            return Err(Error::InvalidInput(text!(
                "assistant.playground_empty",
                "Write a message as the customer first."
            )));
        }
        let settings = self.number_ai(id).await?;
        let number = self
            .store
            .call(move |conn| {
                accounts::get(conn, id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "number.removed",
                        "That number was removed. Reload the list."
                    ))
                })
            })
            .await?;
        let (endpoint, default_model) = self.ai_endpoint(settings.provider.as_deref()).await?;
        let model = model_for(settings.model.clone(), default_model, &endpoint.name)
            .map_err(Error::InvalidInput)?;
        let history: Vec<ChatMessage> = conversation
            .iter()
            .map(|m| {
                if m.from_business {
                    ChatMessage::assistant(m.text.clone())
                } else {
                    ChatMessage::user(m.text.clone())
                }
            })
            .collect();
        let known = BTreeMap::new();
        let turn = TurnContext {
            prompt: &settings.prompt,
            facts: &settings.facts,
            fields: &settings.fields,
            criteria: &settings.criteria,
            hours: Hours::Open,
            known: &known,
            history: &history,
            history_budget: DEFAULT_HISTORY_BUDGET,
        };
        let started = std::time::Instant::now();
        let answered = crate::ai::answer::answer_turn(&self.ai, &endpoint, &model, &turn).await;
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let prices = self.ai_prices().await?;
        let (usage, ok) = match &answered {
            Ok(a) => (a.usage, true),
            Err(_) => (Default::default(), false),
        };
        let cost = pricing::cost_micros(&prices, &model, usage);
        self.record_usage(
            Some(id),
            &endpoint.name,
            &model,
            "playground",
            usage,
            cost,
            elapsed_ms,
            ok,
        )
        .await;
        let answered = answered.map_err(|e: AiError| {
            tracing::warn!(id, error = e.kind(), "playground turn failed");
            Error::from(e)
        })?;
        let country = number.wa_id.as_deref().and_then(fields::country_of);
        let found = settings
            .fields
            .iter()
            .filter_map(|field| {
                let value = answered.output.fields.get(&field.name)?;
                Some(match fields::check(field.kind, value, country.as_deref()) {
                    Ok(value) => FoundField {
                        name: field.name.clone(),
                        value,
                        problem: None,
                    },
                    Err(e) => FoundField {
                        name: field.name.clone(),
                        value: value.clone(),
                        problem: Some(e.text()),
                    },
                })
            })
            .collect();
        Ok(PlaygroundTurn {
            reply: answered.output.reply,
            fields: found,
            qualified: answered.output.qualified,
            reason: answered.output.reason,
            truncated: answered.output.truncated,
            model: answered.model,
            prompt_tokens: answered.usage.prompt_tokens,
            completion_tokens: answered.usage.completion_tokens,
            cost_micros: cost,
            elapsed_ms,
        })
    }

    /// Records a call's use; a failure to record is logged, never fatal to the call.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_usage(
        &self,
        account_id: Option<i64>,
        provider: &str,
        model: &str,
        purpose: &'static str,
        usage: crate::ai::chat::Usage,
        cost: Option<u64>,
        elapsed_ms: u64,
        ok: bool,
    ) {
        let (provider, model) = (provider.to_string(), model.to_string());
        let now = self.clock.now_ms();
        let recorded = self
            .store
            .call(move |conn| {
                let row = ai_usage::UsageRow {
                    account_id,
                    provider: &provider,
                    model: &model,
                    purpose,
                    prompt_tokens: usage.prompt_tokens,
                    completion_tokens: usage.completion_tokens,
                    cost_micros: cost.unwrap_or(0),
                    latency_ms: elapsed_ms,
                    ok,
                };
                Ok(ai_usage::insert(conn, &row, now)?)
            })
            .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e, "could not record AI usage");
        }
    }
}
