//! What can go wrong when asking an AI, typed so that each caller can act: retry later,
//! send the fallback message, or tell the owner the key is wrong. Messages are the owner's
//! words; none of them carries the API key or the customer's text.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    /// No key is stored for a provider that needs one.
    #[error("No API key is set for {provider}. Add one in Settings › AI providers.")]
    KeyMissing { provider: String },
    /// The provider refused the key (401 / 403).
    #[error("{provider} refused the API key ({detail}). Check the key in Settings › AI providers.")]
    Unauthorized { provider: String, detail: String },
    /// Too many requests; `retry_after` is what the provider asked us to wait, if it said.
    #[error("{provider} is limiting requests right now. Leadline will try again later.")]
    RateLimited {
        provider: String,
        retry_after: Option<Duration>,
    },
    /// No answer within the time allowed.
    #[error("{provider} did not answer within {} seconds.", .after.as_secs())]
    Timeout { provider: String, after: Duration },
    /// A 5xx: the provider's own problem.
    #[error("{provider} had a problem on its side (HTTP {status}). Leadline will try again later.")]
    Server { provider: String, status: u16 },
    /// A 4xx other than the above: the request itself was refused (unknown model, too long).
    #[error("{provider} refused the request (HTTP {status}): {detail}")]
    Rejected {
        provider: String,
        status: u16,
        detail: String,
    },
    /// The provider answered with something that isn't what its API promises.
    #[error("{provider} sent an answer Leadline could not read: {detail}")]
    BadResponse { provider: String, detail: String },
    /// The provider could not be reached at all.
    #[error(
        "Leadline could not reach {provider}: {detail}. Check the internet connection and the address."
    )]
    Network { provider: String, detail: String },
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
        )
    }

    /// Whether the owner has to fix something (the key, the model) before it can work.
    pub fn needs_owner(&self) -> bool {
        matches!(
            self,
            AiError::KeyMissing { .. } | AiError::Unauthorized { .. } | AiError::Rejected { .. }
        )
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
            AiError::BadResponse { .. } => "bad_response",
            AiError::Network { .. } => "network",
        }
    }
}

impl From<AiError> for crate::Error {
    fn from(e: AiError) -> Self {
        if e.needs_owner() {
            crate::Error::InvalidInput(e.to_string())
        } else {
            crate::Error::Unavailable(e.to_string())
        }
    }
}
