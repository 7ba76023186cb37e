//! The webhook: a receiver on loopback gets a correctly signed POST when a lead qualifies,
//! after failures it is retried, and the pipeline never waits for it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use leadline_core::ErrorCode;
use leadline_tests::fake_ai::{Step, turn_json};
use serde_json::json;
use sha2::Sha256;

use crate::{ANA, Bot};

const SECRET: &str = "whsec-test-0123";

#[derive(Default)]
struct Received {
    /// Answer 500 this many times first.
    failures_left: usize,
    requests: Vec<(HeaderMap, Bytes, Instant)>,
}

async fn receive(
    State(state): State<Arc<Mutex<Received>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut state = state.lock().unwrap();
    state.requests.push((headers, body, Instant::now()));
    if state.failures_left > 0 {
        state.failures_left -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

/// The receiver's own check, written from the documented scheme.
fn valid(headers: &HeaderMap, body: &[u8]) -> bool {
    let timestamp = headers["x-leadline-timestamp"].to_str().unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    headers["x-leadline-signature"].to_str().unwrap() == expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qualified_lead_is_posted_signed_retried_and_never_blocks_the_reply() {
    let bot = Bot::start().await;
    let state = Arc::new(Mutex::new(Received {
        failures_left: 2,
        ..Received::default()
    }));
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let no_secret = bot
        .core
        .set_webhook(bot.id, Some(url.clone()), Some(String::new()))
        .await
        .unwrap_err();
    assert_eq!(
        no_secret.code(),
        ErrorCode::InvalidInput,
        "an address needs a secret"
    );
    let view = bot
        .core
        .set_webhook(bot.id, Some(url.clone()), Some(SECRET.into()))
        .await
        .unwrap();
    assert!(view.secret_set && view.url.as_deref() == Some(url.as_str()));
    assert!(
        !serde_json::to_string(&view).unwrap().contains(SECRET),
        "the secret never comes back"
    );

    bot.ai.push(Step::text(turn_json(
        "¡Hecho!",
        json!({ "name": "Ana", "phone": "611 222 333" }),
        true,
        "ready to buy",
    )));
    let started = Instant::now();
    bot.customer("W1", ANA, "Lo compro, 611 222 333")
        .await
        .unwrap();
    let reply_took = started.elapsed();

    let deadline = Instant::now() + Duration::from_secs(10);
    while state.lock().unwrap().requests.len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the webhook is retried until delivered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let requests = std::mem::take(&mut state.lock().unwrap().requests);
    assert!(
        reply_took < requests[2].2 - started,
        "the reply did not wait for the webhook"
    );
    for (headers, body, _) in &requests {
        assert!(valid(headers, body), "every attempt is correctly signed");
    }
    let payload: serde_json::Value = serde_json::from_slice(&requests[2].1).unwrap();
    assert_eq!(payload["event"], "lead.qualified");
    assert_eq!(payload["test"], false);
    assert_eq!(payload["lead"]["phone"], "+34611222333");
    assert_eq!(payload["lead"]["reason"], "ready to buy");
    let deadline = Instant::now() + Duration::from_secs(5);
    while bot.sql::<i64>("SELECT COUNT(*) FROM activity WHERE kind = 'webhook_delivered'") == 0 {
        assert!(
            Instant::now() < deadline,
            "the delivery is in the activity log"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // "Send test" answers at once with the receiver's status.
    let check = bot.core.send_test_webhook(bot.id).await.unwrap();
    assert_eq!(check.status, 204);
    let test: serde_json::Value =
        serde_json::from_slice(&state.lock().unwrap().requests[0].1).unwrap();
    assert_eq!(test["test"], true);
    server.abort();
    let down = bot.core.send_test_webhook(bot.id).await.unwrap_err();
    assert_eq!(down.code(), ErrorCode::Unavailable);
    assert!(
        down.to_string().contains("could not be delivered"),
        "{down}"
    );
}
