//! The soak, short: customer messages in bursts over several numbers through the app's
//! real bot runner, on a WhatsApp with late echoes, sends that fail after going out,
//! missing acks, a forgetful page, skewed clocks and reconnects, and an AI that times out,
//! fails and limits; the process killed with SIGKILL at random moments and started again.
//! Every message must end answered exactly once, or skipped or failed with a reason. (The
//! benchmark runs the long one: 1,000 messages, 10 numbers, 100 kills.)

use std::time::Duration;

use leadline_tests::soak::{self, Plan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_again_and_again_every_message_ends_answered_once_or_with_a_reason() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    eprintln!("soak seed: {seed}");
    let plan = Plan {
        messages: 300,
        numbers: 4,
        kills: 25,
        span: Duration::from_secs(12),
        seed,
    };
    let report = soak::run(&plan, env!("CARGO_BIN_EXE_leadline-bot-crash").as_ref()).await;
    eprintln!("soak: {report:?}");
    assert_eq!(report.lost, 0, "no message lost: {:?}", report.examples);
    assert_eq!(report.answered_twice, 0, "none answered twice");
    assert_eq!(
        report.unaccounted, 0,
        "every message ends replied once, skipped or failed with a reason: {:?}",
        report.examples
    );
    assert!(
        report.replied > report.bursts / 2,
        "the killed lives get real work done ({} replied for {} bursts)",
        report.replied,
        report.bursts
    );
}
