//! The soak, short: customer messages in bursts over several numbers through the app's
//! real bot runner, on a WhatsApp with late echoes, sends that fail after going out,
//! missing acks, a forgetful page, skewed clocks and reconnects, and an AI that times out,
//! fails and limits, a keychain that hangs, the owner writing in some chats (phone and
//! app) and customers writing again soon after a failed turn; the process killed with
//! SIGKILL at random moments and started again. Every message must end answered exactly
//! once, or skipped or failed with a reason, each chat answered in order, and no bot reply
//! after the owner's. (The
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
    assert_eq!(
        report.out_of_order, 0,
        "no chat answered an older message after a newer one"
    );
    assert_eq!(
        report.after_owner, 0,
        "no bot reply after the owner's from the app"
    );
    assert!(report.owner_acts > 0, "the owner acted during the soak");
    assert!(
        report.replied > report.bursts / 2,
        "the killed lives get real work done ({} replied for {} bursts)",
        report.replied,
        report.bursts
    );
}
