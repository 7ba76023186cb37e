//! A scripted AI provider on loopback that speaks all three wire formats (OpenAI-compatible
//! `/v1/chat/completions` and `/v1/models`, Anthropic `/v1/messages` and `/v1/models`,
//! Gemini `/v1beta/models/{model}:generateContent` and `/v1beta/models`), for deterministic
//! tests of every fault: queue `Step`s and each request takes the next one; with none
//! queued it answers a valid turn. Every request is recorded, headers included.
//!
//! Like the real services it checks the key (when one is set) and, like OpenAI, quotes part
//! of a wrong key in its 401 message, so tests can prove Leadline never repeats it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The wire format a request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    OpenAi,
    Anthropic,
    Gemini,
}

/// What to answer one request with.
#[derive(Debug, Clone)]
pub enum Step {
    /// A well-formed answer whose text is this (wrapped in the format asked).
    Text(String),
    /// An HTTP status with this body and headers (errors, garbage, anything).
    Raw {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Wait, then take the next step (a slow or hung provider).
    Delay(Duration, Box<Step>),
}

impl Step {
    pub fn text(text: impl Into<String>) -> Step {
        Step::Text(text.into())
    }

    pub fn status(status: u16, body: impl Into<String>) -> Step {
        Step::Raw {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn rate_limited(retry_after: &str) -> Step {
        Step::Raw {
            status: 429,
            headers: vec![("retry-after".into(), retry_after.into())],
            body: json!({ "error": { "message": "Rate limit reached", "type": "requests" } })
                .to_string(),
        }
    }

    pub fn delayed(by: Duration, then: Step) -> Step {
        Step::Delay(by, Box::new(then))
    }
}

/// A valid turn answer, as a model would write it: a qualification names the criteria it
/// meets (`reason`) and the details it rests on (every field given).
pub fn turn_json(reply: &str, fields: Value, qualified: bool, reason: &str) -> String {
    let evidence: Vec<String> = match (&fields, qualified) {
        (Value::Object(given), true) => given
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
            .collect(),
        _ => Vec::new(),
    };
    let criteria_met = if qualified { reason } else { "" };
    json!({ "reply": reply, "fields": fields, "qualified": qualified, "reason": reason, "criteria_met": criteria_met, "evidence": evidence })
        .to_string()
}

/// A turn answer that claims the lead qualifies without naming any detail (what a model
/// talked into it by the customer would write).
pub fn bare_claim_json(reply: &str, fields: Value) -> String {
    json!({ "reply": reply, "fields": fields, "qualified": true, "reason": "the customer says so", "criteria_met": "", "evidence": [] })
        .to_string()
}

#[derive(Debug, Clone)]
pub struct Request {
    pub wire: Wire,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Value,
}

#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) steps: Mutex<VecDeque<Step>>,
    /// With no step queued, answer "re: <the last customer message>" (tests that need to
    /// tell replies apart).
    pub(crate) echo: Mutex<bool>,
    pub(crate) requests: Mutex<Vec<Request>>,
    pub(crate) key: Mutex<Option<String>>,
    /// How the echo answers misbehave (the soak's provider).
    pub(crate) echo_faults: Mutex<EchoFaults>,
    /// The language a transcription says it heard, as Whisper names it ("spanish").
    pub(crate) heard_language: Mutex<Option<String>>,
    pub(crate) in_flight: std::sync::atomic::AtomicUsize,
    pub(crate) most_in_flight: std::sync::atomic::AtomicUsize,
}

/// In echo mode, out of 1,000 answers: how many time out (hang `hang` long), fail with a
/// 5xx, or are rate limited; the rest take `delay` (uniform in the range, ms).
#[derive(Debug, Clone, Default)]
pub struct EchoFaults {
    pub delay_ms: (u64, u64),
    pub hang_per_mille: u64,
    pub hang: Duration,
    pub server_error_per_mille: u64,
    pub rate_limited_per_mille: u64,
    pub seed: u64,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running scripted provider. Dropping it stops the server.
pub struct FakeAi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeAi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeAi {
    pub async fn start() -> FakeAi {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/v1/chat/completions", post(openai_chat))
            .route("/v1/messages", post(anthropic_chat))
            .route("/v1/models", get(models))
            .route(
                "/v1/audio/transcriptions",
                post(super::ai_audio::transcriptions),
            )
            .route("/v1beta/models", get(gemini_models))
            .route("/v1beta/models/{call}", post(gemini_chat))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the fake AI binds a loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeAi {
            addr,
            shared,
            server,
        }
    }

    /// The base URL for OpenAI-compatible and Anthropic presets.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The base URL for the Gemini preset.
    pub fn gemini_url(&self) -> String {
        format!("http://{}/v1beta", self.addr)
    }

    /// Requests must carry this key (Bearer, `x-api-key` or `x-goog-api-key`).
    pub fn require_key(&self, key: &str) {
        *lock(&self.shared.key) = Some(key.to_string());
    }

    /// With nothing queued, reply "re: <last customer message>" instead of a fixed text.
    pub fn echo_customer(&self) {
        *lock(&self.shared.echo) = true;
    }

    /// Echo answers that misbehave as `faults` says.
    pub fn echo_faults(&self, faults: EchoFaults) {
        *lock(&self.shared.echo_faults) = faults;
    }

    /// The most requests that were being answered at once.
    pub fn most_in_flight(&self) -> usize {
        self.shared
            .most_in_flight
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Transcriptions say they heard `language` (Whisper's English name: "spanish");
    /// "english" unless told.
    pub fn hears_language(&self, language: &str) {
        *lock(&self.shared.heard_language) = Some(language.to_string());
    }

    pub fn push(&self, step: Step) {
        lock(&self.shared.steps).push_back(step);
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }
}

/// The 401 a request with the wrong key gets (like OpenAI: part of the wrong key is quoted
/// back), or `None` when its key is right or none is required.
pub(crate) fn refused_key(shared: &Shared, wire: Wire, headers: &HeaderMap) -> Option<Response> {
    let key = lock(&shared.key).clone()?;
    let given = presented_key(wire, headers).unwrap_or_default();
    if given == key {
        return None;
    }
    let shown: String = given
        .chars()
        .take(8)
        .chain("****".chars())
        .chain(
            given
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev(),
        )
        .collect();
    let message =
        format!("Incorrect API key provided: {shown}. You can find your API key in your account.");
    Some(reply(
        401,
        &[],
        json!({ "error": { "message": message, "type": "invalid_request_error", "code": 401 } })
            .to_string(),
    ))
}

fn presented_key(wire: Wire, headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    match wire {
        Wire::OpenAi => {
            header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_string))
        }
        Wire::Anthropic => header("x-api-key"),
        Wire::Gemini => header("x-goog-api-key"),
    }
}

pub(crate) fn reply(status: u16, headers: &[(String, String)], body: String) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body,
    )
        .into_response();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            axum::http::HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
        .headers_mut()
        .entry("content-type")
        .or_insert(axum::http::HeaderValue::from_static("application/json"));
    response
}

fn wrap(wire: Wire, model: &str, text: &str) -> String {
    let prompt_tokens = 42;
    let completion_tokens = text.chars().count().div_ceil(4);
    match wire {
        Wire::OpenAi => json!({
            "id": "chatcmpl-fake", "object": "chat.completion", "model": model,
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": "stop" }],
            "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens },
            "timings": { "predicted_ms": 1.0 },
        }),
        Wire::Anthropic => json!({
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
            "content": [{ "type": "text", "text": text }],
            "stop_reason": "end_turn",
            "usage": { "input_tokens": prompt_tokens, "output_tokens": completion_tokens },
        }),
        Wire::Gemini => json!({
            "candidates": [{ "content": { "role": "model", "parts": [{ "text": text }] }, "finishReason": "STOP" }],
            "usageMetadata": { "promptTokenCount": prompt_tokens, "candidatesTokenCount": completion_tokens },
            "modelVersion": model,
        }),
    }
    .to_string()
}

async fn answer(
    shared: Arc<Shared>,
    wire: Wire,
    path: String,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use std::sync::atomic::Ordering::SeqCst;
    let now = shared.in_flight.fetch_add(1, SeqCst) + 1;
    shared.most_in_flight.fetch_max(now, SeqCst);
    let answered = answer_one(shared.clone(), wire, path, headers, body).await;
    shared.in_flight.fetch_sub(1, SeqCst);
    answered
}

async fn answer_one(
    shared: Arc<Shared>,
    wire: Wire,
    path: String,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let model = body["model"].as_str().unwrap_or("fake-model").to_string();
    lock(&shared.requests).push(Request {
        wire,
        path,
        headers: headers.clone(),
        body: body.clone(),
    });
    if let Some(refused) = refused_key(&shared, wire, &headers) {
        return refused;
    }
    if let Some(refused) = super::ai_images::refused(wire, &model, &body) {
        return refused;
    }
    let next = lock(&shared.steps).pop_front();
    let mut step = settled(next).await;
    loop {
        match step {
            Some(Step::Delay(..)) => step = settled(step).await,
            Some(Step::Raw {
                status,
                headers,
                body,
            }) => return reply(status, &headers, body),
            Some(Step::Text(text)) => return reply(200, &[], wrap(wire, &model, &text)),
            None if *lock(&shared.echo) => {
                let (wait, fault) = {
                    let mut faults = lock(&shared.echo_faults);
                    faults.seed = faults
                        .seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let roll = (faults.seed >> 33) % 1_000;
                    let (low, high) = faults.delay_ms;
                    let wait = low + (faults.seed >> 20) % (high.saturating_sub(low) + 1);
                    let fault = if roll < faults.hang_per_mille {
                        Some(Step::delayed(faults.hang, Step::status(504, "{}")))
                    } else if roll < faults.hang_per_mille + faults.server_error_per_mille {
                        Some(Step::status(
                            503,
                            "{\"error\":{\"message\":\"overloaded\"}}",
                        ))
                    } else if roll
                        < faults.hang_per_mille
                            + faults.server_error_per_mille
                            + faults.rate_limited_per_mille
                    {
                        Some(Step::rate_limited("1"))
                    } else {
                        None
                    };
                    (Duration::from_millis(wait), fault)
                };
                if let Some(fault) = fault {
                    step = settled(Some(fault)).await;
                    continue;
                }
                tokio::time::sleep(wait).await;
                let last = last_customer_text(wire, &body);
                let text = turn_json(&format!("re: {last}"), json!({}), false, "echo");
                return reply(200, &[], wrap(wire, &model, &text));
            }
            None => {
                let text = turn_json("Hello from the fake", json!({}), false, "nothing asked yet");
                return reply(200, &[], wrap(wire, &model, &text));
            }
        }
    }
}

/// `step` once its delays have passed (a slow or hung provider): the answer it stands for.
pub(crate) async fn settled(mut step: Option<Step>) -> Option<Step> {
    while let Some(Step::Delay(by, then)) = step {
        tokio::time::sleep(by).await;
        step = Some(*then);
    }
    step
}

/// The last message from the customer in a request, in any wire format (its text part,
/// when it came with photos).
fn last_customer_text(wire: Wire, body: &Value) -> String {
    let (list, parts) = match wire {
        Wire::OpenAi | Wire::Anthropic => (&body["messages"], "content"),
        Wire::Gemini => (&body["contents"], "parts"),
    };
    let Some(last) = list
        .as_array()
        .and_then(|messages| messages.iter().rev().find(|m| m["role"] == "user"))
    else {
        return String::new();
    };
    match &last[parts] {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .find_map(|p| p["text"].as_str())
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

async fn openai_chat(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(
        shared,
        Wire::OpenAi,
        "/v1/chat/completions".into(),
        headers,
        body,
    )
    .await
}

async fn anthropic_chat(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(
        shared,
        Wire::Anthropic,
        "/v1/messages".into(),
        headers,
        body,
    )
    .await
}

async fn gemini_chat(
    State(shared): State<Arc<Shared>>,
    Path(call): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let model = call.split(':').next().unwrap_or_default().to_string();
    // Gemini has the model in the path; the recorder wants it in the body too.
    let mut value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(refused) = gemini_inline_refused(&value) {
        return refused;
    }
    value["model"] = json!(model);
    answer(
        shared,
        Wire::Gemini,
        format!("/v1beta/models/{call}"),
        headers,
        Bytes::from(value.to_string()),
    )
    .await
}

/// Like Gemini: inline data that is not base64, or not of a type it takes, is refused
/// before anything is generated.
fn gemini_inline_refused(body: &Value) -> Option<Response> {
    use base64::Engine as _;
    let contents = body["contents"].as_array()?;
    for (c, content) in contents.iter().enumerate() {
        for (p, part) in content["parts"].as_array()?.iter().enumerate() {
            let Some(inline) = part.get("inlineData").or_else(|| part.get("inline_data")) else {
                continue;
            };
            let mime = inline
                .get("mimeType")
                .or_else(|| inline.get("mime_type"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let data = inline["data"].as_str().unwrap_or_default();
            let decoded = base64::engine::general_purpose::STANDARD.decode(data);
            let problem = if decoded.is_err() || data.is_empty() {
                format!(
                    "Invalid value at 'contents[{c}].parts[{p}].inline_data.data' (TYPE_BYTES), Base64 decoding failed"
                )
            } else if !["audio/", "image/", "video/", "application/pdf", "text/"]
                .iter()
                .any(|t| mime.starts_with(t))
            {
                format!("Unsupported MIME type: {mime}")
            } else {
                continue;
            };
            return Some(reply(
                400,
                &[],
                json!({ "error": { "code": 400, "message": problem, "status": "INVALID_ARGUMENT" } })
                    .to_string(),
            ));
        }
    }
    None
}

async fn listing(shared: Arc<Shared>, wire: Wire, headers: HeaderMap, path: &str) -> Response {
    if let Some(key) = lock(&shared.key).clone() {
        if presented_key(wire, &headers).as_deref() != Some(key.as_str()) {
            return reply(
                401,
                &[],
                json!({ "error": { "message": "Invalid API Key" } }).to_string(),
            );
        }
    }
    lock(&shared.requests).push(Request {
        wire,
        path: path.into(),
        headers,
        body: Value::Null,
    });
    let step = lock(&shared.steps).pop_front();
    if let Some(Step::Raw {
        status,
        headers,
        body,
    }) = step
    {
        return reply(status, &headers, body);
    }
    let body = match wire {
        Wire::Gemini => {
            json!({ "models": [{ "name": "models/fake-gemini" }, { "name": "models/fake-gemini-pro" }] })
        }
        _ => {
            json!({ "object": "list", "data": [{ "id": "fake-model", "object": "model" }, { "id": "fake-model-large", "object": "model" }] })
        }
    };
    reply(200, &[], body.to_string())
}

async fn models(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    // Anthropic and OpenAI share the path; Anthropic clients send `x-api-key`.
    let wire = if headers.contains_key("x-api-key") {
        Wire::Anthropic
    } else {
        Wire::OpenAi
    };
    listing(shared, wire, headers, "/v1/models").await
}

async fn gemini_models(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    listing(shared, Wire::Gemini, headers, "/v1beta/models").await
}
