//! Providers, keys and the playground through the core, against the scripted provider and
//! an in-memory keychain (the real keychain has its own test binary). Ends by scanning the
//! database file and every answer for the key.

use std::sync::Arc;

use leadline_core::ai::assistant::PlaygroundMessage;
use leadline_core::ai::playground_photo::PlaygroundPhoto;
use leadline_core::ai::provider::Preset;
use leadline_core::ai::providers::{KeyState, ProviderInput};
use leadline_core::clock::SystemClock;
use leadline_core::error::ErrorCode;
use leadline_core::leadline::Leadline;
use leadline_core::model::lead_field::{FieldKind, LeadField};
use leadline_core::model::number_ai::NumberAi;
use leadline_core::secrets::{Keychain, MemoryKeychain};
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use leadline_tests::fakes::ai::{FakeAi, Step, turn_json};
use serde_json::json;

use crate::fast_limits;

const SECRET: &str = "sk-live-SECRET-abcdefghijklmnopqrstuvwxyz-9999";

fn input(fake: &FakeAi, key: Option<&str>) -> ProviderInput {
    ProviderInput {
        id: None,
        preset: Preset::OpenAi,
        base_url: fake.url(),
        default_model: Some("gpt-4o-mini".into()),
        key: key.map(str::to_string),
        make_default: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_keys_and_the_playground_never_expose_the_key() {
    let fake = FakeAi::start().await;
    fake.require_key(SECRET);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    let keychain = Arc::new(MemoryKeychain::default());
    let core = Leadline::new(
        Store::open(&db).unwrap(),
        Arc::new(|_| {}),
        Arc::new(SystemClock),
    )
    .with_keychain(keychain.clone())
    .with_ai_limits(fast_limits());
    let mut answers: Vec<String> = Vec::new();

    // Added with a key: the UI learns only that it is set and its last four characters.
    let added = core
        .save_ai_provider(input(&fake, Some(SECRET)))
        .await
        .unwrap();
    assert_eq!(
        added.key,
        KeyState::Set {
            last4: "9999".into()
        }
    );
    assert!(added.is_default, "the first provider becomes the default");
    answers.push(serde_json::to_string(&added).unwrap());
    assert_eq!(
        keychain
            .get("open_ai")
            .unwrap()
            .map(|k| k.expose().to_string())
            .as_deref(),
        Some(SECRET)
    );

    // Adding the same preset twice is a conflict; a bad address is refused in plain words.
    let twice = core.save_ai_provider(input(&fake, None)).await.unwrap_err();
    assert_eq!(twice.code(), ErrorCode::Conflict);
    let mut bad = input(&fake, None);
    bad.preset = Preset::Groq;
    bad.base_url = "api.groq.com".into();
    assert_eq!(
        core.save_ai_provider(bad).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    // Test connection: the real answer (the models), or the real error.
    let check = core.test_ai_provider("open_ai").await.unwrap();
    assert_eq!(check.models, ["fake-model", "fake-model-large"]);
    assert_eq!(
        check.default_model_listed,
        Some(false),
        "gpt-4o-mini isn't offered by this server"
    );
    answers.push(serde_json::to_string(&check).unwrap());

    let mut wrong = input(&fake, Some("sk-live-WRONG-0000000000000000000-1111"));
    wrong.id = Some("open_ai".into());
    core.save_ai_provider(wrong).await.unwrap();
    let refused = core.test_ai_provider("open_ai").await.unwrap_err();
    assert_eq!(
        refused.code(),
        ErrorCode::InvalidInput,
        "a wrong key is for the owner to fix"
    );
    assert!(!refused.to_string().contains("WRONG-000"), "{refused}");
    let mut back = input(&fake, Some(SECRET));
    back.id = Some("open_ai".into());
    answers.push(serde_json::to_string(&core.save_ai_provider(back).await.unwrap()).unwrap());

    // A number with a prompt and fields, linked as a Spanish number.
    let number = core.add_number("Tienda").await.unwrap();
    leadline_core::numbers::linking::state_changed(
        &core,
        number.id,
        AccountState::Working {
            me: "34600111222@c.us".into(),
        },
    )
    .await
    .unwrap();
    let bad_fields = NumberAi {
        prompt: "x".into(),
        facts: String::new(),
        fields: vec![LeadField::new("e mail!", "", FieldKind::Email)],
        criteria: String::new(),
        provider: None,
        model: None,
    };
    assert_eq!(
        core.set_number_ai(number.id, bad_fields)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    let settings = NumberAi {
        prompt: "Vendes bicis. Responde breve.".into(),
        facts: "Abrimos de 10 a 20.".into(),
        fields: vec![
            LeadField::new("name", "Nombre", FieldKind::Text),
            LeadField::new("email", "Email", FieldKind::Email),
            LeadField::new("phone", "Teléfono", FieldKind::Phone),
        ],
        criteria: "Quiere comprar y dio un contacto.".into(),
        provider: None,
        model: Some("fake-model".into()),
    };
    let saved = core
        .set_number_ai(number.id, settings.clone())
        .await
        .unwrap();
    assert_eq!(core.number_ai(number.id).await.unwrap(), saved);

    // The playground: reply, checked fields (a local phone in E.164 by the number's
    // country, a bad email flagged), the verdict, tokens and cost.
    fake.push(Step::text(turn_json(
        "¡Genial, Ana! Te llamo mañana.",
        json!({ "name": "Ana", "email": "ana@", "phone": "611 222 333" }),
        true,
        "wants a bike and left a phone",
    )));
    let conversation = vec![PlaygroundMessage {
        from_business: false,
        text: "Quiero una bici, soy Ana, 611 222 333".into(),
        photo: None,
    }];
    let turn = core.playground_turn(number.id, conversation).await.unwrap();
    assert_eq!(turn.reply, "¡Genial, Ana! Te llamo mañana.");
    assert!(turn.qualified);
    let phone = turn.fields.iter().find(|f| f.name == "phone").unwrap();
    assert_eq!(
        (phone.value.as_str(), phone.problem.as_ref()),
        ("+34611222333", None)
    );
    let email = turn.fields.iter().find(|f| f.name == "email").unwrap();
    assert_eq!(
        email.problem.as_ref().map(|problem| problem.key.as_str()),
        Some("field.not_email"),
        "an invalid email is flagged, not stored as valid"
    );
    assert_eq!(turn.prompt_tokens, 42);
    assert_eq!(turn.cost_micros, None, "fake-model has no price");
    let system = fake.requests().last().unwrap().body["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        system.contains("Vendes bicis") && system.contains("Teléfono"),
        "the number's prompt and fields are used"
    );
    answers.push(serde_json::to_string(&turn).unwrap());

    let empty = core.playground_turn(number.id, vec![]).await.unwrap_err();
    assert_eq!(empty.code(), ErrorCode::InvalidInput);

    // Removing the provider removes its key.
    core.remove_ai_provider("open_ai").await.unwrap();
    assert_eq!(keychain.get("open_ai").unwrap(), None);
    assert!(core.ai_providers().await.unwrap().is_empty());
    let none = core
        .playground_turn(
            number.id,
            vec![PlaygroundMessage {
                from_business: false,
                text: "hola".into(),
                photo: None,
            }],
        )
        .await
        .unwrap_err();
    assert!(none.to_string().contains("Settings"), "{none}");

    // Nowhere but the keychain: not in the database (or its WAL), not in any answer, not in
    // the audit log.
    for activity in core.activity(100).await.unwrap() {
        answers.push(serde_json::to_string(&activity).unwrap());
    }
    drop(core);
    for answer in &answers {
        assert!(
            !answer.contains(SECRET) && !answer.contains("SECRET-abcdef"),
            "an answer holds the key: {answer}"
        );
    }
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        let found = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        assert!(!found, "{} holds the key", entry.path().display());
    }
}

/// The last message of the provider's latest request.
fn last_message(fake: &FakeAi) -> serde_json::Value {
    let asked = fake.requests().pop().unwrap().body;
    asked["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

/// The playground takes a photo as the customer: shown to a model that sees, as the live
/// bot shows a customer's; named to one that doesn't (which would refuse the turn); and a
/// file that is no photo models take is refused in plain words before anything is asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_playground_sends_a_photo_as_the_live_bot_would() {
    let fake = FakeAi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let core = Leadline::new(
        Store::open(&dir.path().join("leadline.db")).unwrap(),
        Arc::new(|_| {}),
        Arc::new(SystemClock),
    )
    .with_keychain(Arc::new(MemoryKeychain::default()))
    .with_ai_limits(fast_limits());
    core.save_ai_provider(input(&fake, Some(SECRET)))
        .await
        .unwrap();
    let number = core.add_number("Tienda").await.unwrap();
    let with_photo = |mimetype: &str, base64: &str| {
        vec![PlaygroundMessage {
            from_business: false,
            text: "¿la tienen en azul?".into(),
            photo: Some(PlaygroundPhoto {
                mimetype: mimetype.into(),
                base64: base64.into(),
            }),
        }]
    };
    let jpeg = leadline_tests::photos::JPEG_BASE64;

    // gpt-4o-mini (the provider's default) sees: the photo goes, whole.
    fake.push(Step::text(turn_json("Sí, en azul.", json!({}), false, "")));
    let turn = core
        .playground_turn(number.id, with_photo("image/jpeg", jpeg))
        .await
        .unwrap();
    assert_eq!(turn.reply, "Sí, en azul.");
    let last = last_message(&fake);
    assert_eq!(
        last["content"][0]["text"],
        "[a photo, shown to you] ¿la tienen en azul?"
    );
    assert_eq!(
        last["content"][1]["image_url"]["url"],
        format!("data:image/jpeg;base64,{jpeg}")
    );

    // A model that can't see is told a photo came, and never sent it.
    let mut ai = core.number_ai(number.id).await.unwrap();
    ai.model = Some("fake-model".into());
    core.set_number_ai(number.id, ai).await.unwrap();
    fake.push(Step::text(turn_json(
        "¿Qué modelo es?",
        json!({}),
        false,
        "",
    )));
    core.playground_turn(number.id, with_photo("image/jpeg", jpeg))
        .await
        .unwrap();
    let last = last_message(&fake);
    assert_eq!(
        last["content"],
        "[a photo, not shown to you] ¿la tienen en azul?"
    );

    // Not a photo a model takes: refused before the provider is asked.
    let asked_before = fake.requests().len();
    let refused = core
        .playground_turn(number.id, with_photo("image/svg+xml", "PHN2Zz4="))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::InvalidInput);
    assert_eq!(fake.requests().len(), asked_before);
}
