//! The soak, long, one `BENCH` line per figure. Run by `scripts/bench.sh`: 1,000 customer
//! messages in bursts of 1-6 over 10 numbers through the app's real bot runner, on an
//! in-memory WhatsApp with late echoes, sends that fail after going out, missing acks, a
//! forgetful page, skewed clocks (our sends on the laptop's), sends delivered after the
//! driver's bound, reconnects, a keychain that hangs, the owner writing in some chats
//! (phone and app), and an AI that times out, fails and limits; the process killed with SIGKILL at 100 random moments and started again after
//! each (`leadline-bot-crash`, next to this binary). Lost, answered twice, unaccounted,
//! out of order and after the owner must all be 0.

use std::time::Duration;

use leadline_tests::soak::{self, Plan};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let harness = std::env::current_exe()
        .expect("this binary's path")
        .with_file_name("leadline-bot-crash");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    eprintln!("soak seed: {seed}");
    let plan = Plan {
        messages: 1_000,
        numbers: 10,
        kills: 100,
        span: Duration::from_secs(60),
        seed,
    };
    let report = soak::run(&plan, &harness).await;
    eprintln!("soak: {report:?}");
    println!("BENCH soak_messages {} messages", report.messages);
    println!("BENCH soak_kills {} kills", report.kills);
    println!("BENCH soak_lost {} messages", report.lost);
    println!(
        "BENCH soak_answered_twice {} messages",
        report.answered_twice
    );
    println!("BENCH soak_unaccounted {} messages", report.unaccounted);
    println!("BENCH soak_out_of_order {} replies", report.out_of_order);
    println!("BENCH soak_after_owner {} replies", report.after_owner);
    println!("BENCH soak_owner_acts {} messages", report.owner_acts);
    println!("BENCH soak_replied {} messages", report.replied);
    println!("BENCH soak_skipped {} messages", report.skipped);
    println!("BENCH soak_failed_with_reason {} messages", report.failed);
    println!("BENCH soak_took {:.1} s", report.took.as_secs_f64());
}
