//! The optional webhook: when a lead qualifies, a POST of JSON to the owner's address,
//! signed with HMAC-SHA256 so the receiver can trust it, retried with backoff in the
//! background so the pipeline never waits on it. The secret lives in the keychain.
//!
//! Signature: header `X-Leadline-Signature: sha256=<hex>` over `<timestamp>.<body>`, with
//! the timestamp (unix seconds) in `X-Leadline-Timestamp`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use ts_rs::TS;

use crate::ai::secret::ApiKey;
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::activity::Activity;
use crate::model::lead::QualifiedLead;
use crate::store::{activity, webhook_outbox};
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

/// What is posted. Deliveries are at least once: one interrupted by a restart, or whose
/// answer never came, is posted again with the same `delivery_id` (also in the
/// `X-Leadline-Delivery` header), on which a receiver deduplicates.
#[derive(Serialize)]
struct Payload<'a> {
    delivery_id: &'a str,
    event: &'a str,
    number_id: i64,
    lead: &'a QualifiedLead,
    test: bool,
}

/// A new delivery's id: random, never shared by two deliveries.
fn new_delivery_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The id a queued payload was posted under (a payload queued by an older build has none:
/// its queue row names it).
fn delivery_id_of(payload: &str, queued_id: i64) -> String {
    #[derive(serde::Deserialize)]
    struct Named {
        delivery_id: Option<String>,
    }
    serde_json::from_str::<Named>(payload)
        .ok()
        .and_then(|named| named.delivery_id)
        .unwrap_or_else(|| format!("outbox-{queued_id}"))
}

fn client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .user_agent(concat!("Leadline/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(15))
            // A signed lead never follows a redirect to another server (nor to http).
            .redirect(crate::net::redirects())
            .build()
            .unwrap_or_default()
    })
}

const URL_KEY: &str = "webhook_url";

/// Why a POST did not deliver, and whether trying again can help.
struct NotDelivered {
    error: Text,
    /// A network failure, a timeout, 408, 429 or a 5xx; any other answer (a 4xx: the
    /// receiver refused this request) is final.
    retry: bool,
}

/// One POST of `body`; `Ok(status)` for a 2xx answer.
async fn post_body(
    url: &str,
    secret: &ApiKey,
    delivery_id: &str,
    body: Vec<u8>,
) -> std::result::Result<u16, NotDelivered> {
    let timestamp = jiff::Timestamp::now().as_second();
    let signature = sign(secret.expose().as_bytes(), timestamp, &body);
    let response = client()
        .post(url)
        .header("content-type", "application/json")
        .header("x-leadline-delivery", delivery_id)
        .header("x-leadline-timestamp", timestamp.to_string())
        .header("x-leadline-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| NotDelivered {
            error: text!(
                "webhook.unreachable",
                "The receiver could not be reached ({detail}).",
                detail = e.without_url()
            ),
            retry: true,
        })?;
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(status);
    }
    Err(NotDelivered {
        error: text!(
            "webhook.http_status",
            "The receiver answered HTTP {status}.",
            status = status
        ),
        retry: status == 408 || status == 429 || response.status().is_server_error(),
    })
}

/// One POST of a payload (the "Send test").
async fn post(url: &str, secret: &ApiKey, payload: &Payload<'_>) -> std::result::Result<u16, Text> {
    let body = encode(payload)?;
    post_body(url, secret, payload.delivery_id, body)
        .await
        .map_err(|e| e.error)
}

fn encode(payload: &Payload<'_>) -> std::result::Result<Vec<u8>, Text> {
    serde_json::to_vec(payload).map_err(|e| {
        text!(
            "webhook.encode",
            "The lead could not be written as JSON ({detail}).",
            detail = e
        )
    })
}

/// How many times a delivery is tried before it is given up on.
const MAX_ATTEMPTS: u32 = 7;

/// Whether `url` may receive leads: https, or plain http only to this computer (a local
/// receiver); a lead's details never cross a network in the clear.
fn acceptable_url(url: &str) -> std::result::Result<(), Text> {
    match crate::net::acceptable(url) {
        Ok(_) => Ok(()),
        Err(crate::net::Refused::Insecure) => Err(text!(
            "webhook.url_insecure",
            "“{url}” would send leads unencrypted. Use an https:// address (plain http:// only to this computer).",
            url = url
        )),
        Err(crate::net::Refused::NotWeb) => Err(text!(
            "webhook.url",
            "“{url}” is not a web address. It must start with https://.",
            url = url
        )),
    }
}

impl Leadline {
    pub(crate) fn webhook_key(account_id: i64) -> String {
        format!("{URL_KEY}:{account_id}")
    }

    pub async fn webhook(&self, account_id: i64) -> Result<WebhookView> {
        let url = self.webhook_url(account_id).await?;
        let id = secret_id(account_id);
        let secret_set = self.keychain.call(move |k| k.get(&id)).await?.is_some();
        Ok(WebhookView { url, secret_set })
    }

    /// The number's webhook address, from the store alone (no keychain call).
    async fn webhook_url(&self, account_id: i64) -> Result<Option<String>> {
        let key = Self::webhook_key(account_id);
        Ok(self
            .store
            .call(move |conn| Ok(crate::store::app_settings::get(conn, &key)?))
            .await?
            .and_then(|json| serde_json::from_str(&json).ok()))
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
            acceptable_url(url).map_err(Error::InvalidInput)?;
        }
        if let Some(secret) = secret {
            let id = secret_id(account_id);
            let secret = secret.trim().to_string();
            self.keychain
                .call(move |k| {
                    if secret.is_empty() {
                        k.delete(&id)
                    } else {
                        k.set(&id, &ApiKey::new(secret))
                    }
                })
                .await?;
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
        let id = secret_id(account_id);
        let secret = self.keychain.call(move |k| k.get(&id)).await?;
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
                delivery_id: &new_delivery_id(),
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

    /// Queues a qualified lead for the number's webhook (kept in the store, so a restart
    /// doesn't lose it) and delivers it in the background. Never blocks the caller.
    pub(crate) fn deliver_qualified(&self, lead: QualifiedLead) {
        let core = self.clone();
        tokio::spawn(async move {
            // Only whether there is an address: the secret is read when it is sent, so a
            // keychain that fails now can't lose the delivery.
            match core.webhook_url(lead.account_id).await {
                Ok(Some(_)) => {}
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "the webhook settings could not be read");
                    return;
                }
            }
            let delivery_id = new_delivery_id();
            let payload = Payload {
                delivery_id: &delivery_id,
                event: "lead.qualified",
                number_id: lead.account_id,
                lead: &lead,
                test: false,
            };
            let body = match encode(&payload) {
                Ok(body) => String::from_utf8_lossy(&body).into_owned(),
                Err(e) => {
                    tracing::error!(error = %e, "a lead could not be encoded for the webhook");
                    return;
                }
            };
            let (account_id, lead_id, now) = (lead.account_id, lead.lead_id, core.clock.now_ms());
            let queued = core
                .store
                .call(move |conn| {
                    Ok(webhook_outbox::insert(
                        conn, account_id, lead_id, &body, now,
                    )?)
                })
                .await;
            match queued {
                Ok(_) => core.resume_webhooks().await,
                Err(e) => tracing::error!(error = %e, "a webhook delivery could not be queued"),
            }
        });
    }

    /// Delivers every queued webhook (after a restart, and after each new one), each at
    /// its time; one task per delivery.
    pub async fn resume_webhooks(&self) {
        let pending = match self
            .store
            .call(|conn| Ok(webhook_outbox::pending(conn)?))
            .await
        {
            Ok(pending) => pending,
            Err(e) => {
                tracing::warn!(error = %e, "queued webhook deliveries could not be read");
                return;
            }
        };
        for delivery in pending {
            let fresh = self
                .webhooks_in_flight
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(delivery.id);
            if fresh {
                let core = self.clone();
                tokio::spawn(async move {
                    let id = delivery.id;
                    core.deliver_queued(delivery).await;
                    core.webhooks_in_flight
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .remove(&id);
                });
            }
        }
    }

    /// One queued delivery until it is delivered, refused, or out of attempts; the
    /// outcome goes to the activity log.
    async fn deliver_queued(&self, delivery: webhook_outbox::Pending) {
        let mut attempts = delivery.attempts;
        let mut due = delivery.next_attempt_at;
        let outcome = loop {
            let wait = due.saturating_sub(self.clock.now_ms());
            if wait > 0 {
                tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
            }
            let sent = match self.webhook_target(delivery.account_id).await {
                Ok(Some((url, secret))) => {
                    let id = delivery_id_of(&delivery.payload, delivery.id);
                    post_body(&url, &secret, &id, delivery.payload.clone().into_bytes()).await
                }
                // The webhook (or the number) was removed meanwhile: nothing to deliver to.
                Ok(None) | Err(Error::NotFound(_)) => break None,
                // The keychain or the store didn't answer this time: tried again later, as
                // a failed POST is (it was dropped until the next start).
                Err(e) => {
                    tracing::warn!(error = %e, "the webhook's secret could not be read; trying again later");
                    Err(NotDelivered {
                        error: e.text(),
                        retry: true,
                    })
                }
            };
            match sent {
                Ok(status) => break Some(Ok(status)),
                Err(e) if !e.retry || attempts + 1 >= MAX_ATTEMPTS => break Some(Err(e.error)),
                Err(e) => {
                    attempts += 1;
                    let backoff = self
                        .webhook_backoff
                        .saturating_mul(1 << attempts.min(16))
                        .min(Duration::from_secs(300));
                    due = self
                        .clock
                        .now_ms()
                        .saturating_add(i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX));
                    let (id, next) = (delivery.id, due);
                    tracing::info!(attempts, error = %e.error, "a webhook delivery will be tried again");
                    if let Err(e) = self
                        .store
                        .call(move |conn| Ok(webhook_outbox::tried(conn, id, next)?))
                        .await
                    {
                        tracing::warn!(error = %e, "a webhook attempt could not be recorded");
                    }
                }
            }
        };
        let lead_id = delivery.lead_id.to_string();
        let (account_id, id, now) = (delivery.account_id, delivery.id, self.clock.now_ms());
        let recorded = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                webhook_outbox::remove(&tx, id)?;
                match &outcome {
                    Some(Ok(status)) => {
                        activity::record(
                            &tx,
                            Some(account_id),
                            &Activity::WebhookDelivered {
                                lead: lead_id.clone(),
                                status: *status,
                            },
                            now,
                        )?;
                    }
                    Some(Err(error)) => {
                        activity::record(
                            &tx,
                            Some(account_id),
                            &Activity::WebhookFailed {
                                lead: lead_id.clone(),
                                error: error.clone(),
                            },
                            now,
                        )?;
                    }
                    None => {}
                }
                tx.commit().map_err(Error::from)
            })
            .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "a webhook outcome could not be recorded");
        }
    }

    /// Removes a number's webhook secret from the keychain.
    pub(crate) async fn forget_webhook(&self, account_id: i64) -> Result<()> {
        let id = secret_id(account_id);
        self.keychain.call(move |k| k.delete(&id)).await?;
        Ok(())
    }

    /// Removes every webhook secret Leadline ever stored ("Remove all data"): for each id a
    /// number ever had, removed numbers' included.
    pub async fn forget_all_webhook_secrets(&self) -> Result<()> {
        let high = self
            .store
            .call(|conn| Ok(crate::store::accounts::highest_id_ever(conn)?))
            .await?;
        self.keychain
            .call(move |k| (1..=high).try_for_each(|id| k.delete(&secret_id(id))))
            .await?;
        Ok(())
    }
}
