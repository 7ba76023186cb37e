//! The webhook: a receiver on loopback gets a correctly signed POST when a lead qualifies,
//! after failures it is retried, and the pipeline never waits for it.

use std::time::{Duration, Instant};

use leadline_core::error::ErrorCode;
use leadline_tests::fakes::ai::{Step, turn_json};
use leadline_tests::fakes::webhook_receiver::WebhookReceiver;
use leadline_tests::inspect;
use serde_json::json;

use crate::{ANA, Bot};

const SECRET: &str = "whsec-test-0123";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qualified_lead_is_posted_signed_retried_and_never_blocks_the_reply() {
    let bot = Bot::start().await;
    let receiver = WebhookReceiver::start(2).await;
    let url = receiver.url();

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
    while receiver.requests().len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the webhook is retried until delivered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let requests = receiver.requests();
    receiver.clear();
    assert!(
        reply_took < requests[2].at - started,
        "the reply did not wait for the webhook"
    );
    for request in &requests {
        assert!(
            request.signed_with(SECRET),
            "every attempt is correctly signed"
        );
    }
    assert!(
        !requests[0].signed_with("another secret"),
        "the check can fail"
    );
    let payload = requests[2].json();
    assert_eq!(payload["event"], "lead.qualified");
    assert_eq!(payload["test"], false);
    assert_eq!(payload["lead"]["phone"], "+34611222333");
    assert_eq!(
        payload["lead"]["reason"], "Meets: ready to buy — name: Ana, phone: +34611222333",
        "the criteria met and the values they rest on"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while bot.activities("webhook_delivered").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the delivery is in the activity log"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // "Send test" answers at once with the receiver's status.
    let check = bot.core.send_test_webhook(bot.id).await.unwrap();
    assert_eq!(check.status, 204);
    let test = receiver.requests()[0].json();
    assert_eq!(test["test"], true);
    receiver.stop();
    let down = bot.core.send_test_webhook(bot.id).await.unwrap_err();
    assert_eq!(down.code(), ErrorCode::Unavailable);
    assert!(down.to_string().contains("could not be reached"), "{down}");
    assert_eq!(down.text().key, "webhook.unreachable");
}

async fn qualify(bot: &Bot, id: &str) {
    bot.ai.push(Step::text(turn_json(
        "¡Hecho!",
        json!({ "name": "Ana", "phone": "611 222 333" }),
        true,
        "ready to buy",
    )));
    bot.customer(id, ANA, "Lo compro, 611 222 333")
        .await
        .unwrap();
}

async fn until_activity(bot: &Bot, kind: &'static str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if !bot.activities(kind).await.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "{kind} in the activity log");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A 4xx other than 408/429 is the receiver refusing that request: not tried again. A 408
/// or a 429 is tried again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_receiver_is_not_retried_a_busy_one_is() {
    let bot = Bot::start().await;
    let receiver = WebhookReceiver::answering(&[400]).await;
    bot.core
        .set_webhook(bot.id, Some(receiver.url()), Some(SECRET.into()))
        .await
        .unwrap();
    qualify(&bot, "R1").await;
    until_activity(&bot, "webhook_failed").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.requests().len(), 1, "a 400 is final");
    assert_eq!(inspect::webhooks_waiting(bot.core.store()), 0);

    let busy = WebhookReceiver::answering(&[429, 408]).await;
    let second = Bot::start().await;
    second
        .core
        .set_webhook(second.id, Some(busy.url()), Some(SECRET.into()))
        .await
        .unwrap();
    qualify(&second, "R2").await;
    until_activity(&second, "webhook_delivered").await;
    assert_eq!(busy.requests().len(), 3, "a 429 and a 408 are tried again");
}

/// A keychain that fails for a moment when the secret is read delays a delivery, never
/// drops it (it was left queued until the next restart).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_failing_for_a_moment_delays_a_delivery_never_drops_it() {
    let bot = Bot::start().await;
    let receiver = WebhookReceiver::start(0).await;
    bot.core
        .set_webhook(bot.id, Some(receiver.url()), Some(SECRET.into()))
        .await
        .unwrap();
    bot.keychain.fail_reads("webhook-", 2);
    qualify(&bot, "K1").await;
    until_activity(&bot, "webhook_delivered").await;
    assert_eq!(receiver.requests().len(), 1);
    assert_eq!(inspect::webhooks_waiting(bot.core.store()), 0);
}

/// A delivery still waiting when the app stops goes out after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_waiting_at_a_restart_goes_out_after_it() {
    let bot = Bot::start().await;
    let down = WebhookReceiver::start(1_000).await;
    bot.core
        .set_webhook(bot.id, Some(down.url()), Some(SECRET.into()))
        .await
        .unwrap();
    qualify(&bot, "S1").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while down.requests().is_empty() {
        assert!(Instant::now() < deadline, "tried once");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(inspect::webhooks_waiting(bot.core.store()), 1);
    // The restart: a new core on the same database; the receiver is back at a new address.
    let up = WebhookReceiver::start(0).await;
    let store = bot.core.store().clone();
    let restarted = leadline_core::leadline::Leadline::new(
        store,
        std::sync::Arc::new(|_| {}),
        std::sync::Arc::new(leadline_core::clock::SystemClock),
    )
    .with_keychain(bot.keychain.clone())
    .with_webhook_backoff(Duration::from_millis(50));
    let down_requests = down.requests();
    drop(down);
    restarted
        .set_webhook(bot.id, Some(up.url()), None)
        .await
        .unwrap();
    restarted.resume_webhooks().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while up.requests().is_empty() {
        assert!(Instant::now() < deadline, "delivered after the restart");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(up.requests()[0].signed_with(SECRET));
    assert_eq!(
        up.requests()[0].json()["lead"]["reason"],
        "Meets: ready to buy — name: Ana, phone: +34611222333"
    );
    // At least once, said so: the same delivery id, in a header and in the signed body,
    // on the attempt before the restart and the one after (a receiver deduplicates on it).
    let id_of = |delivery: &leadline_tests::fakes::webhook_receiver::Delivery| {
        let header = delivery
            .headers
            .get("x-leadline-delivery")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = delivery.json()["delivery_id"].as_str().map(str::to_string);
        assert_eq!(header, body, "the header and the body name one delivery");
        header.expect("a delivery id")
    };
    let (before, after) = (id_of(&down_requests[0]), id_of(&up.requests()[0]));
    assert_eq!(before, after, "posted again under the same id");
    assert!(
        before.len() >= 32,
        "an id no two deliveries share: {before}"
    );
}

/// Leads go over https, or plain http only to this computer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_must_be_https_except_to_this_computer() {
    let bot = Bot::start().await;
    for url in [
        "http://hooks.example.com/lead",
        "http://192.168.1.20/lead",
        "ftp://example.com",
        "https://",
    ] {
        let refused = bot
            .core
            .set_webhook(bot.id, Some(url.into()), Some(SECRET.into()))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidInput, "{url}");
    }
    for url in [
        "https://hooks.example.com/lead",
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://[::1]:8080/hook",
    ] {
        bot.core
            .set_webhook(bot.id, Some(url.into()), Some(SECRET.into()))
            .await
            .unwrap();
    }
}

/// Issue 25, item 8: a receiver that answers with a redirect to another server (here
/// plain http) doesn't get the signed lead re-sent there; the owner sees why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_server_is_not_followed() {
    let bot = Bot::start().await;
    let elsewhere = WebhookReceiver::start(0).await;
    let moved = WebhookReceiver::redirecting(&elsewhere.url()).await;
    bot.core
        .set_webhook(bot.id, Some(moved.url()), Some(SECRET.into()))
        .await
        .unwrap();
    let check = bot.core.send_test_webhook(bot.id).await;
    assert_eq!(moved.requests().len(), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the signed lead went to the other server"
    );
    let said = format!("{check:?}");
    assert!(said.contains("307"), "{said}");
}
