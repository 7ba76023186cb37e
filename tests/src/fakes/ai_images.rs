//! The scripted provider's eyes, as strict as the real ones: a photo in a chat request is
//! refused for a model that can't see (OpenAI's "Invalid content type" 400), and one that
//! is not base64 of a type the provider takes is refused as the provider would.

use axum::response::Response;
use base64::Engine as _;
use serde_json::{Value, json};

use super::ai::{Wire, reply};

const TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/// Models the fake lets see: named as models made to see are.
fn sees(model: &str) -> bool {
    let model = model.to_lowercase();
    [
        "vision", "gpt-4o", "gpt-4.1", "gpt-5", "claude", "gemini", "-vl", "llava",
    ]
    .iter()
    .any(|part| model.contains(part))
}

fn refusal(message: String) -> Response {
    reply(
        400,
        &[],
        json!({ "error": { "message": message, "type": "invalid_request_error" } }).to_string(),
    )
}

/// The 400 a request with a photo gets from the real provider, if it would get one.
pub(super) fn refused(wire: Wire, model: &str, body: &Value) -> Option<Response> {
    let messages = body["messages"].as_array()?;
    for (m, message) in messages.iter().enumerate() {
        let Some(parts) = message["content"].as_array() else {
            continue;
        };
        for (p, part) in parts.iter().enumerate() {
            let (mimetype, data) = match (wire, part["type"].as_str()) {
                (Wire::OpenAi, Some("image_url")) => {
                    let url = part["image_url"]["url"].as_str().unwrap_or_default();
                    let Some((head, data)) = url
                        .strip_prefix("data:")
                        .and_then(|rest| rest.split_once(";base64,"))
                    else {
                        return Some(refusal(format!(
                            "Invalid image URL at messages[{m}].content[{p}]: expected a base64 data URL."
                        )));
                    };
                    (head.to_string(), data.to_string())
                }
                (Wire::Anthropic, Some("image")) => (
                    part["source"]["media_type"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    part["source"]["data"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                ),
                _ => continue,
            };
            if !sees(model) {
                return Some(refusal(format!(
                    "Invalid content type at messages[{m}].content[{p}]: images are only supported by certain models, not {model}."
                )));
            }
            if !TYPES.contains(&mimetype.as_str()) {
                return Some(refusal(format!(
                    "messages.{m}.content.{p}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"
                )));
            }
            if base64::engine::general_purpose::STANDARD
                .decode(&data)
                .map_or(true, |bytes| bytes.is_empty())
            {
                return Some(refusal(format!(
                    "messages.{m}.content.{p}: the image could not be decoded (invalid base64)"
                )));
            }
        }
    }
    None
}
