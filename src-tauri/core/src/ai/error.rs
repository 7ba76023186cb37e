//! What can go wrong when asking an AI, typed so that each caller can act: retry later,
//! send the fallback message, or tell the owner the key is wrong. Messages are the owner's
//! words; none of them carries the API key or the customer's text.

use std::time::Duration;

use crate::text;
use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    /// No key is stored for a provider that needs one.
    #[error("{}", self.text())]
    KeyMissing { provider: String },
    /// The provider refused the key (401 / 403).
    #[error("{}", self.text())]
    Unauthorized { provider: String, detail: String },
    /// Too many requests; `retry_after` is what the provider asked us to wait, if it said.
    #[error("{}", self.text())]
    RateLimited {
        provider: String,
        retry_after: Option<Duration>,
    },
    /// No answer within the time allowed.
    #[error("{}", self.text())]
    Timeout { provider: String, after: Duration },
    /// A 5xx: the provider's own problem.
    #[error("{}", self.text())]
    Server { provider: String, status: u16 },
    /// A 4xx other than the above: the request itself was refused (unknown model, too long).
    #[error("{}", self.text())]
    Rejected {
        provider: String,
        status: u16,
        detail: String,
    },
    /// The provider sent Leadline to another server (a redirect): not followed, so the key
    /// stays where the owner meant it to go.
    #[error("{}", self.text())]
    Redirected { provider: String, status: u16 },
    /// The provider answered with something that isn't what its API promises.
    #[error("{}", self.text())]
    BadResponse { provider: String, detail: String },
    /// The provider could not be reached at all.
    #[error("{}", self.text())]
    Network { provider: String, detail: String },
    /// The key could not be read: the keychain is locked or not answering (its sentence).
    #[error("{0}")]
    Keychain(Text),
    /// The owner's ceiling on what the AI may cost in an hour is reached.
    #[error("{}", self.text())]
    SpendLimit { limit_micros: u64 },
    /// Something the owner has to set up first (a model to use, a provider that exists);
    /// nothing was sent to any provider.
    #[error("{0}")]
    NotSetUp(Text),
    /// Leadline could not read what the turn needs (its database was busy or failing);
    /// nothing was sent to any provider.
    #[error("{0}")]
    Unavailable(Text),
}

impl AiError {
    /// Whether trying the same request again later can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            AiError::RateLimited { .. }
                | AiError::Timeout { .. }
                | AiError::Server { .. }
                | AiError::Network { .. }
                | AiError::Keychain(_)
                | AiError::SpendLimit { .. }
                | AiError::Unavailable(_)
        )
    }

    /// Whether the owner has to fix something (the key, the model) before it can work.
    pub fn needs_owner(&self) -> bool {
        matches!(
            self,
            AiError::KeyMissing { .. }
                | AiError::Unauthorized { .. }
                | AiError::Rejected { .. }
                | AiError::Redirected { .. }
                | AiError::NotSetUp(_)
        )
    }

    /// The provider's HTTP status, when it answered with one (for logs: the status, never
    /// the provider's text).
    pub fn status(&self) -> Option<u16> {
        match self {
            AiError::Server { status, .. }
            | AiError::Rejected { status, .. }
            | AiError::Redirected { status, .. } => Some(*status),
            AiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// A short machine name for logs and the usage table.
    pub fn kind(&self) -> &'static str {
        match self {
            AiError::KeyMissing { .. } => "key_missing",
            AiError::Unauthorized { .. } => "unauthorized",
            AiError::RateLimited { .. } => "rate_limited",
            AiError::Timeout { .. } => "timeout",
            AiError::Server { .. } => "server",
            AiError::Rejected { .. } => "rejected",
            AiError::Redirected { .. } => "redirected",
            AiError::BadResponse { .. } => "bad_response",
            AiError::Network { .. } => "network",
            AiError::Keychain(_) => "keychain",
            AiError::SpendLimit { .. } => "spend_limit",
            AiError::NotSetUp(_) => "not_set_up",
            AiError::Unavailable(_) => "unavailable",
        }
    }
}

impl AiError {
    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            AiError::KeyMissing { provider } => text!(
                "ai.key_missing",
                "No API key is set for {provider}. Add one in Settings › AI providers.",
                provider = provider
            ),
            AiError::Unauthorized { provider, detail } => text!(
                "ai.unauthorized",
                "{provider} refused the API key ({detail}). Check the key in Settings › AI providers.",
                provider = provider,
                detail = detail
            ),
            AiError::RateLimited { provider, .. } => text!(
                "ai.rate_limited",
                "{provider} is limiting requests right now. Leadline will try again later.",
                provider = provider
            ),
            AiError::Timeout { provider, after } => text!(
                "ai.timeout",
                "{provider} did not answer within {seconds} seconds.",
                provider = provider,
                seconds = after.as_secs()
            ),
            AiError::Server { provider, status } => text!(
                "ai.server",
                "{provider} had a problem on its side (HTTP {status}). Leadline will try again later.",
                provider = provider,
                status = status
            ),
            AiError::Rejected {
                provider,
                status,
                detail,
            } => text!(
                "ai.rejected",
                "{provider} refused the request (HTTP {status}): {detail}",
                provider = provider,
                status = status,
                detail = detail
            ),
            AiError::Redirected { provider, status } => text!(
                "ai.redirected",
                "{provider} sent Leadline to another address (HTTP {status}); your key was not sent there. Check the provider's address in Settings › AI providers.",
                provider = provider,
                status = status
            ),
            AiError::BadResponse { provider, detail } => text!(
                "ai.bad_response",
                "{provider} sent an answer Leadline could not read: {detail}",
                provider = provider,
                detail = detail
            ),
            AiError::Network { provider, detail } => text!(
                "ai.network",
                "Leadline could not reach {provider}: {detail}. Check the internet connection and the address.",
                provider = provider,
                detail = detail
            ),
            AiError::Keychain(text) | AiError::NotSetUp(text) | AiError::Unavailable(text) => {
                text.clone()
            }
            AiError::SpendLimit { limit_micros } => text!(
                "ai.spend_limit",
                "The AI has cost {limit} in the last hour, the most you allowed. Leadline answers again once the last hour's cost is below it (Settings › AI prices).",
                limit = format!("${:.2}", *limit_micros as f64 / 1_000_000.0)
            ),
        }
    }
}

impl From<AiError> for crate::error::Error {
    fn from(e: AiError) -> Self {
        if e.needs_owner() {
            crate::error::Error::InvalidInput(e.text())
        } else {
            crate::error::Error::Unavailable(e.text())
        }
    }
}
