//! Supervision with a real Chromium: crashes, unlinking, and browsers left by a crashed app.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadline_core::clock::SystemClock;
use leadline_core::runtime::profile::profile_dir;
use leadline_core::runtime::supervise::record_browser;
use leadline_core::runtime::tasks::Runtime;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::chromium::{ChromiumDriver, ChromiumSessions};
use leadline_core::whatsapp::{browser, process};
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use tokio::sync::mpsc;

use crate::{DEADLINE, ME};

/// Every state each number went through, in order.
type States = Arc<Mutex<Vec<(i64, AccountState)>>>;

fn runtime(fake: &FakeWhatsApp, profiles: &Path) -> (Runtime, States) {
    let sessions = ChromiumSessions::new(fake.url(), Arc::new(SystemClock));
    let states: States = Arc::default();
    let log = states.clone();
    let runtime = Runtime::new(
        Arc::new(sessions),
        profiles.to_path_buf(),
        Arc::new(|_, _| {}),
        Arc::new(move |id, state| log.lock().unwrap().push((id, state.clone()))),
    );
    (runtime, states)
}

/// Waits until number `id` reaches a state matching `want`, after `from` entries of the log.
async fn reach(
    states: &States,
    id: i64,
    from: usize,
    what: &str,
    want: impl Fn(&AccountState) -> bool,
) -> usize {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        {
            let log = states.lock().unwrap();
            if let Some(at) = log.iter().skip(from).position(|(n, s)| *n == id && want(s)) {
                return from + at;
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "number {id} never reached {what}; states: {:?}",
            states.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn browser_pid(profiles: &Path, id: i64) -> u32 {
    let records = process::read_records(&profile_dir(profiles, id).join("leadline-browser.pid"));
    records
        .first()
        .expect("a PID file while the browser runs")
        .pid
}

async fn linked(fake: &FakeWhatsApp, runtime: &Runtime, states: &States, id: i64) -> usize {
    runtime.start(id);
    reach(states, id, 0, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    fake.scan(ME);
    reach(states, id, 0, "Working", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_killed_with_sigkill_is_restarted_and_works_again_without_a_qr() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profiles = tempfile::tempdir().unwrap();
    let (runtime, states) = runtime(&fake, profiles.path());
    let working_at = linked(&fake, &runtime, &states, 1).await;

    let pid = browser_pid(profiles.path(), 1);
    assert!(
        std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    let restarted = reach(
        &states,
        1,
        working_at + 1,
        "Starting after the crash",
        |s| *s == AccountState::Starting,
    )
    .await;
    reach(&states, 1, restarted, "Working again", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await;
    let after: Vec<AccountState> = states.lock().unwrap()[working_at + 1..]
        .iter()
        .map(|(_, s)| s.clone())
        .collect();
    assert!(
        !after
            .iter()
            .any(|s| matches!(s, AccountState::ScanQr { .. })),
        "a valid profile must not need a new QR: {after:?}"
    );
    assert_ne!(
        browser_pid(profiles.path(), 1),
        pid,
        "a new browser must be running"
    );

    runtime.stop_all().await;
    assert_eq!(runtime.state(1), AccountState::Stopped);
    assert!(
        !process::any_using_profile(profiles.path()),
        "no Chromium may be left after stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinking_logs_out_and_deletes_the_profile() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profiles = tempfile::tempdir().unwrap();
    let (runtime, states) = runtime(&fake, profiles.path());
    linked(&fake, &runtime, &states, 2).await;
    runtime.unlink(2).await;
    assert!(
        !profile_dir(profiles.path(), 2).exists(),
        "the profile must be deleted on unlink"
    );
    assert!(
        !process::any_using_profile(profiles.path()),
        "no Chromium may be left after unlink"
    );
    assert!(
        states
            .lock()
            .unwrap()
            .iter()
            .any(|(_, s)| *s == AccountState::LoggedOut)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_from_the_phone_deletes_the_profile_and_the_next_start_asks_for_a_qr() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profiles = tempfile::tempdir().unwrap();
    let (runtime, states) = runtime(&fake, profiles.path());
    let working_at = linked(&fake, &runtime, &states, 3).await;
    fake.logout_from_phone();
    let out = reach(&states, 3, working_at, "LoggedOut", |s| {
        *s == AccountState::LoggedOut
    })
    .await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while profile_dir(profiles.path(), 3).exists() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the profile must be deleted after a logout"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    runtime.start(3);
    reach(&states, 3, out, "a new QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    runtime.stop_all().await;
    assert!(
        !process::any_using_profile(profiles.path()),
        "no Chromium may be left after stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_left_by_a_crashed_app_are_stopped_at_the_next_start() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profiles = tempfile::tempdir().unwrap();
    let profile = profile_dir(profiles.path(), 5);
    let chrome = browser::find(None).unwrap();
    let (tx, _events) = mpsc::unbounded_channel();
    let session = ChromiumDriver::new(chrome, fake.url())
        .start(&profile, tx, Arc::new(SystemClock))
        .await
        .unwrap();
    let pid = session.pid().unwrap();
    // As the runtime records it while the browser runs.
    record_browser(&profile, Some(pid));
    let recorded = process::record(&process::tree(pid));
    assert!(recorded.len() >= 3, "browser and helpers: {recorded:?}");
    // The app "crashes": nothing stops this browser.
    std::mem::forget(session);
    assert!(
        process::any_using_profile(&profile),
        "the orphaned browser runs"
    );

    let (runtime, _) = runtime(&fake, profiles.path());
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while process::any_using_profile(&profile) || recorded.iter().any(process::still_running) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the next start must stop the orphaned browser"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!profile.join("leadline-browser.pid").exists());
    drop(runtime);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pairing_code_is_asked_through_the_runtime_and_a_bad_phone_is_refused() {
    use leadline_core::whatsapp::error::WaError;

    let fake = FakeWhatsApp::start(Timings::default()).await;
    let profiles = tempfile::tempdir().unwrap();
    let (runtime, states) = runtime(&fake, profiles.path());
    assert!(
        matches!(
            runtime.pairing_code(6, "+34600001234").await,
            Err(WaError::NotConnected)
        ),
        "nothing runs for number 6 yet"
    );
    runtime.start(6);
    reach(&states, 6, 0, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    assert_eq!(
        runtime.pairing_code(6, "+34 600 00 12 34").await.unwrap(),
        "FAKE1234"
    );
    assert!(matches!(
        runtime.pairing_code(6, "my shop").await,
        Err(WaError::InvalidPhone(_))
    ));
    runtime.stop_all().await;
    assert!(
        !process::any_using_profile(profiles.path()),
        "no Chromium may be left after stop"
    );
}
