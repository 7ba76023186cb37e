//! What is not text (a photo, a voice note, a document…) is kept for the owner with what it
//! carries and never answered as if the assistant had seen or heard it; the assistant is
//! told it came when it answers the customer's next words.

use leadline_core::model::message_kind::{MessageDetails, MessageKind};

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
