//! AI client benchmarks, one `BENCH <name> <value> <unit>` line per figure. Run by
//! `scripts/bench.sh` (release build). Not shipped.
//!
//! - Client overhead per call: a whole turn (prompt building, the request, reading and
//!   checking the answer) against the scripted provider on loopback, which answers at once,
//!   so no model time is in it. Beside it, in the same run, a bare HTTP POST of the same
//!   size to the same server: what the network stack alone costs.
//! - Prompt tokens per turn at 10, 50 and 200 turns of history with the default budget.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use leadline_core::ai::answer::answer_turn;
use leadline_core::ai::chat::ChatMessage;
use leadline_core::ai::client::{AiClient, Endpoint, Limits};
use leadline_core::ai::prompt::{self, DEFAULT_HISTORY_BUDGET, Hours, TurnContext};
use leadline_core::ai::provider::Preset;
use leadline_core::ai::secret::ApiKey;
use leadline_core::model::lead_field::{FieldKind, LeadField};
use leadline_tests::fakes::ai::FakeAi;
use leadline_tests::percentile;

const CALLS: usize = 2_000;
const WARMUP: usize = 100;

fn history(turns: usize) -> Vec<ChatMessage> {
    (0..turns)
        .flat_map(|i| {
            [
                ChatMessage::user(format!(
                    "Hola, soy cliente {i}. ¿Tenéis la bici urbana en talla M y cuánto tarda el envío a Valencia?"
                )),
                ChatMessage::assistant(format!(
                    "¡Hola! Sí, la urbana está en talla M por 349 €. El envío a Valencia tarda 2 días. ¿Me dices tu nombre? ({i})"
                )),
            ]
        })
        .chain([ChatMessage::user("Perfecto, la quiero. Me llamo Ana.")])
        .collect()
}

fn fields() -> Vec<LeadField> {
    vec![
        LeadField::new("name", "The customer's name", FieldKind::Text),
        LeadField::new("email", "Their email address", FieldKind::Email),
        LeadField::new("phone", "A phone number to call back", FieldKind::Phone),
        LeadField::new("product", "What they want to buy", FieldKind::Text),
    ]
}

fn turn<'a>(
    fields: &'a [LeadField],
    known: &'a BTreeMap<String, String>,
    history: &'a [ChatMessage],
) -> TurnContext<'a> {
    TurnContext {
        prompt: "You answer WhatsApp messages for Bicis Ana, a bike shop in Valencia. Be warm and brief.",
        facts: "Open Monday to Saturday 10:00-20:00. Free delivery over 300 €. Returns within 30 days.",
        fields,
        criteria: "They want to buy a bike and gave a name and a way to reach them.",
        hours: Hours::Open,
        known,
        history,
        history_budget: DEFAULT_HISTORY_BUDGET,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeAi::start().await;
    let endpoint = Endpoint {
        preset: Preset::OpenAi,
        name: "bench".into(),
        base_url: fake.url(),
        key: Some(ApiKey::new("sk-bench-key-0000")),
    };
    let client = AiClient::new(Limits {
        timeout: Duration::from_secs(10),
        ..Limits::default()
    });
    let fields = fields();
    let known = BTreeMap::new();
    let chat = history(10);
    let context = turn(&fields, &known, &chat);

    // The bare baseline: a POST of the same size with a plain client, same server.
    let (system, messages) = prompt::build(&context).expect("the prompt builds");
    let body = serde_json::json!({
        "model": "fake-model",
        "messages": messages.iter().map(|m| m.content.clone()).collect::<Vec<_>>(),
        "system": system,
    })
    .to_string();
    let bare = reqwest::Client::new();
    let url = format!("{}/chat/completions", fake.url());

    let (mut ours, mut baseline) = (Vec::with_capacity(CALLS), Vec::with_capacity(CALLS));
    for i in 0..WARMUP + CALLS {
        let started = Instant::now();
        answer_turn(&client, &endpoint, "fake-model", &context)
            .await
            .expect("the scripted provider answers");
        let turn_us = started.elapsed().as_secs_f64() * 1e6;

        let started = Instant::now();
        let response = bare
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("the bare request is answered");
        let _ = response.bytes().await;
        let bare_us = started.elapsed().as_secs_f64() * 1e6;
        if i >= WARMUP {
            ours.push(turn_us);
            baseline.push(bare_us);
        }
    }
    ours.sort_by(f64::total_cmp);
    baseline.sort_by(f64::total_cmp);
    println!("BENCH ai_turn_call_p50 {:.0} us", percentile(&ours, 0.5));
    println!("BENCH ai_turn_call_p99 {:.0} us", percentile(&ours, 0.99));
    println!(
        "BENCH ai_bare_http_post_p50 {:.0} us",
        percentile(&baseline, 0.5)
    );
    println!(
        "BENCH ai_client_overhead_p50 {:.0} us",
        percentile(&ours, 0.5) - percentile(&baseline, 0.5)
    );

    for turns in [10, 50, 200] {
        let chat = history(turns);
        let context = turn(&fields, &known, &chat);
        let (system, kept) = prompt::build(&context).expect("the prompt builds");
        let tokens = prompt::estimate_tokens(&system)
            + kept
                .iter()
                .map(|m| prompt::estimate_tokens(&m.content) + 4)
                .sum::<usize>();
        println!("BENCH ai_prompt_tokens_{turns}_turns {tokens} tokens");
    }
}
