//! AI replies: providers over HTTP, one call per customer turn returning the reply, the lead
//! fields and the qualification verdict, prompt building, and what each call cost.

pub mod chat;
pub mod client;
pub mod error;
pub mod fields;
pub mod pricing;
pub mod prompt;
pub mod provider;
pub mod secret;
pub mod turn;
mod wire;

use chat::{ChatRequest, Schema, Usage};
pub use client::{AiClient, Answer, Endpoint, Limits};
pub use error::AiError;
pub use secret::ApiKey;
use std::time::Duration;
use turn::TurnOutput;

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
    let answer = client.chat(endpoint, &request).await?;
    let output =
        turn::parse(&answer.response.text, turn.fields).map_err(|e| AiError::BadResponse {
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
