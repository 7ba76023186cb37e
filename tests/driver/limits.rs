//! WhatsApp Web since mid-2026 (WHATSAPP_WEB.md §3, §5.2, §5.3) against the strict fake in
//! real Chromium: account limits read and followed (never fought), refused sends
//! classified, customers known only by a username, `@lid` chats created with their origin,
//! long opaque ids.

use leadline_core::model::limits::Limits;
use leadline_core::whatsapp::error::WaError;
use leadline_core::whatsapp::limits::Refusal;
use serde_json::json;

use super::*;

const COLD: &str = "34600000077@c.us";
const USERNAME_LID: &str = "99900011122@lid";

impl Running {
    /// The first limits report matching `want` (reports before it are dropped), whether it
    /// came while waiting for something else or comes now.
    async fn limits(&mut self, what: &str, want: impl Fn(&Limits) -> bool) -> Limits {
        loop {
            if let Some(at) = self.limits.iter().position(&want) {
                let found = self.limits[at];
                self.limits.drain(..=at);
                return found;
            }
            self.event(what, |e| matches!(e, WaEvent::Limits(l) if want(l)))
                .await;
        }
    }
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timelocked_number_answers_who_wrote_and_never_sends_cold() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("timelock_active_at_launch");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let limits = running
        .limits("the timelock read after sync", |l| l.timelocked)
        .await;
    let ends = limits.timelock_ends_at.expect("the timelock's end");
    assert!(
        (ends - now_ms() - 86_400_000).abs() < 60_000,
        "ends in a day: {ends}"
    );
    let loads = fake.recorded().page_loads;

    // A customer who wrote first is answered: their chat has a token the send carries.
    fake.incoming(incoming("T1", CUSTOMER, "hola, ¿tenéis la M?"));
    running.messages_until("T1").await;
    let id = running
        .session
        .send_text(CUSTOMER, "sí, la tenemos")
        .await
        .expect("a reply to a customer who wrote goes out while timelocked");
    // Its server ack is reported, though the page acked it while its echo was held.
    running.ack(&id, 1).await;
    let recorded = fake
        .wait_for("the reply", DEADLINE, |r| {
            r.sent.iter().any(|s| s["id"] == id)
        })
        .await;
    let sent = recorded.sent.iter().find(|s| s["id"] == id).unwrap();
    assert_eq!(sent["token"], "tc", "{sent}");

    // Someone who never wrote: refused here, the page's send never called.
    match running.session.send_text(COLD, "¡oferta!").await {
        Err(WaError::Limited { id: None, refusal }) => assert_eq!(refusal, Refusal::Timelocked),
        other => panic!("a cold send while timelocked must be refused unsent, got {other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let recorded = fake.recorded();
    assert!(
        recorded.sent.iter().all(|s| s["chat"] != COLD),
        "the page was asked to send: {:?}",
        recorded.sent
    );
    // Nothing restarted, reloaded or logged out over the limit.
    assert_eq!(recorded.page_loads, loads);
    assert!(
        matches!(running.seen.last(), Some(AccountState::Working { .. })),
        "no state after Working: {:?}",
        running.seen
    );
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_read_on_the_pages_events_and_shown_lifted() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    running
        .limits("no limits after sync", |l| *l == Limits::default())
        .await;
    let end = now_ms() + 3 * 3_600_000;
    fake.timelock(true, Some(end));
    let limits = running
        .limits("the pushed timelock", |l| l.timelocked)
        .await;
    assert_eq!(limits.timelock_ends_at, Some(end));
    fake.cap_new_chats(true);
    running
        .limits("the cap", |l| l.capped && l.timelocked)
        .await;
    fake.timelock(false, None);
    fake.cap_new_chats(false);
    running.limits("lifted", |l| *l == Limits::default()).await;
    // With no end given the page assumes a minute: shown as limited, and lifted after it.
    fake.timelock(true, None);
    let limits = running
        .limits("a timelock without an end", |l| l.timelocked)
        .await;
    assert!(limits.timelock_ends_at.is_some());
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_sends_are_classified_and_their_echo_is_never_a_sent_message() {
    for (faults, want) in [
        (&["send_rejected_475"][..], Refusal::Capped),
        (
            &["send_rejected_463", "timelock_pushed_midsession"][..],
            Refusal::Timelocked,
        ),
        (&["send_rejected_463"][..], Refusal::Refused),
        (&["send_rejected_463_code"][..], Refusal::Refused),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        for fault in faults {
            fake.fault(fault);
        }
        let profile = tempfile::tempdir().unwrap();
        let mut running = linked(&fake, profile.path()).await;
        running.limits("the first read", |_| true).await;
        match running.session.send_text(CUSTOMER, "hola").await {
            Err(WaError::Limited {
                id: Some(id),
                refusal,
            }) => {
                assert_eq!(refusal, want, "{faults:?}");
                assert!(id.starts_with("true_"), "{faults:?}: {id}");
            }
            other => panic!("{faults:?}: a refused send must be Limited, got {other:?}"),
        }
        // The page added the message before the server refused it: never reported as one
        // of ours that went out.
        fake.incoming(incoming("AFTER", CUSTOMER, "¿hola?"));
        let got = running.messages_until("AFTER").await;
        assert!(
            got.iter().all(|m| !m.from_me),
            "{faults:?}: the refused message was reported: {got:?}"
        );
        running.session.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_known_only_by_username_gets_a_phone_when_whatsapp_maps_it() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let mut first = incoming("U1", USERNAME_LID, "hi, price of the blue one?");
    first["username"] = json!("ana.shop");
    first["notifyName"] = json!("");
    fake.incoming(first);
    let got = running.messages_until("U1").await;
    let message = got.last().unwrap();
    assert_eq!(message.chat, USERNAME_LID);
    assert_eq!(message.phone, None);
    assert_eq!(message.username.as_deref(), Some("ana.shop"));
    // Answered in its own chat: it exists, so no phone is needed.
    running
        .session
        .send_text(USERNAME_LID, "39 €")
        .await
        .expect("a reply to a username customer");

    fake.contact(USERNAME_LID, Some("ana_store"), None);
    fake.map_lid(USERNAME_LID, "34600000055@c.us");
    fake.incoming(incoming("U2", USERNAME_LID, "ok"));
    let got = running.messages_until("U2").await;
    let message = got.last().unwrap();
    assert_eq!(message.phone.as_deref(), Some("+34600000055"));
    assert_eq!(message.username.as_deref(), Some("ana_store"));
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lid_chat_is_created_with_its_origin_and_long_ids_read_whole() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    // A linked id whose phone the page knows, with no chat yet: created, with an origin.
    let lid = "55500011199@lid";
    fake.map_lid(lid, "34600000066@c.us");
    tokio::time::sleep(Duration::from_millis(300)).await;
    running
        .session
        .send_text(lid, "hello")
        .await
        .expect("the page's createChat takes an @lid with an origin");
    let recorded = fake
        .wait_for("the chat lookup", DEADLINE, |r| {
            r.events
                .iter()
                .any(|e| e["kind"] == "find_chat" && e["wid"] == lid)
        })
        .await;
    let found = recorded
        .events
        .iter()
        .find(|e| e["kind"] == "find_chat" && e["wid"] == lid)
        .unwrap();
    assert_eq!(found["origin"], "createChat");
    assert!(
        !recorded
            .events
            .iter()
            .any(|e| e["kind"] == "unexpected-lid-chat" || e["kind"] == "share_own_pn"),
        "{:?}",
        recorded.events
    );

    // Other clients' ids are opaque and long; two chats may share one: both arrive whole.
    let long = "A1B2C3D4E5F60718293A4B5C6D7E8F90ABCDEF0123456789";
    fake.incoming(incoming(long, CUSTOMER, "uno"));
    fake.incoming(incoming(long, COLD, "dos"));
    fake.incoming(incoming("LAST", CUSTOMER, "tres"));
    let got = running.messages_until("LAST").await;
    let ids: Vec<_> = got
        .iter()
        .filter(|m| m.id.ends_with(long))
        .map(|m| m.id.clone())
        .collect();
    assert_eq!(
        ids,
        vec![
            format!("false_{CUSTOMER}_{long}"),
            format!("false_{COLD}_{long}")
        ]
    );
    running.session.stop().await;
}

/// The fault switches of §6 for limits, people and ids: the driver reads each as the page
/// has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_and_people_switches_read_as_the_page_has_them() {
    // Lifted by the server after sync: shown limited, then not.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("timelock_lifted");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    running.limits("limited at launch", |l| l.timelocked).await;
    running.limits("lifted", |l| !l.timelocked).await;
    running.session.stop().await;

    // A token on a chat whose contact never wrote: the page lets the send through.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("timelock_active_at_launch");
    fake.fault("tctoken_orphan");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    running.limits("limited", |l| l.timelocked).await;
    running
        .session
        .send_text(COLD, "hola")
        .await
        .expect("a chat with a token may be written to while timelocked");
    running.session.stop().await;

    // Username customers, their later phone, new usernames, no name at all, long ids.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    for fault in [
        "username_only_customer",
        "username_then_phone",
        "username_changed",
    ] {
        fake.fault(fault);
    }
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(incoming("N1", USERNAME_LID, "hola"));
    let first = running.messages_until("N1").await.pop().unwrap();
    assert_eq!(first.username.as_deref(), Some("customer_v1"));
    assert_eq!(first.phone, None);
    tokio::time::sleep(Duration::from_millis(600)).await;
    fake.incoming(incoming("N2", USERNAME_LID, "¿sigue?"));
    let second = running.messages_until("N2").await.pop().unwrap();
    assert_eq!(second.username.as_deref(), Some("customer_v2"));
    assert!(second.phone.is_some(), "mapped later: {second:?}");
    running.session.stop().await;

    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("no_name_no_username");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    let mut message = incoming("X1", USERNAME_LID, "hola");
    message["notifyName"] = json!("Ana");
    message["username"] = json!("ana");
    fake.incoming(message);
    let got = running.messages_until("X1").await.pop().unwrap();
    assert_eq!((got.push_name, got.username, got.phone), (None, None, None));
    running.session.stop().await;

    // Other clients' ids, long and opaque: taken whole.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("long_ids");
    let profile = tempfile::tempdir().unwrap();
    let mut running = linked(&fake, profile.path()).await;
    fake.incoming(incoming("L1", CUSTOMER, "hola"));
    let long = running
        .event(
            "a long id",
            |e| matches!(e, WaEvent::Message(m) if m.id.ends_with("L1")),
        )
        .await;
    let WaEvent::Message(long) = long else {
        unreachable!()
    };
    assert!(long.id.len() > 50, "{}", long.id);
    running.session.stop().await;
}
