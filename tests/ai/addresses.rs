//! Keys, addresses and redirects (issue 25, item 8): a provider's key goes only to the
//! address it was given for; plain http only to this computer; a redirect to another
//! server is never followed with the key.

use leadline_core::ai::client::AiClient;
use leadline_core::ai::error::AiError;
use leadline_core::ai::provider::Preset;
use leadline_core::ai::providers::ProviderInput;
use leadline_core::error::ErrorCode;
use leadline_core::leadline::Leadline;
use leadline_tests::fakes::ai::{FakeAi, Step};

use crate::{KEY, endpoint, fast_limits, turn};

fn core() -> (Leadline, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (crate::core_in(dir.path()), dir)
}

fn provider(id: Option<&str>, base_url: String, key: Option<&str>) -> ProviderInput {
    ProviderInput {
        id: id.map(str::to_string),
        preset: Preset::OpenAi,
        base_url,
        default_model: Some("fake-model".into()),
        key: key.map(str::to_string),
        make_default: true,
    }
}

#[tokio::test]
async fn plain_http_is_refused_for_a_provider_on_another_computer() {
    let (core, _dir) = core();
    let refused = core
        .save_ai_provider(provider(
            None,
            "http://api.example.com/v1".into(),
            Some(KEY),
        ))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert!(refused.to_string().contains("https://"), "{refused}");
    let local = core
        .save_ai_provider(provider(
            None,
            "http://127.0.0.1:11434/v1".into(),
            Some(KEY),
        ))
        .await;
    assert!(local.is_ok(), "{local:?}");
}

#[tokio::test]
async fn a_provider_moved_to_another_server_needs_its_key_again() {
    let (first, elsewhere) = (FakeAi::start().await, FakeAi::start().await);
    let (core, _dir) = core();
    let saved = core
        .save_ai_provider(provider(None, first.url(), Some(KEY)))
        .await
        .unwrap();
    let moved = core
        .save_ai_provider(provider(Some(&saved.id), elsewhere.url(), None))
        .await
        .unwrap_err();
    assert_eq!(moved.code(), ErrorCode::InvalidInput);
    assert!(moved.to_string().contains("key"), "{moved}");
    // Nothing changed: "Test connection" still asks the first server.
    core.test_ai_provider(&saved.id).await.unwrap();
    assert!(
        elsewhere.requests().is_empty(),
        "the key never went elsewhere"
    );
    // A path on the same server keeps the key.
    let same_server = format!("{}/", first.url());
    core.save_ai_provider(provider(Some(&saved.id), same_server, None))
        .await
        .unwrap();
    // With the key given again, it moves.
    core.save_ai_provider(provider(Some(&saved.id), elsewhere.url(), Some(KEY)))
        .await
        .unwrap();
    core.test_ai_provider(&saved.id).await.unwrap();
    assert_eq!(elsewhere.requests().len(), 1);
}

#[tokio::test]
async fn a_redirect_to_another_server_is_never_followed_with_the_key() {
    let client = AiClient::new(fast_limits());
    for (preset, path) in [
        (Preset::Anthropic, "/messages"),
        (Preset::Gemini, "/models/fake-model:generateContent"),
        (Preset::OpenAi, "/chat/completions"),
    ] {
        let (asked, elsewhere) = (FakeAi::start().await, FakeAi::start().await);
        let target = if preset == Preset::Gemini {
            elsewhere.gemini_url()
        } else {
            elsewhere.url()
        };
        asked.push(Step::Raw {
            status: 307,
            headers: vec![("location".into(), format!("{target}{path}"))],
            body: String::new(),
        });
        let error = turn(&client, &endpoint(&asked, preset, Some(KEY)))
            .await
            .unwrap_err();
        assert!(
            matches!(error, AiError::Redirected { status: 307, .. }),
            "{preset:?}: {error:?}"
        );
        assert!(
            elsewhere.requests().is_empty(),
            "{preset:?}: the key went to the other server"
        );
    }
}
