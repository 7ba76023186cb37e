//! One customer turn asked of a model: the reply, the lead's fields and the verdict, read
//! and checked (a garbled answer, or one repeating the instructions, never reaches anyone).

use std::time::Duration;

use super::chat::{ChatRequest, Schema, Usage};
use super::client::{AiClient, Endpoint};
use super::error::AiError;
use super::turn::{self, TurnOutput};
use super::{leak, prompt};
use crate::model::lead_field::LeadField;

/// Tokens the model may write for one turn: a WhatsApp reply plus the JSON around it.
pub const TURN_MAX_TOKENS: u32 = 600;

/// One customer turn, answered.
#[derive(Debug, Clone)]
pub struct TurnAnswer {
    pub output: TurnOutput,
    pub usage: Usage,
    pub model: String,
    pub elapsed: Duration,
}

/// Asks `model` at `endpoint` for this turn's reply, fields and verdict. A garbled or empty
/// answer is an `AiError::BadResponse`, so no caller can forward it to a customer.
pub async fn answer_turn(
    client: &AiClient,
    endpoint: &Endpoint,
    model: &str,
    turn: &prompt::TurnContext<'_>,
) -> Result<TurnAnswer, AiError> {
    let (system, messages) = prompt::build(turn).map_err(|e| AiError::BadResponse {
        provider: endpoint.name.clone(),
        detail: e.to_string(),
    })?;
    let request = ChatRequest {
        model: model.to_string(),
        system,
        messages,
        max_tokens: TURN_MAX_TOKENS,
        temperature: Some(0.4),
        schema: Some(Schema {
            name: "turn".into(),
            json: turn::schema(turn.fields),
        }),
    };
    let first = ask(client, endpoint, model, &request, turn.fields).await?;
    if !leak::repeats_instructions(&first.output.reply, turn.prompt, turn.criteria) {
        return Ok(first);
    }
    // Talked into repeating its instructions (or copying them): asked once more, since a
    // model samples afresh; never sent.
    tracing::warn!(provider = %endpoint.name, "the answer repeated the assistant's instructions; asking again");
    let mut again = ask(client, endpoint, model, &request, turn.fields).await?;
    if leak::repeats_instructions(&again.output.reply, turn.prompt, turn.criteria) {
        return Err(AiError::BadResponse {
            provider: endpoint.name.clone(),
            detail: "the answer repeated the assistant's instructions, so it was not sent".into(),
        });
    }
    again.usage = Usage {
        prompt_tokens: first
            .usage
            .prompt_tokens
            .saturating_add(again.usage.prompt_tokens),
        completion_tokens: first
            .usage
            .completion_tokens
            .saturating_add(again.usage.completion_tokens),
    };
    again.elapsed += first.elapsed;
    Ok(again)
}

/// One call for a turn, its answer read.
async fn ask(
    client: &AiClient,
    endpoint: &Endpoint,
    model: &str,
    request: &ChatRequest,
    fields: &[LeadField],
) -> Result<TurnAnswer, AiError> {
    let answer = client.chat(endpoint, request).await?;
    let output = turn::parse(&answer.response.text, fields).map_err(|e| AiError::BadResponse {
        provider: endpoint.name.clone(),
        detail: e.to_string(),
    })?;
    Ok(TurnAnswer {
        output,
        usage: answer.response.usage,
        model: if answer.response.model.is_empty() {
            model.to_string()
        } else {
            answer.response.model
        },
        elapsed: answer.elapsed,
    })
}
