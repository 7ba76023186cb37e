//! One request to a model and what comes back, whatever the provider.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The customer (or the owner, in the playground).
    User,
    /// What the business answered.
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
}

impl ChatMessage {
    pub fn user(content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// A JSON schema the answer must follow, with the name providers want for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub name: String,
    pub json: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub system: String,
    pub messages: Vec<ChatMessage>,
    /// Always sent: some servers otherwise generate until their context is full.
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    pub schema: Option<Schema>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Done,
    /// It hit `max_tokens`: the text may be cut off mid-JSON.
    Length,
    /// Refused or filtered by the provider.
    Refused,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    /// The model's text (for a forced tool call, the tool input as JSON text).
    pub text: String,
    pub usage: Usage,
    pub finish: Finish,
    /// The model that answered, as the provider names it.
    pub model: String,
}
