//! The first-run checklist reads each step from what the owner did, in any order: an AI
//! provider set up, a number linked, an answer in the Playground of a number with
//! instructions, working hours. Steps put off and the list closed are kept.

use std::sync::Arc;

use leadline_core::ai::assistant::PlaygroundMessage;
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::model::bot_start::BotStart;
use leadline_core::model::first_steps::{FirstStep, FirstStepsChoice};
use leadline_core::model::schedule::Schedule;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::settings::first_steps;
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use leadline_tests::fakes::ai::{FakeAi, Step, turn_json};
use serde_json::json;

use crate::fast_limits;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_step_is_done_by_doing_it_and_the_owners_choices_are_kept() {
    let fake = FakeAi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        Leadline::new(
            Store::open(&dir.path().join("leadline.db")).unwrap(),
            Arc::new(|_| {}),
            Arc::new(SystemClock),
        )
        .with_keychain(Arc::new(MemoryKeychain::default()))
        .with_ai_limits(fast_limits())
    };
    let core = open();
    let fresh = first_steps::read(&core).await.unwrap();
    assert!(fresh.done.is_empty() && fresh.later.is_empty() && !fresh.hidden);

    // A number first (any order works), linked.
    let shop = core.add_number("Tienda").await.unwrap();
    assert!(
        first_steps::read(&core).await.unwrap().done.is_empty(),
        "added is not linked"
    );
    leadline_core::numbers::linking::state_changed(
        &core,
        shop.id,
        AccountState::Working {
            me: "34600111222@c.us".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        first_steps::read(&core).await.unwrap().done,
        [FirstStep::Link]
    );

    // The AI.
    core.save_ai_provider(crate::fake_provider(&fake))
        .await
        .unwrap();

    // An answer in the Playground counts only with instructions written.
    let ask = || {
        vec![PlaygroundMessage {
            from_business: false,
            text: "hola".into(),
            photo: None,
        }]
    };
    fake.push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    core.playground_turn(shop.id, ask()).await.unwrap();
    let steps = first_steps::read(&core).await.unwrap();
    assert_eq!(
        steps.done,
        [FirstStep::Ai, FirstStep::Link],
        "no instructions yet"
    );
    let mut ai = core.number_ai(shop.id).await.unwrap();
    ai.prompt = "Vendes camisetas. Responde breve.".into();
    core.set_number_ai(shop.id, ai).await.unwrap();
    fake.push(Step::text(turn_json(
        "¡Hola! ¿Qué talla?",
        json!({}),
        false,
        "",
    )));
    core.playground_turn(shop.id, ask()).await.unwrap();
    assert!(
        first_steps::read(&core)
            .await
            .unwrap()
            .done
            .contains(&FirstStep::Assistant)
    );

    // Hours put off, then the list closed: kept across a restart.
    let chosen = first_steps::choose(
        &core,
        FirstStepsChoice {
            later: vec![FirstStep::Hours, FirstStep::Hours],
            hidden: true,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (chosen.later.as_slice(), chosen.hidden),
        (&[FirstStep::Hours][..], true)
    );
    drop(core);
    let core = open();
    let again = first_steps::read(&core).await.unwrap();
    assert_eq!(
        (again.later.as_slice(), again.hidden),
        (&[FirstStep::Hours][..], true)
    );

    // Working hours set: done, whatever was put off.
    let mut bot = core.number_bot(shop.id).await.unwrap();
    bot.schedule = Some(Schedule {
        zone: "Europe/Madrid".into(),
        periods: vec![],
        holidays: vec![],
        closures: vec![],
    });
    core.set_number_bot(shop.id, bot).await.unwrap();
    assert_eq!(
        first_steps::read(&core).await.unwrap().done,
        [
            FirstStep::Ai,
            FirstStep::Link,
            FirstStep::Assistant,
            FirstStep::Hours
        ]
    );
}

/// Item 1: a new number's assistant answers no customer until the owner has seen it answer
/// in the Playground or switched it on; the owner's own switch is never undone by trying.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_numbers_assistant_answers_only_once_tried_or_switched_on() {
    let fake = FakeAi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let core = crate::core_in(dir.path());
    core.save_ai_provider(crate::fake_provider(&fake))
        .await
        .unwrap();
    let ask = || {
        vec![PlaygroundMessage {
            from_business: false,
            text: "hola".into(),
            photo: None,
        }]
    };
    let state = |bot: &leadline_core::bot::settings::NumberBot| (bot.enabled, bot.started);

    // New: waiting. Saving its hours with the switch untouched keeps it waiting.
    let shop = core.add_number("Tienda").await.unwrap();
    let mut bot = core.number_bot(shop.id).await.unwrap();
    assert_eq!(state(&bot), (false, BotStart::Waiting));
    bot.behaviour.debounce_seconds = 5;
    let bot = core.set_number_bot(shop.id, bot).await.unwrap();
    assert_eq!(state(&bot), (false, BotStart::Waiting));

    // A Playground turn that fails starts nothing (a refused key is not tried again).
    fake.push(Step::status(401, r#"{"error":{"message":"bad key"}}"#));
    core.playground_turn(shop.id, ask()).await.unwrap_err();
    assert_eq!(
        state(&core.number_bot(shop.id).await.unwrap()),
        (false, BotStart::Waiting)
    );

    // One that answers starts it, once.
    fake.push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    let turn = core.playground_turn(shop.id, ask()).await.unwrap();
    assert!(turn.started_answering);
    assert_eq!(
        state(&core.number_bot(shop.id).await.unwrap()),
        (true, BotStart::Playground)
    );
    fake.push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    let again = core.playground_turn(shop.id, ask()).await.unwrap();
    assert!(!again.started_answering);

    // Switched on by hand: the owner's.
    let second = core.add_number("Taller").await.unwrap();
    let mut bot = core.number_bot(second.id).await.unwrap();
    bot.enabled = true;
    let bot = core.set_number_bot(second.id, bot).await.unwrap();
    assert_eq!(state(&bot), (true, BotStart::Owner));

    // Switched off by the owner after it started: trying it again doesn't switch it on.
    let mut bot = core.number_bot(shop.id).await.unwrap();
    bot.enabled = false;
    let bot = core.set_number_bot(shop.id, bot).await.unwrap();
    assert_eq!(state(&bot), (false, BotStart::Owner));
    fake.push(Step::text(turn_json("¡Hola!", json!({}), false, "")));
    let tried = core.playground_turn(shop.id, ask()).await.unwrap();
    assert!(!tried.started_answering);
    assert_eq!(
        state(&core.number_bot(shop.id).await.unwrap()),
        (false, BotStart::Owner)
    );
}
