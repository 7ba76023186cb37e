//! The client against a real llama.cpp `llama-server` running a small real model
//! (SmolLM2-135M), built and fetched by `scripts/llm-server.sh`, which `scripts/test.sh`
//! runs and whose paths it exports. The model is tiny: these tests check the shapes of what
//! comes back, never the facts in it.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use leadline_core::ai::chat::{ChatMessage, ChatRequest};
use leadline_core::ai::prompt::{DEFAULT_HISTORY_BUDGET, Hours, TurnContext};
use leadline_core::ai::provider::Preset;
use leadline_core::ai::{AiClient, AiError, ApiKey, Endpoint, Limits, answer_turn};

use crate::fields;

const KEY: &str = "llama-local-test-key-1234";

/// A llama-server child, stopped by its PID when dropped.
struct LlamaServer {
    child: Child,
    port: u16,
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts the server, or says loudly why the suite is skipped and returns `None`.
async fn start() -> Option<LlamaServer> {
    let (Some(server), Some(model)) = (
        std::env::var_os("LLAMA_SERVER"),
        std::env::var_os("LLAMA_MODEL"),
    ) else {
        eprintln!(
            "\n*** SKIPPED: the real-LLM tests need LLAMA_SERVER and LLAMA_MODEL \
             (scripts/test.sh sets them from scripts/llm-server.sh) ***\n"
        );
        return None;
    };
    let port = free_port();
    let child = Command::new(server)
        .arg("-m")
        .arg(model)
        .args([
            "--alias",
            "smollm2",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ])
        .args([
            "-c",
            "2048",
            "-np",
            "1",
            "-t",
            "1",
            "-tb",
            "1",
            "--api-key",
            KEY,
            // Sampling from a fixed seed on one thread: the same answers every run, so a
            // 135M model's occasional empty reply can't make the run flaky.
            "--seed",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("llama-server starts");
    let server = LlamaServer { child, port };
    let health = format!("http://127.0.0.1:{port}/health");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if reqwest::get(&health)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Some(server);
        }
        assert!(
            Instant::now() < deadline,
            "llama-server did not become healthy within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn endpoint(server: &LlamaServer, key: &str) -> Endpoint {
    Endpoint {
        preset: Preset::LlamaCpp,
        name: "llama.cpp".into(),
        base_url: format!("http://127.0.0.1:{}/v1", server.port),
        key: Some(ApiKey::new(key)),
    }
}

fn client() -> AiClient {
    AiClient::new(Limits {
        timeout: Duration::from_secs(120),
        ..Limits::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_llm_server_chats_answers_turns_in_json_and_errs_in_shape() {
    let Some(server) = start().await else {
        return;
    };
    let client = client();
    let local = endpoint(&server, KEY);

    // The model list and a plain chat.
    assert_eq!(client.list_models(&local).await.unwrap(), ["smollm2"]);
    let plain = ChatRequest {
        model: "smollm2".into(),
        system: "You are brief.".into(),
        messages: vec![ChatMessage::user("Say hello.")],
        max_tokens: 24,
        temperature: Some(0.0),
        schema: None,
    };
    let answer = client.chat(&local, &plain).await.unwrap();
    assert!(
        !answer.response.text.trim().is_empty(),
        "some text comes back"
    );
    assert!(
        answer.response.usage.prompt_tokens > 0 && answer.response.usage.completion_tokens > 0,
        "usage is counted"
    );

    // A turn held to the JSON schema: a reply comes back in shape.
    let fields = fields();
    let known = BTreeMap::new();
    let history = [ChatMessage::user(
        "Hi, I'm Ana, my email is ana@example.com. I want a bike.",
    )];
    let turn = TurnContext {
        prompt: "You answer for a bike shop. Be short.",
        facts: "",
        fields: &fields,
        criteria: "wants to buy",
        hours: Hours::Open,
        known: &known,
        history: &history,
        history_budget: DEFAULT_HISTORY_BUDGET,
    };
    let answered = answer_turn(&client, &local, "smollm2", &turn)
        .await
        .unwrap();
    assert!(
        !answered.output.reply.trim().is_empty(),
        "the structured answer has a reply"
    );
    assert!(
        answered
            .output
            .fields
            .keys()
            .all(|k| k == "name" || k == "email"),
        "only asked fields"
    );

    // Error shapes: a wrong key, and a prompt longer than the context.
    let wrong = client
        .list_models(&endpoint(&server, "not-the-key"))
        .await
        .unwrap_err();
    assert!(matches!(wrong, AiError::Unauthorized { .. }), "{wrong:?}");
    let too_long = ChatRequest {
        messages: vec![ChatMessage::user("word ".repeat(5000))],
        ..plain
    };
    let refused = client.chat(&local, &too_long).await.unwrap_err();
    assert!(
        matches!(refused, AiError::Rejected { status: 400, .. }),
        "{refused:?}"
    );
    assert!(!format!("{refused}").contains(KEY));
}
