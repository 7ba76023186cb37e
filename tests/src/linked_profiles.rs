//! Browser profiles linked to the local fake ahead of a run: a benchmark or test that needs
//! numbers already linked (as on an owner's laptop) starts from these.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use leadline_core::clock::SystemClock;
use leadline_core::runtime::profile::profile_dir;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::chromium::{ChromiumDriver, Session};
use leadline_core::whatsapp::message::WaEvent;
use tokio::sync::mpsc;

use crate::fakes::whatsapp_web::FakeWhatsApp;

const DEADLINE: Duration = Duration::from_secs(60);

/// Waits for a state `want` on a session's events, or fails saying `what`.
pub async fn wait_state(
    events: &mut mpsc::UnboundedReceiver<WaEvent>,
    what: &str,
    want: impl Fn(&AccountState) -> bool,
) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(WaEvent::State(state))) if want(&state) => return,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the session ended before {what}"),
            Err(_) => panic!("no {what} within {DEADLINE:?}"),
        }
    }
}

/// Starts `driver` on `profile`, with its events.
pub async fn launch(
    driver: &ChromiumDriver,
    profile: &Path,
) -> (Session, mpsc::UnboundedReceiver<WaEvent>) {
    let (tx, events) = mpsc::unbounded_channel();
    let session = driver
        .start(profile, tx, Arc::new(SystemClock))
        .await
        .expect("the browser starts");
    (session, events)
}

/// Links the profiles of numbers `ids` under `profiles` (the app's layout) to `fake`, one
/// at a time (a scan reaches every page that is listening), as `1555000000<id>@c.us`.
pub async fn link(
    fake: &FakeWhatsApp,
    driver: &ChromiumDriver,
    profiles: &Path,
    ids: impl IntoIterator<Item = i64>,
) {
    for id in ids {
        let (session, mut events) = launch(driver, &profile_dir(profiles, id)).await;
        wait_state(&mut events, "a QR", |s| {
            matches!(s, AccountState::ScanQr { .. })
        })
        .await;
        fake.scan(&format!("1555000000{id}@c.us"));
        wait_state(&mut events, "Working", |s| {
            matches!(s, AccountState::Working { .. })
        })
        .await;
        session.stop().await;
    }
}
