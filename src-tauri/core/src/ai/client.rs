//! The HTTP client for every provider: one request with a deadline, retries with backoff
//! on 429 / 5xx / timeouts (honouring Retry-After), and typed errors. Dropping the future
//! cancels the request.

use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;

use super::chat::{ChatRequest, ChatResponse};
use super::error::AiError;
use super::provider::{Api, Preset};
use super::secret::ApiKey;
use super::wire;

/// Where to send requests, and with which key.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub preset: Preset,
    /// The provider's name as the owner sees it, used in messages.
    pub name: String,
    pub base_url: String,
    pub key: Option<ApiKey>,
}

impl Endpoint {
    pub fn api(&self) -> Api {
        self.preset.api()
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }
}

/// How long to wait and how often to try again.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// For one attempt, from sending to the whole answer read.
    pub timeout: Duration,
    /// Attempts in all, the first included.
    pub attempts: usize,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest Retry-After we wait for; a longer one ends the call with `RateLimited`
    /// so the caller can hold the turn instead of blocking on it.
    pub max_retry_after: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(45),
            attempts: 3,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

/// A finished call: the answer and how long it took (all attempts).
#[derive(Debug, Clone)]
pub struct Answer {
    pub response: ChatResponse,
    pub elapsed: Duration,
    pub attempts: usize,
}

#[derive(Clone)]
pub struct AiClient {
    http: reqwest::Client,
    pub limits: Limits,
}

impl AiClient {
    pub fn new(limits: Limits) -> AiClient {
        let http = reqwest::Client::builder()
            .user_agent(concat!("Leadline/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            // A key header never follows a redirect to another server.
            .redirect(crate::net::redirects())
            .build()
            // Building fails only without a TLS backend, which is compiled in; a default
            // client is the same minus the user agent.
            .unwrap_or_default();
        AiClient { http, limits }
    }

    /// One chat call, retried when retrying can help.
    pub async fn chat(
        &self,
        endpoint: &Endpoint,
        request: &ChatRequest,
    ) -> Result<Answer, AiError> {
        let started = Instant::now();
        let (response, attempts) = self
            .retrying(endpoint, || self.chat_once(endpoint, request))
            .await?;
        Ok(Answer {
            response,
            elapsed: started.elapsed(),
            attempts,
        })
    }

    /// `call` with the key checked first, tried again when trying again can help (with
    /// backoff, or after what the provider's Retry-After asked when that is short); what it
    /// gave and after how many attempts.
    pub(super) async fn retrying<T, F, Fut>(
        &self,
        endpoint: &Endpoint,
        mut call: F,
    ) -> Result<(T, usize), AiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, AiError>>,
    {
        check_key(endpoint)?;
        let mut attempts = 0;
        let limits = self.limits;
        let answer = (|| {
            attempts += 1;
            call()
        })
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(limits.first_backoff)
                .with_max_delay(limits.max_backoff)
                .with_max_times(limits.attempts.saturating_sub(1))
                .with_jitter(),
        )
        .when(|e: &AiError| match e {
            AiError::RateLimited {
                retry_after: Some(wait),
                ..
            } => *wait <= limits.max_retry_after,
            other => other.is_retryable(),
        })
        .adjust(|e: &AiError, planned| match e {
            // The provider said how long: wait that (capped above), not our guess.
            AiError::RateLimited {
                retry_after: Some(wait),
                ..
            } => planned.map(|_| *wait),
            _ => planned,
        })
        .notify(|e: &AiError, wait| {
            tracing::warn!(provider = %endpoint.name, error = e.kind(), status = e.status(), ?wait, "AI call failed; trying again");
        })
        .await?;
        Ok((answer, attempts))
    }

    /// The same client, waiting at least `timeout` for one attempt (an upload takes longer
    /// than a chat answer).
    pub(super) fn waiting_at_least(&self, timeout: Duration) -> AiClient {
        AiClient {
            http: self.http.clone(),
            limits: Limits {
                timeout: self.limits.timeout.max(timeout),
                ..self.limits
            },
        }
    }

    /// The HTTP client, for calls written elsewhere in `ai` (transcription).
    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    async fn chat_once(
        &self,
        endpoint: &Endpoint,
        request: &ChatRequest,
    ) -> Result<ChatResponse, AiError> {
        let api = endpoint.api();
        let body = wire::chat_body(api, endpoint.preset.structured(), request);
        let url = endpoint.url(&wire::chat_path(api, &request.model));
        let answer = self.send(endpoint, self.http.post(url).json(&body)).await?;
        wire::parse_chat(api, &answer).map_err(|detail| AiError::BadResponse {
            provider: endpoint.name.clone(),
            detail,
        })
    }

    /// The models the provider offers with this key (also how "Test connection" checks
    /// the key without spending anything).
    pub async fn list_models(&self, endpoint: &Endpoint) -> Result<Vec<String>, AiError> {
        check_key(endpoint)?;
        let api = endpoint.api();
        let url = endpoint.url(wire::models_path(api));
        let answer = self.send(endpoint, self.http.get(url)).await?;
        wire::parse_models(api, &answer).map_err(|detail| AiError::BadResponse {
            provider: endpoint.name.clone(),
            detail,
        })
    }

    /// Sends with the provider's auth headers and a deadline; maps every failure.
    pub(super) async fn send(
        &self,
        endpoint: &Endpoint,
        request: reqwest::RequestBuilder,
    ) -> Result<Value, AiError> {
        let provider = || endpoint.name.clone();
        let request = authorize(endpoint, request).timeout(self.limits.timeout);
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(endpoint, &e, self.limits.timeout))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| transport_error(endpoint, &e, self.limits.timeout))?;
        let redact = |text: String| match &endpoint.key {
            Some(key) => key.redact(&text),
            None => text,
        };
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| AiError::BadResponse {
                provider: provider(),
                detail: format!("not JSON ({e})"),
            });
        }
        let detail = redact(wire::error_message(&text));
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => AiError::Unauthorized {
                provider: provider(),
                detail,
            },
            StatusCode::TOO_MANY_REQUESTS => AiError::RateLimited {
                provider: provider(),
                retry_after: retry_after(&headers),
            },
            s if s.is_redirection() => AiError::Redirected {
                provider: provider(),
                status: s.as_u16(),
            },
            s if s.is_server_error() => AiError::Server {
                provider: provider(),
                status: s.as_u16(),
            },
            s => AiError::Rejected {
                provider: provider(),
                status: s.as_u16(),
                detail,
            },
        })
    }
}

fn check_key(endpoint: &Endpoint) -> Result<(), AiError> {
    let missing = endpoint
        .key
        .as_ref()
        .is_none_or(|k| k.expose().trim().is_empty());
    if endpoint.preset.needs_key() && missing {
        return Err(AiError::KeyMissing {
            provider: endpoint.name.clone(),
        });
    }
    Ok(())
}

fn authorize(endpoint: &Endpoint, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    let Some(key) = endpoint.key.as_ref().filter(|k| !k.expose().is_empty()) else {
        return request;
    };
    // Keys go in headers only, never in the URL, so they can't end up in a logged URL.
    match endpoint.api() {
        Api::OpenAi => request.bearer_auth(key.expose()),
        Api::Anthropic => request
            .header("x-api-key", key.expose())
            .header("anthropic-version", "2023-06-01"),
        Api::Gemini => request.header("x-goog-api-key", key.expose()),
    }
}

fn transport_error(endpoint: &Endpoint, e: &reqwest::Error, timeout: Duration) -> AiError {
    if e.is_timeout() {
        return AiError::Timeout {
            provider: endpoint.name.clone(),
            after: timeout,
        };
    }
    // The innermost cause says most ("Connection refused"); the URL carries no key.
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    AiError::Network {
        provider: endpoint.name.clone(),
        detail: cause.to_string(),
    }
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}
