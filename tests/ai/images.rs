//! Photos shown to models that see: each wire's shape (OpenAI's data URL part, Anthropic's
//! base64 image block before the words, Gemini's inline data), the photo's bytes whole, and
//! a model that can't see refusing one as the real providers do.

use base64::Engine as _;
use leadline_core::ai::chat::Image;
use leadline_tests::photos;

use super::*;

fn turn_with_photo(model: &str) -> ChatRequest {
    let image = Image {
        mimetype: "image/jpeg".into(),
        base64: photos::JPEG_BASE64.into(),
    };
    ChatRequest {
        model: model.into(),
        system: "You answer for a shop.".into(),
        messages: vec![ChatMessage::user_with_images(
            "[a photo, shown to you] ¿la tienen en azul?",
            vec![image],
        )],
        max_tokens: 200,
        temperature: None,
        schema: None,
    }
}

fn decoded(base64: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap()
}

#[tokio::test]
async fn each_wire_shows_the_photo_in_its_own_shape_with_its_bytes_whole() {
    let fake = FakeAi::start().await;
    let client = AiClient::new(fast_limits());

    fake.push(Step::text("Sí, en azul."));
    let ep = endpoint(&fake, Preset::OpenAi, Some(KEY));
    client
        .chat(&ep, &turn_with_photo("gpt-4o-mini"))
        .await
        .unwrap();
    let asked = fake.requests().pop().unwrap();
    let parts = asked.body["messages"][1]["content"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(parts[0]["type"], "text");
    assert_eq!(
        parts[0]["text"],
        "[a photo, shown to you] ¿la tienen en azul?"
    );
    let url = parts[1]["image_url"]["url"].as_str().unwrap();
    let data = url.strip_prefix("data:image/jpeg;base64,").unwrap();
    assert_eq!(decoded(data), photos::jpeg());

    fake.push(Step::text("Sí, en azul."));
    let ep = endpoint(&fake, Preset::Anthropic, Some(KEY));
    client
        .chat(&ep, &turn_with_photo("claude-3-5-haiku-latest"))
        .await
        .unwrap();
    let asked = fake.requests().pop().unwrap();
    let blocks = asked.body["messages"][0]["content"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(blocks[0]["type"], "image", "the photo before the words");
    assert_eq!(blocks[0]["source"]["media_type"], "image/jpeg");
    assert_eq!(
        decoded(blocks[0]["source"]["data"].as_str().unwrap()),
        photos::jpeg()
    );
    assert_eq!(blocks[1]["type"], "text");

    fake.push(Step::text("Sí, en azul."));
    let ep = endpoint(&fake, Preset::Gemini, Some(KEY));
    client
        .chat(&ep, &turn_with_photo("gemini-2.0-flash"))
        .await
        .unwrap();
    let asked = fake.requests().pop().unwrap();
    let parts = asked.body["contents"][0]["parts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        parts[0]["text"],
        "[a photo, shown to you] ¿la tienen en azul?"
    );
    assert_eq!(parts[1]["inlineData"]["mimeType"], "image/jpeg");
    assert_eq!(
        decoded(parts[1]["inlineData"]["data"].as_str().unwrap()),
        photos::jpeg()
    );
}

#[tokio::test]
async fn a_model_that_cant_see_refuses_a_photo_and_the_words_alone_go_through() {
    let fake = FakeAi::start().await;
    let client = AiClient::new(fast_limits());
    let ep = endpoint(&fake, Preset::Custom, Some(KEY));
    let err = client
        .chat(&ep, &turn_with_photo("llama-3.1-8b-instant"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AiError::Rejected { status: 400, .. }),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains(photos::JPEG_BASE64),
        "the photo is never in an error"
    );
    // The same turn without the photo (what Leadline sends a model that can't see).
    let mut words = turn_with_photo("llama-3.1-8b-instant");
    words.messages[0].images.clear();
    fake.push(Step::text("Sí."));
    client.chat(&ep, &words).await.unwrap();
}

#[test]
fn a_photo_never_goes_whole_into_a_log_line() {
    let image = Image {
        mimetype: "image/jpeg".into(),
        base64: photos::JPEG_BASE64.into(),
    };
    let shown = format!("{image:?}");
    assert!(!shown.contains(&photos::JPEG_BASE64[..40]), "{shown}");
}
