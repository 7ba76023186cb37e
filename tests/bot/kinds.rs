//! What is not text (a photo, a voice note, a document…) is kept for the owner with what it
//! carries and never answered as if the assistant had seen or heard it; the assistant is
//! told it came when it answers the customer's next words.

use leadline_core::model::message_kind::{MessageDetails, MessageKind};
use sha2::Digest;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_is_kept_for_the_owner_unanswered_and_the_next_words_are_answered_knowing_it_came()
{
    let bot = Bot::start().await;
    let mut photo = from_customer("P1", "¿la tienen en azul?");
    photo.kind = MessageKind::Image;
    photo.details = Box::new(MessageDetails {
        mimetype: Some("image/jpeg".into()),
        size: Some(48_213),
        thumbnail: Some("/9j/4AAQSkZJRg==".into()),
        ..MessageDetails::default()
    });
    let handled = bot.process(photo).await.unwrap();
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::NotText
        }
    );
    assert!(bot.wa.sent().is_empty(), "a photo is never answered blind");
    assert!(
        bot.ai.requests().is_empty(),
        "nor sent to the AI as if seen"
    );

    // Kept for the owner as it came: Conversations shows a photo with its caption.
    let chat = bot.chat_of(ANA);
    let transcript = bot.core.transcript(chat, None, 50).await.unwrap();
    let shown = &transcript.messages[0];
    assert_eq!(
        (shown.kind, shown.body.as_str()),
        (MessageKind::Image, "¿la tienen en azul?")
    );
    let details = shown.details.as_ref().expect("the photo's details");
    assert_eq!(
        (details.size, details.thumbnail.as_deref()),
        (Some(48_213), Some("/9j/4AAQSkZJRg=="))
    );

    // The customer's next words are answered, and the assistant knows a photo came first.
    bot.ai.push(reply("Sí, también en azul. ¿Qué talla?"));
    let handled = bot.customer("P2", ANA, "¿y en talla M?").await.unwrap();
    assert!(matches!(handled, Handled::Replied { .. }), "{handled:?}");
    let asked = bot.last_asked();
    assert!(
        asked
            .iter()
            .any(|m| m == "[a photo, not shown to you] ¿la tienen en azul?"),
        "the assistant is told a photo came, never that it saw it: {asked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_before_the_answer_is_answered_as_edited_and_a_deleted_message_is_not_answered() {
    use leadline_core::bot::changes;
    let bot = Bot::start().await;

    // Deleted for everyone before its turn: never answered, its text kept for the owner.
    let row = bot
        .receive(from_customer("R1", "¿me pasás el precio?"))
        .await
        .unwrap();
    changes::revoked(bot.app.bot(), bot.id, format!("false_{ANA}_R1"))
        .await
        .unwrap();
    let handled = bot.handle(row).await;
    assert_eq!(
        handled,
        Handled::Skipped {
            reason: SkipReason::Deleted
        }
    );
    assert!(bot.wa.sent().is_empty() && bot.ai.requests().is_empty());

    // Edited before its turn: the turn answers the text as it is now.
    bot.ai.push(reply("La M está disponible."));
    let row = bot
        .receive(from_customer("E1", "¿tienen la talla S?"))
        .await
        .unwrap();
    changes::edited(
        bot.app.bot(),
        bot.id,
        format!("false_{ANA}_E1"),
        "¿tienen la talla M?".into(),
    )
    .await
    .unwrap();
    let handled = bot.handle(row).await;
    assert!(matches!(handled, Handled::Replied { .. }), "{handled:?}");
    let asked = bot.last_asked();
    assert!(
        asked.iter().any(|m| m == "¿tienen la talla M?"),
        "{asked:?}"
    );
    assert!(
        !asked.iter().any(|m| m.contains("talla S")),
        "the first text is the owner's only: {asked:?}"
    );
    assert!(
        asked.iter().any(|m| m == "[a message its sender deleted]"),
        "the assistant knows a message was deleted, never what it said: {asked:?}"
    );
    bot.echoes_back().await;

    // The customer reacts to the reply; a newer reaction replaces theirs.
    let reply_id = bot.wa.sent()[0].id.clone();
    changes::reacted(
        bot.app.bot(),
        bot.id,
        reply_id.clone(),
        ANA.into(),
        "👍".into(),
        2_000,
    )
    .await
    .unwrap();
    changes::reacted(
        bot.app.bot(),
        bot.id,
        reply_id.clone(),
        ANA.into(),
        "😂".into(),
        1_000,
    )
    .await
    .unwrap();
    changes::reacted(
        bot.app.bot(),
        bot.id,
        reply_id,
        ANA.into(),
        "❤️".into(),
        3_000,
    )
    .await
    .unwrap();

    // The owner sees it all in Conversations.
    let transcript = bot
        .core
        .transcript(bot.chat_of(ANA), None, 50)
        .await
        .unwrap();
    let by_body = |body: &str| {
        transcript
            .messages
            .iter()
            .find(|m| m.body == body)
            .unwrap_or_else(|| panic!("{body}: {:?}", transcript.messages))
    };
    let deleted = by_body("¿me pasás el precio?");
    assert!(deleted.deleted && !deleted.edited);
    let edited = by_body("¿tienen la talla M?");
    assert!(edited.edited && !edited.deleted);
    assert_eq!(edited.original_body.as_deref(), Some("¿tienen la talla S?"));
    assert_eq!(
        by_body("La M está disponible.").reactions,
        ["❤️"],
        "one per person, the newest"
    );
}

/// The state of message `short`'s file as Conversations shows it, once it is `want`.
async fn media_state(bot: &Bot, short: &str, want: &str) -> leadline_core::model::media::MediaFile {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let transcript = bot
            .core
            .transcript(bot.chat_of(ANA), None, 50)
            .await
            .unwrap();
        let stored = bot.messages();
        let id = stored
            .iter()
            .find(|m| m.wa_msg_id.ends_with(&format!("_{short}")))
            .map(|m| m.id);
        let file = transcript
            .messages
            .iter()
            .find(|m| Some(m.id) == id)
            .and_then(|m| m.media.clone());
        if let Some(file) = file.filter(|f| f.state.as_str() == want) {
            return file;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{short}'s file never became {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn voice_note(short: &str, size: u64) -> WaMessage {
    let mut voice = from_customer(short, "");
    voice.kind = MessageKind::Voice;
    voice.details = Box::new(MessageDetails {
        mimetype: Some("audio/ogg; codecs=opus".into()),
        size: Some(size),
        duration_s: Some(4),
        ..MessageDetails::default()
    });
    voice
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_voice_note_is_fetched_beside_its_turn_kept_under_the_number_and_tried_again() {
    use leadline_core::whatsapp::media::DownloadFailure;
    let bot = Bot::start().await;
    bot.connect().await;
    let ogg = b"OggS\0\x02a voice note".to_vec();
    bot.wa.media(&format!("false_{ANA}_V1"), Ok(ogg.clone()));
    bot.receive(voice_note("V1", ogg.len() as u64))
        .await
        .unwrap();
    let kept = media_state(&bot, "V1", "stored").await;
    assert_eq!(kept.bytes, Some(ogg.len() as u64));
    let sha256 = hex::encode(sha2::Sha256::digest(&ogg));
    let number_dir = bot
        ._dir
        .path()
        .join("profiles/media")
        .join(bot.id.to_string());
    let file = number_dir.join(format!("{sha256}.ogg"));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        ogg,
        "kept whole under the number, named by its hash"
    );
    // The window gets it by the message's id only, with its type.
    let v1 = bot
        .messages()
        .iter()
        .find(|m| m.wa_msg_id.ends_with("_V1"))
        .unwrap()
        .id;
    let content = bot.app.media_file(v1).await.unwrap();
    assert_eq!(content.mimetype, "audio/ogg");
    use base64::Engine;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(&content.data)
            .unwrap(),
        ogg
    );

    // The phone is away and the file expired: a failure with its reason; "Try again" once
    // the phone is back fetches it.
    bot.wa
        .media(&format!("false_{ANA}_V2"), Err(DownloadFailure::Timeout));
    let row = bot.receive(voice_note("V2", 9)).await.unwrap();
    let failed = media_state(&bot, "V2", "failed").await;
    assert_eq!(failed.reason.as_deref(), Some("timeout"));
    bot.wa
        .media(&format!("false_{ANA}_V2"), Ok(b"OggS again".to_vec()));
    bot.app.retry_media(row);
    media_state(&bot, "V2", "stored").await;

    // Announced over the size kept: refused without asking WhatsApp for it.
    bot.receive(voice_note("V3", 1 << 40)).await.unwrap();
    let refused = media_state(&bot, "V3", "failed").await;
    assert_eq!(refused.reason.as_deref(), Some("too_large"));
    assert!(!bot.wa.downloads().iter().any(|id| id.ends_with("_V3")));
    // A copy goes to Downloads (the name made safe, never over another file).
    let downloads = bot._dir.path().join("Downloads");
    let first = bot.app.save_media(v1, downloads.clone()).await.unwrap();
    let second = bot.app.save_media(v1, downloads.clone()).await.unwrap();
    assert_eq!(std::fs::read(&first).unwrap(), ogg);
    assert_ne!(first, second, "a second copy never overwrites the first");
    assert!(first.starts_with(&downloads) && second.starts_with(&downloads));
    let v3 = bot
        .messages()
        .iter()
        .find(|m| m.wa_msg_id.ends_with("_V3"))
        .unwrap()
        .id;
    let not_kept = bot.app.media_file(v3).await.unwrap_err();
    assert!(
        not_kept
            .text()
            .to_string()
            .contains("not kept on this computer"),
        "{not_kept:?}"
    );

    // Removing the number removes its files.
    bot.app.remove_number(bot.id).await.unwrap();
    assert!(!number_dir.exists(), "the number's media files go with it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_older_than_the_owner_keeps_them_are_removed_and_say_so() {
    let bot = Bot::start().await;
    bot.connect().await;
    let day_ms = 86_400_000;
    let now = jiff::Timestamp::now().as_millisecond();
    for (short, arrived) in [("OLD", now - 2 * day_ms), ("NEW", now)] {
        bot.wa.media(
            &format!("false_{ANA}_{short}"),
            Ok(format!("OggS {short}").into_bytes()),
        );
        leadline_core::bot::intake::receive_at(
            bot.app.bot(),
            bot.id,
            voice_note(short, 9),
            arrived,
        )
        .await
        .unwrap();
        media_state(&bot, short, "stored").await;
    }
    let folder = bot
        ._dir
        .path()
        .join("profiles/media")
        .join(bot.id.to_string());
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 2);

    // Kept for a day: the two-day-old file goes, today's stays.
    let mut settings = bot.core.settings().await.unwrap();
    settings.media_keep_days = Some(0);
    assert!(
        bot.core.set_settings(settings.clone()).await.is_err(),
        "0 days is refused"
    );
    settings.media_keep_days = Some(1);
    bot.core.set_settings(settings).await.unwrap();
    let removed = leadline_core::bot::media::forget_old(bot.app.bot())
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let gone = media_state(&bot, "OLD", "failed").await;
    assert_eq!(gone.reason.as_deref(), Some("removed_old"));
    media_state(&bot, "NEW", "stored").await;
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        1,
        "only today's file is left"
    );
}
