//! The crash test: 1,000 customer messages over 3 numbers, the pipeline process killed with
//! SIGKILL at random moments 100 times and started again, then run to the end. Every
//! message must end with exactly one reply in WhatsApp (the journal the in-memory WhatsApp
//! keeps, like its servers) or a recorded skip reason; none may be answered twice.

use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadline_core::ai::provider::Preset;
use leadline_core::ai_providers::ProviderInput;
use leadline_core::number_ai::NumberAi;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::whatsapp::AccountState;
use leadline_core::{Leadline, Store, SystemClock};
use leadline_tests::fake_ai::FakeAi;
use serde_json::json;

const MESSAGES: usize = 1_000;
const NUMBERS: i64 = 3;
const KILLS: usize = 100;
const KEY: &str = "sk-crash-test";

/// A small deterministic generator, so a failing run can be repeated (the seed is printed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_100_times_every_message_ends_with_one_reply_or_a_reason() {
    let ai = FakeAi::start().await;
    ai.echo_customer();
    let dir = tempfile::tempdir().unwrap();
    let core = Leadline::new(
        Store::open(&dir.path().join("leadline.db")).unwrap(),
        Arc::new(|_| {}),
        Arc::new(SystemClock),
    )
    .with_keychain(Arc::new(MemoryKeychain::default()));
    core.save_ai_provider(ProviderInput {
        id: None,
        preset: Preset::Custom,
        base_url: ai.url(),
        default_model: Some("fake-model".into()),
        key: Some(KEY.into()),
        make_default: true,
    })
    .await
    .unwrap();
    let mut queue = String::new();
    let now = jiff::Timestamp::now().as_second();
    let mut numbers = Vec::new();
    for n in 1..=NUMBERS {
        let number = core.add_number(&format!("Shop {n}")).await.unwrap();
        let me = format!("3460000000{n}@c.us");
        core.account_state_changed(number.id, AccountState::Working { me: me.clone() })
            .await
            .unwrap();
        core.set_number_ai(
            number.id,
            NumberAi {
                prompt: "Answer briefly.".into(),
                facts: String::new(),
                fields: vec![],
                criteria: String::new(),
                provider: None,
                model: None,
            },
        )
        .await
        .unwrap();
        numbers.push((number.id, me));
    }
    let id_list: Vec<i64> = numbers.iter().map(|(id, _)| *id).collect();
    core.store()
        .call_blocking(|conn| {
            Ok(conn.execute(
                "UPDATE account_settings SET behaviour = '{\"maxRepliesPerContactHour\": 1000, \"maxRepliesPerNumberDay\": 100000}'",
                [],
            )?)
        })
        .unwrap();
    for i in 0..MESSAGES {
        let (account, me) = &numbers[i % numbers.len()];
        let chat = format!("3461{:07}@c.us", i % 97);
        let line = json!({
            "account": account,
            "me": me,
            "message": { "id": format!("false_{chat}_IN{i:05}"), "chat": chat, "body": format!("m-{i:05}"), "timestamp": now },
        });
        queue.push_str(&line.to_string());
        queue.push('\n');
    }
    std::fs::write(dir.path().join("queue.jsonl"), queue).unwrap();
    drop(core);
    assert_eq!(id_list.len() as i64, NUMBERS);

    let harness = env!("CARGO_BIN_EXE_leadline-bot-crash");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    eprintln!("crash test seed: {seed}");
    let mut random = Lcg(seed);
    let started = Instant::now();
    for _ in 0..KILLS {
        let mut child = Command::new(harness)
            .arg(dir.path())
            .arg(KEY)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the harness starts");
        // Killed while the pipeline works: after it says it is ready, at a random moment.
        let mut ready = String::new();
        let stdout = child.stdout.take().expect("the harness's output");
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready);
        assert_eq!(ready.trim(), "ready", "the harness starts its pipeline");
        std::thread::sleep(Duration::from_millis(random.next(120)));
        // SIGKILL by PID: no clean-up, no flush.
        let _ = child.kill();
        let _ = child.wait();
    }
    let answered_before_last_run: usize = numbers
        .iter()
        .map(|(account, _)| {
            std::fs::read_to_string(dir.path().join(format!("journal-{account}.jsonl")))
                .unwrap_or_default()
                .lines()
                .count()
        })
        .sum();
    eprintln!("crash test: {answered_before_last_run} replies sent across the killed runs");
    assert!(
        answered_before_last_run > MESSAGES / 10,
        "the killed runs must get real work done for the kills to land mid-pipeline"
    );
    let finished = Command::new(harness)
        .arg(dir.path())
        .arg(KEY)
        .status()
        .expect("the harness runs to the end");
    assert!(finished.success(), "the last run finishes cleanly");
    eprintln!(
        "crash test: {KILLS} kills and the last run in {:?}",
        started.elapsed()
    );

    // WhatsApp's view: every reply that went out, by the message it answers.
    let mut replies: HashMap<String, usize> = HashMap::new();
    for (account, _) in &numbers {
        let journal = std::fs::read_to_string(dir.path().join(format!("journal-{account}.jsonl")))
            .unwrap_or_default();
        for line in journal.lines() {
            let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let text = entry["text"].as_str().unwrap_or_default();
            *replies
                .entry(text.trim_start_matches("re: ").to_string())
                .or_default() += 1;
        }
    }
    let store = Store::open(&dir.path().join("leadline.db")).unwrap();
    let rows: Vec<(String, String, Option<String>)> = store
        .call_blocking(|conn| {
            let mut stmt = conn.prepare("SELECT m.body, i.state, i.skip_reason FROM inbox i JOIN messages m ON m.id = i.message_id WHERE m.direction = 'in'")?;
            Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?)
        })
        .unwrap();
    assert_eq!(
        rows.len(),
        MESSAGES,
        "every message was stored exactly once"
    );
    let mut replied = 0;
    for (body, state, reason) in &rows {
        let sent = replies.get(body).copied().unwrap_or(0);
        match state.as_str() {
            "replied" => {
                assert_eq!(
                    sent, 1,
                    "{body} must be answered exactly once, was {sent} times"
                );
                replied += 1;
            }
            "skipped" => {
                assert!(reason.is_some(), "{body} skipped without a reason");
                assert_eq!(sent, 0, "{body} was skipped but answered");
            }
            other => panic!("{body} ended {other}, not replied or skipped"),
        }
    }
    let total_sent: usize = replies.values().sum();
    assert_eq!(
        total_sent, replied,
        "no reply without its message, none twice"
    );
    assert!(
        replied > MESSAGES / 2,
        "most messages are answered ({replied})"
    );
}
