//! Bot overhead benchmark, one `BENCH` line per figure. Run by `scripts/bench.sh` (release).
//! 10 numbers, 100 customer messages a second for 10 s, through the real pipeline (store,
//! policy, prompt, the AI call, the send) with the in-memory WhatsApp and the scripted AI
//! answering at once, pacing off. Measured: message-in to the send call, p50 and p99; and
//! beside it, in the same run, the AI call alone, whose median is subtracted for the bot's
//! own overhead. The database on the disk and on tmpfs (`/dev/shm`), side by side: three
//! runs each, alternating, medians printed (`_disk` and `_tmpfs`; the unsuffixed figures
//! are the disk's, where an owner's database is). And beside them, on the disk, the same
//! while the owner imports an address book of 50,000 contacts (Google's CSV) into another
//! number, three times in the run (at 1 s, 4 s and 7 s), counting only the messages that
//! arrived while an import was under way (`_importing`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadline_core::ai::chat::{ChatMessage, ChatRequest};
use leadline_core::ai::client::{AiClient, Endpoint, Limits};
use leadline_core::ai::provider::Preset;
use leadline_core::ai::providers::ProviderInput;
use leadline_core::ai::secret::ApiKey;
use leadline_core::app::App;
use leadline_core::bot::inbox::Scope;
use leadline_core::bot::timing::{Pacing, Tuning};
use leadline_core::bot::{intake, pipeline};
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::model::behaviour::Behaviour;
use leadline_core::model::number_ai::NumberAi;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::message::WaMessage;
use leadline_tests::fakes::ai::FakeAi;
use leadline_tests::fakes::memory_whatsapp::{ByProfile, MemoryWhatsApp, SendTimes};
use leadline_tests::percentile;

const NUMBERS: usize = 10;
const RATE_PER_SECOND: u64 = 100;
const SECONDS: u64 = 10;

/// What one run measured, in ms.
struct Run {
    replies: usize,
    in_to_send_p50: f64,
    in_to_send_p99: f64,
    ai_p50: f64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // The disk: next to the build (the temp folder may be tmpfs on some machines).
    let disk_root = std::env::current_dir()
        .expect("a working folder")
        .join("target")
        .join("bench-bot");
    std::fs::create_dir_all(&disk_root).expect("a folder on the disk");
    let mut disk = Vec::new();
    let mut tmpfs = Vec::new();
    let mut importing = Vec::new();
    for _ in 0..3 {
        let on_disk = tempfile::tempdir_in(&disk_root).expect("a folder on the disk");
        disk.push(run(on_disk.path(), false).await);
        let in_memory = tempfile::tempdir_in("/dev/shm").expect("a folder on tmpfs");
        tmpfs.push(run(in_memory.path(), false).await);
        let on_disk = tempfile::tempdir_in(&disk_root).expect("a folder on the disk");
        importing.push(run(on_disk.path(), true).await);
    }
    let median = |runs: &[Run], f: fn(&Run) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(f).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let total = RATE_PER_SECOND * SECONDS;
    for (suffix, runs) in [
        ("", &disk),
        ("_disk", &disk),
        ("_tmpfs", &tmpfs),
        ("_importing", &importing),
    ] {
        let replies = runs.iter().map(|r| r.replies).min().unwrap_or(0);
        println!("BENCH bot_replies{suffix} {replies} of {total} messages");
        println!(
            "BENCH bot_in_to_send_p50{suffix} {:.2} ms",
            median(runs, |r| r.in_to_send_p50)
        );
        println!(
            "BENCH bot_in_to_send_p99{suffix} {:.2} ms",
            median(runs, |r| r.in_to_send_p99)
        );
        println!(
            "BENCH bot_ai_call_alone_p50{suffix} {:.2} ms",
            median(runs, |r| r.ai_p50)
        );
        println!(
            "BENCH bot_overhead_p50{suffix} {:.2} ms",
            median(runs, |r| r.in_to_send_p50 - r.ai_p50)
        );
        println!(
            "BENCH bot_overhead_p99{suffix} {:.2} ms",
            median(runs, |r| r.in_to_send_p99 - r.ai_p50)
        );
    }
}

async fn run(dir: &std::path::Path, importing: bool) -> Run {
    let ai = FakeAi::start().await;
    ai.echo_customer();
    let core = Leadline::new(
        Store::open(&dir.join("leadline.db")).expect("a store"),
        Arc::new(|_| {}),
        Arc::new(SystemClock),
    )
    .with_keychain(Arc::new(MemoryKeychain::default()));
    core.save_ai_provider(ProviderInput {
        id: None,
        preset: Preset::Custom,
        base_url: ai.url(),
        default_model: Some("fake-model".into()),
        key: Some("sk-bench".into()),
        make_default: true,
    })
    .await
    .expect("a provider");
    let times: SendTimes = Arc::default();
    let mut drivers = HashMap::new();
    let mut ids = Vec::new();
    for n in 0..NUMBERS {
        let number = core
            .add_number(&format!("Shop {n}"))
            .await
            .expect("a number");
        let me = format!("346000000{n:02}@c.us");
        leadline_core::numbers::linking::state_changed(
            &core,
            number.id,
            AccountState::Working { me: me.clone() },
        )
        .await
        .expect("linked");
        core.set_number_ai(
            number.id,
            NumberAi {
                prompt: "Be brief.".into(),
                facts: String::new(),
                fields: vec![],
                criteria: String::new(),
                provider: None,
                model: None,
            },
        )
        .await
        .expect("settings");
        let wa = MemoryWhatsApp::new(&me);
        wa.time_sends(times.clone());
        // The figure is the pipeline's: echoes of the sends stay with WhatsApp.
        wa.hold_echoes();
        drivers.insert(number.id.to_string(), wa);
        ids.push(number.id);
    }
    for &id in &ids {
        let mut bot = core.number_bot(id).await.expect("the bot");
        // Switched on by the owner (a new number waits to be tried).
        bot.enabled = true;
        bot.behaviour = Behaviour {
            max_replies_per_contact_hour: 1000,
            max_replies_per_number_day: 100_000,
            ..Behaviour::default()
        };
        core.set_number_bot(id, bot).await.expect("behaviour");
    }
    // The app's own wiring; each message is taken down the runner's path by hand below, so
    // the runner's sweep stays out of the way.
    let app = App::start(
        core.clone(),
        Arc::new(ByProfile(drivers)),
        dir.join("profiles"),
        Tuning {
            pacing: Pacing::NONE,
            sweep_every: Duration::from_secs(3_600),
            ..Tuning::default()
        },
    );
    for &id in &ids {
        app.link(id)
            .await
            .expect("a number")
            .wait_for(|s| matches!(s, AccountState::Working { .. }))
            .await
            .expect("working");
    }
    // Warm-up: first-use costs (phone tables, connections) out of the figures.
    let _ = leadline_core::ai::fields::country_of("34600000000@c.us");

    // The owner's address books, imported at 1 s, 4 s and 7 s into numbers of their own;
    // when each ran.
    let windows: Arc<Mutex<Vec<(Instant, Instant)>>> = Arc::default();
    let imports = importing.then(|| {
        let (core, windows) = (core.clone(), windows.clone());
        let book = leadline_tests::address_books::google_csv(50_000);
        tokio::spawn(async move {
            let start = tokio::time::Instant::now();
            for (n, at) in [1u64, 4, 7].into_iter().enumerate() {
                tokio::time::sleep_until(start + Duration::from_secs(at)).await;
                let number = core
                    .add_number(&format!("Import {n}"))
                    .await
                    .expect("a number");
                let began = Instant::now();
                core.import_contacts(number.id, book.clone())
                    .await
                    .expect("the book imports");
                windows
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((began, Instant::now()));
            }
        })
    });
    let arrivals: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let total = RATE_PER_SECOND * SECONDS;
    let interval = Duration::from_micros(1_000_000 / RATE_PER_SECOND);
    let mut tick = tokio::time::interval(interval);
    let mut tasks = Vec::new();
    let now = jiff::Timestamp::now().as_second();
    for i in 0..total {
        tick.tick().await;
        let account = ids[i as usize % NUMBERS];
        let chat = format!("3461{i:07}@c.us");
        let message = WaMessage {
            id: format!("false_{chat}_B{i}"),
            chat: chat.clone(),
            from: chat.clone(),
            from_me: false,
            kind: leadline_core::model::message_kind::MessageKind::Text,
            body: format!("hola {i}"),
            details: Default::default(),
            timestamp: now,
            push_name: None,
            phone: None,
            username: None,
        };
        let (app, arrivals) = (app.clone(), arrivals.clone());
        tasks.push(tokio::spawn(async move {
            arrivals
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(chat, Instant::now());
            // The runner's path: stored, then the chat's turn.
            if let Ok(Some(received)) = intake::receive(app.bot(), account, message).await {
                let _ =
                    pipeline::answer_chat(app.bot(), account, received.chat_id, Scope::All).await;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    if let Some(imports) = imports {
        imports.await.expect("the imports ran");
    }
    let windows = windows.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let during = |arrived: &Instant| {
        windows.is_empty()
            || windows
                .iter()
                .any(|(from, to)| arrived >= from && arrived <= to)
    };
    let arrivals = arrivals.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let sent: Vec<(Instant, f64)> = times
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .filter_map(|(chat, sent)| {
            arrivals.get(chat).map(|arrived| {
                (
                    *arrived,
                    sent.duration_since(*arrived).as_secs_f64() * 1000.0,
                )
            })
        })
        .collect();
    let replies = sent.len();
    let mut latencies: Vec<f64> = sent
        .into_iter()
        .filter(|(arrived, _)| during(arrived))
        .map(|(_, ms)| ms)
        .collect();
    latencies.sort_by(f64::total_cmp);

    // The AI call alone, same server, same kind of request.
    let client = AiClient::new(Limits::default());
    let endpoint = Endpoint {
        preset: Preset::Custom,
        name: "bench".into(),
        base_url: ai.url(),
        key: Some(ApiKey::new("sk-bench")),
    };
    let mut ai_times = Vec::new();
    for i in 0..500 {
        let request = ChatRequest {
            model: "fake-model".into(),
            system: "Be brief.".into(),
            messages: vec![ChatMessage::user(format!("hola {i}"))],
            max_tokens: 600,
            temperature: Some(0.4),
            schema: None,
        };
        let started = Instant::now();
        let _ = client.chat(&endpoint, &request).await;
        ai_times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    ai_times.sort_by(f64::total_cmp);
    let ai_p50 = percentile(&ai_times, 0.5);
    let measured = Run {
        replies,
        in_to_send_p50: percentile(&latencies, 0.5),
        in_to_send_p99: percentile(&latencies, 0.99),
        ai_p50,
    };
    app.stop().await;
    measured
}
