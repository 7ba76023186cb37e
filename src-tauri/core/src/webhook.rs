//! The optional webhook: when a lead qualifies, a POST of JSON to the owner's address,
//! signed with HMAC-SHA256 so the receiver can trust it, retried with backoff in the
//! background so the pipeline never waits on it. The secret lives in the keychain.
//!
//! Signature: header `X-Leadline-Signature: sha256=<hex>` over `<timestamp>.<body>`, with
//! the timestamp (unix seconds) in `X-Leadline-Timestamp`.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use ts_rs::TS;

use crate::Leadline;
use crate::ai::ApiKey;
use crate::error::{Error, Result};
use crate::leads::QualifiedLead;
use crate::store::activity;
use crate::text;
use crate::text::Text;

fn secret_id(account_id: i64) -> String {
    format!("webhook-{account_id}")
}

/// `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>").
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` can't fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A number's webhook as the UI sees it: the address, and whether a secret is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    pub url: Option<String>,
    pub secret_set: bool,
}

/// What "Send test" got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WebhookCheck {
    pub status: u16,
    pub elapsed_ms: u64,
}

#[derive(Serialize)]
struct Payload<'a> {
    event: &'a str,
    number_id: i64,
    lead: &'a QualifiedLead,
    test: bool,
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .user_agent(concat!("Leadline/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_default()
    })
}

const URL_KEY: &str = "webhook_url";

/// One POST; `Ok(status)` for a 2xx answer, else why not.
async fn post(url: &str, secret: &ApiKey, payload: &Payload<'_>) -> std::result::Result<u16, Text> {
    let body = serde_json::to_vec(payload).map_err(|e| {
        text!(
            "webhook.encode",
            "The lead could not be written as JSON ({detail}).",
            detail = e
        )
    })?;
    let timestamp = jiff::Timestamp::now().as_second();
    let signature = sign(secret.expose().as_bytes(), timestamp, &body);
    let response = client()
        .post(url)
        .header("content-type", "application/json")
        .header("x-leadline-timestamp", timestamp.to_string())
        .header("x-leadline-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| {
            text!(
                "webhook.unreachable",
                "The receiver could not be reached ({detail}).",
                detail = e.without_url()
            )
        })?;
    let status = response.status().as_u16();
    if response.status().is_success() {
        Ok(status)
    } else {
        Err(text!(
            "webhook.http_status",
            "The receiver answered HTTP {status}.",
            status = status
        ))
    }
}

impl Leadline {
    fn webhook_key(account_id: i64) -> String {
        format!("{URL_KEY}:{account_id}")
    }

    pub async fn webhook(&self, account_id: i64) -> Result<WebhookView> {
        let key = Self::webhook_key(account_id);
        let url: Option<String> = self
            .store
            .call(move |conn| Ok(crate::store::app_settings::get(conn, &key)?))
            .await?
            .and_then(|json| serde_json::from_str(&json).ok());
        let secret_set = {
            let keychain = self.keychain.clone();
            let id = secret_id(account_id);
            tokio::task::spawn_blocking(move || keychain.get(&id))
                .await
                .map_err(|e| Error::Internal(e.to_string()))??
                .is_some()
        };
        Ok(WebhookView { url, secret_set })
    }

    /// `secret`: `None` keeps it, `Some("")` removes it. An address needs a secret.
    pub async fn set_webhook(
        &self,
        account_id: i64,
        url: Option<String>,
        secret: Option<String>,
    ) -> Result<WebhookView> {
        self.number(account_id).await?;
        let url = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        if let Some(url) = &url {
            let web = url.starts_with("https://") || url.starts_with("http://");
            if !web || url.chars().any(char::is_whitespace) {
                return Err(Error::InvalidInput(text!(
                    "webhook.url",
                    "“{url}” is not a web address. It must start with https://.",
                    url = url
                )));
            }
        }
        if let Some(secret) = secret {
            let (keychain, id) = (self.keychain.clone(), secret_id(account_id));
            let secret = secret.trim().to_string();
            tokio::task::spawn_blocking(move || {
                if secret.is_empty() {
                    keychain.delete(&id)
                } else {
                    keychain.set(&id, &ApiKey::new(secret))
                }
            })
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
        }
        let (key, json) = (
            Self::webhook_key(account_id),
            serde_json::to_string(&url).map_err(|e| Error::Internal(e.to_string()))?,
        );
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| Ok(crate::store::app_settings::put(conn, &key, &json, now)?))
            .await?;
        let view = self.webhook(account_id).await?;
        if view.url.is_some() && !view.secret_set {
            return Err(Error::InvalidInput(text!(
                "webhook.secret_missing",
                "Set a secret too: the receiver uses it to check that requests come from Leadline."
            )));
        }
        Ok(view)
    }

    async fn webhook_target(&self, account_id: i64) -> Result<Option<(String, ApiKey)>> {
        let view = self.webhook(account_id).await?;
        let Some(url) = view.url else { return Ok(None) };
        let (keychain, id) = (self.keychain.clone(), secret_id(account_id));
        let secret = tokio::task::spawn_blocking(move || keychain.get(&id))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
        Ok(secret.map(|s| (url, s)))
    }

    /// "Send test": one signed request with a sample lead, answered now.
    pub async fn send_test_webhook(&self, account_id: i64) -> Result<WebhookCheck> {
        let (url, secret) = self.webhook_target(account_id).await?.ok_or_else(|| {
            Error::InvalidInput(text!(
                "webhook.not_set",
                "Set the webhook address and secret first."
            ))
        })?;
        let sample = QualifiedLead {
            lead_id: 0,
            account_id,
            name: Some("Test lead".into()),
            phone: Some("+34600000000".into()),
            reason: "A test from Leadline's settings".into(),
            score: 100,
            fields: vec![("email".into(), "test@example.com".into())],
        };
        let started = std::time::Instant::now();
        let status = post(
            &url,
            &secret,
            &Payload {
                event: "lead.qualified",
                number_id: account_id,
                lead: &sample,
                test: true,
            },
        )
        .await
        .map_err(Error::Unavailable)?;
        Ok(WebhookCheck {
            status,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// Delivers a qualified lead in the background, retried with backoff; the outcome goes
    /// to the activity log. Never blocks the caller.
    pub(crate) fn deliver_qualified(&self, lead: QualifiedLead) {
        let core = self.clone();
        tokio::spawn(async move {
            let target = match core.webhook_target(lead.account_id).await {
                Ok(Some(target)) => target,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "the webhook settings could not be read");
                    return;
                }
            };
            let (url, secret) = target;
            let payload = Payload {
                event: "lead.qualified",
                number_id: lead.account_id,
                lead: &lead,
                test: false,
            };
            let delivered = (|| post(&url, &secret, &payload))
                .retry(
                    ExponentialBuilder::default()
                        .with_min_delay(core.webhook_backoff)
                        .with_max_delay(Duration::from_secs(300))
                        .with_max_times(6)
                        .with_jitter(),
                )
                .await;
            let lead_id = lead.lead_id.to_string();
            let (account_id, now) = (lead.account_id, core.clock.now_ms());
            let _ = core
                .store
                .call(move |conn| {
                    Ok(match &delivered {
                        Ok(status) => activity::insert_with(
                            conn,
                            Some(account_id),
                            "webhook_delivered",
                            &format!("Webhook delivered for lead {lead_id} (HTTP {status})"),
                            &[("lead", &lead_id), ("status", &status.to_string())],
                            now,
                        )?,
                        Err(error) => activity::insert_with_text(
                            conn,
                            Some(account_id),
                            "webhook_failed",
                            &format!("Webhook for lead {lead_id} failed after retries: {error}"),
                            &[("lead", &lead_id)],
                            ("error", error),
                            now,
                        )?,
                    })
                })
                .await;
        });
    }
}
