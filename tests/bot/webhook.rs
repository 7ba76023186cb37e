//! The webhook: a receiver on loopback gets a correctly signed POST when a lead qualifies,
//! after failures it is retried, and the pipeline never waits for it.

use std::time::{Duration, Instant};

use leadline_core::ErrorCode;
use leadline_tests::fake_ai::{Step, turn_json};
use leadline_tests::webhook_receiver::WebhookReceiver;
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
    let test = receiver.requests()[0].json();
    assert_eq!(test["test"], true);
    receiver.stop();
    let down = bot.core.send_test_webhook(bot.id).await.unwrap_err();
    assert_eq!(down.code(), ErrorCode::Unavailable);
    assert!(down.to_string().contains("could not be reached"), "{down}");
    assert_eq!(down.text().key, "webhook.unreachable");
}
