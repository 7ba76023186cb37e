//! What the bot logs when a provider refuses a turn (issue 25, item 9): the error's kind
//! and status, never the provider's text, which may quote the customer.

use std::io::Write;
use std::sync::{Arc, Mutex};

use leadline_tests::fakes::ai::Step;

use super::exactly_once::live_connected;
use super::{from_customer, until};

/// Every log line written while it is the thread's subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

// One thread, so every task of the app logs to this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn a_providers_refusal_is_logged_by_kind_and_status_never_its_words() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let bot = live_connected(r#"{"debounceSeconds": 0}"#).await;
    bot.ai.push(Step::status(
        400,
        r#"{"error":{"message":"Your message 'Soy Ana, DNI 12345678Z' breaks the usage policy"}}"#,
    ));
    assert!(
        bot.wa
            .deliver(from_customer("P1", "Soy Ana, DNI 12345678Z"))
    );
    until("the turn failed", || {
        bot.inbox().first().is_some_and(|r| r.state == "failed")
    })
    .await;
    bot.disconnect().await;
    let logs = captured.text();
    assert!(logs.contains("rejected"), "the kind is logged: {logs}");
    for words in ["Soy Ana", "12345678Z", "usage policy"] {
        assert!(!logs.contains(words), "{words:?} in the logs: {logs}");
    }
}
