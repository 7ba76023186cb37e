//! AI on this computer, one `BENCH <name> <value> <unit>` line per figure. Run by
//! `scripts/bench.sh local-ai` (or the whole benchmark) with the llama.cpp server and a
//! GGUF model that `scripts/llm-server.sh` provides; not shipped.
//!
//!   leadline-bench-local-ai LLAMA_SERVER MODEL.gguf
//!
//! The model is kept in a fresh data folder under the name of the smallest curated model
//! (its checksum pinned to the file given), as if downloaded. Seven rounds, medians:
//! - `first_answer_local_s`: from "Use AI on this computer" (the model already here) to
//!   the first Playground answer, through the app's own code (the server started, the
//!   model loaded, the turn asked). Its parts: `first_answer_local_start_s` (until the
//!   server answers its health check) and `first_answer_local_reply_tokens` (how long the
//!   answer was: a small model's length varies from one answer to the next, and the time
//!   with it).
//! - `local_ai_server_rss`: the server's resident memory, idle after that answer.
//! - `local_ai_tokens_per_s`: a 60-token reply (the end of text ignored, so every reply is
//!   60 tokens), generation speed as the server times it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadline_core::ai::assistant::PlaygroundMessage;
use leadline_core::ai::client::Limits;
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::local_ai::choose;
use leadline_core::local_ai::supervisor::LocalAi;
use leadline_core::model::number_ai::NumberAi;
use leadline_core::models::catalog;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::store::database::Store;
use sha2::Digest;

const ROUNDS: usize = 7;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

struct Round {
    start_s: f64,
    reply_tokens: f64,
    first_answer_s: f64,
    idle_rss_mib: f64,
    tokens_per_s: f64,
}

async fn round(binary: &Path, model: &Path, sha256: &str, len: u64) -> Round {
    let spec = &catalog::CHAT[0];
    let dir = tempfile::tempdir().expect("a temp folder");
    let models = dir.path().join("models");
    std::fs::create_dir_all(&models).expect("the models folder");
    // As if downloaded: the file under its curated name, its checksum the one pinned.
    std::fs::hard_link(model, models.join(spec.file))
        .or_else(|_| std::fs::copy(model, models.join(spec.file)).map(|_| ()))
        .expect("the model in place");
    let local = LocalAi::new(Some(binary.to_path_buf()), models, Arc::new(|_| {})).with_source(
        spec.id,
        "http://127.0.0.1:9/not-fetched",
        sha256,
        len,
    );
    let core = Leadline::new(
        Store::open(&dir.path().join("leadline.db")).expect("the store"),
        Arc::new(|_| {}),
        Arc::new(SystemClock),
    )
    .with_keychain(Arc::new(MemoryKeychain::default()))
    .with_ai_limits(Limits {
        timeout: Duration::from_secs(300),
        ..Limits::default()
    })
    .with_local_ai(local.clone());
    let shop = core.add_number("Shop").await.expect("a number");
    core.set_number_ai(
        shop.id,
        NumberAi {
            prompt: "You sell bikes in Valencia. Answer briefly and ask for the customer's name."
                .into(),
            facts: String::new(),
            fields: vec![],
            criteria: String::new(),
            provider: None,
            model: None,
        },
    )
    .await
    .expect("the assistant");

    let started = Instant::now();
    choose::choose(&core, spec.id)
        .await
        .expect("the server starts");
    let running_s = started.elapsed().as_secs_f64();
    let turn = core
        .playground_turn(
            shop.id,
            vec![PlaygroundMessage {
                from_business: false,
                text: "Hello, how much is a city bike?".into(),
                photo: None,
            }],
        )
        .await
        .expect("an answer");
    let first_answer_s = started.elapsed().as_secs_f64();
    eprintln!(
        "  running after {running_s:.2} s; the turn: {} prompt + {} reply tokens in {:.2} s",
        turn.prompt_tokens,
        turn.completion_tokens,
        turn.elapsed_ms as f64 / 1000.0
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = local.pid().await.expect("the server's process");
    let idle_rss_mib = rss_mib(pid).expect("its memory");

    let (base_url, key) = local.endpoint(spec.id).await.expect("its address");
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("{base_url}/chat/completions"))
        .bearer_auth(key.expose())
        .json(&serde_json::json!({
            "model": spec.id,
            "messages": [{"role": "user", "content": "Describe a city bike for a customer."}],
            "max_tokens": 60,
            "ignore_eos": true,
            "temperature": 0.7,
        }))
        .send()
        .await
        .expect("a reply")
        .json()
        .await
        .expect("its JSON");
    let tokens = reply["usage"]["completion_tokens"].as_f64().unwrap_or(0.0);
    assert_eq!(tokens, 60.0, "a 60-token reply: {reply}");
    let tokens_per_s = reply["timings"]["predicted_per_second"]
        .as_f64()
        .expect("the server's timings");
    local.stop().await;
    Round {
        start_s: running_s,
        reply_tokens: f64::from(turn.completion_tokens),
        first_answer_s,
        idle_rss_mib,
        tokens_per_s,
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [binary, model] = args.as_slice() else {
        eprintln!("usage: leadline-bench-local-ai LLAMA_SERVER MODEL.gguf");
        std::process::exit(2);
    };
    let bytes = std::fs::read(model).expect("the model");
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    let len = bytes.len() as u64;
    drop(bytes);
    let mut rounds = Vec::new();
    for n in 0..ROUNDS {
        let r = round(binary, model, &sha256, len).await;
        eprintln!(
            "round {}: first answer {:.2} s, idle RSS {:.1} MiB, {:.1} tokens/s",
            n + 1,
            r.first_answer_s,
            r.idle_rss_mib,
            r.tokens_per_s
        );
        rounds.push(r);
    }
    let name = model
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    eprintln!("model: {name} ({:.0} MB)", len as f64 / 1e6);
    println!(
        "BENCH first_answer_local_s {:.2} s",
        median(rounds.iter().map(|r| r.first_answer_s).collect())
    );
    println!(
        "BENCH first_answer_local_start_s {:.2} s",
        median(rounds.iter().map(|r| r.start_s).collect())
    );
    println!(
        "BENCH first_answer_local_reply_tokens {:.0} tokens",
        median(rounds.iter().map(|r| r.reply_tokens).collect())
    );
    println!(
        "BENCH local_ai_server_rss {:.1} MiB",
        median(rounds.iter().map(|r| r.idle_rss_mib).collect())
    );
    println!(
        "BENCH local_ai_tokens_per_s {:.1} tokens/s",
        median(rounds.iter().map(|r| r.tokens_per_s).collect())
    );
}
