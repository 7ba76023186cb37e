//! The pairing code's own cycle (WHATSAPP_WEB.md §2) against the fake in real Chromium: a
//! new code when the last is due (sooner once the phone typed it), a bounded number of
//! times, then "expired" until the owner asks; WhatsApp's refusals end the cycle.

use std::time::Duration;

use super::*;

/// Codes every 1.5 s (0.6 s after the phone typed one), renewed twice.
fn quick(driver: &mut ChromiumDriver) {
    driver.pairing_code_life = Duration::from_millis(1_500);
    driver.pairing_code_after_hello = Duration::from_millis(600);
    driver.pairing_code_renewals = 2;
}

fn code_of(state: &AccountState) -> Option<(Option<String>, i64, u8)> {
    match state {
        AccountState::PairingCode {
            code,
            expires_at,
            renewals_left,
        } => Some((code.clone(), *expires_at, *renewals_left)),
        _ => None,
    }
}

/// At the QR, the owner asks for a code instead.
async fn asked_for_a_code(running: &mut Running) {
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    running
        .session
        .pairing_code("+34 600 00 12 34")
        .await
        .unwrap();
}

/// How many codes the page made.
fn codes_made(fake: &FakeWhatsApp) -> usize {
    fake.recorded()
        .events
        .iter()
        .filter(|e| e["kind"] == "pairing_code")
        .count()
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pairing_code_is_renewed_by_the_pages_cycle_then_expires_until_asked_again() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = start_custom(&fake, profile.path(), quick).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    let code = running
        .session
        .pairing_code("+34 600 00 12 34")
        .await
        .unwrap();
    assert_eq!(code, "FAKE1234");
    let first = running
        .until("the code shown", |s| code_of(s).is_some())
        .await;
    let (shown, expires_at, left) = code_of(&first).unwrap();
    assert_eq!(shown.as_deref(), Some("FAKE1234"));
    assert_eq!(left, 2);
    assert!(
        (expires_at - now_ms() - 1_500).abs() < 1_000,
        "{expires_at}"
    );

    // Due: a new code, made the way the page's code screen makes one.
    let second = running
        .until(
            "a renewed code",
            |s| matches!(code_of(s), Some((Some(c), _, 1)) if c != "FAKE1234"),
        )
        .await;
    let (second_code, _, _) = code_of(&second).unwrap();
    // The phone typed it: the next comes sooner.
    fake.link_event("primary_hello_received");
    let sooner = running
        .until("a sooner deadline", |s| {
            matches!(code_of(s), Some((Some(c), at, 1)) if Some(&c) == second_code.as_ref() && at - now_ms() < 1_000)
        })
        .await;
    assert!(code_of(&sooner).is_some());
    running
        .until("the last code", |s| {
            matches!(code_of(s), Some((Some(_), _, 0)))
        })
        .await;
    running
        .until("expired", |s| matches!(code_of(s), Some((None, _, 0))))
        .await;
    let resets = fake
        .recorded()
        .events
        .iter()
        .filter(|e| e["kind"] == "link_reset" && e["method"] == "ALT_DEVICE_LINKING")
        .count();
    assert_eq!(resets, 2, "each renewal resets the link state for a code");
    // Nothing more by itself.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    assert_eq!(codes_made(&fake), 3);

    // The owner asks again: a new code and a new cycle.
    running
        .session
        .pairing_code("+34 600 00 12 34")
        .await
        .unwrap();
    running
        .until("a new cycle", |s| {
            matches!(code_of(s), Some((Some(_), _, 2)))
        })
        .await;
    // Back to the QR.
    running.session.refresh_qr().await.unwrap();
    running
        .until("a QR again", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    running.session.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_renewal_ends_the_cycle_and_is_never_asked_again() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("link_code_rate_limited");
    let profile = tempfile::tempdir().unwrap();
    let mut running = start_custom(&fake, profile.path(), quick).await;
    asked_for_a_code(&mut running).await;
    running
        .until("expired", |s| matches!(code_of(s), Some((None, _, 0))))
        .await;
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(codes_made(&fake), 1, "never asked again by itself");
    running.session.stop().await;
}

/// The server's word on a code (§6 switches): a refresh brings a new code at once, a
/// forced manual refresh ends the cycle, and hellos that don't finish move the next code
/// sooner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_refresh_manual_refresh_and_hellos_drive_the_cycle() {
    for (fault, want) in [
        ("link_code_server_refresh", "renewed"),
        ("link_code_force_manual_refresh", "expired"),
        ("link_code_primary_hello", "sooner"),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        fake.fault(fault);
        let profile = tempfile::tempdir().unwrap();
        // Codes that would last a minute: only the server's word moves them.
        let mut running = start_custom(&fake, profile.path(), |d| {
            d.pairing_code_life = Duration::from_secs(60);
            d.pairing_code_after_hello = Duration::from_secs(2);
        })
        .await;
        asked_for_a_code(&mut running).await;
        match want {
            "renewed" => {
                running
                    .until(
                        "a new code",
                        |s| matches!(code_of(s), Some((Some(c), _, 4)) if c != "FAKE1234"),
                    )
                    .await;
            }
            "expired" => {
                running
                    .until("expired", |s| matches!(code_of(s), Some((None, _, 0))))
                    .await;
            }
            _ => {
                running
                    .until(
                        "a sooner deadline",
                        |s| matches!(code_of(s), Some((Some(_), at, 5)) if at - now_ms() < 3_000),
                    )
                    .await;
            }
        }
        running.session.stop().await;
    }
}

/// The phone's hello failed on the page (`error_alt_linking`): no passkey request follows
/// within 5 s, so the code is over until the owner asks again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_hello_without_a_passkey_request_ends_the_code() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profile = tempfile::tempdir().unwrap();
    let mut running = start_custom(&fake, profile.path(), |d| {
        d.pairing_code_life = Duration::from_secs(60);
    })
    .await;
    asked_for_a_code(&mut running).await;
    running
        .until("the code shown", |s| {
            matches!(code_of(s), Some((Some(_), _, 5)))
        })
        .await;
    fake.link_event("error_alt_linking");
    // Held for a passkey request for its first 5 s.
    let early = tokio::time::timeout(
        Duration::from_secs(3),
        running.until("expired", |s| matches!(code_of(s), Some((None, _, _)))),
    )
    .await;
    assert!(early.is_err(), "ended before 5 s: {:?}", running.seen);
    running
        .until("expired", |s| matches!(code_of(s), Some((None, _, 0))))
        .await;
    assert_eq!(codes_made(&fake), 1, "never asked again by itself");
    running.session.stop().await;
}
