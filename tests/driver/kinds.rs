//! Every kind of message a customer sends reaches Leadline with what it carries
//! (WHATSAPP_WEB_MEDIA.md §1), from the strict fake in real Chromium: a media message's
//! text is its caption (its `body` a thumbnail), a document's file name is not text, a
//! view-once is told at once, and system notices are never messages.

use leadline_core::model::message_kind::MessageKind;
use serde_json::json;

use super::*;

/// A tiny JPEG thumbnail as WhatsApp sends it (base64).
const THUMBNAIL: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQ==";

fn kind(id: &str, page_type: &str, media: serde_json::Value) -> serde_json::Value {
    json!({ "id": id, "from": CUSTOMER, "type": page_type, "notifyName": "Ana", "media": media })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_arrives_with_what_it_carries_and_notices_never_do() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;

    fake.incoming(kind(
        "K1",
        "image",
        json!({ "caption": "¿la tienen en azul?", "mimetype": "image/jpeg", "size": 48213,
                "width": 1080, "height": 1350, "thumbnail": THUMBNAIL }),
    ));
    fake.incoming(kind("K2", "ptt", json!({ "size": 20480, "duration": 7 })));
    fake.incoming(kind(
        "K3",
        "document",
        json!({ "filename": "lista-precios.pdf", "mimetype": "application/pdf", "size": 183000, "pageCount": 4 }),
    ));
    fake.incoming(kind(
        "K4",
        "location",
        json!({ "lat": -34.6037, "lng": -58.3816, "loc": "Obelisco\nAv. 9 de Julio" }),
    ));
    fake.incoming(kind(
        "K5",
        "multi_vcard",
        json!({ "cards": [
            { "name": "Ana Pérez", "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:Ana Pérez\nTEL:+5491100000000\nEND:VCARD" },
            { "name": "Luis", "vcard": "BEGIN:VCARD\nVERSION:3.0\nFN:Luis\nEND:VCARD" }
        ] }),
    ));
    fake.incoming(kind("K6", "sticker", json!({})));
    fake.incoming(kind("K7", "poll_creation", json!({})));
    fake.incoming(json!({
        "id": "K8", "from": CUSTOMER, "type": "ciphertext",
        "subtype": "view_once_unavailable_fanout", "decrypt": "never"
    }));
    fake.incoming(json!({
        "id": "K9", "from": CUSTOMER, "body": "la M, por favor",
        "quote": { "id": "K1", "type": "image", "caption": "¿la tienen en azul?" }
    }));
    // Not messages anyone wrote, new all the same: never reported.
    for (id, notice) in [
        ("N1", "gp2"),
        ("N2", "e2e_notification"),
        ("N3", "call_log"),
        ("N4", "notification_template"),
        ("N5", "protocol"),
    ] {
        fake.incoming(json!({ "id": id, "from": CUSTOMER, "type": notice, "body": "" }));
    }
    fake.incoming(json!({ "id": "K10", "from": CUSTOMER, "body": "último" }));

    let got = running.messages_until_all(&["K8", "K10"]).await;
    let by = |id: &str| {
        got.iter()
            .find(|m| m.id.ends_with(&format!("_{id}")))
            .unwrap_or_else(|| panic!("{id} was not reported: {got:?}"))
    };
    assert!(
        got.iter().all(|m| !m.id.contains("_N")),
        "system notices are not messages: {got:?}"
    );

    let photo = by("K1");
    assert_eq!(
        (photo.kind, photo.body.as_str()),
        (MessageKind::Image, "¿la tienen en azul?")
    );
    assert_eq!(
        photo.details.thumbnail.as_deref(),
        Some(THUMBNAIL),
        "the body is the thumbnail"
    );
    assert_eq!(photo.details.mimetype.as_deref(), Some("image/jpeg"));
    assert_eq!(
        (
            photo.details.size,
            photo.details.width,
            photo.details.height
        ),
        (Some(48213), Some(1080), Some(1350))
    );

    let voice = by("K2");
    assert_eq!((voice.kind, voice.body.as_str()), (MessageKind::Voice, ""));
    assert_eq!(
        voice.details.duration_s,
        Some(7),
        "the page keeps the duration as a string"
    );
    assert_eq!(
        voice.details.mimetype.as_deref(),
        Some("audio/ogg; codecs=opus")
    );

    let document = by("K3");
    assert_eq!(
        (document.kind, document.body.as_str()),
        (MessageKind::Document, ""),
        "its file name is not text"
    );
    assert_eq!(
        document.details.filename.as_deref(),
        Some("lista-precios.pdf")
    );
    assert_eq!(document.details.page_count, Some(4));

    let place = by("K4");
    assert_eq!(place.kind, MessageKind::Location);
    assert_eq!(
        place.details.place.as_deref(),
        Some("Obelisco\nAv. 9 de Julio")
    );
    assert_eq!(
        (place.details.lat, place.details.lng),
        (Some(-34.6037), Some(-58.3816))
    );

    let cards = by("K5");
    assert_eq!(cards.kind, MessageKind::Contact);
    let names: Vec<&str> = cards
        .details
        .contacts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Ana Pérez", "Luis"]);
    assert!(
        cards.details.contacts[0]
            .vcard
            .contains("TEL:+5491100000000")
    );

    assert_eq!(by("K6").kind, MessageKind::Sticker);
    let poll = by("K7");
    assert_eq!(
        (poll.kind, poll.details.wa_type.as_deref()),
        (MessageKind::Unsupported, Some("poll_creation"))
    );
    assert_eq!(
        by("K8").kind,
        MessageKind::ViewOnce,
        "a view-once is told at once, never waited on"
    );

    let reply = by("K9");
    assert_eq!(
        (reply.kind, reply.body.as_str()),
        (MessageKind::Text, "la M, por favor")
    );
    let quoted = reply
        .details
        .quoted
        .as_ref()
        .expect("what the reply quotes");
    assert_eq!(
        (quoted.wa_id.as_str(), quoted.text.as_deref()),
        ("K1", Some("¿la tienen en azul?"))
    );
    running.session.stop().await;
}

/// The next edit, deletion or reaction the session reports (messages and states on the way
/// are kept or dropped as usual).
async fn next_change(running: &mut Running) -> WaEvent {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match tokio::time::timeout_at(deadline, running.events.recv()).await {
            Ok(Some(
                e @ (WaEvent::Edited { .. } | WaEvent::Revoked { .. } | WaEvent::Reaction { .. }),
            )) => return e,
            Ok(Some(WaEvent::State(s))) => running.seen.push(s),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the session ended while waiting for a change"),
            Err(_) => panic!("no edit, deletion or reaction came"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_deletions_and_reactions_are_followed_as_the_page_applies_them() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(json!({ "id": "C1", "from": CUSTOMER, "body": "quiero la talla S" }));
    fake.incoming(kind(
        "C2",
        "image",
        json!({ "caption": "esta", "mimetype": "image/jpeg" }),
    ));
    running.messages_until_all(&["C1", "C2"]).await;
    let c1 = format!("false_{CUSTOMER}_C1");
    let c2 = format!("false_{CUSTOMER}_C2");

    // An edit: the text now, under the message's own id; a photo's caption likewise.
    fake.edit("C1", "quiero la talla M");
    assert_eq!(
        next_change(&mut running).await,
        WaEvent::Edited {
            id: c1.clone(),
            text: "quiero la talla M".into()
        }
    );
    // The page drops an edit that empties a caption; the next one is seen.
    fake.edit("C2", "");
    fake.edit("C2", "esta, en azul");
    assert_eq!(
        next_change(&mut running).await,
        WaEvent::Edited {
            id: c2.clone(),
            text: "esta, en azul".into()
        }
    );

    // Deleted for everyone: the page re-keys the model; the original's id is reported, and a
    // later edit of it is nothing.
    fake.revoke("C1");
    assert_eq!(
        next_change(&mut running).await,
        WaEvent::Revoked { id: c1.clone() }
    );
    fake.edit("C1", "otra cosa");
    // An edit or deletion of a message not on the page changes nothing.
    fake.edit("NOT-LOADED", "x");
    fake.revoke("NOT-LOADED");

    // Reactions: one from history and a removal are not news; a new one is.
    fake.react(CUSTOMER, "C2", false, CUSTOMER, "😍", true);
    fake.react(CUSTOMER, "C2", false, CUSTOMER, "", false);
    fake.react(CUSTOMER, "C2", false, CUSTOMER, "👍", false);
    match next_change(&mut running).await {
        WaEvent::Reaction {
            parent,
            from,
            emoji,
            at_ms,
        } => {
            assert_eq!(
                (parent.as_str(), from.as_str(), emoji.as_str()),
                (c2.as_str(), CUSTOMER, "👍")
            );
            assert!(at_ms > 1_700_000_000_000, "{at_ms}");
        }
        other => panic!("a reaction was expected, got {other:?} (an edit of a deleted message?)"),
    }
    running.session.stop().await;
}
