//! The three wire formats: how a `ChatRequest` is written for each, and how each answer and
//! model list is read. Reading is lenient about what it doesn't need (servers add fields,
//! e.g. llama.cpp's `timings`) and strict about what it does.

use serde_json::{Value, json};

use super::chat::{ChatRequest, ChatResponse, Finish, Role, Usage};
use super::provider::{Api, Structured};

/// The path (after the base URL) that answers a chat request.
pub fn chat_path(api: Api, model: &str) -> String {
    match api {
        Api::OpenAi => "/chat/completions".into(),
        Api::Anthropic => "/messages".into(),
        Api::Gemini => format!(
            "/models/{}:generateContent",
            model.trim_start_matches("models/")
        ),
    }
}

pub fn models_path(api: Api) -> &'static str {
    match api {
        Api::OpenAi | Api::Anthropic | Api::Gemini => "/models",
    }
}

/// The body for `request`, with its JSON schema where the provider can enforce one.
pub fn chat_body(api: Api, structured: Structured, request: &ChatRequest) -> Value {
    match api {
        Api::OpenAi => openai_body(structured, request),
        Api::Anthropic => anthropic_body(request),
        Api::Gemini => gemini_body(request),
    }
}

fn openai_body(structured: Structured, request: &ChatRequest) -> Value {
    let mut messages = vec![json!({ "role": "system", "content": request.system })];
    messages.extend(request.messages.iter().map(|m| {
        let role = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        if m.images.is_empty() {
            return json!({ "role": role, "content": m.content });
        }
        let mut parts = vec![json!({ "type": "text", "text": m.content })];
        parts.extend(m.images.iter().map(|image| {
            json!({
                "type": "image_url",
                "image_url": { "url": format!("data:{};base64,{}", image.mimetype, image.base64) },
            })
        }));
        json!({ "role": role, "content": parts })
    }));
    let mut body = json!({
        "model": request.model,
        "messages": messages,
        "max_tokens": request.max_tokens,
    });
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(schema) = &request.schema {
        body["response_format"] = match structured {
            Structured::JsonSchema => json!({
                "type": "json_schema",
                "json_schema": { "name": schema.name, "strict": true, "schema": schema.json },
            }),
            Structured::JsonObject => json!({ "type": "json_object" }),
        };
    }
    body
}

fn anthropic_body(request: &ChatRequest) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            if m.images.is_empty() {
                return json!({ "role": role, "content": m.content });
            }
            // Anthropic reads images best before the words about them.
            let mut parts: Vec<Value> = m
                .images
                .iter()
                .map(|image| {
                    json!({
                        "type": "image",
                        "source": { "type": "base64", "media_type": image.mimetype, "data": image.base64 },
                    })
                })
                .collect();
            parts.push(json!({ "type": "text", "text": m.content }));
            json!({ "role": role, "content": parts })
        })
        .collect();
    let mut body = json!({
        "model": request.model,
        "system": request.system,
        "messages": messages,
        "max_tokens": request.max_tokens,
    });
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    // Anthropic holds an answer to a schema by forcing a tool call with that input schema.
    if let Some(schema) = &request.schema {
        body["tools"] = json!([{
            "name": schema.name,
            "description": "Give the answer.",
            "input_schema": schema.json,
        }]);
        body["tool_choice"] = json!({ "type": "tool", "name": schema.name });
    }
    body
}

fn gemini_body(request: &ChatRequest) -> Value {
    let contents: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "model",
            };
            let mut parts = vec![json!({ "text": m.content })];
            parts.extend(m.images.iter().map(|image| {
                json!({ "inlineData": { "mimeType": image.mimetype, "data": image.base64 } })
            }));
            json!({ "role": role, "parts": parts })
        })
        .collect();
    let mut config = json!({ "maxOutputTokens": request.max_tokens });
    if let Some(t) = request.temperature {
        config["temperature"] = json!(t);
    }
    if let Some(schema) = &request.schema {
        config["responseMimeType"] = json!("application/json");
        config["responseJsonSchema"] = schema.json.clone();
    }
    json!({
        "systemInstruction": { "parts": [{ "text": request.system }] },
        "contents": contents,
        "generationConfig": config,
    })
}

/// Reads a successful chat answer; `Err` says what was missing or malformed.
pub fn parse_chat(api: Api, body: &Value) -> Result<ChatResponse, String> {
    match api {
        Api::OpenAi => parse_openai(body),
        Api::Anthropic => parse_anthropic(body),
        Api::Gemini => parse_gemini(body),
    }
}

/// A token count as a provider writes it (0 when missing or not a number).
pub(super) fn tokens(value: &Value) -> u32 {
    value
        .as_u64()
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
}

fn parse_openai(body: &Value) -> Result<ChatResponse, String> {
    let choice = body
        .get("choices")
        .and_then(|c| c.get(0))
        .ok_or("no `choices` in the answer")?;
    let message = choice.get("message").ok_or("no `message` in the choice")?;
    // `content` is null when the model only refused or called a tool.
    let text = match message.get("content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => return Err(format!("`content` is not text but {other}")),
    };
    let finish = match choice.get("finish_reason").and_then(Value::as_str) {
        Some("length") => Finish::Length,
        Some("content_filter") => Finish::Refused,
        _ if message.get("refusal").is_some_and(|r| !r.is_null()) => Finish::Refused,
        _ => Finish::Done,
    };
    let usage = body.get("usage").cloned().unwrap_or(Value::Null);
    Ok(ChatResponse {
        text,
        usage: Usage {
            prompt_tokens: tokens(&usage["prompt_tokens"]),
            completion_tokens: tokens(&usage["completion_tokens"]),
        },
        finish,
        model: body["model"].as_str().unwrap_or_default().to_string(),
    })
}

fn parse_anthropic(body: &Value) -> Result<ChatResponse, String> {
    let blocks = body
        .get("content")
        .and_then(Value::as_array)
        .ok_or("no `content` in the answer")?;
    let mut text = String::new();
    for block in blocks {
        match block["type"].as_str() {
            Some("text") => text.push_str(block["text"].as_str().unwrap_or_default()),
            // The forced tool call: its input is the structured answer.
            Some("tool_use") => text = block["input"].to_string(),
            _ => {}
        }
    }
    let finish = match body["stop_reason"].as_str() {
        Some("max_tokens") => Finish::Length,
        Some("refusal") => Finish::Refused,
        _ => Finish::Done,
    };
    Ok(ChatResponse {
        text,
        usage: Usage {
            prompt_tokens: tokens(&body["usage"]["input_tokens"]),
            completion_tokens: tokens(&body["usage"]["output_tokens"]),
        },
        finish,
        model: body["model"].as_str().unwrap_or_default().to_string(),
    })
}

fn parse_gemini(body: &Value) -> Result<ChatResponse, String> {
    let candidate = body
        .get("candidates")
        .and_then(|c| c.get(0))
        .ok_or_else(|| match body["promptFeedback"]["blockReason"].as_str() {
            Some(reason) => format!("the prompt was blocked ({reason})"),
            None => "no `candidates` in the answer".to_string(),
        })?;
    let text: String = candidate["content"]["parts"]
        .as_array()
        .map(|parts| parts.iter().filter_map(|p| p["text"].as_str()).collect())
        .unwrap_or_default();
    let finish = match candidate["finishReason"].as_str() {
        Some("MAX_TOKENS") => Finish::Length,
        Some("SAFETY") | Some("RECITATION") | Some("PROHIBITED_CONTENT") => Finish::Refused,
        _ => Finish::Done,
    };
    let usage = &body["usageMetadata"];
    Ok(ChatResponse {
        text,
        usage: Usage {
            prompt_tokens: tokens(&usage["promptTokenCount"]),
            completion_tokens: tokens(&usage["candidatesTokenCount"]),
        },
        finish,
        model: body["modelVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    })
}

/// Model ids from a model list.
pub fn parse_models(api: Api, body: &Value) -> Result<Vec<String>, String> {
    let (list, key) = match api {
        Api::OpenAi | Api::Anthropic => (body.get("data"), "id"),
        Api::Gemini => (body.get("models"), "name"),
    };
    let list = list
        .and_then(Value::as_array)
        .ok_or("no model list in the answer")?;
    let mut ids: Vec<String> = list
        .iter()
        .filter_map(|m| m[key].as_str())
        .map(|id| id.trim_start_matches("models/").to_string())
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// The provider's own words from an error body, if it has any (all three put them under
/// `error.message`; some servers send a bare string).
pub fn error_message(body: &str) -> String {
    let detail = match serde_json::from_str::<Value>(body) {
        Ok(value) => value["error"]["message"]
            .as_str()
            .or_else(|| value["error"].as_str())
            .or_else(|| value["message"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| body.to_string()),
        Err(_) => body.to_string(),
    };
    let detail = detail.trim();
    if detail.is_empty() {
        return "no details given".into();
    }
    let mut short: String = detail.chars().take(200).collect();
    if short.len() < detail.len() {
        short.push('…');
    }
    short
}
