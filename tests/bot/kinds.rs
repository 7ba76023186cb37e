//! What is not text (a photo, a voice note, a document…) is kept for the owner with what it
//! carries and never answered as if the assistant had seen or heard it; the assistant is
//! told it came when it answers the customer's next words.

use leadline_core::model::message_kind::{MessageDetails, MessageKind};
use leadline_tests::photos;
use sha2::Digest;

use super::*;

fn photo(short: &str, caption: &str) -> WaMessage {
    let mut photo = from_customer(short, caption);
    photo.kind = MessageKind::Image;
    photo.details = Box::new(MessageDetails {
        mimetype: Some("image/jpeg".into()),
        size: Some(photos::jpeg().len() as u64),
        thumbnail: Some("/9j/4AAQSkZJRg==".into()),
        ..MessageDetails::default()
    });
    photo
}

fn price_list(short: &str) -> WaMessage {
    let mut document = from_customer(short, "");
    document.kind = MessageKind::Document;
    document.details = Box::new(MessageDetails {
        mimetype: Some("application/pdf".into()),
        filename: Some("lista-precios.pdf".into()),
        size: Some(183_000),
        page_count: Some(4),
        ..MessageDetails::default()
    });
    document
}

/// The number's assistant answers with `model`.
async fn with_model(bot: &Bot, model: &str) {
    let mut ai = bot.core.number_ai(bot.id).await.unwrap();
    ai.model = Some(model.into());
    bot.core.set_number_ai(bot.id, ai).await.unwrap();
}

/// The reply's row of message `short`, once it is no longer open.
async fn row_of(bot: &Bot, short: &str) -> inbox::Row {
    let id = || {
        bot.messages()
            .iter()
            .find(|m| m.wa_msg_id.ends_with(&format!("_{short}")))
            .map(|m| m.id)
    };
    until(&format!("{short} decided"), || {
        id().is_some_and(|id| {
            bot.inbox().iter().any(|r| {
                r.message_id == id
                    && r.state != InboxState::Received
                    && r.state != InboxState::Decided
            })
        })
    })
    .await;
    let id = id().unwrap();
    bot.inbox()
        .into_iter()
        .find(|r| r.message_id == id)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_a_model_cant_see_is_answered_anyway_the_assistant_told_it_wasnt_shown() {
    let bot = super::exactly_once::live_connected(r#"{"debounceSeconds": 1}"#).await;
    bot.wa.media(&format!("false_{ANA}_P1"), Ok(photos::jpeg()));
    bot.ai
        .push(reply("¿Me dices el modelo? Así te digo si hay en azul."));
    assert!(bot.wa.deliver(photo("P1", "¿la tienen en azul?")));
    until("the photo answered", || bot.wa.sent().len() == 1).await;
    let asked = bot.last_asked();
    assert!(
        asked
            .iter()
            .any(|m| m == "[a photo, not shown to you] ¿la tienen en azul?"),
        "the assistant is told a photo came, never that it saw it: {asked:?}"
    );
    let body = bot.ai.requests().pop().unwrap().body.to_string();
    assert!(
        !body.contains("image_url"),
        "a model that can't see is never sent the photo (it would refuse the turn)"
    );

    // Kept for the owner as it came: Conversations shows a photo with its caption.
    let transcript = bot
        .core
        .transcript(bot.chat_of(ANA), None, 50)
        .await
        .unwrap();
    let shown = &transcript.messages[0];
    assert_eq!(
        (shown.kind, shown.body.as_str()),
        (MessageKind::Image, "¿la tienen en azul?")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_goes_with_the_turn_to_a_model_that_sees() {
    let bot = super::exactly_once::live_connected(r#"{"debounceSeconds": 1}"#).await;
    with_model(&bot, "gpt-4o-mini").await;
    // The file takes a moment to come: the turn waits for it.
    bot.wa.slow_downloads(Duration::from_millis(1_500));
    bot.wa.media(&format!("false_{ANA}_P2"), Ok(photos::jpeg()));
    bot.ai.push(reply("Sí, esa camiseta la tenemos en azul."));
    assert!(bot.wa.deliver(photo("P2", "¿la tienen en azul?")));
    until("the photo answered", || bot.wa.sent().len() == 1).await;

    let asked = bot.ai.requests().pop().unwrap();
    let last = asked.body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["content"][0]["text"],
        "[a photo, shown to you] ¿la tienen en azul?"
    );
    let url = last["content"][1]["image_url"]["url"].as_str().unwrap();
    assert_eq!(
        url,
        format!("data:image/jpeg;base64,{}", photos::JPEG_BASE64),
        "the photo as the customer sent it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_answered_with_its_name_or_left_to_the_owner_as_they_chose() {
    let bot = super::exactly_once::live_connected(r#"{"debounceSeconds": 1}"#).await;
    bot.ai.push(reply("Gracias, la reviso y te digo."));
    assert!(bot.wa.deliver(price_list("D1")));
    until("the document answered", || bot.wa.sent().len() == 1).await;
    assert!(
        bot.last_asked()
            .iter()
            .any(|m| m == "[a document named \"lista-precios.pdf\" of 4 pages, not shown to you]"),
        "{:?}",
        bot.last_asked()
    );

    // The owner chose to take such chats themselves: the bot steps back and says so.
    super::exactly_once::set_behaviour(
        &bot,
        r#"{"debounceSeconds": 1, "unseenMedia": "hand_over"}"#,
    )
    .await;
    let asked_before = bot.ai.requests().len();
    // The document comes with words after it, in one burst: still the owner's.
    assert!(bot.wa.deliver(price_list("D2")));
    assert!(
        bot.wa
            .deliver(from_customer("T2", "¿me hacen precio por 10?"))
    );
    let row = row_of(&bot, "T2").await;
    assert_eq!(row.skip_reason, Some(SkipReason::HandedOver));
    assert!(
        bot.paused_until(ANA).is_some(),
        "the bot is paused in the chat"
    );
    until("the owner told", || {
        super::exactly_once::events_named(&bot, "reply:failed") == 1
    })
    .await;
    assert_eq!(bot.activities("handed_over").await.len(), 1);
    assert_eq!(
        bot.ai.requests().len(),
        asked_before,
        "nothing asked of the AI"
    );
    assert_eq!(bot.wa.sent().len(), 1, "nothing sent");
}

/// A photo whose file is slow to come holds its chat's answer only so long (3 s in these
/// tests, 30 s in the app): then the customer is answered, the model told the photo didn't
/// come through, never that it saw it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_slow_to_come_holds_the_answer_only_so_long() {
    let bot = super::exactly_once::live_connected(r#"{"debounceSeconds": 1}"#).await;
    with_model(&bot, "gpt-4o-mini").await;
    bot.wa.slow_downloads(Duration::from_secs(30));
    bot.wa.media(&format!("false_{ANA}_P9"), Ok(photos::jpeg()));
    bot.ai.push(reply("¿Me dices qué modelo es?"));
    let sent_at = std::time::Instant::now();
    assert!(bot.wa.deliver(photo("P9", "¿la tienen en azul?")));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while bot.wa.sent().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "answered within 15 s, not after the file's 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        sent_at.elapsed() >= Duration::from_secs(3),
        "it waited for the photo first ({:?})",
        sent_at.elapsed()
    );
    let asked = bot.ai.requests().pop().unwrap().body.to_string();
    assert!(!asked.contains("image_url"), "no photo to show");
    assert!(
        bot.last_asked()
            .iter()
            .any(|m| m == "[a photo, not shown to you: it didn't come through] ¿la tienen en azul?"),
        "{:?}",
        bot.last_asked()
    );
}

/// An album is a marker the page adds before its photos, which come as photos of their
/// own: a model that sees gets the photos, and an owner who hands over what the assistant
/// can't see doesn't get a chat it can.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_albums_photos_go_to_a_model_that_sees_and_the_album_hands_nothing_over() {
    let bot = super::exactly_once::live_connected(
        r#"{"debounceSeconds": 1, "unseenMedia": "hand_over"}"#,
    )
    .await;
    with_model(&bot, "gpt-4o-mini").await;
    let mut album = from_customer("A1", "");
    album.kind = MessageKind::Album;
    bot.wa.media(&format!("false_{ANA}_A2"), Ok(photos::jpeg()));
    bot.wa.media(&format!("false_{ANA}_A3"), Ok(photos::jpeg()));
    bot.ai.push(reply("¡Qué bonitas! Las dos las tenemos."));
    assert!(bot.wa.deliver(album));
    assert!(bot.wa.deliver(photo("A2", "¿tienen estas?")));
    assert!(bot.wa.deliver(photo("A3", "")));
    until("the album answered", || bot.wa.sent().len() == 1).await;
    let asked = bot.ai.requests().pop().unwrap().body.to_string();
    assert_eq!(asked.matches("image_url").count(), 2, "both photos shown");
    assert!(
        row_of(&bot, "A1").await.skip_reason.is_some(),
        "the album itself kept for the owner"
    );
    assert!(bot.paused_until(ANA).is_none(), "nothing handed over");
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

/// A sticker right after the customer's words (one burst) never takes the words' turn: the
/// words are answered, the sticker kept for the owner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn words_followed_by_a_sticker_in_one_burst_are_answered() {
    let bot = super::exactly_once::live_connected(r#"{"debounceSeconds": 1}"#).await;
    bot.ai.push(reply("Sí, tenemos la M."));
    assert!(bot.wa.deliver(from_customer("W1", "¿tienen talla M?")));
    let mut sticker = from_customer("S1", "");
    sticker.kind = MessageKind::Sticker;
    sticker.details = Box::new(MessageDetails {
        mimetype: Some("image/webp".into()),
        ..MessageDetails::default()
    });
    bot.wa
        .media(&format!("false_{ANA}_S1"), Ok(b"RIFF\0\0\0\0WEBP".to_vec()));
    assert!(bot.wa.deliver(sticker));
    until("the words answered", || bot.wa.sent().len() == 1).await;
    assert_eq!(bot.wa.sent()[0].text, "Sí, tenemos la M.");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(bot.wa.sent().len(), 1, "answered once");
}
