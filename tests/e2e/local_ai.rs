//! AI on this computer through the window, from an empty data folder: the checklist sends
//! the owner to it, the models are listed, the download from a server on 127.0.0.1 drops
//! and resumes, "Use AI on this computer" starts the real llama.cpp server, the Playground
//! answers through it, the checklist moves on, and a killed server is started again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use leadline_tests::model_server::ModelServer;
use leadline_tests::{Driver, click, text_of};
use sha2::Digest;

use crate::assistant::type_into;
use crate::{add_number, go_to};

const MODEL: &str = "gemma-3-1b";

async fn present(client: &Client, css: &str) -> bool {
    client.find(Locator::Css(css)).await.is_ok()
}

/// Waits up to `within` for `css` to be on the page.
async fn until_present(client: &Client, css: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while !present(client, css).await {
        if Instant::now() >= deadline {
            let page = match client.find(Locator::Css("main")).await {
                Ok(main) => main.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            panic!("{css} within {within:?}; the page says: {page}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn ai_on_this_computer_from_the_checklist_to_the_playground_and_back_after_a_crash() {
    let (Some(server), Some(model)) = (
        std::env::var("LLAMA_SERVER").ok(),
        std::env::var_os("LLAMA_MODEL"),
    ) else {
        eprintln!("\n*** SKIPPED: AI on this computer needs LLAMA_SERVER and LLAMA_MODEL ***\n");
        return;
    };
    let body = Arc::new(std::fs::read(model).expect("the test model"));
    let len = body.len();
    let sha256 = hex::encode(sha2::Sha256::digest(body.as_slice()));
    let files = ModelServer::start("model.gguf", body.clone(), Some(len / 3));
    // A second curated model, served with a checksum its file doesn't have.
    let wrong = ModelServer::start("wrong.gguf", body.clone(), None);
    let source = format!(
        "{MODEL}={}#{sha256}#{len};llama-3.2-1b={}#{}#{len}",
        files.url,
        wrong.url,
        "0".repeat(64)
    );
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    let driver = Driver::start_with(
        &data_dir,
        &[
            ("LEADLINE_TEST_CHAT_SOURCE", source.as_str()),
            ("LEADLINE_LLAMA_SERVER", server.as_str()),
        ],
    );
    let client = driver.open_app().await;

    // An empty data folder: the checklist, its AI step to do, and a way to AI here.
    let ai_step = "[data-testid='first-step'][data-step='ai']";
    assert_eq!(
        text_of(&client, &format!("{ai_step} strong")).await,
        "Choose the assistant's AI"
    );
    click(&client, "[data-testid='first-step-local-ai']").await;
    let models = "[data-testid='local-ai-model']";
    until_present(
        &client,
        &format!("{models}[data-model='llama-3.2-3b']"),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(
        client.find_all(Locator::Css(models)).await.unwrap().len(),
        3,
        "three curated models"
    );
    let state = text_of(&client, "[data-testid='local-ai-state']").await;
    assert!(state.contains("Download a model"), "{state}");

    // A file that is not the one pinned: refused, and nothing kept to use.
    let llama = format!("{models}[data-model='llama-3.2-1b']");
    click(
        &client,
        &format!("{llama} [data-testid='local-ai-download']"),
    )
    .await;
    let refused = text_of(&client, "[data-testid='local-ai-error']").await;
    assert!(refused.contains("not the right one"), "{refused}");
    assert_eq!(
        text_of(
            &client,
            &format!("{llama} [data-testid='local-ai-download']")
        )
        .await,
        "Download",
        "nothing kept: it starts over"
    );
    assert!(
        !data_dir
            .join("models/llama-3.2-1b-instruct-q4_k_m.gguf")
            .exists()
    );

    // The line drops a third of the way: said plainly, and Resume goes on from there.
    let gemma = format!("{models}[data-model='{MODEL}']");
    click(
        &client,
        &format!("{gemma} [data-testid='local-ai-download']"),
    )
    .await;
    // (The last error's sentence gives way to this one's.)
    leadline_tests::eventually("the dropped line is said", true, || async {
        text_of(&client, "[data-testid='local-ai-error']")
            .await
            .contains("Resume")
    })
    .await;
    let resume = text_of(
        &client,
        &format!("{gemma} [data-testid='local-ai-download']"),
    )
    .await;
    assert_eq!(resume, "Resume download");
    click(
        &client,
        &format!("{gemma} [data-testid='local-ai-download']"),
    )
    .await;
    until_present(
        &client,
        &format!("{gemma} [data-testid='local-ai-use']"),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        files.ranges.lock().unwrap().clone(),
        vec![None, Some((len / 3) as u64)],
        "the second request asked for the rest only"
    );

    // "Use AI on this computer": the server starts, and it is the assistant's AI.
    click(&client, &format!("{gemma} [data-testid='local-ai-use']")).await;
    let running = "[data-testid='local-ai-state'][data-state='running']";
    until_present(&client, running, Duration::from_secs(90)).await;
    assert!(
        text_of(&client, running).await.contains("Gemma 3 1B"),
        "the state names the model"
    );
    until_present(
        &client,
        "[data-testid='provider-row'][data-provider-id='this-computer']",
        Duration::from_secs(10),
    )
    .await;
    let first_pid =
        leadline_tests::desktop::app_pid_under(driver.pid(), std::path::Path::new(&server))
            .expect("the llama.cpp server runs under the app");

    // The checklist moved on.
    go_to(&client, "home", "Home").await;
    until_present(
        &client,
        &format!("{ai_step}[data-state='done']"),
        Duration::from_secs(10),
    )
    .await;

    // The Playground answers through it.
    go_to(&client, "numbers", "Numbers").await;
    add_number(&client, "Shop").await;
    click(&client, "[data-testid='assistant']").await;
    type_into(
        &client,
        "[data-testid='ai-prompt']",
        "You sell bikes. Answer briefly.",
    )
    .await;
    type_into(
        &client,
        "[data-testid='playground-input']",
        "Hello, do you sell bikes?",
    )
    .await;
    click(&client, "[data-testid='playground-send']").await;
    until_present(
        &client,
        "[data-testid='playground-usage']",
        Duration::from_secs(90),
    )
    .await;
    let usage = text_of(&client, "[data-testid='playground-usage']").await;
    assert!(usage.contains("tokens"), "{usage}");
    assert!(
        text_of(&client, "[data-testid='playground-verdict'] ~ .hint")
            .await
            .contains(MODEL),
        "answered by the model on this computer"
    );

    // Killed, as a crash would: Leadline starts it again, on a new process.
    let killed = std::process::Command::new("kill")
        .args(["-9", &first_pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now =
            leadline_tests::desktop::app_pid_under(driver.pid(), std::path::Path::new(&server));
        if now.is_some_and(|pid| pid != first_pid) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server was started again within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    type_into(&client, "[data-testid='playground-input']", "And helmets?").await;
    click(&client, "[data-testid='playground-send']").await;
    let deadline = Instant::now() + Duration::from_secs(90);
    while client
        .find_all(Locator::Css("[data-testid='playground-usage']"))
        .await
        .map_or(0, |found| found.len())
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "a second answer after the restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    go_to(&client, "settings", "Settings").await;
    until_present(&client, running, Duration::from_secs(20)).await;
    client.close().await.expect("the app closes");
    drop(driver);
}
