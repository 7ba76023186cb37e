//! The AI providers Leadline knows: the wire format each speaks, where it lives, and whether
//! it can be held to a JSON schema. The owner picks a preset; "custom" takes any address
//! that speaks OpenAI's format.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// `/chat/completions`: OpenAI and everything that copies it.
    OpenAi,
    /// Anthropic's Messages API.
    Anthropic,
    /// Google's Gemini `generateContent`.
    Gemini,
}

/// How a provider can be made to answer in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structured {
    /// `response_format: {type: json_schema}` (or the provider's own equivalent).
    JsonSchema,
    /// Only "some JSON object": the schema goes in the prompt, the parse is lenient.
    JsonObject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    OpenAi,
    Anthropic,
    Gemini,
    DeepSeek,
    Groq,
    OpenRouter,
    Mistral,
    Ollama,
    LmStudio,
    LlamaCpp,
    /// Any other server that speaks OpenAI's format.
    Custom,
    /// Leadline's own llama.cpp server with a model downloaded from Settings (`local_ai`):
    /// its address and key are the running server's, never stored.
    ThisComputer,
}

impl Preset {
    /// The presets the owner adds by hand (AI on this computer has its own section).
    pub const ALL: [Preset; 11] = [
        Preset::OpenAi,
        Preset::Anthropic,
        Preset::Gemini,
        Preset::DeepSeek,
        Preset::Groq,
        Preset::OpenRouter,
        Preset::Mistral,
        Preset::Ollama,
        Preset::LmStudio,
        Preset::LlamaCpp,
        Preset::Custom,
    ];

    pub fn api(self) -> Api {
        match self {
            Preset::Anthropic => Api::Anthropic,
            Preset::Gemini => Api::Gemini,
            _ => Api::OpenAi,
        }
    }

    /// What the owner reads.
    pub fn label(self) -> &'static str {
        match self {
            Preset::OpenAi => "OpenAI",
            Preset::Anthropic => "Anthropic",
            Preset::Gemini => "Google Gemini",
            Preset::DeepSeek => "DeepSeek",
            Preset::Groq => "Groq",
            Preset::OpenRouter => "OpenRouter",
            Preset::Mistral => "Mistral",
            Preset::Ollama => "Ollama (on this computer)",
            Preset::LmStudio => "LM Studio (on this computer)",
            Preset::LlamaCpp => "llama.cpp server",
            Preset::Custom => "Other (OpenAI-compatible)",
            Preset::ThisComputer => "AI on this computer",
        }
    }

    /// Where the provider's API lives; the owner can change it (a proxy, another port).
    pub fn base_url(self) -> &'static str {
        match self {
            Preset::OpenAi => "https://api.openai.com/v1",
            Preset::Anthropic => "https://api.anthropic.com/v1",
            Preset::Gemini => "https://generativelanguage.googleapis.com/v1beta",
            Preset::DeepSeek => "https://api.deepseek.com/v1",
            Preset::Groq => "https://api.groq.com/openai/v1",
            Preset::OpenRouter => "https://openrouter.ai/api/v1",
            Preset::Mistral => "https://api.mistral.ai/v1",
            Preset::Ollama => "http://127.0.0.1:11434/v1",
            Preset::LmStudio => "http://127.0.0.1:1234/v1",
            Preset::LlamaCpp => "http://127.0.0.1:8080/v1",
            Preset::Custom | Preset::ThisComputer => "",
        }
    }

    /// Local servers run without a key; hosted ones can't.
    pub fn needs_key(self) -> bool {
        !matches!(
            self,
            Preset::Ollama | Preset::LmStudio | Preset::LlamaCpp | Preset::ThisComputer
        )
    }

    pub fn structured(self) -> Structured {
        match self {
            // DeepSeek and Groq (for most models) accept only `json_object`.
            Preset::DeepSeek | Preset::Groq => Structured::JsonObject,
            _ => Structured::JsonSchema,
        }
    }

    /// A sensible first model, so a new owner can start without knowing model names.
    pub fn suggested_model(self) -> &'static str {
        match self {
            Preset::OpenAi => "gpt-4o-mini",
            Preset::Anthropic => "claude-3-5-haiku-latest",
            Preset::Gemini => "gemini-2.0-flash",
            Preset::DeepSeek => "deepseek-chat",
            Preset::Groq => "llama-3.1-8b-instant",
            Preset::OpenRouter => "openai/gpt-4o-mini",
            Preset::Mistral => "mistral-small-latest",
            Preset::Ollama => "llama3.2",
            Preset::LmStudio | Preset::LlamaCpp | Preset::Custom | Preset::ThisComputer => "",
        }
    }
}
