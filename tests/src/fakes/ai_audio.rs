//! The scripted provider's ears: OpenAI's `/v1/audio/transcriptions` (which Groq, Mistral
//! and compatible servers copy) as strict as OpenAI about the form (a `model`, a `file`
//! whose name says a format it takes, sound that is what the name says, `verbose_json` only
//! for Whisper models), answering with the next queued step's text as what it heard.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};
use sha2::Digest;

use super::ai::{Request, Shared, Step, Wire, lock, refused_key, reply, settled};

/// The formats OpenAI names in its refusal, by file extension.
const FORMATS: [&str; 10] = [
    "flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm",
];

fn invalid(message: &str, param: &str) -> Response {
    reply(
        400,
        &[],
        json!({ "error": { "message": message, "type": "invalid_request_error", "param": param, "code": null } })
            .to_string(),
    )
}

/// The form as sent: its text fields, and the file's name, type and bytes.
#[derive(Default)]
struct Form {
    model: Option<String>,
    response_format: Option<String>,
    language: Option<String>,
    file: Option<(String, String, Vec<u8>)>,
}

async fn read_form(mut multipart: Multipart) -> Result<Form, String> {
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let content_type = field.content_type().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            form.file = Some((file_name, content_type, bytes.to_vec()));
            continue;
        }
        let value = field.text().await.map_err(|e| e.to_string())?;
        match name.as_str() {
            "model" => form.model = Some(value),
            "response_format" => form.response_format = Some(value),
            "language" => form.language = Some(value),
            _ => {}
        }
    }
    Ok(form)
}

/// An Ogg stream's length from its last page's granule position (Opus: 48 kHz).
fn ogg_seconds(bytes: &[u8]) -> Option<f64> {
    let last = bytes.windows(4).rposition(|w| w == b"OggS")?;
    let granule = bytes.get(last + 6..last + 14)?;
    let samples = u64::from_le_bytes(granule.try_into().ok()?);
    Some(samples as f64 / 48_000.0)
}

pub(super) async fn transcriptions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let form = match read_form(multipart).await {
        Ok(form) => form,
        Err(e) => return invalid(&format!("Could not parse multipart form: {e}"), "file"),
    };
    let (file_name, content_type, bytes) = form.file.clone().unwrap_or_default();
    lock(&shared.requests).push(Request {
        wire: Wire::OpenAi,
        path: "/v1/audio/transcriptions".into(),
        headers: headers.clone(),
        body: json!({
            "model": form.model,
            "response_format": form.response_format,
            "language": form.language,
            "file": form.file.as_ref().map(|_| json!({
                "name": file_name,
                "content_type": content_type,
                "bytes": bytes.len(),
                "sha256": hex::encode(sha2::Sha256::digest(&bytes)),
            })),
        }),
    });
    if let Some(refused) = refused_key(&shared, Wire::OpenAi, &headers) {
        return refused;
    }
    let Some(model) = form.model else {
        return invalid("you must provide a model parameter", "model");
    };
    if form.file.is_none() {
        return invalid("Missing required parameter: 'file'.", "file");
    }
    let extension = file_name.rsplit_once('.').map(|(_, e)| e.to_lowercase());
    if !extension.as_deref().is_some_and(|e| FORMATS.contains(&e)) {
        return invalid(
            &format!("Invalid file format. Supported formats: {FORMATS:?}"),
            "file",
        );
    }
    let seconds = match ogg_seconds(&bytes) {
        Some(seconds) if bytes.starts_with(b"OggS") => seconds,
        _ => return invalid("Audio file might be corrupted or unsupported", "file"),
    };
    let verbose = match form.response_format.as_deref() {
        None | Some("json") => false,
        Some("verbose_json") if model.contains("whisper") => true,
        Some(other) => {
            return invalid(
                &format!(
                    "response_format '{other}' is not compatible with model '{model}'. Use 'json' or 'text' instead."
                ),
                "response_format",
            );
        }
    };
    let next = lock(&shared.steps).pop_front();
    match settled(next).await {
        Some(Step::Raw {
            status,
            headers,
            body,
        }) => reply(status, &headers, body),
        Some(Step::Text(text)) => reply(200, &[], heard(&shared, verbose, &text, seconds)),
        _ => reply(200, &[], heard(&shared, verbose, "", seconds)),
    }
}

fn heard(shared: &Shared, verbose: bool, text: &str, seconds: f64) -> String {
    let body: Value = if verbose {
        let language = lock(&shared.heard_language)
            .clone()
            .unwrap_or_else(|| "english".into());
        json!({ "task": "transcribe", "language": language, "duration": seconds, "text": text, "segments": [] })
    } else {
        json!({ "text": text, "usage": { "type": "duration", "seconds": seconds.ceil() } })
    };
    body.to_string()
}
