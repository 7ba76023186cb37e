//! The soak: customer messages in bursts over many numbers, through the app's real bot
//! runner (one process, `leadline-bot-crash`) killed with SIGKILL at random moments and
//! started again, on an in-memory WhatsApp as unforgiving as the real one and an AI that
//! times out, fails and limits, and a keychain that hangs now and then. The owner acts in
//! some chats during the turns (types on the phone, replies from the app), customers write
//! again soon after a turn failed, and our sends carry the laptop's clock while customers'
//! carry WhatsApp's. Afterwards, WhatsApp's own record (what reached customers) and the
//! database are compared: every message must end answered exactly once, or skipped with a
//! reason, or failed with a reason the owner was told; no chat answered out of order; no
//! bot reply after the owner's from the app.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadline_core::ai::provider::Preset;
use leadline_core::ai::providers::ProviderInput;
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::model::chat::Direction;
use leadline_core::model::number_ai::NumberAi;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use serde::{Deserialize, Serialize};

use crate::fakes::ai::{EchoFaults, FakeAi};
use crate::fakes::memory_whatsapp::Realism;

/// A small deterministic generator, so a failing run can be repeated (the seed is printed).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        if below == 0 {
            0
        } else {
            (self.0 >> 33) % below
        }
    }
}

/// Who writes a queued message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Writer {
    #[default]
    Customer,
    /// The owner, typing on the phone (WhatsApp reports it as their own message).
    OwnerPhone,
    /// The owner, replying from the app's window (`App::reply_in_chat`).
    OwnerApp,
}

/// One message and when (after the soak's start) it is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    pub account: i64,
    pub chat: String,
    pub id: String,
    pub body: String,
    pub at_ms: u64,
    #[serde(default)]
    pub writer: Writer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NumberConfig {
    pub account: i64,
    pub me: String,
    pub realism: Realism,
}

/// What each life of the harness reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SoakConfig {
    pub numbers: Vec<NumberConfig>,
    /// The soak's start (unix ms): queued times count from it.
    pub started_ms: i64,
    pub seed: u64,
    pub ai_timeout_ms: u64,
    /// A life that hasn't settled by then fails the soak.
    pub life_limit_s: u64,
}

/// How big a soak.
#[derive(Debug, Clone)]
pub struct Plan {
    pub messages: usize,
    pub numbers: usize,
    pub kills: usize,
    /// Over how long the customers write.
    pub span: Duration,
    pub seed: u64,
}

/// What the soak found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub messages: usize,
    /// Never stored.
    pub lost: usize,
    /// Answered by more than one reply that reached the customer.
    pub answered_twice: usize,
    /// Neither replied (once) nor skipped with a reason nor failed with a reason.
    pub unaccounted: usize,
    pub replied: usize,
    pub skipped: usize,
    pub failed: usize,
    pub kills: usize,
    /// Skips by reason.
    pub reasons: std::collections::BTreeMap<String, usize>,
    /// How many bursts the customers wrote (the turns to expect, at most).
    pub bursts: usize,
    /// Replies that answer an older message of a chat after a newer one was answered.
    pub out_of_order: usize,
    /// Bot replies that reached a chat after the owner replied there from the app.
    pub after_owner: usize,
    /// The owner's messages (phone and app) during the soak.
    pub owner_acts: usize,
    pub took: Duration,
    /// A few of the unaccounted, for the failure message.
    pub examples: Vec<String>,
}

const KEY: &str = "sk-soak";

fn realism(random: &mut Lcg, seed: u64) -> Realism {
    Realism {
        echo_ms: (0, 2_500),
        send_ms: (2, 30),
        ack_ms: (10, 300),
        fail_after_send_per_mille: 15,
        error_ms: (100, 800),
        fail_before_send_per_mille: 15,
        undelivered_per_mille: 8,
        // Past the driver's bound, yet delivered: resending would say it twice.
        late_ack_per_mille: 15,
        late_ack_ms: (200, 2_000),
        loaded_per_chat: 4,
        // WhatsApp's clock up to five minutes either side of the laptop's.
        skew_s: i64::try_from(random.next(601)).unwrap_or(0) - 300,
        seed,
    }
}

/// Runs the soak with `harness` (the `leadline-bot-crash` binary).
pub async fn run(plan: &Plan, harness: &Path) -> Report {
    let mut random = Lcg(plan.seed);
    let ai = FakeAi::start().await;
    ai.echo_customer();
    ai.echo_faults(EchoFaults {
        delay_ms: (5, 150),
        hang_per_mille: 15,
        hang: Duration::from_secs(2),
        // 5xx often enough that customers write again while a failed turn waits.
        server_error_per_mille: 60,
        rate_limited_per_mille: 15,
        seed: plan.seed,
    });
    let dir = tempfile::tempdir().expect("a temp folder");
    let core = Leadline::new(
        Store::open(&dir.path().join("leadline.db")).expect("a store"),
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
    .expect("a provider");
    let mut numbers = Vec::new();
    for n in 0..plan.numbers {
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
                prompt: "Answer briefly.".into(),
                facts: String::new(),
                fields: vec![],
                criteria: String::new(),
                provider: None,
                model: None,
            },
        )
        .await
        .expect("settings");
        numbers.push(NumberConfig {
            account: number.id,
            me,
            realism: realism(&mut random, plan.seed.wrapping_add(number.id as u64)),
        });
    }
    for number in &numbers {
        let mut bot = core.number_bot(number.account).await.expect("the bot");
        // Switched on by the owner (a new number waits to be tried).
        bot.enabled = true;
        bot.behaviour.max_replies_per_contact_hour = 1000;
        bot.behaviour.max_replies_per_number_day = 100_000;
        bot.behaviour.debounce_seconds = 1;
        core.set_number_bot(number.account, bot)
            .await
            .expect("behaviour");
    }
    drop(core);

    let (queue, burst) = script(plan, &numbers, &mut random);
    let lines: String = queue
        .iter()
        .map(|q| serde_json::to_string(q).unwrap_or_default() + "\n")
        .collect();
    std::fs::write(dir.path().join("queue.jsonl"), lines).expect("the queue");
    let config = SoakConfig {
        numbers: numbers.clone(),
        started_ms: jiff::Timestamp::now().as_millisecond() + 1_000,
        seed: plan.seed,
        ai_timeout_ms: 800,
        life_limit_s: 240,
    };
    std::fs::write(
        dir.path().join("soak.json"),
        serde_json::to_string(&config).expect("settings as JSON"),
    )
    .expect("the settings");

    let started = Instant::now();
    for _ in 0..plan.kills {
        let mut child = Command::new(harness)
            .arg(dir.path())
            .arg(KEY)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the harness starts");
        let stdout = child.stdout.take().expect("the harness's output");
        let mut ready = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready);
        // Killed while the pipeline works, at a random moment: SIGKILL by PID.
        tokio::time::sleep(Duration::from_millis(50 + random.next(1_200))).await;
        let _ = child.kill();
        let _ = child.wait();
    }
    let status = Command::new(harness)
        .arg(dir.path())
        .arg(KEY)
        .stdout(Stdio::null())
        .status()
        .expect("the harness runs to the end");
    assert!(status.success(), "the last life settles ({status})");
    let took = started.elapsed();
    let mut report = account(&queue, &numbers, dir.path(), plan.kills, took);
    report.bursts = burst;
    report
}

/// What the customers (and, in some chats, the owner) write: bursts of 1-6 messages a few
/// hundred ms apart, spread over the span; a third of them followed by another burst in
/// the same chat 1-20 s later (a customer writing again, maybe while a failed turn waits);
/// in one chat of twenty the owner types on the phone, and in another replies from the
/// app, at a moment among the customer's messages. Returns the messages in no particular
/// order, and how many bursts the customers wrote.
fn script(plan: &Plan, numbers: &[NumberConfig], random: &mut Lcg) -> (Vec<Queued>, usize) {
    let span_ms = u64::try_from(plan.span.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    let mut queue: Vec<Queued> = Vec::new();
    let mut bursts = 0;
    let customers = |queue: &[Queued]| {
        queue
            .iter()
            .filter(|q| q.writer == Writer::Customer)
            .count()
    };
    while customers(&queue) < plan.messages {
        let number = &numbers[random.next(numbers.len() as u64) as usize];
        let chat = format!("3461{:02}{:05}@c.us", number.account % 100, random.next(40));
        let mut at = random.next(span_ms);
        let again = random.next(3) == 0;
        for round in 0..if again { 2 } else { 1 } {
            if round == 1 {
                at += 1_000 + random.next(19_000);
            }
            let size = 1 + random.next(6) as usize;
            for _ in 0..size.min(plan.messages - customers(&queue)) {
                let i = queue.len();
                queue.push(Queued {
                    account: number.account,
                    chat: chat.clone(),
                    id: format!("false_{chat}_S{i:05}"),
                    body: format!("m-{i:05}"),
                    at_ms: at,
                    writer: Writer::Customer,
                });
                at += 150 + random.next(450);
            }
            bursts += 1;
        }
        let owner = match random.next(20) {
            0 => Some(Writer::OwnerPhone),
            1 => Some(Writer::OwnerApp),
            _ => None,
        };
        if let Some(writer) = owner {
            let i = queue.len();
            queue.push(Queued {
                account: number.account,
                chat: chat.clone(),
                id: format!("true_{chat}_O{i:05}"),
                body: format!("owner-{i:05}"),
                // Within the burst or just after it: while its turn may be in flight.
                at_ms: at.saturating_sub(random.next(900)),
                writer,
            });
        }
    }
    (queue, bursts)
}

/// Compares what reached the customers (WhatsApp's journals) with the database.
fn account(
    queue: &[Queued],
    numbers: &[NumberConfig],
    dir: &Path,
    kills: usize,
    took: Duration,
) -> Report {
    // Replies that reached a customer, by the message they answer ("re: <its body>"); in
    // WhatsApp's order per chat, what they answered (to find one answering an older message
    // after a newer one) and whether the owner had replied there from the app before.
    let written: HashMap<&str, &Queued> = queue.iter().map(|q| (q.body.as_str(), q)).collect();
    let mut reached: HashMap<String, usize> = HashMap::new();
    let (mut out_of_order, mut after_owner) = (0, 0);
    for number in numbers {
        let journal =
            std::fs::read_to_string(dir.join(format!("journal-{}.jsonl", number.account)))
                .unwrap_or_default();
        // Per chat: the newest customer message answered so far (when written, which),
        // and whether the owner replied from the app.
        let mut newest: HashMap<String, (u64, String)> = HashMap::new();
        let mut owner_replied: std::collections::HashSet<String> = Default::default();
        for line in journal.lines() {
            let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if entry["delivered"].as_bool() == Some(false) {
                continue;
            }
            let chat = entry["chat"].as_str().unwrap_or_default().to_string();
            let text = entry["text"].as_str().unwrap_or_default();
            if text.starts_with("owner-") {
                owner_replied.insert(chat);
                continue;
            }
            let Some(body) = text.strip_prefix("re: ") else {
                continue;
            };
            *reached.entry(body.to_string()).or_default() += 1;
            if owner_replied.contains(&chat) {
                after_owner += 1;
            }
            if let Some(answered) = written.get(body) {
                let key = (answered.at_ms, answered.body.clone());
                match newest.get(&chat) {
                    Some(seen) if *seen > key => out_of_order += 1,
                    _ => {
                        newest.insert(chat, key);
                    }
                }
            }
        }
    }
    let store = Store::open(&dir.join("leadline.db")).expect("the database");
    // Per customer message (by WhatsApp's id): its row's state, skip reason, error and
    // next attempt.
    type Row = (String, Option<String>, Option<String>, Option<i64>);
    let mut rows: HashMap<String, Row> = HashMap::new();
    for account in numbers.iter().map(|n| n.account) {
        let ids: HashMap<i64, String> = crate::inspect::messages(&store, account)
            .into_iter()
            .filter(|m| m.direction == Direction::In)
            .map(|m| (m.id, m.wa_msg_id))
            .collect();
        for row in crate::inspect::inbox(&store, account) {
            if let Some(wa_msg_id) = ids.get(&row.message_id) {
                let state = row.state.as_str().to_string();
                let reason = row.skip_reason.map(|r| r.as_str().to_string());
                rows.insert(
                    wa_msg_id.clone(),
                    (state, reason, row.error, row.next_attempt_at),
                );
            }
        }
    }
    let mut report = Report {
        messages: queue
            .iter()
            .filter(|q| q.writer == Writer::Customer)
            .count(),
        kills,
        took,
        out_of_order,
        after_owner,
        owner_acts: queue
            .iter()
            .filter(|q| q.writer != Writer::Customer)
            .count(),
        ..Report::default()
    };
    for queued in queue.iter().filter(|q| q.writer == Writer::Customer) {
        let answers = reached.get(&queued.body).copied().unwrap_or(0);
        if answers > 1 {
            report.answered_twice += 1;
        }
        let Some((state, reason, error, next)) = rows.get(&queued.id) else {
            report.lost += 1;
            continue;
        };
        let accounted = match state.as_str() {
            "replied" => {
                report.replied += 1;
                answers == 1
            }
            "skipped" => {
                report.skipped += 1;
                *report
                    .reasons
                    .entry(reason.clone().unwrap_or_default())
                    .or_default() += 1;
                reason.is_some() && answers == 0
            }
            "failed" => {
                report.failed += 1;
                error.is_some() && next.is_none() && answers == 0
            }
            _ => false,
        };
        if !accounted {
            report.unaccounted += 1;
            if report.examples.len() < 5 {
                report.examples.push(format!(
                    "{} ended {state} ({reason:?} {error:?}) with {answers} replies",
                    queued.body
                ));
            }
        }
    }
    report
}
