//! One life of the soak (`leadline_tests::soak`): the app's real bot runner over numbers
//! on the in-memory WhatsApp made honest (late echoes, sends that fail after going out,
//! missing server acks, a page that forgets older messages, a skewed clock, reconnects),
//! with WhatsApp's record of sends, deliveries and seen marks in files that outlive a
//! SIGKILL, and the soak's scripted AI (timeouts, 5xx, 429). It delivers each customer
//! message at its time (late ones when it starts again, as WhatsApp does for a phone that
//! was offline), and exits 0 once every message was delivered and every inbox row has
//! ended. The soak kills it at random moments and starts it again. Not shipped.
//!
//! `leadline-bot-crash DIR KEY`: DIR holds `leadline.db`, `soak.json`, `queue.jsonl` and
//! WhatsApp's files.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leadline_core::ai::client::Limits;
use leadline_core::ai::secret::ApiKey;
use leadline_core::app::App;
use leadline_core::bot::timing::Pacing;
use leadline_core::bot::timing::{RetryTimes, Tuning};
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::model::inbox::InboxState;
use leadline_core::secrets::Keychain;
use leadline_core::store::database::Store;
use leadline_core::store::{inbox, messages};
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::message::WaMessage;
use leadline_tests::fakes::memory_whatsapp::{ByProfile, MemoryWhatsApp};
use leadline_tests::inspect;
use leadline_tests::keyring::LockableKeychain;
use leadline_tests::soak::{Queued, SoakConfig, Writer};

/// Whether every inbox row has ended: replied, skipped, or failed for good; and no reply
/// still waits for its server ack.
fn settled(store: &Store, accounts: &[i64]) -> bool {
    accounts.iter().all(|&account| {
        let open = inspect::inbox(store, account).iter().any(|row| {
            matches!(row.state, InboxState::Received | InboxState::Decided)
                || (row.state == InboxState::Failed
                    && row.next_attempt_at.is_some()
                    && row.attempts < inbox::MAX_ATTEMPTS)
        });
        let unconfirmed = store
            .call_blocking(|conn| Ok(messages::unconfirmed_replies(conn, account, 0)?))
            .map_or(true, |replies| !replies.is_empty());
        !open && !unconfirmed
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(key)) = (args.next().map(PathBuf::from), args.next()) else {
        eprintln!("usage: leadline-bot-crash DIR KEY");
        std::process::exit(2);
    };
    let config: SoakConfig = serde_json::from_str(
        &std::fs::read_to_string(dir.join("soak.json")).expect("the soak's settings"),
    )
    .expect("readable settings");
    // A keychain that hangs now and then, as a locked one waiting for its prompt does.
    let keychain = Arc::new(LockableKeychain::default());
    keychain
        .set("custom-1", &ApiKey::new(key))
        .expect("a memory keychain accepts keys");
    let store = Store::open(&dir.join("leadline.db")).expect("the database opens");
    let core = Leadline::new(store.clone(), Arc::new(|_| {}), Arc::new(SystemClock))
        .with_keychain(keychain.clone())
        .with_keychain_wait(Duration::from_millis(300))
        .with_ai_limits(Limits {
            attempts: 1,
            timeout: Duration::from_millis(config.ai_timeout_ms),
            ..Limits::default()
        });
    let tuning = Tuning {
        pacing: Pacing::NONE,
        retry_times: RetryTimes {
            ai_first: Duration::from_millis(200),
            ai_max: Duration::from_secs(2),
            send_first: Duration::from_millis(300),
        },
        delivery_wait: Duration::from_secs(2),
        ..Tuning::default()
    };

    let queue: Vec<Queued> = std::fs::read_to_string(dir.join("queue.jsonl"))
        .expect("the queue")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a queued message"))
        .collect();
    let mut numbers = HashMap::new();
    for number in &config.numbers {
        let wa = MemoryWhatsApp::with_journal(
            &number.me,
            &dir.join(format!("journal-{}.jsonl", number.account)),
        )
        .with_world(&dir.join(format!("world-{}.jsonl", number.account)));
        wa.set_realism(number.realism.clone());
        numbers.insert(number.account.to_string(), wa);
    }
    let was = numbers.clone();
    // The app's own wiring (`App::start`): reports and states through the runner.
    let app = App::start(
        core.clone(),
        Arc::new(ByProfile(numbers)),
        dir.join("profiles"),
        tuning,
    );
    for number in &config.numbers {
        let mut state = app.link(number.account).await.expect("a number");
        state
            .wait_for(|s| matches!(s, AccountState::Working { .. }))
            .await
            .expect("the number works");
    }
    // One-time start-up work (the phone-number tables load on first use) is done before
    // "ready", so the kills land in the pipeline itself.
    let _ = leadline_core::ai::fields::country_of("34600000000@c.us");
    println!("ready");
    use std::io::Write;
    let _ = std::io::stdout().flush();

    let accounts: Vec<i64> = config.numbers.iter().map(|n| n.account).collect();
    let began = std::time::Instant::now();
    {
        let keychain = keychain.clone();
        let mut hangs = leadline_tests::soak::Lcg(config.seed ^ 0x6b65_7963);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(2_000 + hangs.next(4_000))).await;
                keychain.lock(true);
                tokio::time::sleep(Duration::from_millis(300 + hangs.next(1_200))).await;
                keychain.lock(false);
            }
        });
    }
    // The owner's messages already written in an earlier life (WhatsApp has them).
    let owner_done_file = dir.join("owner-done.txt");
    let owner_done: Arc<std::sync::Mutex<std::collections::HashSet<String>>> =
        Arc::new(std::sync::Mutex::new(
            std::fs::read_to_string(&owner_done_file)
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect(),
        ));
    let owner_busy: Arc<std::sync::Mutex<std::collections::HashSet<String>>> = Arc::default();
    let mut reconnects = leadline_tests::soak::Lcg(config.seed ^ u64::from(std::process::id()));
    let mut next_reconnect = Duration::from_millis(500 + reconnects.next(1_500));
    loop {
        let elapsed_ms =
            u64::try_from(jiff::Timestamp::now().as_millisecond() - config.started_ms).unwrap_or(0);
        let mut all_delivered = true;
        for queued in &queue {
            let Some(wa) = was.get(&queued.account.to_string()) else {
                continue;
            };
            if queued.writer != Writer::Customer {
                if owner_done.lock().unwrap().contains(&queued.id) {
                    continue;
                }
                all_delivered = false;
                if queued.at_ms <= elapsed_ms {
                    owner_acts(
                        &app,
                        &store,
                        wa,
                        queued,
                        &owner_done,
                        &owner_busy,
                        &owner_done_file,
                    );
                }
                continue;
            }
            if wa.was_delivered(&queued.id) {
                continue;
            }
            all_delivered = false;
            if queued.at_ms > elapsed_ms {
                continue;
            }
            // Sent by the customer at its time, by WhatsApp's clock.
            let timestamp = (config.started_ms + i64::try_from(queued.at_ms).unwrap_or(0)) / 1000
                + wa.now_s()
                - jiff::Timestamp::now().as_second();
            wa.deliver(WaMessage {
                id: queued.id.clone(),
                chat: queued.chat.clone(),
                from: queued.chat.clone(),
                from_me: false,
                kind: leadline_core::model::message_kind::MessageKind::Text,
                body: queued.body.clone(),
                details: Default::default(),
                timestamp,
                push_name: None,
                phone: None,
                username: None,
            });
        }
        if began.elapsed() >= next_reconnect {
            let pick = reconnects.next(config.numbers.len() as u64) as usize;
            if let Some(wa) = was.get(&config.numbers[pick].account.to_string()) {
                let wa = wa.clone();
                tokio::spawn(async move { wa.reconnect(Duration::from_millis(300)).await });
            }
            next_reconnect =
                began.elapsed() + Duration::from_millis(1_000 + reconnects.next(3_000));
        }
        if all_delivered && settled(&store, &accounts) {
            break;
        }
        if began.elapsed() > Duration::from_secs(config.life_limit_s) {
            eprintln!("the soak did not settle within {} s", config.life_limit_s);
            app.stop().await;
            std::process::exit(3);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

/// The owner writes in a chat: typed on the phone (WhatsApp reports it as their own), or
/// from the app (once the chat is in Leadline). Recorded as done once WhatsApp has it.
fn owner_acts(
    app: &App,
    store: &Store,
    wa: &MemoryWhatsApp,
    queued: &Queued,
    done: &Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    busy: &Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    done_file: &std::path::Path,
) {
    let finished = {
        let (done, id, file) = (done.clone(), queued.id.clone(), done_file.to_path_buf());
        move || {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&file)
            {
                let _ = writeln!(f, "{id}");
                let _ = f.sync_data();
            }
            done.lock().unwrap().insert(id);
        }
    };
    match queued.writer {
        Writer::OwnerPhone => {
            let typed = wa.deliver(WaMessage {
                id: queued.id.clone(),
                chat: queued.chat.clone(),
                from: wa.me(),
                from_me: true,
                kind: leadline_core::model::message_kind::MessageKind::Text,
                body: queued.body.clone(),
                details: Default::default(),
                timestamp: wa.now_s(),
                push_name: None,
                phone: None,
                username: None,
            });
            if typed {
                finished();
            }
        }
        Writer::OwnerApp => {
            let Some(chat) = inspect::chat(store, queued.account, &queued.chat) else {
                return;
            };
            if !busy.lock().unwrap().insert(queued.id.clone()) {
                return;
            }
            let (app, text, busy, id) = (
                app.clone(),
                queued.body.clone(),
                busy.clone(),
                queued.id.clone(),
            );
            tokio::spawn(async move {
                if app.reply_in_chat(chat.id, &text).await.is_ok() {
                    finished();
                }
                busy.lock().unwrap().remove(&id);
            });
        }
        Writer::Customer => {}
    }
}
