//! The page's rarer media shapes (WHATSAPP_WEB_MEDIA.md §1, §5) against the strict fake in
//! real Chromium: an album and its photos, a bot's photo that arrives as `loading_media`
//! and is edited into a photo, a file of gigabytes (or one that never stops coming), kinds
//! the page doesn't know, and a real PDF that comes whole.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use leadline_core::model::message_kind::MessageKind;
use leadline_core::whatsapp::media::DownloadFailure;
use leadline_tests::{documents, photos};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::*;

const MAX: u64 = 10 * 1024 * 1024;
const WAIT_MS: u64 = 1_500;

fn photo(id: &str, caption: &str) -> serde_json::Value {
    json!({ "id": id, "from": CUSTOMER, "type": "image",
            "media": { "caption": caption, "mimetype": "image/jpeg",
                       "bytes": STANDARD.encode(photos::jpeg()) } })
}

fn by<'a>(got: &'a [WaMessage], short: &str) -> &'a WaMessage {
    got.iter()
        .find(|m| m.id.ends_with(&format!("_{short}")))
        .unwrap_or_else(|| panic!("{short} was not reported: {got:?}"))
}

/// Every message and edit the session tells until `ids` all arrived and `settle` passed
/// after that (an edit that should not come has its chance to).
async fn told_until(
    running: &mut Running,
    ids: &[&str],
    settle: Duration,
) -> (Vec<WaMessage>, Vec<String>) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut got: Vec<WaMessage> = Vec::new();
    let mut edits = Vec::new();
    let mut quiet_from: Option<tokio::time::Instant> = None;
    loop {
        let all = ids
            .iter()
            .all(|id| got.iter().any(|m| m.id.ends_with(&format!("_{id}"))));
        if all && quiet_from.is_none() {
            quiet_from = Some(tokio::time::Instant::now() + settle);
        }
        let until = quiet_from.unwrap_or(deadline);
        match tokio::time::timeout_at(until, running.events.recv()).await {
            Ok(Some(WaEvent::Message(m))) => got.push(m),
            Ok(Some(WaEvent::Edited { id, .. })) => edits.push(id),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the session ended; got {got:?}"),
            Err(_) if quiet_from.is_some() => return (got, edits),
            Err(_) => panic!("messages {ids:?} never all arrived; got {got:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_albums_photos_come_as_photos_and_with_the_receiver_off_as_their_type() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(json!({ "id": "AL", "from": CUSTOMER, "type": "album", "body": "" }));
    let mut first = photo("AP1", "¿tienen estas dos?");
    first["parent"] = json!("AL");
    let mut second = photo("AP2", "");
    second["parent"] = json!("AL");
    fake.incoming(first);
    fake.incoming(second);
    let got = running.messages_until_all(&["AL", "AP1", "AP2"]).await;
    assert_eq!(by(&got, "AL").kind, MessageKind::Album);
    let child = by(&got, "AP1");
    assert_eq!(
        (child.kind, child.body.as_str()),
        (MessageKind::Image, "¿tienen estas dos?")
    );
    let file = running
        .session
        .download(&by(&got, "AP2").id, MAX, WAIT_MS)
        .await
        .expect("an album's photo downloads like any photo");
    assert_eq!(file.bytes, photos::jpeg());
    running.session.stop().await;

    // The album receiver off: its photos come as `unknown`, their type named.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("album");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let mut child = photo("AU1", "");
    child["parent"] = json!("AL2");
    fake.incoming(child);
    let got = running.messages_until("AU1").await;
    let unknown = by(&got, "AU1");
    assert_eq!(unknown.kind, MessageKind::Unsupported);
    assert_eq!(unknown.details.wa_type.as_deref(), Some("image"));
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_that_arrives_loading_is_told_once_as_the_photo_it_becomes() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("loading_media_then_edit");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(photo("LM", "el catálogo de hoy"));
    let (got, edits) = told_until(&mut running, &["LM"], Duration::from_millis(800)).await;
    let told: Vec<&WaMessage> = got.iter().filter(|m| m.id.ends_with("_LM")).collect();
    assert_eq!(told.len(), 1, "told once: {got:?}");
    assert_eq!(
        (told[0].kind, told[0].body.as_str()),
        (MessageKind::Image, "el catálogo de hoy"),
        "as the photo it became, never as an unsupported kind"
    );
    assert!(
        edits.is_empty(),
        "becoming a photo is no edit by the customer: {edits:?}"
    );
    let file = running
        .session
        .download(&told[0].id, MAX, WAIT_MS)
        .await
        .expect("its file downloads");
    assert_eq!(file.sha256, hex::encode(Sha256::digest(photos::jpeg())));
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_gigabytes_is_refused_unfetched_and_one_that_never_ends_is_stopped() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("huge_file");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    // It says it is 5 GiB: refused before a byte is fetched.
    fake.incoming(json!({ "id": "HG", "from": CUSTOMER, "type": "video",
        "media": { "mimetype": "video/mp4", "bytes": STANDARD.encode(b"not really 5 GiB") } }));
    // It says it is small, and its bytes never stop.
    fake.incoming(json!({ "id": "HS", "from": CUSTOMER, "type": "document",
        "media": { "filename": "catalogo.pdf", "mimetype": "application/pdf", "size": 4096,
                   "bytes": STANDARD.encode(documents::pdf("Catálogo")) } }));
    let got = running.messages_until_all(&["HG", "HS"]).await;
    assert_eq!(by(&got, "HG").details.size, Some(5 << 30));
    let refused = running
        .session
        .download(&by(&got, "HG").id, MAX, WAIT_MS)
        .await
        .expect_err("never kept");
    assert_eq!(refused.reason, DownloadFailure::TooLarge);
    assert!(
        !fake
            .recorded()
            .events
            .iter()
            .any(|e| e["kind"] == "download"),
        "nothing fetched"
    );

    let started = std::time::Instant::now();
    let stopped = running
        .session
        .download_within(&by(&got, "HS").id, MAX, WAIT_MS, 2_000)
        .await
        .expect_err("it never ends");
    assert_eq!(
        stopped.reason,
        DownloadFailure::Timeout,
        "{}",
        stopped.detail
    );
    assert!(
        started.elapsed() < Duration::from_millis(WAIT_MS + 2_000 + 5_000),
        "within Leadline's own limit ({:?})",
        started.elapsed()
    );
    fake.wait_for("the page's fetch stopped", DEADLINE, |r| {
        r.events.iter().any(|e| e["kind"] == "cdn_aborted")
    })
    .await;
    // The page is still there for the next call.
    fake.incoming(json!({ "id": "HT", "from": CUSTOMER, "body": "¿llegó?" }));
    running.messages_until("HT").await;
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinds_the_page_doesnt_know_are_told_with_their_name_and_a_real_pdf_comes_whole() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(json!({ "id": "U1", "from": CUSTOMER, "type": "unknown",
        "media": { "futureproofType": "event_creation" } }));
    fake.incoming(json!({ "id": "U2", "from": CUSTOMER, "type": "hologram", "body": "" }));
    let pdf = documents::pdf("Lista de precios: camiseta azul 20 €");
    fake.incoming(json!({ "id": "PDF", "from": CUSTOMER, "type": "document",
        "media": { "filename": "lista-precios.pdf", "mimetype": "application/pdf",
                   "pageCount": 1, "bytes": STANDARD.encode(&pdf) } }));
    let got = running.messages_until_all(&["U1", "U2", "PDF"]).await;
    for (short, named) in [("U1", "event_creation"), ("U2", "hologram")] {
        let unknown = by(&got, short);
        assert_eq!(unknown.kind, MessageKind::Unsupported, "{short}");
        assert_eq!(unknown.details.wa_type.as_deref(), Some(named), "{short}");
    }
    let file = running
        .session
        .download(&by(&got, "PDF").id, MAX, WAIT_MS)
        .await
        .expect("the PDF downloads");
    assert_eq!(file.bytes, pdf, "whole");
    assert!(documents::is_pdf(&file.bytes), "and still a PDF");
    running.session.stop().await;
}
