//! A process that runs the bot pipeline over a queue of inbound messages, to be killed with
//! SIGKILL at random moments by the crash test (`tests/bot/crash.rs`) and started again.
//! WhatsApp is the in-memory double with a journal (sends survive the kill, as they do on
//! WhatsApp's servers); the AI is the test's scripted provider. Each start replays the whole
//! queue (a redelivery is a no-op), resumes what is open, and exits 0 once every message
//! has ended. Not shipped.
//!
//! `leadline-bot-crash DIR KEY`: DIR holds `leadline.db`, `queue.jsonl` and the journals.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::future::BoxFuture;
use leadline_core::ai::{ApiKey, Limits};
use leadline_core::bot::pipeline::Pacing;
use leadline_core::runtime::Runtime;
use leadline_core::secrets::{Keychain, MemoryKeychain};
use leadline_core::whatsapp::{AccountState, Driver, Session, WaError, WaEvent, WaMessage};
use leadline_core::{Leadline, Store, SystemClock};
use leadline_tests::memory_wa::MemoryWhatsApp;
use tokio::sync::mpsc::UnboundedSender;

/// One in-memory WhatsApp per number, picked by the profile folder's name (its id).
struct Numbers(HashMap<String, MemoryWhatsApp>);

impl Driver for Numbers {
    fn start<'a>(
        &'a self,
        profile: &'a Path,
        events: UnboundedSender<WaEvent>,
    ) -> BoxFuture<'a, Result<Box<dyn Session>, WaError>> {
        Box::pin(async move {
            let id = profile
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            match self.0.get(&id) {
                Some(wa) => wa.start(profile, events).await,
                None => Err(WaError::Launch(format!("no number {id}"))),
            }
        })
    }
}

#[derive(serde::Deserialize)]
struct Queued {
    account: i64,
    me: String,
    message: Message,
}

#[derive(serde::Deserialize)]
struct Message {
    id: String,
    chat: String,
    body: String,
    timestamp: i64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(key)) = (args.next().map(PathBuf::from), args.next()) else {
        eprintln!("usage: leadline-bot-crash DIR KEY");
        std::process::exit(2);
    };
    let keychain = Arc::new(MemoryKeychain::default());
    keychain
        .set("custom-1", &ApiKey::new(key))
        .expect("a memory keychain accepts keys");
    let store = Store::open(&dir.join("leadline.db")).expect("the database opens");
    let core = Leadline::new(store, Arc::new(|_| {}), Arc::new(SystemClock))
        .with_keychain(keychain)
        .with_ai_limits(Limits {
            attempts: 2,
            ..Limits::default()
        })
        .with_pacing(Pacing::NONE);

    let queue: Vec<Queued> = std::fs::read_to_string(dir.join("queue.jsonl"))
        .expect("the queue")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a queued message"))
        .collect();
    let mut numbers = HashMap::new();
    for queued in &queue {
        numbers
            .entry(queued.account.to_string())
            .or_insert_with(|| {
                MemoryWhatsApp::with_journal(
                    &queued.me,
                    &dir.join(format!("journal-{}.jsonl", queued.account)),
                )
            });
    }
    let accounts: Vec<i64> = numbers.keys().filter_map(|k| k.parse().ok()).collect();
    let runtime = Runtime::new(
        Arc::new(Numbers(numbers)),
        dir.join("profiles"),
        Arc::new(|_, _| {}),
        Arc::new(|_, _| {}),
    );
    for &account in &accounts {
        let mut state = runtime.start(account);
        state
            .wait_for(|s| matches!(s, AccountState::Working { .. }))
            .await
            .expect("the number works");
    }

    // One-time start-up work (the phone-number tables load on first use; seconds in a
    // debug build) is done before "ready", so the kills land in the pipeline itself.
    let _ = leadline_core::ai::fields::country_of("34600000000@c.us");
    // The crash test kills from here on, where the pipeline works.
    println!("ready");
    use std::io::Write;
    let _ = std::io::stdout().flush();

    // What a crash left open first, then the whole queue as WhatsApp redelivers it.
    for &account in &accounts {
        core.resume(&runtime, account)
            .await
            .expect("open rows resume");
    }
    let started = std::time::Instant::now();
    let trace = std::env::var_os("LEADLINE_CRASH_TRACE").is_some();
    for queued in queue {
        let message = WaMessage {
            id: queued.message.id,
            chat: queued.message.chat.clone(),
            from: queued.message.chat,
            from_me: false,
            body: queued.message.body,
            timestamp: queued.message.timestamp,
            push_name: None,
            phone: None,
        };
        if let Some(row) = core
            .receive(queued.account, message)
            .await
            .expect("a message is stored")
        {
            let handled = core
                .handle(&runtime, queued.account, row)
                .await
                .expect("a message is handled");
            if trace {
                eprintln!("{:?} handled {row}: {handled:?}", started.elapsed());
            }
        }
    }
    for &account in &accounts {
        core.resume(&runtime, account)
            .await
            .expect("open rows resume");
    }
    runtime.stop_all().await;
}
