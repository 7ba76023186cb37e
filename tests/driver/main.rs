//! The real driver in a real Chromium against the local fake of WhatsApp Web.
//! Needs Chromium (scripts/setup.sh --test installs it); no display.

// Tests may panic on what they set up themselves; that is how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use leadline_core::clock::SystemClock;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::chromium::{BrowserChoice, ChromiumDriver, Session};
use leadline_core::whatsapp::message::{WaEvent, WaMessage};
use leadline_core::whatsapp::{browser, process};
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use tokio::sync::mpsc;

mod contract;
mod kinds;
mod limits;
mod media;
mod media_shapes;
mod old_calls;
mod pairing_code;
mod passkey;
mod runtime;

const DEADLINE: Duration = Duration::from_secs(30);

struct Running {
    session: Session,
    events: mpsc::UnboundedReceiver<WaEvent>,
    seen: Vec<AccountState>,
    /// What the page said of itself, in order (kept while waiting for something else).
    pages: Vec<leadline_core::whatsapp::page::PageInfo>,
    /// What the page said of the account's limits, in order (kept likewise).
    limits: Vec<leadline_core::model::limits::Limits>,
}

async fn start(fake: &FakeWhatsApp, profile: &Path) -> Running {
    start_with(fake, profile, Duration::from_secs(30)).await
}

async fn start_with(fake: &FakeWhatsApp, profile: &Path, ready_timeout: Duration) -> Running {
    let chrome = browser::find(None).expect("Chromium is installed (scripts/setup.sh --test)");
    start_on(fake, profile, chrome, ready_timeout).await
}

async fn start_on(
    fake: &FakeWhatsApp,
    profile: &Path,
    chrome: PathBuf,
    ready_timeout: Duration,
) -> Running {
    let mut driver = ChromiumDriver::new(chrome, fake.url());
    driver.ready_timeout = ready_timeout;
    start_driver(driver, profile).await
}

/// A session of a driver set up by `configure` (bounds shortened for a test).
async fn start_custom(
    fake: &FakeWhatsApp,
    profile: &Path,
    configure: impl FnOnce(&mut ChromiumDriver),
) -> Running {
    let chrome = browser::find(None).expect("Chromium is installed (scripts/setup.sh --test)");
    let mut driver = ChromiumDriver::new(chrome, fake.url());
    configure(&mut driver);
    start_driver(driver, profile).await
}

async fn start_driver(driver: ChromiumDriver, profile: &Path) -> Running {
    let (tx, events) = mpsc::unbounded_channel();
    let session = driver
        .start(profile, tx, Arc::new(SystemClock))
        .await
        .expect("the browser starts");
    Running {
        session,
        events,
        seen: Vec::new(),
        pages: Vec::new(),
        limits: Vec::new(),
    }
}

/// A session linked as `ME` on a fresh profile.
///
/// A scan that lands while the page has no QR up (a fault reloaded it just then) is
/// refused, as a real phone's would be; like a person, the helper scans the next QR.
async fn linked(fake: &FakeWhatsApp, profile: &Path) -> Running {
    let mut running = start(fake, profile).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    for _ in 0..10 {
        fake.scan(ME);
        let next = running
            .until("Working or a new QR", |s| {
                matches!(
                    s,
                    AccountState::Working { .. } | AccountState::ScanQr { .. }
                )
            })
            .await;
        if matches!(next, AccountState::Working { .. }) {
            return running;
        }
    }
    panic!("ten scans were refused; states: {:?}", running.seen)
}

const ME: &str = "15550001111@c.us";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_browser_helper_stops_with_the_session_and_with_a_killed_browser() {
    let fake = FakeWhatsApp::start(Timings::default()).await;

    // Stop: the browser and every helper it ran are gone, including the headless shell's
    // zygotes, which don't name the profile on their command line.
    let profile = tempfile::tempdir().unwrap();
    let running = linked(&fake, profile.path()).await;
    let pid = running.session.pid().expect("the browser's pid");
    let helpers = process::record(&process::tree(pid));
    assert!(
        helpers.len() >= 3,
        "a browser, its zygotes and a renderer at least: {helpers:?}"
    );
    running.session.stop().await;
    let left: Vec<_> = helpers
        .iter()
        .filter(|r| process::still_running(r))
        .collect();
    assert!(left.is_empty(), "left after stop: {left:?}");
    assert!(!process::any_using_profile(profile.path()));

    // A browser killed outright takes its helpers with it.
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let pid = running.session.pid().expect("the browser's pid");
    let helpers = process::record(&process::tree(pid));
    process::kill(&[pid]);
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while helpers.iter().any(process::still_running) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "helpers outlived their killed browser: {:?}",
            helpers
                .iter()
                .filter(|r| process::still_running(r))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The session notices: its events end.
    let ended = tokio::time::timeout(DEADLINE, async {
        while running.events.recv().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the session must end when its browser dies");
    running.session.stop().await;
    assert!(!process::any_using_profile(profile.path()));
}

/// An owner without the headless shell (Windows, macOS, or Chrome only) runs a full
/// browser headless with the same flags; it must link and reconnect the same way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_chromium_links_and_reconnects_too() {
    let full = PathBuf::from("/usr/bin/chromium");
    assert!(full.is_file(), "scripts/setup.sh --test installs Chromium");
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();

    let mut running = start_on(&fake, profile.path(), full.clone(), DEADLINE).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    fake.scan(ME);
    running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    running.session.stop().await;
    assert!(!process::any_using_profile(profile.path()));

    let mut again = start_on(&fake, profile.path(), full, DEADLINE).await;
    again
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    assert!(
        !again
            .seen
            .iter()
            .any(|s| matches!(s, AccountState::ScanQr { .. })),
        "a linked profile must not ask for a QR: {:?}",
        again.seen
    );
    fake.incoming(incoming("full-1", "15557654321@c.us", "hola 👋"));
    let got = again.messages_until("full-1").await;
    assert_eq!(
        got.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["hola 👋"]
    );
    again.session.stop().await;
    assert!(!process::any_using_profile(profile.path()));
}
const CUSTOMER: &str = "34600000001@c.us";

impl Running {
    /// Collects messages until one with `last` as its WhatsApp id arrives. Delivery is in
    /// order, so everything sent before `last` has been handled by then.
    async fn messages_until(&mut self, last: &str) -> Vec<WaMessage> {
        self.messages_until_all(&[last]).await
    }

    /// Collects messages until every one of `ids` has arrived (a ciphertext is reported
    /// only once decrypted, so it can come after messages sent later).
    async fn messages_until_all(&mut self, ids: &[&str]) -> Vec<WaMessage> {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        let mut got: Vec<WaMessage> = Vec::new();
        let arrived =
            |got: &[WaMessage], id: &str| got.iter().any(|m| m.id.ends_with(&format!("_{id}")));
        while !ids.iter().all(|id| arrived(&got, id)) {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(WaEvent::Message(m))) => got.push(m),
                Ok(Some(WaEvent::State(s))) => self.seen.push(s),
                Ok(Some(WaEvent::Limits(l))) => self.limits.push(l),
                Ok(Some(_)) => {}
                Ok(None) => panic!("the session ended while waiting for {ids:?}; got {got:?}"),
                Err(_) => panic!("messages {ids:?} never all arrived; got {got:?}"),
            }
        }
        got
    }

    /// Waits for an ack of `id` at `level`; returns every ack of `id` seen on the way.
    async fn ack(&mut self, id: &str, level: i8) -> Vec<i8> {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        let mut acks = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(WaEvent::Ack { id: acked, ack })) if acked == id => {
                    acks.push(ack);
                    if ack == level {
                        return acks;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => panic!("the session ended while waiting for an ack of {id}"),
                Err(_) => panic!("no ack {level} for {id} within {DEADLINE:?}; saw {acks:?}"),
            }
        }
    }

    /// Waits for an event matching `want`, recording states on the way.
    async fn event(&mut self, what: &str, want: impl Fn(&WaEvent) -> bool) -> WaEvent {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => {
                    if let WaEvent::State(state) = &event {
                        self.seen.push(state.clone());
                    }
                    if let WaEvent::Page(info) = &event {
                        self.pages.push(info.clone());
                    }
                    if let WaEvent::Limits(limits) = &event {
                        self.limits.push(*limits);
                    }
                    if want(&event) {
                        return event;
                    }
                }
                Ok(None) => panic!("the session ended before {what}; states: {:?}", self.seen),
                Err(_) => panic!("no {what} within {DEADLINE:?}; states: {:?}", self.seen),
            }
        }
    }

    /// Waits for a state matching `want`, recording every state on the way.
    async fn until(&mut self, what: &str, want: impl Fn(&AccountState) -> bool) -> AccountState {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let next = tokio::time::timeout_at(deadline, self.events.recv()).await;
            match next {
                Ok(Some(WaEvent::State(state))) => {
                    self.seen.push(state.clone());
                    if want(&state) {
                        return state;
                    }
                }
                Ok(Some(WaEvent::Page(info))) => self.pages.push(info),
                Ok(Some(WaEvent::Limits(limits))) => self.limits.push(limits),
                Ok(Some(_)) => {}
                Ok(None) => panic!("the session ended before {what}; states: {:?}", self.seen),
                Err(_) => panic!("no {what} within {DEADLINE:?}; states: {:?}", self.seen),
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_number_shows_the_fakes_qr_links_on_scan_and_restarts_without_a_qr() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();

    let mut running = start(&fake, profile.path()).await;
    let shown = running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    let AccountState::ScanQr { qr, .. } = shown else {
        unreachable!()
    };
    // The page reports its QR to the fake over HTTP, which can land after the driver saw it.
    fake.wait_for("the page showing exactly this QR", DEADLINE, |r| {
        r.qr_history.contains(&qr)
    })
    .await;
    assert_eq!(
        qr.split(',').count(),
        5,
        "ref, two keys, ADV secret and platform: {qr}"
    );

    fake.scan("15550001111@c.us");
    let working = running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    assert_eq!(
        working,
        AccountState::Working {
            me: "15550001111@c.us".into()
        }
    );
    assert!(
        running
            .seen
            .iter()
            .any(|s| matches!(s, AccountState::Syncing { .. })),
        "sync progress must be shown between the scan and Working: {:?}",
        running.seen
    );
    let loads = fake.recorded().page_loads;
    assert!(
        loads >= 2,
        "the page reloads after the scan, and the driver must follow it ({loads} loads)"
    );

    running.session.stop().await;
    assert!(
        !process::any_using_profile(profile.path()),
        "no Chromium may be left after stop"
    );

    // Same profile again: the link is kept, so no QR.
    let mut again = start(&fake, profile.path()).await;
    again
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    assert!(
        !again
            .seen
            .iter()
            .any(|s| matches!(s, AccountState::ScanQr { .. })),
        "a linked profile must not ask for a QR: {:?}",
        again.seen
    );
    again.session.stop().await;
    assert!(
        !process::any_using_profile(profile.path()),
        "no Chromium may be left after stop"
    );
}

fn incoming(id: &str, from: &str, body: &str) -> serde_json::Value {
    serde_json::json!({ "id": id, "from": from, "body": body, "notifyName": "Ana" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_incoming_message_is_reported_once_and_only_when_new() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;

    fake.incoming(incoming("M1", CUSTOMER, "Hola 👋 ¿precio? \u{200f}مرحبا"));
    fake.incoming(incoming("M2", "98765432101234@lid", "from a linked id"));
    fake.incoming(serde_json::json!({
        "id": "M3", "from": "120363000000000001@g.us", "chat": "120363000000000001@g.us",
        "author": "34600000002@c.us", "body": "in a group"
    }));
    fake.incoming(serde_json::json!({
        "id": "M4", "from": "status@broadcast", "chat": "status@broadcast",
        "author": "34600000003@c.us", "body": "a status update"
    }));
    fake.incoming(serde_json::json!({
        "id": "M5", "from": CUSTOMER, "type": "ciphertext", "body": "readable after decryption"
    }));
    fake.incoming(
        serde_json::json!({ "id": "M6", "from": CUSTOMER, "body": "old", "isNewMsg": false }),
    );
    fake.incoming(incoming("M1", CUSTOMER, "Hola 👋 ¿precio? \u{200f}مرحبا"));
    fake.incoming(incoming("M7", CUSTOMER, "last"));

    let got = running.messages_until_all(&["M5", "M7"]).await;
    // `fromMe_chat_id`, and `_participant` after it in groups.
    let ids: Vec<&str> = got
        .iter()
        .map(|m| m.id.split('_').nth(2).unwrap_or_default())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["M1", "M2", "M3", "M5", "M7"],
        "status, history and duplicates must not be reported: {ids:?}"
    );

    let by = |id: &str| {
        got.iter()
            .find(|m| m.id.split('_').nth(2) == Some(id))
            .unwrap()
    };
    assert_eq!(
        by("M1").body,
        "Hola 👋 ¿precio? \u{200f}مرحبا",
        "text must arrive exactly as sent"
    );
    assert_eq!(by("M1").id, format!("false_{CUSTOMER}_M1"));
    assert_eq!(by("M1").push_name.as_deref(), Some("Ana"));
    assert_eq!(
        by("M2").chat,
        "98765432101234@lid",
        "an @lid sender keeps a stable chat id"
    );
    assert_eq!(by("M3").chat, "120363000000000001@g.us");
    assert_eq!(
        by("M3").from,
        "34600000002@c.us",
        "in a group the sender is the author"
    );
    assert_eq!(
        by("M5").body,
        "readable after decryption",
        "a ciphertext is reported once it is text"
    );
    assert!(got.iter().all(|m| !m.from_me));
    running.session.stop().await;
}

/// Issue 25, item 9: a message far past WhatsApp's limit (3 million characters, a name of
/// 100,000) is cut to the limit in the page, never sent whole over the binding, and still
/// arrives; the next one too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_message_is_cut_in_the_page_and_still_arrives() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let huge = "ب😀".repeat(1_500_000);
    fake.incoming(serde_json::json!({
        "id": "H1", "from": CUSTOMER, "body": huge, "notifyName": "A".repeat(100_000)
    }));
    fake.incoming(incoming("H2", CUSTOMER, "después"));
    let got = running.messages_until_all(&["H1", "H2"]).await;
    let first = got.iter().find(|m| m.id.ends_with("_H1")).unwrap();
    assert_eq!(first.body.chars().count(), 65_536);
    assert!(huge.starts_with(&first.body), "cut, never garbled");
    assert_eq!(
        first.push_name.as_ref().map(|n| n.chars().count()),
        Some(256)
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_that_arrived_while_the_driver_was_away_are_delivered_on_reconnect() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let running = linked(&fake, profile.path()).await;
    running.session.stop().await;

    fake.incoming(incoming("AWAY1", CUSTOMER, "are you open?"));
    fake.incoming(incoming("AWAY2", CUSTOMER, "hello??"));

    let mut again = start(&fake, profile.path()).await;
    let got = again.messages_until("AWAY2").await;
    assert!(
        got.iter().any(|m| m.id.ends_with("_AWAY1")),
        "the first queued message must arrive too: {got:?}"
    );
    again.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_seen_and_typing_reach_whatsapp_and_acks_come_back() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;

    running.session.mark_seen(CUSTOMER).await.unwrap();
    running.session.set_typing(CUSTOMER, true).await.unwrap();
    running.session.set_typing(CUSTOMER, false).await.unwrap();
    let text = "Gracias 🙏 — we open at 9";
    let id = running.session.send_text(CUSTOMER, text).await.unwrap();
    assert!(
        id.starts_with(&format!("true_{CUSTOMER}_")),
        "a sent message's id: {id}"
    );

    let recorded = fake
        .wait_for("the send, seen and typing", DEADLINE, |r| {
            !r.sent.is_empty() && !r.seen.is_empty() && r.typing.len() == 2
        })
        .await;
    assert_eq!(recorded.sent[0]["body"], text);
    assert_eq!(recorded.sent[0]["chat"], CUSTOMER);
    assert_eq!(recorded.sent[0]["id"], id.as_str());
    assert_eq!(recorded.seen[0]["chat"], CUSTOMER);
    assert_eq!(recorded.typing[0]["on"], true);
    assert_eq!(recorded.typing[1]["on"], false);

    let own = running.messages_until(id.rsplit('_').next().unwrap()).await;
    assert!(
        own.last().unwrap().from_me,
        "our own send comes back as our own message"
    );

    // What went out can be read back from WhatsApp's own list (crash reconciliation).
    let recent = running.session.recent_own(CUSTOMER, 0).await.unwrap();
    assert_eq!(
        recent.last().map(|m| (m.id.as_str(), m.body.as_str())),
        Some((id.as_str(), text)),
        "the sent message is among the chat's own messages"
    );
    assert!(
        running
            .session
            .recent_own("15550009999@c.us", 0)
            .await
            .unwrap()
            .is_empty(),
        "another chat has none"
    );

    fake.ack(&id, 3);
    let acks = running.ack(&id, 3).await;
    assert!(
        acks.iter().all(|a| (-1..=3).contains(a)),
        "acks of a sent message: {acks:?}"
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_the_owner_types_on_the_phone_is_reported_as_their_own() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(serde_json::json!({ "id": "P1", "fromMe": true, "chat": CUSTOMER, "body": "I'll take this one" }));
    let got = running.messages_until("P1").await;
    let typed = got.last().unwrap();
    assert!(
        typed.from_me,
        "the owner's phone message must be marked as theirs"
    );
    assert_eq!(typed.chat, CUSTOMER);
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_from_the_phone_is_reported() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.logout_from_phone();
    running
        .until("LoggedOut", |s| *s == AccountState::LoggedOut)
        .await;
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_states_end_in_a_plain_reason() {
    for (state, words) in [
        ("CONFLICT", "another computer"),
        ("TIMEOUT", "did not answer"),
        ("DEPRECATED_VERSION", "too old"),
        ("TOS_BLOCK", "blocked"),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        let profile = tempfile::tempdir().unwrap();
        let mut running = linked(&fake, profile.path()).await;
        fake.set_state(state);
        let failed = running
            .until(state, |s| matches!(s, AccountState::Failed { .. }))
            .await;
        let AccountState::Failed {
            reason,
            open_elsewhere,
        } = failed
        else {
            unreachable!()
        };
        assert!(reason.english.contains(words), "{state}: {reason}");
        assert_eq!(open_elsewhere, state == "CONFLICT", "{state}");
        if open_elsewhere {
            // "Use here" takes WhatsApp back from the other window.
            running.session.take_over().await.unwrap();
            running
                .until("Working after Use here", |s| {
                    matches!(s, AccountState::Working { .. })
                })
                .await;
            fake.wait_for("the page's own takeover called", DEADLINE, |r| {
                r.events
                    .iter()
                    .any(|e| e.get("kind").and_then(|k| k.as_str()) == Some("takeover"))
            })
            .await;
        }
        running.session.stop().await;
        assert!(
            !process::any_using_profile(profile.path()),
            "no Chromium may be left after stop"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_faults_end_in_a_clear_state_within_a_deadline() {
    // A missing core module: a clear failure naming it, once the late modules had their
    // chance.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("missing_module:WAWebSocketModel");
    let profile = tempfile::tempdir().unwrap();
    let mut running = start_custom(&fake, profile.path(), |d| {
        d.module_wait = Duration::from_secs(2)
    })
    .await;
    let failed = running
        .until("a failure", |s| matches!(s, AccountState::Failed { .. }))
        .await;
    assert!(
        format!("{failed:?}").contains("WAWebSocketModel"),
        "{failed:?}"
    );
    running.session.stop().await;

    // Debug.VERSION never set: give up after the ready timeout, with a reason.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("no_debug_version");
    let profile = tempfile::tempdir().unwrap();
    let mut running = start_with(&fake, profile.path(), Duration::from_secs(2)).await;
    let failed = running
        .until("a failure", |s| matches!(s, AccountState::Failed { .. }))
        .await;
    assert!(
        format!("{failed:?}").contains("did not finish loading"),
        "{failed:?}"
    );
    running.session.stop().await;

    // These must not get in the way of linking and messaging.
    for fault in [
        "serialized_renamed",
        "strict_csp",
        "iframe_navigation",
        "headless_update_page",
        "late_modules",
        "extra_reload",
        "focused_window",
        "lid_migrated",
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        fake.fault(fault);
        let profile = tempfile::tempdir().unwrap();
        let mut running = linked(&fake, profile.path()).await;
        fake.incoming(incoming("F1", CUSTOMER, "still works"));
        let got = running.messages_until("F1").await;
        assert_eq!(
            got.last().unwrap().id,
            format!("false_{CUSTOMER}_F1"),
            "{fault}: ids must still read"
        );
        running.session.stop().await;
        assert!(
            !process::any_using_profile(profile.path()),
            "{fault}: no Chromium may be left"
        );
    }
}

/// `leadline-wa` run on a profile against a fake, read line by line.
struct Harness {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

impl Harness {
    fn start(fake: &FakeWhatsApp, profile: &Path) -> Harness {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_leadline-wa"))
            .args(["--wa-url", &fake.url(), "--profile"])
            .arg(profile)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("leadline-wa starts");
        let stdin = child.stdin.take().unwrap();
        let lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        Harness {
            child,
            stdin,
            lines,
        }
    }

    /// The next printed line for which `check` holds (every line must be JSON).
    async fn next_matching(
        &mut self,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("leadline-wa printed no {what} within {DEADLINE:?}"))
                .unwrap()
                .unwrap_or_else(|| panic!("leadline-wa ended before {what}"));
            let value: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if check(&value) {
                return value;
            }
        }
    }

    async fn say(&mut self, line: &str) {
        use tokio::io::AsyncWriteExt;
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }

    /// Quits; it must exit 0 with no browser left on `profile`.
    async fn quit(mut self, profile: &Path) {
        self.say("{\"cmd\":\"quit\"}").await;
        let status = tokio::time::timeout(DEADLINE, self.child.wait())
            .await
            .expect("leadline-wa quits")
            .unwrap();
        assert!(status.success(), "quit exits 0: {status}");
        assert!(
            !process::any_using_profile(profile),
            "leadline-wa must stop its browser"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leadline_wa_harness_links_sends_and_quits_cleanly() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut harness = Harness::start(&fake, profile.path());
    let qr = harness
        .next_matching("a QR", |v| v["state"] == "ScanQr")
        .await;
    assert_eq!(qr["event"], "state");
    let printed = qr["qr"].as_str().unwrap_or_default().to_string();
    fake.wait_for("the page showing the printed QR", DEADLINE, |r| {
        r.qr_history.contains(&printed)
    })
    .await;
    fake.scan(ME);
    let working = harness
        .next_matching("Working", |v| v["state"] == "Working")
        .await;
    assert_eq!(working["me"], ME);

    harness
        .say(&format!(
            "{{\"cmd\":\"send\",\"chat\":\"{CUSTOMER}\",\"text\":\"hi\"}}"
        ))
        .await;
    let sent = harness
        .next_matching("sent", |v| v["event"] == "sent")
        .await;
    assert!(
        sent["id"].as_str().unwrap_or_default().starts_with("true_"),
        "{sent}"
    );
    harness.say("this is not json").await;
    harness
        .next_matching("an error for a bad command", |v| v["event"] == "error")
        .await;
    harness.quit(profile.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_codes_rotate_expire_and_come_back_on_refresh() {
    let timings = Timings {
        first_ref_ms: 400,
        ref_ms: 300,
        refs_per_batch: 3,
        ..Timings::default()
    };
    let fake = FakeWhatsApp::start(timings).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };

    // The page's screen runs out of codes (it shows its reload button); the last code the
    // driver shows then counts as expired.
    fake.wait_for("the batch of codes to run out", DEADLINE, |r| {
        r.qr_history.len() >= 3 && r.qr.is_none()
    })
    .await;
    let last_on_screen = fake.recorded().qr_history.last().cloned().unwrap();
    let expired = loop {
        let state = running
            .until("the last code of the batch", |s| {
                matches!(s, AccountState::ScanQr { .. })
            })
            .await;
        if matches!(&state, AccountState::ScanQr { qr, expires_at } if *qr == last_on_screen && *expires_at <= now())
        {
            break state;
        }
    };
    let shown: Vec<String> = running
        .seen
        .iter()
        .filter_map(|s| match s {
            AccountState::ScanQr { qr, .. } => Some(qr.clone()),
            _ => None,
        })
        .collect();
    let mut distinct = shown.clone();
    distinct.dedup();
    assert!(
        distinct.len() >= 3,
        "each rotation must show a new code: {shown:?}"
    );
    let AccountState::ScanQr { qr: last, .. } = expired else {
        unreachable!()
    };
    running.session.refresh_qr().await.unwrap();
    let fresh = running
        .until("a new code after refresh", |s| matches!(s, AccountState::ScanQr { qr, expires_at } if *qr != last && *expires_at > now()))
        .await;
    assert!(matches!(fresh, AccountState::ScanQr { .. }));
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pairing_code_can_be_asked_for_instead_of_a_qr() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;

    let code = running
        .session
        .pairing_code("+34 600 00 12 34")
        .await
        .unwrap();
    assert_eq!(code, "FAKE1234", "the code WhatsApp gives, as it is");
    let asked = fake
        .wait_for("the page asked for a code", DEADLINE, |r| {
            r.events.iter().any(|e| e["kind"] == "pairing_code")
        })
        .await;
    let event = asked
        .events
        .iter()
        .find(|e| e["kind"] == "pairing_code")
        .unwrap();
    assert_eq!(
        event["phone"], "34600001234",
        "only the digits go to WhatsApp"
    );

    let refused = running.session.pairing_code("call me").await;
    assert!(
        refused.is_err(),
        "a phone number without digits must be refused before WhatsApp sees it"
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_browser_is_a_plain_failure_not_a_hang() {
    use leadline_core::runtime::tasks::Runtime;
    use leadline_core::whatsapp::chromium::ChromiumSessions;

    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profiles = tempfile::tempdir().unwrap();
    let sessions = ChromiumSessions::new(fake.url(), Arc::new(SystemClock));
    sessions.configure(BrowserChoice {
        browser: Some("/nonexistent/chrome".into()),
        url: fake.url(),
    });
    let runtime = Runtime::new(
        Arc::new(sessions),
        profiles.path().to_path_buf(),
        Arc::new(|_, _| {}),
        Arc::new(|_, _| {}),
    );
    let mut state = runtime.start(1);
    let failed = tokio::time::timeout(
        DEADLINE,
        state.wait_for(|s| matches!(s, AccountState::Failed { .. })),
    )
    .await
    .expect("a missing browser must fail quickly")
    .unwrap()
    .clone();
    let AccountState::Failed { reason, .. } = failed else {
        unreachable!()
    };
    assert!(
        reason.english.contains("/nonexistent/chrome") && reason.english.contains("Settings"),
        "the reason says what to do: {reason}"
    );
    assert_eq!(
        reason.key, "wa.browser_not_found",
        "the window can say it in the owner's language"
    );
    assert_eq!(
        reason.args.get("path").map(String::as_str),
        Some("/nonexistent/chrome")
    );
    runtime.stop_all().await;
}
