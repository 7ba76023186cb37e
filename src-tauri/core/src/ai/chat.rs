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
    /// Photos the customer sent with it, for a model that can see (`vision::sees_images`).
    pub images: Vec<Image>,
}

/// A photo as a model takes it: its type and its bytes in base64.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mimetype: String,
    pub base64: String,
}

impl std::fmt::Debug for Image {
    // A customer's photo never goes whole into a log line or a test's failure message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Image({}, {} base64 bytes)",
            self.mimetype,
            self.base64.len()
        )
    }
}

impl ChatMessage {
    pub fn user(content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: Role::User,
            content: content.into(),
            images: Vec::new(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role: Role::Assistant,
            content: content.into(),
            images: Vec::new(),
        }
    }

    /// The customer's words with the photos they sent.
    pub fn user_with_images(content: impl Into<String>, images: Vec<Image>) -> ChatMessage {
        ChatMessage {
            role: Role::User,
            content: content.into(),
            images,
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
