//! The driver follows WHATSAPP_WEB.md (revision 2026-08) item by item, against the strict
//! fake in real Chromium: own identity, senders per chat kind, both promises of a send,
//! delivery, seen, sync progress, QR rebuilds, pairing code then QR, stuck ciphertext, @lid
//! phones, late and missing modules, versions, and a hostile network.

use std::time::Duration;

use leadline_core::whatsapp::error::WaError;
use leadline_core::whatsapp::message::Undelivered;
use leadline_tests::fakes::whatsapp_web::{VERSION, lid_of};
use serde_json::json;

use super::*;

const GROUP: &str = "120363000000000001@g.us";
const LID_CUSTOMER: &str = "77700011122@lid";
const LID_PHONE: &str = "34600000009@c.us";

/// A session started with `configure`, linked as `ME`.
async fn linked_with(
    fake: &FakeWhatsApp,
    profile: &Path,
    configure: impl FnOnce(&mut ChromiumDriver),
) -> Running {
    let mut running = start_custom(fake, profile, configure).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    fake.scan(ME);
    running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    running
}

/// The WhatsApp id's own part: `fromMe_chat_ID[_participant]`.
fn short(id: &str) -> &str {
    id.split('_').nth(2).unwrap_or_default()
}

impl Running {
    async fn message(&mut self, id: &str) -> WaMessage {
        match self
            .event(
                &format!("message {id}"),
                |e| matches!(e, WaEvent::Message(m) if short(&m.id) == id),
            )
            .await
        {
            WaEvent::Message(m) => m,
            _ => unreachable!(),
        }
    }

    /// What the page said of itself (its version and features), the latest report.
    async fn page_info(&mut self) -> leadline_core::whatsapp::page::PageInfo {
        if self.pages.is_empty() {
            self.event("the page's version and features", |e| {
                matches!(e, WaEvent::Page(_))
            })
            .await;
        }
        self.pages.last().cloned().unwrap()
    }
}

fn sent_by_id<'a>(
    recorded: &'a leadline_tests::fakes::whatsapp_web::Recorded,
    id: &str,
) -> &'a serde_json::Value {
    recorded
        .sent
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("the fake recorded no send {id}: {:?}", recorded.sent))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_own_id_comes_from_user_prefs_and_each_chat_gets_its_sender() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    assert_eq!(
        running.seen.last(),
        Some(&AccountState::Working { me: ME.into() }),
        "the own id is the phone id from WAWebUserPrefsMeUser (Conn.wid is never set)"
    );

    fake.incoming(json!({ "id": "E1", "from": CUSTOMER, "body": "hola", "ephemeral": 86400 }));
    running.message("E1").await;
    let to_phone = running
        .session
        .send_text(CUSTOMER, "to a phone chat")
        .await
        .unwrap();

    fake.incoming(json!({ "id": "L1", "from": LID_CUSTOMER, "body": "from a linked id", "lidPhone": LID_PHONE }));
    running.message("L1").await;
    let to_lid = running
        .session
        .send_text(LID_CUSTOMER, "to a linked-id chat")
        .await
        .unwrap();

    fake.incoming(json!({ "id": "G1", "from": GROUP, "chat": GROUP, "author": "34600000002@c.us", "body": "in a group" }));
    running.message("G1").await;
    let to_group = running
        .session
        .send_text(GROUP, "to the group")
        .await
        .unwrap();

    let recorded = fake
        .wait_for("three sends answered", DEADLINE, |r| r.sent.len() >= 3)
        .await;
    let phone = sent_by_id(&recorded, &to_phone);
    assert_eq!(
        phone["from"], ME,
        "a phone chat is sent from the own phone id"
    );
    assert_eq!(phone["self"], "out");
    assert_eq!(phone["local"], true);
    assert_eq!(
        phone["ephemeralDuration"], 86400,
        "a send carries the chat's disappearing-messages fields"
    );
    assert_eq!(phone["result"], "OK");
    let lid = sent_by_id(&recorded, &to_lid);
    assert_eq!(lid["chat"], LID_CUSTOMER);
    assert_eq!(
        lid["from"],
        lid_of(ME).as_str(),
        "an @lid chat is sent from the own linked id"
    );
    assert_eq!(lid["result"], "OK");
    let group = sent_by_id(&recorded, &to_group);
    assert_eq!(
        group["participant"], ME,
        "a group send names its participant"
    );
    assert_eq!(group["result"], "OK");
    assert!(
        to_group.ends_with(&format!("_{ME}")),
        "a group message's id carries its participant: {to_group}"
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_the_page_refuses_is_an_error_never_sent() {
    for (fault, words) in [
        ("send_result_error", "ERROR_NETWORK"),
        ("send_result_reject", "Contact is blocked"),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        fake.fault(fault);
        let profile = tempfile::tempdir().unwrap();
        let running = linked(&fake, profile.path()).await;
        let refused = running.session.send_text(CUSTOMER, "hello").await;
        match refused {
            Err(WaError::SendRefused { id, detail }) => {
                assert!(detail.contains(words), "{fault}: {detail}");
                assert!(
                    id.starts_with("true_"),
                    "{fault}: the refused message's id: {id}"
                );
            }
            other => panic!("{fault}: a refused send must be an error, got {other:?}"),
        }
        running.session.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_without_a_server_ack_or_with_an_error_ack_is_reported_not_delivered() {
    let shorter = |d: &mut ChromiumDriver| {
        d.send_result_wait = Duration::from_millis(500);
        d.delivery_timeout = Duration::from_millis(2_000);
    };
    for (fault, reason) in [
        ("send_no_ack", Undelivered::NoServerAck),
        ("send_nack", Undelivered::Refused),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        fake.fault(fault);
        let profile = tempfile::tempdir().unwrap();
        let mut running = linked_with(&fake, profile.path(), shorter).await;
        let id = running
            .session
            .send_text(CUSTOMER, "are you there?")
            .await
            .unwrap_or_else(|e| panic!("{fault}: the page took the send: {e}"));
        let reported = running
            .event("a not-delivered report", |e| {
                matches!(e, WaEvent::NotDelivered { .. })
            })
            .await;
        assert_eq!(
            reported,
            WaEvent::NotDelivered {
                id: id.clone(),
                reason
            },
            "{fault}"
        );
        running.session.stop().await;
    }

    // A send the server took is never reported.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked_with(&fake, profile.path(), shorter).await;
    let id = running.session.send_text(CUSTOMER, "fine").await.unwrap();
    running.ack(&id, 1).await;
    fake.incoming(incoming("AFTER", CUSTOMER, "later"));
    let deadline = tokio::time::Instant::now() + Duration::from_millis(3_000);
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, running.events.recv()).await {
        assert!(
            !matches!(event, WaEvent::NotDelivered { .. }),
            "a delivered send must not be reported: {event:?}"
        );
    }
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seen_uses_the_object_form_and_sync_progress_comes_from_the_offline_handler() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let percents: Vec<u8> = running
        .seen
        .iter()
        .filter_map(|s| match s {
            AccountState::Syncing { percent } => Some(*percent),
            _ => None,
        })
        .collect();
    assert!(
        percents.iter().any(|p| (1..100).contains(p)),
        "progress events carry no value: the percent is read from the offline handler: {percents:?}"
    );

    fake.incoming(incoming("S1", CUSTOMER, "unread"));
    running.message("S1").await;
    running.session.mark_seen(CUSTOMER).await.unwrap();
    running.session.mark_seen(CUSTOMER).await.unwrap();
    let recorded = fake
        .wait_for("two seen", DEADLINE, |r| r.seen.len() >= 2)
        .await;
    assert_eq!(
        recorded.seen[0]["skipped"], false,
        "an unread chat is marked read (the page counted as away)"
    );
    assert_eq!(
        recorded.seen[1]["skipped"], true,
        "a chat with nothing unread sends nothing"
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_pairing_code_the_qr_is_rebuilt_and_a_scan_of_it_links() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    let AccountState::ScanQr { qr: before, .. } = running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await
    else {
        unreachable!()
    };
    let field = |qr: &str, n: usize| qr.split(',').nth(n).unwrap_or_default().to_string();

    running
        .session
        .pairing_code("+34 600 00 12 34")
        .await
        .unwrap();
    // The code changed the ADV secret: the QR on screen is rebuilt with the same ref.
    let AccountState::ScanQr { qr: during, .. } = running
        .until("the QR rebuilt for the new ADV secret", |s| {
            matches!(s, AccountState::ScanQr { qr, .. } if field(qr, 0) == field(&before, 0) && field(qr, 3) != field(&before, 3))
        })
        .await
    else {
        unreachable!()
    };
    fake.scan_shown(ME, &during);
    fake.wait_for("a QR scan refused in pairing-code mode", DEADLINE, |r| {
        r.events.iter().any(|e| e["kind"] == "scan_refused")
    })
    .await;

    running.session.refresh_qr().await.unwrap();
    // The new batch's first code carries the code's secret for a moment, until QR linking
    // has its own again.
    let shown = current_qr_where(&fake, &mut running, |qr| field(qr, 3) != field(&during, 3)).await;
    assert_ne!(
        field(&shown, 3),
        field(&during, 3),
        "QR linking has its own ADV secret again"
    );
    // A QR with the right ref but the pairing code's ADV secret can't link.
    let mut stale: Vec<String> = shown.split(',').map(str::to_string).collect();
    stale[3] = field(&during, 3);
    fake.scan_shown(ME, &stale.join(","));
    fake.wait_for("a scan of a stale ADV secret refused", DEADLINE, |r| {
        r.events.iter().any(|e| {
            e["kind"] == "scan_refused" && e["why"].as_str().unwrap_or_default().contains("ADV")
        })
    })
    .await;
    fake.scan_shown(ME, &shown);
    running
        .until("Working after scanning the rebuilt QR", |s| {
            matches!(s, AccountState::Working { .. })
        })
        .await;
    running.session.stop().await;
}

/// The QR the driver shows once it is the one on the page's screen.
async fn current_qr(fake: &FakeWhatsApp, running: &mut Running) -> String {
    current_qr_where(fake, running, |_| true).await
}

/// The same, for a QR that `wanted` accepts.
async fn current_qr_where(
    fake: &FakeWhatsApp,
    running: &mut Running,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut shown: Option<String> = None;
    loop {
        if let Some(qr) = &shown {
            if wanted(qr) && fake.recorded().qr.as_deref() == Some(qr.as_str()) {
                return qr.clone();
            }
        }
        match tokio::time::timeout(Duration::from_millis(100), running.events.recv()).await {
            Ok(Some(WaEvent::State(AccountState::ScanQr { qr, .. }))) => shown = Some(qr),
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => panic!("the session ended while waiting for the QR"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the driver never showed the page's QR ({:?} vs {:?})",
            shown,
            fake.recorded().qr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_qr_with_extra_fields_is_shown_as_the_page_has_it() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("qr_extra_field");
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    let shown = current_qr(&fake, &mut running).await;
    assert!(
        shown.ends_with(",https://faq.whatsapp.com/r/ld"),
        "the screen's whole string, never parsed: {shown}"
    );
    fake.scan_shown(ME, &shown);
    running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_ciphertext_is_asked_for_again_and_given_up_on_after_a_bound() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked_with(&fake, profile.path(), |d| {
        d.resend_after = Duration::from_millis(500);
        d.give_up_after = Duration::from_millis(3_000);
    })
    .await;
    fake.incoming(json!({ "id": "C1", "from": CUSTOMER, "type": "ciphertext", "decrypt": "resend", "body": "readable after a resend" }));
    fake.incoming(json!({ "id": "C2", "from": CUSTOMER, "type": "ciphertext", "decrypt": "never", "body": "never readable" }));
    let got = running.message("C1").await;
    assert_eq!(got.body, "readable after a resend");
    let recorded = fake.recorded();
    assert!(
        recorded
            .events
            .iter()
            .any(|e| e["kind"] == "resend_requested"
                && e["id"].as_str().unwrap_or_default().ends_with("_C1")),
        "the message was asked for again: {:?}",
        recorded.events
    );
    let unreadable = running
        .event("C2 given up on", |e| {
            matches!(e, WaEvent::Unreadable { .. })
        })
        .await;
    assert!(
        matches!(&unreadable, WaEvent::Unreadable { id, chat } if id.ends_with("_C2") && chat == CUSTOMER),
        "{unreadable:?}"
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lid_sender_gets_its_phone_number_whenever_the_page_knows_it() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(incoming("N1", LID_CUSTOMER, "no phone known yet"));
    let first = running.message("N1").await;
    assert_eq!(
        first.chat, LID_CUSTOMER,
        "the chat id stays the stable @lid"
    );
    assert_eq!(first.phone, None);
    fake.map_lid(LID_CUSTOMER, LID_PHONE);
    fake.incoming(incoming("N2", LID_CUSTOMER, "now it is"));
    let second = running.message("N2").await;
    assert_eq!(second.chat, LID_CUSTOMER);
    assert_eq!(second.phone.as_deref(), Some("+34600000009"));
    fake.incoming(incoming("N3", CUSTOMER, "a phone chat"));
    assert_eq!(
        running.message("N3").await.phone.as_deref(),
        Some("+34600000001")
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_lid_migrated_account_a_phone_chat_is_its_lid_chat() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("lid_migrated");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.map_lid(LID_CUSTOMER, CUSTOMER);
    fake.incoming(incoming("M1", LID_CUSTOMER, "hola"));
    running.message("M1").await;
    let id = running
        .session
        .send_text(CUSTOMER, "by phone id")
        .await
        .unwrap();
    let recorded = fake
        .wait_for("the send answered", DEADLINE, |r| !r.sent.is_empty())
        .await;
    let sent = sent_by_id(&recorded, &id);
    assert_eq!(
        sent["chat"], LID_CUSTOMER,
        "the page found the contact's @lid chat"
    );
    assert_eq!(sent["from"], lid_of(ME).as_str());
    assert_eq!(sent["result"], "OK");
    let unknown = running
        .session
        .send_text("34699999999@c.us", "no lid")
        .await;
    assert!(
        matches!(&unknown, Err(e) if e.to_string().contains("No LID for user")),
        "an unsynced phone number fails plainly: {unknown:?}"
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modules_that_register_late_are_waited_for_and_the_version_is_reported() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("late_modules");
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    let info = running.page_info().await;
    assert_eq!(info.version.as_deref(), Some(VERSION));
    assert_eq!(info.build.as_deref(), Some(VERSION));
    assert!(info.tested, "today's build is in the tested range");
    assert!(
        info.missing.is_empty(),
        "every feature resolved: {:?}",
        info.missing
    );
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    fake.scan(ME);
    running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    running
        .session
        .send_text(CUSTOMER, "late but fine")
        .await
        .unwrap();
    running.session.stop().await;

    let fake = FakeWhatsApp::start(Timings {
        version: "2.3000.1099999999".into(),
        ..Timings::default()
    })
    .await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    let info = running.page_info().await;
    assert_eq!(info.version.as_deref(), Some("2.3000.1099999999"));
    assert!(!info.tested, "a newer build is outside the tested range");
    running
        .until("a QR all the same", |s| {
            matches!(s, AccountState::ScanQr { .. })
        })
        .await;
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_feature_disables_only_that_feature() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("missing_module:WAWebChatStateBridge");
    fake.fault("missing_export:WAWebBackendEventBus.BackendEventBus");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked_with(&fake, profile.path(), |d| {
        d.module_wait = Duration::from_millis(1_500)
    })
    .await;
    let info = running.page_info().await;
    assert!(
        info.missing.contains(&"typingOn".to_string())
            && info.missing.contains(&"typingOff".to_string()),
        "{:?}",
        info.missing
    );
    assert!(
        !info.missing.contains(&"refreshQr".to_string()),
        "the QR refresh fell back to WAWebLaunchSocketUtils.refreshQR: {:?}",
        info.missing
    );
    let typing = running.session.set_typing(CUSTOMER, true).await;
    match typing {
        Err(WaError::Unsupported(detail)) => {
            assert!(detail.contains("WAWebChatStateBridge"), "{detail}")
        }
        other => panic!("typing without its module must be a clear error: {other:?}"),
    }
    running
        .session
        .send_text(CUSTOMER, "sending still works")
        .await
        .unwrap();
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_signed_certificate_is_refused_and_the_page_never_loads() {
    let fake = FakeWhatsApp::start_https(Timings::default()).await;
    assert!(fake.url().starts_with("https://127.0.0.1:"));
    let profile = tempfile::tempdir().unwrap();
    let chrome = browser::find(None).unwrap();
    let driver = ChromiumDriver::new(chrome, fake.url());
    let (tx, _events) = mpsc::unbounded_channel();
    let started = tokio::time::timeout(
        DEADLINE,
        driver.start(profile.path(), tx, Arc::new(SystemClock)),
    )
    .await
    .expect("a certificate error ends quickly, never a hang");
    match started {
        Err(e @ WaError::Insecure(_)) => {
            assert_eq!(e.text().key, "wa.insecure_network");
            assert!(e.text().english.contains("not secure"), "{e}");
            assert!(
                e.text().english.contains("sign in"),
                "a Wi-Fi's sign-in page is named: {e}"
            );
            assert!(
                e.text()
                    .detail
                    .as_deref()
                    .is_some_and(|d| d.contains("ERR_CERT")),
                "the browser's code is one click away: {:?}",
                e.text().detail
            );
        }
        Err(other) => panic!("a certificate error must say so: {other}"),
        Ok(_) => panic!("a page with a self-signed certificate must never load"),
    }
    assert_eq!(
        fake.recorded().page_loads,
        0,
        "nothing may be fetched past a certificate error"
    );
    assert!(!process::any_using_profile(profile.path()));
}

/// WhatsApp out of reach (nothing answers at its address): the owner reads a sentence
/// about this computer's internet connection, never the browser's `net::ERR_…` code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_out_of_reach_is_said_in_plain_words() {
    // A loopback port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let profile = tempfile::tempdir().unwrap();
    let chrome = browser::find(None).unwrap();
    let driver = ChromiumDriver::new(chrome, format!("http://127.0.0.1:{port}/"));
    let (tx, _events) = mpsc::unbounded_channel();
    let started = tokio::time::timeout(
        DEADLINE,
        driver.start(profile.path(), tx, Arc::new(SystemClock)),
    )
    .await
    .expect("an address nobody answers ends quickly, never a hang");
    match started {
        Err(e @ WaError::Unreachable(_)) => {
            let said = e.text();
            assert_eq!(said.key, "wa.unreachable");
            assert!(
                said.english.contains("internet connection") && !said.english.contains("ERR_"),
                "{}",
                said.english
            );
            assert!(
                said.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("ERR_CONNECTION_REFUSED")),
                "the browser's code is one click away: {:?}",
                said.detail
            );
        }
        Err(other) => panic!("out of reach must say so plainly: {other:?}"),
        Ok(_) => panic!("nothing answers there"),
    }
    assert!(!process::any_using_profile(profile.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_is_private_and_the_desktop_agent_reaches_service_workers() {
    // The page's service worker must also start at all: chromiumoxide held every worker
    // paused for a debugger, and WhatsApp Web's never installed.
    use std::os::unix::fs::PermissionsExt;
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("service_worker");
    let root = tempfile::tempdir().unwrap();
    let profile = root.path().join("7");
    let running = linked(&fake, &profile).await;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&profile), 0o700, "the profile is the owner's only");
    // Issue 25, item 11: DevTools over a pipe; no port another user could attach to.
    assert!(
        !profile.join("DevToolsActivePort").exists(),
        "no DevTools port"
    );
    let pid = running.session.pid().expect("the browser's pid");
    let listening = listening_ports(&process::tree(pid));
    assert!(listening.is_empty(), "the browser listens on {listening:?}");
    let recorded = fake
        .wait_for("the service worker's report", DEADLINE, |r| {
            r.events.iter().any(|e| e["kind"] == "sw_agent")
        })
        .await;
    let report = recorded
        .events
        .iter()
        .find(|e| e["kind"] == "sw_agent")
        .unwrap();
    for agent in [&report["ua"], &report["uaHeader"]] {
        let agent = agent.as_str().unwrap_or_default();
        assert!(
            agent.contains("Chrome/") && !agent.contains("Headless"),
            "the desktop agent is set for the whole browser: {agent}"
        );
    }
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_tells_the_page_version_and_an_undelivered_send_in_added_fields() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("send_nack");
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::start(&fake, profile.path());
    harness
        .next_matching("a QR", |v| v["state"] == "ScanQr")
        .await;
    fake.scan(ME);
    harness
        .next_matching("Working", |v| v["state"] == "Working")
        .await;
    harness
        .say(&format!(
            "{{\"cmd\":\"send\",\"chat\":\"{CUSTOMER}\",\"text\":\"hi\"}}"
        ))
        .await;
    let sent = harness
        .next_matching("sent", |v| v["event"] == "sent")
        .await;
    let refused = harness
        .next_matching("the not-delivered ack", |v| {
            v["event"] == "ack" && v["delivered"] == false
        })
        .await;
    assert_eq!(refused["id"], sent["id"]);
    assert_eq!(refused["ack"], -1);
    assert_eq!(refused["reason"], "refused");

    // The page's version rides on the state lines once known.
    fake.set_state("TIMEOUT");
    let failed = harness
        .next_matching("a state line after the version", |v| {
            v["event"] == "state" && v["state"] == "Failed"
        })
        .await;
    assert_eq!(failed["wa_version"], VERSION);
    assert_eq!(failed["wa_version_tested"], true);
    assert_eq!(failed["wa_missing"], json!([]));
    harness.quit(profile.path()).await;
}

/// Crash reconciliation and catch-up against the page as it is: a chat holds only its
/// latest messages, so own messages from before are found by loading earlier ones
/// (`WAWebChatLoadMessages.loadEarlierMsgs({ chat })`, the object form; the chat itself
/// throws), by WhatsApp's time, with their acks; and the customer messages of a chat still
/// unread can be reported again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_messages_the_page_no_longer_holds_are_loaded_by_time_and_unread_chats_caught_up() {
    let fake = FakeWhatsApp::start(Timings {
        loaded_per_chat: 3,
        ..Timings::default()
    })
    .await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let before = jiff::Timestamp::now().as_second() - 5;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(
            running
                .session
                .send_text(CUSTOMER, &format!("reply {n}"))
                .await
                .unwrap(),
        );
    }
    let own = running.session.recent_own(CUSTOMER, before).await.unwrap();
    let found: Vec<&str> = own.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        found,
        ids.iter().map(String::as_str).collect::<Vec<_>>(),
        "all six, though the page held three"
    );
    assert!(
        own.iter().all(|m| m.ack.is_some_and(|a| a >= 0)),
        "each with its ack: {own:?}"
    );
    let recorded = fake
        .wait_for("earlier messages loaded", DEADLINE, |r| {
            r.events.iter().any(|e| e["kind"] == "load_earlier")
        })
        .await;
    assert!(recorded.events.iter().any(|e| e["kind"] == "load_earlier"));
    let later = running
        .session
        .recent_own(CUSTOMER, jiff::Timestamp::now().as_second() + 3_600)
        .await
        .unwrap();
    assert!(later.is_empty(), "nothing from after `since`");

    // Two customer messages in a chat still unread: reported again on request; none once
    // the chat is seen.
    fake.incoming(incoming("U1", CUSTOMER, "hola"));
    fake.incoming(incoming("U2", CUSTOMER, "¿hay alguien?"));
    running.message("U2").await;
    assert_eq!(running.session.catch_up().await.unwrap(), 2);
    running.session.mark_seen(CUSTOMER).await.unwrap();
    assert_eq!(running.session.catch_up().await.unwrap(), 0);
    running.session.stop().await;
}

/// After a restart the page still holds its chats (the real page keeps them in the profile
/// and gets them from the server): a customer message the page took before the browser
/// went away comes back as history, never reported as new, so only catch-up reports it
/// again; and the reply sent before is found, with its ack, by reconciliation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_what_came_before_is_history_caught_up_and_reconciled() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let before = jiff::Timestamp::now().as_second() - 5;
    let reply = running
        .session
        .send_text(CUSTOMER, "Hola, ¿en qué te ayudo?")
        .await
        .unwrap();
    fake.incoming(incoming("H1", CUSTOMER, "¿tenéis la talla M?"));
    running.message("H1").await;
    let (reply_key, customer_key) = (reply.clone(), format!("false_{CUSTOMER}_H1"));
    fake.wait_for("both kept in the profile", DEADLINE, |r| {
        let kept = |id: &str| {
            r.events
                .iter()
                .any(|e| e["kind"] == "kept" && e["id"] == id)
        };
        kept(&reply_key) && kept(&customer_key)
    })
    .await;
    running.session.stop().await;

    let mut again = start(&fake, profile.path()).await;
    again
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    fake.wait_for("the history restored", DEADLINE, |r| {
        r.events
            .iter()
            .any(|e| e["kind"] == "history_restored" && e["messages"] == 2)
    })
    .await;
    while let Ok(event) = again.events.try_recv() {
        if let WaEvent::Message(m) = event {
            panic!("history was reported as new: {m:?}");
        }
    }
    assert_eq!(
        again.session.catch_up().await.unwrap(),
        1,
        "the unread message"
    );
    again.message("H1").await;
    let own = again.session.recent_own(CUSTOMER, before).await.unwrap();
    assert!(
        own.iter()
            .any(|m| m.id == reply && m.ack.is_some_and(|a| a >= 1)),
        "the reply from before, acked: {own:?}"
    );
    again.session.mark_seen(CUSTOMER).await.unwrap();
    again.session.stop().await;

    // Seen is kept too: nothing to catch up after the next start.
    let again = start(&fake, profile.path()).await;
    let mut again = again;
    again
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    assert_eq!(again.session.catch_up().await.unwrap(), 0);
    again.session.stop().await;
}

/// The TCP ports (v4 and v6) on which any of `pids` listens, from /proc.
fn listening_ports(pids: &[u32]) -> Vec<u16> {
    let mut inodes = std::collections::HashMap::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local address, state 0A = LISTEN, inode.
            if fields.get(3) == Some(&"0A") {
                let port = fields[1]
                    .rsplit(':')
                    .next()
                    .and_then(|hex| u16::from_str_radix(hex, 16).ok())
                    .unwrap_or(0);
                inodes.insert(fields[9].to_string(), port);
            }
        }
    }
    let mut ports = Vec::new();
    for pid in pids {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let target = std::fs::read_link(fd.path()).unwrap_or_default();
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|rest| rest.strip_suffix(']'))
            {
                if let Some(port) = inodes.get(inode) {
                    ports.push(*port);
                }
            }
        }
    }
    ports
}
