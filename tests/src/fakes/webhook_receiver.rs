//! A webhook receiver on loopback: records every POST and checks the signature the way a
//! receiver following the documented scheme would (HMAC-SHA256 of "timestamp.body").

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Default)]
struct Received {
    /// What the next requests are answered, in order; then 204.
    answers: std::collections::VecDeque<u16>,
    requests: Vec<Delivery>,
    /// Every request is answered 307 to this address (a receiver that moved, or lies).
    redirect: Option<String>,
}

/// One request as it arrived.
#[derive(Clone)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

impl Delivery {
    /// Whether the signature matches `secret`.
    pub fn signed_with(&self, secret: &str) -> bool {
        let (Some(timestamp), Some(signature)) = (
            self.headers
                .get("x-leadline-timestamp")
                .and_then(|v| v.to_str().ok()),
            self.headers
                .get("x-leadline-signature")
                .and_then(|v| v.to_str().ok()),
        ) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(&self.body);
        signature == format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

async fn receive(
    State(state): State<Arc<Mutex<Received>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    state.requests.push(Delivery {
        headers,
        body,
        at: Instant::now(),
    });
    if let Some(to) = state.redirect.clone() {
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)]).into_response();
    }
    state
        .answers
        .pop_front()
        .and_then(|status| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::NO_CONTENT)
        .into_response()
}

/// A running receiver at `url()`. Dropping it (or `stop`) stops the server.
pub struct WebhookReceiver {
    url: String,
    state: Arc<Mutex<Received>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl WebhookReceiver {
    /// Answers 500 to the first `failures` requests, then 204.
    pub async fn start(failures: usize) -> WebhookReceiver {
        WebhookReceiver::answering(&vec![500; failures]).await
    }

    /// Answers the first requests with `statuses`, in order, then 204.
    pub async fn answering(statuses: &[u16]) -> WebhookReceiver {
        WebhookReceiver::serve(Received {
            answers: statuses.iter().copied().collect(),
            ..Received::default()
        })
        .await
    }

    /// Answers every request with a 307 to `to`.
    pub async fn redirecting(to: &str) -> WebhookReceiver {
        WebhookReceiver::serve(Received {
            redirect: Some(to.to_string()),
            ..Received::default()
        })
        .await
    }

    async fn serve(received: Received) -> WebhookReceiver {
        let state = Arc::new(Mutex::new(received));
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the receiver binds a loopback port");
        let url = format!(
            "http://{}/hook",
            listener
                .local_addr()
                .expect("a bound listener has an address")
        );
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        WebhookReceiver { url, state, server }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn requests(&self) -> Vec<Delivery> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .requests
            .clone()
    }

    /// Forgets what arrived so far.
    pub fn clear(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .requests
            .clear();
    }

    pub fn stop(&self) {
        self.server.abort();
    }
}
