//! AI on this computer, end to end in the core with the real parts: the model downloaded
//! from a server on 127.0.0.1 (a wrong checksum refused, a dropped line resumed), the real
//! llama.cpp server started on it, the Playground answered through it, the server started
//! again after it was killed, and everything stopped and removed with the model. The
//! model is SmolLM2-135M standing in for a curated one (`LLAMA_MODEL`); the server is the
//! one `scripts/llm-server.sh` builds (`LLAMA_SERVER`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use leadline_core::ai::assistant::PlaygroundMessage;
use leadline_core::ai::client::Limits;
use leadline_core::clock::SystemClock;
use leadline_core::events::CoreEvent;
use leadline_core::leadline::Leadline;
use leadline_core::local_ai::choose;
use leadline_core::local_ai::supervisor::LocalAi;
use leadline_core::model::local_ai::LocalAiState;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::store::database::Store;
use leadline_tests::model_server::ModelServer;
use sha2::Digest;

/// The curated model the test model stands in for.
const MODEL: &str = "gemma-3-1b";

/// The server and model from `scripts/llm-server.sh`, or a loud SKIPPED line.
pub fn llama_parts() -> Option<(PathBuf, PathBuf)> {
    match (
        std::env::var_os("LLAMA_SERVER"),
        std::env::var_os("LLAMA_MODEL"),
    ) {
        (Some(server), Some(model)) => Some((server.into(), model.into())),
        _ => {
            eprintln!(
                "\n*** SKIPPED: AI on this computer needs LLAMA_SERVER and LLAMA_MODEL \
                 (scripts/test.sh sets them from scripts/llm-server.sh) ***\n"
            );
            None
        }
    }
}

fn open(
    dir: &std::path::Path,
    local: LocalAi,
    events: leadline_core::events::EventSink,
) -> Leadline {
    Leadline::new(
        Store::open(&dir.join("leadline.db")).unwrap(),
        events,
        Arc::new(SystemClock),
    )
    .with_keychain(Arc::new(MemoryKeychain::default()))
    .with_ai_limits(Limits {
        timeout: Duration::from_secs(120),
        ..Limits::default()
    })
    .with_local_ai(local)
}

async fn until(what: &str, within: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn running(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.split_whitespace().nth(2) == Some("Z"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_on_this_computer_downloads_starts_answers_and_comes_back_after_a_crash() {
    let Some((binary, model)) = llama_parts() else {
        return;
    };
    let body = Arc::new(std::fs::read(&model).expect("the test model"));
    let sha256 = hex::encode(sha2::Sha256::digest(body.as_slice()));
    let len = body.len() as u64;
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    let events: Arc<Mutex<Vec<CoreEvent>>> = Arc::default();
    let seen = events.clone();
    let sink: leadline_core::events::EventSink = Arc::new(move |e| seen.lock().unwrap().push(e));

    // A file whose checksum doesn't match is refused and removed.
    let wrong = ModelServer::start("model.gguf", body.clone(), None);
    let core = open(
        dir.path(),
        LocalAi::new(Some(binary.clone()), models.clone(), sink.clone()).with_source(
            MODEL,
            &wrong.url,
            &"0".repeat(64),
            len,
        ),
        sink.clone(),
    );
    let refused = choose::install(&core, MODEL).await.unwrap_err();
    assert!(
        refused.to_string().contains("not the right one"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_dir(&models).unwrap().count(),
        0,
        "nothing kept"
    );
    drop(core);

    // A line dropped a third of the way: what came is kept, and the next try resumes.
    let served = ModelServer::start("model.gguf", body.clone(), Some(body.len() / 3));
    let local = LocalAi::new(Some(binary.clone()), models.clone(), sink.clone()).with_source(
        MODEL,
        &served.url,
        &sha256,
        len,
    );
    let core = open(dir.path(), local.clone(), sink.clone());
    let dropped = choose::install(&core, MODEL).await.unwrap_err();
    assert!(dropped.to_string().contains("Resume"), "{dropped}");
    let listed = choose::models(&core).await.unwrap();
    let gemma = listed.iter().find(|m| m.id == MODEL).unwrap();
    assert_eq!((gemma.installed, gemma.partial_bytes), (false, len / 3));
    let listed = choose::install(&core, MODEL).await.unwrap();
    assert!(
        listed
            .iter()
            .any(|m| m.id == MODEL && m.installed && !m.in_use)
    );
    assert_eq!(
        served.ranges.lock().unwrap().clone(),
        vec![None, Some(len / 3)],
        "the second request asked for the rest only"
    );
    let progress: Vec<(u64, u64)> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CoreEvent::ModelProgress { id, done, total } if id == MODEL => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(progress.last(), Some(&(len, len)), "the bar ends full");

    // "Use AI on this computer": the server runs, and it is the default provider.
    let state = choose::choose(&core, MODEL).await.unwrap();
    assert_eq!(
        state,
        LocalAiState::Running {
            model: MODEL.into()
        }
    );
    let providers = core.ai_providers().await.unwrap();
    assert!(
        providers
            .iter()
            .any(|p| p.id == "this-computer" && p.is_default && !p.needs_key),
        "{providers:?}"
    );
    let first_pid = local.pid().await.expect("a server process");

    // The Playground answers through it.
    let shop = core.add_number("Tienda").await.unwrap();
    let ask = || {
        vec![PlaygroundMessage {
            from_business: false,
            text: "Hello, do you sell bikes?".into(),
            photo: None,
        }]
    };
    let turn = core.playground_turn(shop.id, ask()).await.unwrap();
    assert_eq!(turn.model, MODEL, "answered by the model on this computer");
    assert!(turn.completion_tokens > 0);

    // Killed (as a crash would): it is started again, on a new process.
    let killed = std::process::Command::new("kill")
        .args(["-9", &first_pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    until("a new server", Duration::from_secs(60), async || {
        local.pid().await.is_some_and(|pid| pid != first_pid)
            && local.state().await
                == LocalAiState::Running {
                    model: MODEL.into(),
                }
    })
    .await;
    let again = core.playground_turn(shop.id, ask()).await.unwrap();
    assert_eq!(again.model, MODEL);
    let states: Vec<LocalAiState> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CoreEvent::LocalAiState(state) => Some(state.clone()),
            _ => None,
        })
        .collect();
    assert!(
        states.windows(2).any(|w| matches!(
            (&w[0], &w[1]),
            (LocalAiState::Starting { .. }, LocalAiState::Running { .. })
        )) && states.len() >= 4,
        "the window heard it start, then start again: {states:?}"
    );

    // Removed: the server stops, the provider goes, the file goes.
    let second_pid = local.pid().await.unwrap();
    let listed = choose::remove(&core, MODEL).await.unwrap();
    assert!(listed.iter().all(|m| !m.installed && !m.in_use));
    assert_eq!(local.state().await, LocalAiState::Off);
    until("the server stopped", Duration::from_secs(10), async || {
        !running(second_pid)
    })
    .await;
    assert!(
        core.ai_providers()
            .await
            .unwrap()
            .iter()
            .all(|p| p.id != "this-computer")
    );
    let refused = core.playground_turn(shop.id, ask()).await.unwrap_err();
    assert!(refused.to_string().contains("No AI provider"), "{refused}");
}

/// A machine without the server (an installation that lacks it) is told so in plain words.
#[tokio::test]
async fn without_the_server_it_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let sink: leadline_core::events::EventSink = Arc::new(|_| {});
    let core = open(
        dir.path(),
        LocalAi::new(
            Some(dir.path().join("no-such-llama-server")),
            dir.path().join("models"),
            sink.clone(),
        ),
        sink,
    );
    assert_eq!(choose::state(&core).await, LocalAiState::Missing);
    let e = choose::choose(&core, MODEL).await.unwrap_err();
    assert!(e.to_string().contains("Reinstall Leadline"), "{e}");
}

/// After a crash of the app, its server would hold the model's memory until the computer
/// restarts: the next start stops it, by the process id it recorded, and only if that
/// process is still Leadline's server (an id can be reused by another program).
#[tokio::test]
async fn a_server_left_by_a_crashed_run_is_stopped_at_the_next_start() {
    let Some((binary, model)) = llama_parts() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let pid_file = models.join("llama-server.pid");
    let sink: leadline_core::events::EventSink = Arc::new(|_| {});

    // Another program under a recorded id: left alone.
    let mut other = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    std::fs::write(&pid_file, other.id().to_string()).unwrap();
    LocalAi::new(Some(binary.clone()), models.clone(), sink.clone());
    assert!(
        other.try_wait().unwrap().is_none(),
        "another program is never stopped"
    );
    other.kill().unwrap();
    other.wait().unwrap();

    // The server an earlier run left: stopped.
    let mut leftover = std::process::Command::new(&binary)
        .arg("-m")
        .arg(&model)
        .args(["--host", "127.0.0.1", "--port", "0", "-c", "512"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::fs::write(&pid_file, leftover.id().to_string()).unwrap();
    LocalAi::new(Some(binary), models, sink);
    let deadline = Instant::now() + Duration::from_secs(10);
    while leftover.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = leftover.kill();
            let _ = leftover.wait();
            panic!("the leftover server was not stopped");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!pid_file.exists());
}
