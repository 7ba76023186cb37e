//! Each number's AI: the owner's prompt, business facts, the lead fields to collect, the
//! qualification criteria in plain words, and the provider and model; and the playground,
//! where the owner chats as a customer would and sees the reply, the fields and the verdict
//! of each turn, with its tokens and cost, before any customer does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ai::answer::{TurnAnswer, answer_turn};
use crate::ai::chat::ChatMessage;
use crate::ai::client::{AiClient, Endpoint};
use crate::ai::error::AiError;
use crate::ai::fields;
use crate::ai::playground_photo::{self, PlaygroundPhoto};
use crate::ai::pricing::{self, PriceTable};
use crate::ai::prompt::{DEFAULT_HISTORY_BUDGET, Hours, TurnContext};
use crate::ai::vision;
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::ai_call::{AiCall, Purpose};
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
    /// A photo sent as the customer, with `text` as its caption.
    #[serde(default)]
    #[ts(optional)]
    pub photo: Option<PlaygroundPhoto>,
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
    /// This answer switched on the number's assistant, which was waiting to be tried: it
    /// answers customers from now on.
    pub started_answering: bool,
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

/// A number's AI settings, read on `conn`.
pub(crate) fn read_number_ai(conn: &rusqlite::Connection, id: i64) -> Result<NumberAi> {
    account_settings::ai(conn, id)?.ok_or_else(|| {
        Error::NotFound(text!(
            "number.removed",
            "That number was removed. Reload the list."
        ))
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
        let now = self.clock.now_ms();
        let row = ai.clone();
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
            .is_some_and(|m| !m.from_business && (!m.text.trim().is_empty() || m.photo.is_some()))
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
        let sees = vision::sees_images(endpoint.preset, &model);
        let history = conversation
            .iter()
            .map(|m| match &m.photo {
                _ if m.from_business => Ok(ChatMessage::assistant(m.text.clone())),
                Some(photo) => playground_photo::customer_message(&m.text, photo, sees),
                None => Ok(ChatMessage::user(m.text.clone())),
            })
            .collect::<Result<Vec<ChatMessage>>>()?;
        let view = TurnView {
            history,
            known: BTreeMap::new(),
            hours: Hours::Open,
        };
        let prices = self.ai_prices().await?;
        let asked = AskedTurn {
            account_id: id,
            purpose: Purpose::Playground,
            endpoint: &endpoint,
            model: &model,
            settings: &settings,
            view: &view,
            prices: &prices,
        };
        let TurnRun {
            answered,
            call,
            cost,
        } = run_turn(&self.ai, &asked).await;
        let elapsed_ms = call.latency_ms;
        record_call(self, call).await;
        let answered = answered.map_err(|e: AiError| {
            tracing::warn!(id, error = e.kind(), "playground turn failed");
            Error::from(e)
        })?;
        let started_answering = self
            .store
            .call({
                let now = self.clock.now_ms();
                move |conn| Ok(account_settings::start_after_playground(conn, id, now)?)
            })
            .await?;
        if started_answering {
            tracing::info!(
                id,
                "the assistant answers customers: tried in the Playground"
            );
        }
        let country = number.wa_id.as_deref().and_then(fields::country_of);
        Ok(PlaygroundTurn {
            fields: found_fields(
                &settings.fields,
                &answered.output.fields,
                country.as_deref(),
            ),
            reply: answered.output.reply,
            qualified: answered.output.qualified,
            reason: answered.output.reason,
            truncated: answered.output.truncated,
            model: answered.model,
            prompt_tokens: answered.usage.prompt_tokens,
            completion_tokens: answered.usage.completion_tokens,
            cost_micros: cost,
            elapsed_ms,
            started_answering,
        })
    }
}

/// Each field the AI found, checked as the lead would take it.
fn found_fields(
    asked: &[LeadField],
    found: &BTreeMap<String, String>,
    country: Option<&str>,
) -> Vec<FoundField> {
    asked
        .iter()
        .filter_map(|field| {
            let value = found.get(&field.name)?;
            Some(match fields::check(field.kind, value, country) {
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
        .collect()
}

/// What an assistant turn sees besides the number's own settings: the conversation so far
/// (oldest first, ending with the customer's new message), what the lead already told,
/// and whether the business is open.
pub(crate) struct TurnView {
    pub history: Vec<ChatMessage>,
    pub known: BTreeMap<String, String>,
    pub hours: Hours,
}

/// One turn to ask: for which number and why, of which model, with what it sees.
pub(crate) struct AskedTurn<'a> {
    pub account_id: i64,
    pub purpose: Purpose,
    pub endpoint: &'a Endpoint,
    pub model: &'a str,
    pub settings: &'a NumberAi,
    pub view: &'a TurnView,
    pub prices: &'a PriceTable,
}

/// A turn asked: the answer, the call as the usage table keeps it, and its cost (`None`:
/// the price table has no price for the model).
pub(crate) struct TurnRun {
    pub answered: std::result::Result<TurnAnswer, AiError>,
    pub call: AiCall,
    pub cost: Option<u64>,
}

/// The one way an assistant turn is put together and asked, for the Playground and the
/// live bot alike: the number's settings and what the turn sees made into the prompt's
/// context, asked of the model, timed and priced.
pub(crate) async fn run_turn(client: &AiClient, turn: &AskedTurn<'_>) -> TurnRun {
    let context = TurnContext {
        prompt: &turn.settings.prompt,
        facts: &turn.settings.facts,
        fields: &turn.settings.fields,
        criteria: &turn.settings.criteria,
        hours: turn.view.hours.clone(),
        known: &turn.view.known,
        history: &turn.view.history,
        history_budget: DEFAULT_HISTORY_BUDGET,
    };
    let started = std::time::Instant::now();
    let answered = answer_turn(client, turn.endpoint, turn.model, &context).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let usage = answered.as_ref().map(|a| a.usage).unwrap_or_default();
    let cost = pricing::cost_micros(turn.prices, turn.model, usage);
    TurnRun {
        call: AiCall {
            account_id: Some(turn.account_id),
            provider: turn.endpoint.name.clone(),
            model: turn.model.to_string(),
            purpose: turn.purpose,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            cost_micros: cost.unwrap_or(0),
            latency_ms,
            ok: answered.is_ok(),
        },
        answered,
        cost,
    }
}

/// Records a call's use; a failure to record is logged, never fatal to the call.
pub(crate) async fn record_call(core: &Leadline, call: AiCall) {
    let now = core.now_ms();
    let recorded = core
        .store
        .call(move |conn| Ok(ai_usage::insert(conn, &call, now)?))
        .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "could not record AI usage");
    }
}
