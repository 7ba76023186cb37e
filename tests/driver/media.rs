//! Media files through the page (WHATSAPP_WEB_MEDIA.md §2) against the strict fake in real
//! Chromium: the mimetype and the page's own qpl passed, the bytes checked against their
//! hash, expired media asked of the phone again with Leadline's own time limit, and each
//! failure named.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use leadline_core::whatsapp::media::DownloadFailure;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::*;

const MAX: u64 = 10 * 1024 * 1024;
const WAIT_MS: u64 = 1_500;

fn voice_note(id: &str, bytes: &[u8]) -> serde_json::Value {
    json!({ "id": id, "from": CUSTOMER, "type": "ptt",
            "media": { "duration": 3, "bytes": STANDARD.encode(bytes) } })
}

fn id_of(running: &[WaMessage], short: &str) -> String {
    running
        .iter()
        .find(|m| m.id.ends_with(&format!("_{short}")))
        .map(|m| m.id.clone())
        .unwrap_or_else(|| panic!("{short} was not reported"))
}

async fn failure(running: &Running, id: &str, max: u64) -> DownloadFailure {
    match running.session.download(id, max, WAIT_MS).await {
        Ok(file) => panic!("{id} downloaded ({} bytes) but must fail", file.bytes.len()),
        Err(e) => e.reason,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_comes_whole_with_its_mimetype_passed_and_expired_media_comes_again_from_the_phone()
{
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("qpl_worker_decrypt");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let voice: Vec<u8> = b"OggS\0\x02voice note bytes "
        .iter()
        .copied()
        .cycle()
        .take(40_000)
        .collect();
    fake.incoming(voice_note("V1", &voice));
    fake.incoming(json!({ "id": "P1", "from": CUSTOMER, "type": "image",
        "media": { "mimetype": "image/gif", "bytes": STANDARD.encode(b"GIF89a") } }));
    fake.incoming(json!({ "id": "D1", "from": CUSTOMER, "type": "document",
        "media": { "filename": "a.pdf", "mimetype": "application/pdf",
                   "bytes": STANDARD.encode(b"%PDF-1.4 price list"), "encFilehash": "AAAA" } }));
    let got = running.messages_until_all(&["V1", "P1", "D1"]).await;
    let voice_id = id_of(&got, "V1");

    let file = running
        .session
        .download(&voice_id, MAX, WAIT_MS)
        .await
        .expect("the voice note downloads");
    assert_eq!(file.bytes, voice, "the bytes are the file, whole");
    assert_eq!(file.sha256, hex::encode(Sha256::digest(&voice)));
    let asked = fake
        .wait_for("the page's download call", DEADLINE, |r| {
            r.events.iter().any(|e| e["kind"] == "download")
        })
        .await;
    let download = asked
        .events
        .iter()
        .find(|e| e["kind"] == "download")
        .unwrap();
    assert_eq!(
        download["mimetype"], "audio/ogg; codecs=opus",
        "the mimetype is always passed"
    );
    assert_eq!(download["type"], "ptt");

    // Over the size the app keeps: refused before anything is fetched.
    assert_eq!(
        failure(&running, &voice_id, 1_000).await,
        DownloadFailure::TooLarge
    );
    // A type WhatsApp refuses, and bytes that are not what was announced.
    assert_eq!(
        failure(&running, &id_of(&got, "P1"), MAX).await,
        DownloadFailure::RefusedType
    );
    assert_eq!(
        failure(&running, &id_of(&got, "D1"), MAX).await,
        DownloadFailure::HashMismatch
    );

    // Expired on WhatsApp's servers: the phone uploads it again and it comes whole.
    fake.incoming(voice_note("V2", b"OggS second note"));
    let got = running.messages_until("V2").await;
    fake.fault("expired_410");
    let again = running
        .session
        .download(&id_of(&got, "V2"), MAX, WAIT_MS)
        .await
        .expect("after the phone's upload");
    assert_eq!(again.bytes, b"OggS second note");
    fake.wait_for("the phone asked to upload again", DEADLINE, |r| {
        r.events.iter().any(|e| e["kind"] == "reupload_asked")
    })
    .await;
    assert_eq!(
        failure(&running, "false_x@c.us_NOPE", MAX).await,
        DownloadFailure::Failed
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_phone_times_out_on_leadlines_clock_and_a_file_gone_from_the_phone_says_so() {
    for (fault, want) in [
        ("phone_offline", DownloadFailure::Timeout),
        ("media_deleted_on_phone", DownloadFailure::NotOnPhone),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        fake.fault(fault);
        fake.fault("expired_404");
        let profile = tempfile::tempdir().unwrap();
        let mut running = linked(&fake, profile.path()).await;
        fake.incoming(voice_note("E1", b"OggS expired"));
        let got = running.messages_until("E1").await;
        let started = std::time::Instant::now();
        assert_eq!(
            failure(&running, &id_of(&got, "E1"), MAX).await,
            want,
            "{fault}"
        );
        assert!(
            started.elapsed() < Duration::from_millis(WAIT_MS + 5_000),
            "{fault}: never waits past Leadline's own limit ({:?})",
            started.elapsed()
        );
        running.session.stop().await;
    }
}

/// With the app's own wait for the phone (30 s), longer than any one call into the page
/// may take: an offline phone still ends as "timeout" on Leadline's clock, never as a
/// failed call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_phone_times_out_after_the_apps_own_wait() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("phone_offline");
    fake.fault("expired_410");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(voice_note("E2", b"OggS expired"));
    let got = running.messages_until("E2").await;
    let started = std::time::Instant::now();
    let wait = leadline_core::whatsapp::media::REUPLOAD_WAIT_MS;
    let failed = running
        .session
        .download(&id_of(&got, "E2"), MAX, wait)
        .await
        .expect_err("the phone never answers");
    assert_eq!(failed.reason, DownloadFailure::Timeout, "{}", failed.detail);
    assert!(
        started.elapsed() >= Duration::from_millis(wait)
            && started.elapsed() < Duration::from_millis(wait + 5_000),
        "ends at Leadline's own limit ({:?})",
        started.elapsed()
    );
    running.session.stop().await;
}

/// The `leadline-wa` harness (fields added only): a message line carries its kind and what
/// it carries; `download` writes the file and prints its size and hash, or an error line
/// with a reason; edits, deletions and reactions have lines of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_prints_kinds_downloads_files_and_tells_edits_deletions_and_reactions() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::start(&fake, profile.path());
    harness
        .next_matching("a QR", |v| v["state"] == "ScanQr")
        .await;
    fake.scan(ME);
    harness
        .next_matching("Working", |v| v["state"] == "Working")
        .await;

    let voice: Vec<u8> = b"OggS harness voice".to_vec();
    fake.incoming(voice_note("HV", &voice));
    let line = harness
        .next_matching("the voice note", |v| {
            v["event"] == "message" && v["kind"] == "voice"
        })
        .await;
    assert_eq!(line["duration"], 3);
    assert_eq!(line["mimetype"], "audio/ogg; codecs=opus");
    assert_eq!(line["size"], voice.len());
    let id = line["id"].as_str().unwrap().to_string();

    fake.incoming(json!({ "id": "HL", "from": CUSTOMER, "type": "location",
        "media": { "lat": 40.4168, "lng": -3.7038, "loc": "Puerta del Sol" } }));
    let place = harness
        .next_matching("the place", |v| {
            v["event"] == "message" && v["kind"] == "location"
        })
        .await;
    assert_eq!(
        (
            place["lat"].clone(),
            place["lng"].clone(),
            place["name"].clone()
        ),
        (json!(40.4168), json!(-3.7038), json!("Puerta del Sol"))
    );

    let to = profile.path().join("voice.ogg");
    harness
        .say(&json!({ "cmd": "download", "id": id, "to": to }).to_string())
        .await;
    let done = harness
        .next_matching("downloaded", |v| v["event"] == "downloaded")
        .await;
    assert_eq!(
        (done["id"].as_str(), done["bytes"].as_u64()),
        (Some(id.as_str()), Some(voice.len() as u64))
    );
    assert_eq!(done["sha256"], hex::encode(Sha256::digest(&voice)));
    assert_eq!(std::fs::read(&to).unwrap(), voice);
    harness
        .say(&json!({ "cmd": "download", "id": "false_x@c.us_GONE", "to": to }).to_string())
        .await;
    let failed = harness
        .next_matching("a download error", |v| v["event"] == "error")
        .await;
    assert_eq!(
        (failed["id"].as_str(), failed["reason"].as_str()),
        (Some("false_x@c.us_GONE"), Some("failed"))
    );

    fake.edit("HL", "x"); // a place has no caption to edit: nothing
    fake.incoming(json!({ "id": "HT", "from": CUSTOMER, "body": "hola" }));
    harness
        .next_matching("the text", |v| {
            v["event"] == "message" && v["kind"] == "chat"
        })
        .await;
    fake.edit("HT", "hola, ¿abren hoy?");
    let edit = harness
        .next_matching("the edit", |v| v["event"] == "edit")
        .await;
    assert_eq!(
        (edit["id"].clone(), edit["body"].clone()),
        (
            json!(format!("false_{CUSTOMER}_HT")),
            json!("hola, ¿abren hoy?")
        )
    );
    fake.react(CUSTOMER, "HT", false, CUSTOMER, "🙏", false);
    let reaction = harness
        .next_matching("the reaction", |v| v["event"] == "reaction")
        .await;
    assert_eq!(
        (reaction["id"].clone(), reaction["emoji"].clone()),
        (json!(format!("false_{CUSTOMER}_HT")), json!("🙏"))
    );
    fake.revoke("HT");
    let revoke = harness
        .next_matching("the deletion", |v| v["event"] == "revoke")
        .await;
    assert_eq!(revoke["id"], json!(format!("false_{CUSTOMER}_HT")));
    harness.quit(profile.path()).await;
}
