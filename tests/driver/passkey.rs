//! WhatsApp's passkey step at linking (WHATSAPP_WEB.md §5.1) against the fake (§6), in a
//! real Chromium: a visible window on a private X display (the step needs one), the fake's
//! WebAuthn ceremony checked strictly by its server and answered by a CDP virtual
//! authenticator the test attaches; without a screen, a plain failure.

use std::time::Duration;

use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::chromium::ChromiumDriver;
use leadline_core::whatsapp::message::WaEvent;
use leadline_core::whatsapp::window::{self, Visible};
use leadline_tests::fakes::whatsapp_web::passkey::TestPasskey;
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::xvfb::Xvfb;
use serde_json::Value;

use super::*;

const ME: &str = "15550003333@c.us";

/// A full Chromium, as a visible link needs.
fn full_chromium() -> std::path::PathBuf {
    let full = std::path::PathBuf::from("/usr/lib/chromium/chromium");
    assert!(full.is_file(), "scripts/setup.sh --test installs Chromium");
    full
}

/// A driver whose links open in a window on `display`.
async fn visible(fake: &FakeWhatsApp, profile: &Path, display: &str) -> Running {
    let chrome = browser::find(None).expect("Chromium is installed");
    let mut driver = ChromiumDriver::new(chrome, fake.url());
    driver.visible = Some(Visible {
        browser: full_chromium(),
        display: Some(display.to_string()),
    });
    start_driver(driver, profile).await
}

fn passkey_events(fake: &FakeWhatsApp, kind: &str) -> Vec<Value> {
    fake.recorded()
        .events
        .into_iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

fn no_violations(fake: &FakeWhatsApp) {
    let violations = passkey_events(fake, "passkey_violation");
    assert!(
        violations.is_empty(),
        "the driver broke the step: {violations:?}"
    );
}

/// The command line of a browser process.
fn command_line(pid: u32) -> String {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| String::from_utf8_lossy(&bytes).replace('\0', " "))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_step_is_held_shown_in_a_window_completed_and_the_number_goes_headless() {
    let xvfb = Xvfb::start();
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("passkey_after_qr_scan");
    fake.fault("qr_refs_run_out_during_passkey");
    fake.fault("adv_secret_event_during_passkey");
    let passkey = TestPasskey::generate();
    fake.register_passkey(&passkey);
    let profile = tempfile::tempdir().unwrap();

    let mut running = visible(&fake, profile.path(), &xvfb.display).await;
    let pid = running.session.pid().expect("the browser's pid");
    assert!(
        !command_line(pid).contains("--headless"),
        "a number linking runs in a window"
    );
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    fake.scan(ME);
    running
        .until("the passkey step", |s| {
            matches!(s, AccountState::Passkey { .. })
        })
        .await;
    let told_ms = unix_ms();
    fake.wait_for("the page's passkey step", DEADLINE, |r| {
        r.events.iter().any(|e| e["kind"] == "passkey_started")
    })
    .await;
    let started_ms = passkey_events(&fake, "passkey_started")[0]["at"]
        .as_i64()
        .unwrap();
    assert!(
        told_ms - started_ms <= 2_000,
        "reported within 2 s of the page's first signal ({} ms)",
        told_ms - started_ms
    );
    running
        .session
        .attach_test_authenticator(passkey.credential_id.clone(), passkey.pkcs8.clone())
        .await
        .unwrap();
    // The refs run out and a new ADV secret comes meanwhile: still the passkey step.
    tokio::time::sleep(Duration::from_millis(800)).await;
    fake.press_continue();
    let linked = running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    assert_eq!(linked, AccountState::Working { me: ME.into() });
    let continued = passkey_events(&fake, "passkey_continue");
    assert_eq!(
        continued[0]["visibility"], "visible",
        "the window was brought forward for the owner: {continued:?}"
    );
    let assertion = passkey_events(&fake, "passkey_assertion");
    assert_eq!(assertion[0]["ok"], true, "{assertion:?}");
    assert!(
        running
            .seen
            .iter()
            .skip_while(|s| !matches!(s, AccountState::Passkey { .. }))
            .all(|s| !matches!(s, AccountState::ScanQr { .. } | AccountState::Failed { .. })),
        "held from its first signal: never a QR or a failure after it: {:?}",
        running.seen
    );
    no_violations(&fake);
    // Linked and synced: the session asks to start again, headless.
    running
        .event("a relaunch", |e| matches!(e, WaEvent::Relaunch))
        .await;
    assert!(window::linked_before(profile.path()));
    running.session.stop().await;
    let mut again = visible(&fake, profile.path(), &xvfb.display).await;
    let pid = again.session.pid().expect("the browser's pid");
    assert!(
        command_line(pid).contains("--headless"),
        "linked: headless again on the same profile"
    );
    again
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    again.session.stop().await;
    assert!(!process::any_using_profile(profile.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_screen_a_passkey_step_fails_the_link_with_why() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("passkey_after_qr_scan");
    let profile = tempfile::tempdir().unwrap();
    let mut running = start(&fake, profile.path()).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    fake.scan(ME);
    let failed = running
        .until("a failure", |s| matches!(s, AccountState::Failed { .. }))
        .await;
    let AccountState::Failed { reason, .. } = failed else {
        unreachable!()
    };
    assert_eq!(reason.key, "wa.passkey_no_display");
    no_violations(&fake);
    running.session.stop().await;
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Linked up to the passkey step on a fresh profile, in a window on `display`, by a scan
/// or (`by_code`) a pairing code.
async fn at_passkey_step(
    fake: &FakeWhatsApp,
    profile: &Path,
    display: &str,
    by_code: bool,
) -> Running {
    let mut running = visible(fake, profile, display).await;
    running
        .until("a QR", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    if by_code {
        running
            .session
            .pairing_code("15550003333")
            .await
            .expect("a pairing code");
        fake.enter_code(ME);
    } else {
        fake.scan(ME);
    }
    running
        .until("the passkey step", |s| {
            matches!(s, AccountState::Passkey { .. })
        })
        .await;
    running
}

/// At the passkey step with a fresh passkey the fake knows, given to the page's virtual
/// authenticator, and Continue pressed.
async fn continued(fake: &FakeWhatsApp, profile: &Path, display: &str, by_code: bool) -> Running {
    let passkey = TestPasskey::generate();
    fake.register_passkey(&passkey);
    let running = at_passkey_step(fake, profile, display, by_code).await;
    running
        .session
        .attach_test_authenticator(passkey.credential_id.clone(), passkey.pkcs8.clone())
        .await
        .unwrap();
    fake.press_continue();
    running
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_timeout_and_errors_end_in_their_states_and_a_code_is_confirmed_by_the_owner() {
    let xvfb = Xvfb::start();

    // Cancel on the page: the QR comes back, fresh.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("passkey_after_qr_scan");
    let profile = tempfile::tempdir().unwrap();
    let mut running = at_passkey_step(&fake, profile.path(), &xvfb.display, false).await;
    let shown_before = fake.recorded().qr_history.len();
    fake.cancel_passkey();
    running
        .until("a QR again", |s| matches!(s, AccountState::ScanQr { .. }))
        .await;
    assert!(fake.recorded().qr_history.len() > shown_before);
    no_violations(&fake);
    running.session.stop().await;

    // The page's own timeout (each stage after Continue; here WhatsApp's server never
    // moves it on): a plain failure (the app's Try again starts a fresh QR).
    let fake = FakeWhatsApp::start(Timings {
        shortcake_stage_ms: 1_500,
        shortcake_step_ms: 60_000,
        ..Timings::default()
    })
    .await;
    fake.fault("passkey_after_qr_scan");
    let profile = tempfile::tempdir().unwrap();
    let mut running = continued(&fake, profile.path(), &xvfb.display, false).await;
    let failed = running
        .until("the timeout", |s| matches!(s, AccountState::Failed { .. }))
        .await;
    assert!(
        matches!(&failed, AccountState::Failed { reason, .. } if reason.key == "wa.passkey_timeout"),
        "{failed:?}"
    );
    no_violations(&fake);
    running.session.stop().await;

    // WhatsApp's server refuses the assertion: a plain failure.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("passkey_after_qr_scan");
    fake.fault("assertion_rejected_by_server");
    let profile = tempfile::tempdir().unwrap();
    let mut running = continued(&fake, profile.path(), &xvfb.display, false).await;
    let failed = running
        .until("the refusal", |s| matches!(s, AccountState::Failed { .. }))
        .await;
    assert!(
        matches!(&failed, AccountState::Failed { reason, .. } if reason.key == "wa.passkey_failed"),
        "{failed:?}"
    );
    no_violations(&fake);
    running.session.stop().await;

    // After a pairing code, with a verification code to compare: shown, and confirmed only
    // when the owner does.
    let fake = FakeWhatsApp::start(Timings::default()).await;
    fake.fault("passkey_after_pairing_code");
    fake.fault("handoff_expired");
    let profile = tempfile::tempdir().unwrap();
    let mut running = continued(&fake, profile.path(), &xvfb.display, true).await;
    let coded = running
        .until("the code to compare", |s| {
            matches!(s, AccountState::Passkey { code: Some(_), .. })
        })
        .await;
    assert!(
        matches!(&coded, AccountState::Passkey { code: Some(code), .. } if code == "K7Q2M9XA"),
        "{coded:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        passkey_events(&fake, "passkey_code_confirmed").is_empty(),
        "never confirmed before the owner does"
    );
    running.session.confirm_passkey_code().await.unwrap();
    running
        .until("Working", |s| matches!(s, AccountState::Working { .. }))
        .await;
    assert_eq!(passkey_events(&fake, "passkey_code_confirmed").len(), 1);
    no_violations(&fake);
    running.session.stop().await;
    assert!(!process::any_using_profile(profile.path()));
}

/// The fault switches of §6 for the step: each variant links (or fails plainly) with the
/// driver holding the step and breaking nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variant_of_the_step_links_or_fails_plainly() {
    let xvfb = Xvfb::start();
    for (faults, links) in [
        (&["passkey_bridge_code_only"][..], true),
        (&["passkey_options_embedded"][..], true),
        (&["passkey_options_stale"][..], true),
        (&["passkey_options_weird"][..], true),
        (&["continuation_late", "pairing_completion_late"][..], true),
        (&["handoff_expired", "confirm_late"][..], true),
        (&["webauthn_rejected"][..], false),
        (&["getref_fails"][..], false),
        (&["webauthn_not_available"][..], false),
    ] {
        let fake = FakeWhatsApp::start(Timings::default()).await;
        fake.fault("passkey_after_qr_scan");
        for fault in faults {
            fake.fault(fault);
        }
        let profile = tempfile::tempdir().unwrap();
        let mut running = continued(&fake, profile.path(), &xvfb.display, false).await;
        if faults.contains(&"handoff_expired") {
            running
                .until("the code to compare", |s| {
                    matches!(s, AccountState::Passkey { code: Some(_), .. })
                })
                .await;
            running.session.confirm_passkey_code().await.unwrap();
        }
        let end = running
            .until("the step's end", |s| {
                matches!(
                    s,
                    AccountState::Working { .. } | AccountState::Failed { .. }
                )
            })
            .await;
        if links {
            assert!(
                matches!(end, AccountState::Working { .. }),
                "{faults:?}: {end:?}"
            );
        } else {
            assert!(
                matches!(&end, AccountState::Failed { reason, .. } if reason.key == "wa.passkey_failed"),
                "{faults:?}: {end:?}"
            );
        }
        no_violations(&fake);
        running.session.stop().await;
    }
}
