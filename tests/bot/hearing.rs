//! A customer's voice note heard on this computer (whisper.cpp, a real tiny.en model) or by
//! the owner's provider (the scripted one), and answered like text, its chat's turn waiting
//! for it; one that can't be heard is left for the owner, who is told, and never answered
//! blind.

use leadline_core::media::hearing::Hearer;
use leadline_core::model::message_kind::{MessageDetails, MessageKind};
use leadline_core::model::transcript::HearingState;
use leadline_tests::voice_notes;
use leadline_voice::hearing::LocalHearing;

use super::exactly_once::{events_named, live_connected};
use super::*;

fn voice_note(short: &str, bytes: usize) -> WaMessage {
    let mut voice = from_customer(short, "");
    voice.kind = MessageKind::Voice;
    voice.details = Box::new(MessageDetails {
        mimetype: Some("audio/ogg; codecs=opus".into()),
        size: Some(bytes as u64),
        duration_s: Some(3),
        ..MessageDetails::default()
    });
    voice
}

/// The live bot hearing with the test command's model; `None` (SKIPPED) without one.
async fn hearing_bot() -> Option<Bot> {
    let model = voice_notes::model()?;
    let bot = live_connected(r#"{"debounceSeconds": 1}"#).await;
    let hearing = LocalHearing::load(&model).expect("the model loads");
    bot.app.set_hearing(Some(Hearer::Local(Arc::new(hearing))));
    Some(bot)
}

/// Message `short`'s transcript as Conversations shows it, once it is no longer pending.
async fn heard(bot: &Bot, short: &str) -> leadline_core::model::transcript::VoiceTranscript {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let id = bot
            .messages()
            .iter()
            .find(|m| m.wa_msg_id.ends_with(&format!("_{short}")))
            .map(|m| m.id);
        // The chat is there once its message is.
        let mut found = None;
        if id.is_some() {
            let shown = bot
                .core
                .transcript(bot.chat_of(ANA), None, 50)
                .await
                .unwrap();
            found = shown
                .messages
                .iter()
                .find(|m| Some(m.id) == id)
                .and_then(|m| m.heard.clone());
        }
        if let Some(t) = found.filter(|t| t.state != HearingState::Pending) {
            return t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{short} heard within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voice_note_is_heard_and_answered_like_text_with_a_text_after_it_in_one_turn() {
    let Some(bot) = hearing_bot().await else {
        return;
    };
    let ogg = voice_notes::spoken("hello, how much is the blue shirt", "en-us");
    bot.wa.media(&format!("false_{ANA}_V1"), Ok(ogg.clone()));
    bot.ai.push(reply(
        "The blue shirt is 20 euros, and yes, it comes in green.",
    ));
    assert!(bot.wa.deliver(voice_note("V1", ogg.len())));
    // Words after the note: the turn waits for the note's, then answers both at once.
    assert!(bot.wa.deliver(from_customer("T1", "and in green?")));
    until("the note and the text answered", || {
        bot.wa.sent().len() == 1
    })
    .await;

    let transcript = heard(&bot, "V1").await;
    assert_eq!(transcript.state, HearingState::Done);
    assert_eq!(transcript.language.as_deref(), Some("en"));
    assert_eq!(transcript.by_provider, None, "heard on this computer");
    let words = transcript.text.clone().unwrap_or_default().to_lowercase();
    assert!(words.contains("blue shirt"), "heard: {words}");

    assert_eq!(
        bot.ai.requests().len(),
        1,
        "one turn for the note and the text"
    );
    let asked = bot.last_asked();
    let told = asked
        .iter()
        .find(|m| m.starts_with("[a voice note, transcribed; spoken in en]"))
        .unwrap_or_else(|| panic!("the assistant reads the note's words: {asked:?}"));
    assert!(told.to_lowercase().contains("blue shirt"), "{told}");
    let note_at = asked.iter().position(|m| m == told);
    let text_at = asked.iter().position(|m| m == "and in green?");
    assert!(note_at < text_at, "in the order they came: {asked:?}");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(bot.wa.sent().len(), 1, "answered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_that_cant_be_heard_is_left_for_the_owner_who_is_told_and_the_chat_goes_on() {
    let Some(bot) = hearing_bot().await else {
        return;
    };
    // Not sound: a damaged file that WhatsApp delivered all the same.
    let damaged = b"OggS\0\x02 not a voice note at all".to_vec();
    bot.wa
        .media(&format!("false_{ANA}_V2"), Ok(damaged.clone()));
    assert!(bot.wa.deliver(voice_note("V2", damaged.len())));
    let transcript = heard(&bot, "V2").await;
    assert_eq!(
        (transcript.state, transcript.reason.as_deref()),
        (HearingState::Failed, Some("not_sound"))
    );
    until("the owner told", || events_named(&bot, "reply:failed") == 1).await;
    let row = bot
        .inbox()
        .into_iter()
        .find(|r| {
            r.message_id
                == bot
                    .messages()
                    .iter()
                    .find(|m| m.wa_msg_id.ends_with("_V2"))
                    .unwrap()
                    .id
        })
        .unwrap();
    assert_eq!(row.state, InboxState::Failed, "left for the owner");
    assert!(bot.wa.sent().is_empty(), "never answered blind");
    assert!(bot.ai.requests().is_empty());

    // The file never came: the same, and the customer's next words are answered.
    bot.wa.media(
        &format!("false_{ANA}_V3"),
        Err(leadline_core::whatsapp::media::DownloadFailure::Timeout),
    );
    assert!(bot.wa.deliver(voice_note("V3", 4_000)));
    let transcript = heard(&bot, "V3").await;
    assert_eq!(transcript.reason.as_deref(), Some("no_file"));
    bot.ai.push(reply("Claro, dime."));
    assert!(bot.wa.deliver(from_customer("T2", "¿me oyes?")));
    until("the text answered", || bot.wa.sent().len() == 1).await;
    assert_eq!(events_named(&bot, "reply:failed"), 2, "told once per note");
}

/// Hearing set up (again) while a note's file is still on its way: the notes waiting are
/// heard once their files are kept, never failed as "no file" while the download runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_whose_file_is_still_coming_waits_for_it_when_hearing_is_set_up() {
    let Some(bot) = hearing_bot().await else {
        return;
    };
    bot.wa.slow_downloads(Duration::from_millis(1_500));
    let ogg = voice_notes::spoken("hello, how much is the blue shirt", "en-us");
    bot.wa.media(&format!("false_{ANA}_V4"), Ok(ogg.clone()));
    bot.ai.push(reply("It is 20 euros."));
    assert!(bot.wa.deliver(voice_note("V4", ogg.len())));
    until("the note stored", || {
        bot.messages().iter().any(|m| m.wa_msg_id.ends_with("_V4"))
    })
    .await;
    // The model loaded again (the owner chose it in Settings) while the file comes.
    let model = voice_notes::model().expect("the model is there: the bot started");
    bot.app.set_hearing(Some(Hearer::Local(Arc::new(
        LocalHearing::load(&model).unwrap(),
    ))));

    let transcript = heard(&bot, "V4").await;
    assert_eq!(
        (transcript.state, transcript.reason.as_deref()),
        (HearingState::Done, None),
        "heard once its file came"
    );
    until("the note answered", || bot.wa.sent().len() == 1).await;
    assert_eq!(
        events_named(&bot, "reply:failed"),
        0,
        "nobody told of a failure"
    );
}

/// The live bot hearing by its AI provider (the scripted one, OpenAI-compatible).
/// A note whose file never came is heard once the owner's "Try again" fetches it: its words
/// shown under it for the owner, who was told to answer it, so the bot doesn't.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_without_its_file_is_heard_after_try_again_fetches_it() {
    let Some(bot) = hearing_bot().await else {
        return;
    };
    let wa_id = format!("false_{ANA}_V6");
    bot.wa.media(
        &wa_id,
        Err(leadline_core::whatsapp::media::DownloadFailure::Timeout),
    );
    let ogg = voice_notes::spoken("hello, how much is the blue shirt", "en-us");
    assert!(bot.wa.deliver(voice_note("V6", ogg.len())));
    assert_eq!(heard(&bot, "V6").await.reason.as_deref(), Some("no_file"));
    until("the owner told", || events_named(&bot, "reply:failed") == 1).await;

    bot.wa.media(&wa_id, Ok(ogg));
    let id = bot
        .messages()
        .iter()
        .find(|m| m.wa_msg_id == wa_id)
        .map(|m| m.id)
        .unwrap();
    bot.app.retry_media(id);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let transcript = loop {
        let transcript = heard(&bot, "V6").await;
        if transcript.state == HearingState::Done || tokio::time::Instant::now() > deadline {
            break transcript;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(transcript.state, HearingState::Done, "{transcript:?}");
    let words = transcript.text.unwrap_or_default().to_lowercase();
    assert!(words.contains("blue shirt"), "{words}");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        bot.wa.sent().is_empty(),
        "left for the owner, as they were told"
    );
    assert_eq!(events_named(&bot, "reply:failed"), 1, "told once");
}

async fn provider_bot() -> Bot {
    let bot = live_connected(r#"{"debounceSeconds": 1}"#).await;
    let provider = bot.core.ai_providers().await.unwrap()[0].id.clone();
    bot.app.set_hearing(Some(Hearer::Provider(provider)));
    bot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_heard_by_the_provider_is_answered_in_its_language_and_its_cost_recorded() {
    let bot = provider_bot().await;
    bot.ai.hears_language("spanish");
    // The provider hears the note first, then answers the turn.
    bot.ai
        .push(Step::text("hola, ¿cuánto cuesta la camisa azul?"));
    bot.ai.push(reply("La camisa azul cuesta 20 euros."));
    let ogg = voice_notes::spoken("hola, cuanto cuesta la camisa azul", "es");
    bot.wa.media(&format!("false_{ANA}_P1"), Ok(ogg.clone()));
    assert!(bot.wa.deliver(voice_note("P1", ogg.len())));
    until("the note answered", || bot.wa.sent().len() == 1).await;

    let transcript = heard(&bot, "P1").await;
    assert_eq!(transcript.state, HearingState::Done);
    assert_eq!(transcript.language.as_deref(), Some("es"));
    assert_eq!(
        transcript.by_provider.as_deref(),
        Some("Other (OpenAI-compatible)"),
        "Conversations says who heard it"
    );
    assert_eq!(
        transcript.text.as_deref(),
        Some("hola, ¿cuánto cuesta la camisa azul?")
    );
    let asked = bot.ai.requests();
    assert_eq!(asked[0].path, "/v1/audio/transcriptions");
    assert_eq!(asked[0].body["file"]["name"], "voice-note.ogg");
    assert!(
        bot.last_asked().iter().any(|m| m
            == "[a voice note, transcribed; spoken in es] hola, ¿cuánto cuesta la camisa azul?"),
        "the assistant reads the words: {:?}",
        bot.last_asked()
    );
    let calls: Vec<_> = inspect::ai_calls(bot.core.store())
        .into_iter()
        .filter(|c| c.purpose == Purpose::Transcription)
        .collect();
    assert_eq!(calls.len(), 1, "the hearing is recorded as AI usage");
    assert!(calls[0].ok);
    assert_eq!(calls[0].model, "whisper-1");
    assert!(
        calls[0].cost_micros > 0,
        "billed by the minute: {} micro-dollars",
        calls[0].cost_micros
    );
    assert_eq!(bot.ai_calls(Purpose::Reply), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_refuses_the_key_leaves_the_note_for_the_owner_who_is_told() {
    let bot = provider_bot().await;
    bot.ai.require_key("sk-another-key");
    let ogg = voice_notes::spoken("hello", "en-us");
    bot.wa.media(&format!("false_{ANA}_P2"), Ok(ogg.clone()));
    assert!(bot.wa.deliver(voice_note("P2", ogg.len())));
    let transcript = heard(&bot, "P2").await;
    assert_eq!(
        (transcript.state, transcript.reason.as_deref()),
        (HearingState::Failed, Some("provider_key"))
    );
    until("the owner told", || events_named(&bot, "reply:failed") == 1).await;
    assert!(bot.wa.sent().is_empty(), "never answered blind");
    let calls = inspect::ai_calls(bot.core.store());
    assert!(
        calls
            .iter()
            .any(|c| c.purpose == Purpose::Transcription && !c.ok),
        "the failed call is recorded too"
    );
    assert_eq!(bot.ai_calls(Purpose::Reply), 0);
}
