//! WhatsApp driver benchmarks against the local fake, one `BENCH <name> <value> <unit>` line
//! per figure (medians). Run by `scripts/bench.sh`; needs Chromium. Not shipped.
//!
//! - PSS summed over the browser's process tree per linked number: Leadline's flags, and
//!   whatsapp-web.js's default launch (Puppeteer's default arguments plus the one
//!   whatsapp-web.js adds), on the same page, alternating in one run.
//! - Time from "Link" (browser start) to the first QR.
//! - Time from start to Working for 3 linked numbers at once.
//! - Time from a send to its server ack (ack 1) coming back through the page (p50).
//!
//! Last, `wa_link_passkey_s`: from the scan to Working through WhatsApp's passkey step in a
//! window on a private X display (median of 5), and the PSS of such a number back headless
//! (`wa_pss_per_number_after_passkey_link`), beside `wa_pss_per_number_leadline`.
//!
//! `LEADLINE_BENCH_WA_ONLY=media` measures the media download alone (media_download_ms).
//! For investigating memory: `LEADLINE_BENCH_FLAGS="flag flag=value …"` measures that flag set
//! alone, and `LEADLINE_BENCH_DETAIL=1` prints each browser process's PSS split.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadline_core::clock::SystemClock;
use leadline_core::runtime::profile::profile_dir;
use leadline_core::runtime::tasks::Runtime;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::chromium::{ChromiumDriver, ChromiumSessions, Session};
use leadline_core::whatsapp::message::WaEvent;
use leadline_core::whatsapp::window::Visible;
use leadline_core::whatsapp::{browser, process};
use leadline_tests::desktop::pss_kib;
use leadline_tests::fakes::whatsapp_web::passkey::TestPasskey;
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::linked_profiles::{self, wait_state};
use leadline_tests::xvfb::Xvfb;
use tokio::sync::mpsc;

const DEADLINE: Duration = Duration::from_secs(60);
const RUNS: usize = 5;
/// Memory is sampled after the page settled, several times, and the median taken.
const SETTLE: Duration = Duration::from_secs(3);
const SAMPLES: usize = 5;

/// Puppeteer's default Chrome arguments (what whatsapp-web.js launches with unless told
/// otherwise) plus `--disable-blink-features=AutomationControlled`, which whatsapp-web.js
/// adds. Headless and no-sandbox are set the same way for both configurations.
const WWEBJS_DEFAULT: &[&str] = &[
    "allow-pre-commit-input",
    "disable-background-networking",
    "disable-background-timer-throttling",
    "disable-backgrounding-occluded-windows",
    "disable-breakpad",
    "disable-client-side-phishing-detection",
    "disable-component-extensions-with-background-pages",
    "disable-crash-reporter",
    "disable-default-apps",
    "disable-dev-shm-usage",
    "disable-hang-monitor",
    "disable-infobars",
    "disable-ipc-flooding-protection",
    "disable-popup-blocking",
    "disable-prompt-on-repost",
    "disable-renderer-backgrounding",
    "disable-search-engine-choice-screen",
    "disable-sync",
    "enable-automation",
    "export-tagged-pdf",
    "force-color-profile=srgb",
    "generate-pdf-document-outline",
    "metrics-recording-only",
    "no-first-run",
    "password-store=basic",
    "use-mock-keychain",
    "disable-features=Translate,AcceptCHFrame,MediaRouter,OptimizationHints,ProcessPerSiteUpToMainFrameThreshold,IsolateSandboxedIframes",
    "enable-features=PdfOopif",
    "hide-scrollbars",
    "mute-audio",
    "disable-blink-features=AutomationControlled",
];

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The browser, everything it started, and anything else naming its profile. (Helpers of
/// Chromium's headless shell don't carry the profile on their command line.)
fn browser_pids(session: &Session, profile: &Path) -> Vec<u32> {
    let mut pids = session.pid().map(process::tree).unwrap_or_default();
    pids.extend(process::using_profile(profile));
    pids.sort_unstable();
    pids.dedup();
    pids
}

/// PSS of the browser and everything it started, in MiB.
fn tree_pss_mib(session: &Session, profile: &Path) -> f64 {
    let pids = browser_pids(session, profile);
    pids.iter().map(|pid| pss_kib(*pid)).sum::<u64>() as f64 / 1024.0
}

/// A browser and the flags it is launched with.
#[derive(Clone)]
struct Setup {
    browser: PathBuf,
    flags: Vec<String>,
}

impl Setup {
    fn new(browser: PathBuf, flags: &[&str]) -> Setup {
        let flags = flags.iter().map(|f| f.to_string()).collect();
        Setup { browser, flags }
    }

    fn driver(&self, fake: &FakeWhatsApp) -> ChromiumDriver {
        let mut driver = ChromiumDriver::new(self.browser.clone(), fake.url());
        driver.flags = self.flags.clone();
        driver
    }
}

/// A full Chrome/Chromium (not the headless shell): what whatsapp-web.js launches, and what
/// an owner on Windows or macOS has. `LEADLINE_BENCH_FULL_CHROME` overrides.
fn full_chrome() -> PathBuf {
    if let Some(path) = std::env::var_os("LEADLINE_BENCH_FULL_CHROME") {
        return PathBuf::from(path);
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/google-chrome-stable",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
    .expect("a full Chromium or Chrome is installed (scripts/setup.sh --test)")
}

async fn launch(
    fake: &FakeWhatsApp,
    profile: &Path,
    setup: &Setup,
) -> (Session, mpsc::UnboundedReceiver<WaEvent>) {
    linked_profiles::launch(&setup.driver(fake), profile).await
}

/// Links `count` fresh profiles one at a time, then runs them all at once, lets them
/// settle, and returns the mean PSS of one number's process tree in MiB. With several
/// numbers the browser's code pages are shared among them, as on an owner's laptop.
async fn linked_pss(fake: &FakeWhatsApp, setup: &Setup, count: usize) -> f64 {
    let profiles = tempfile::tempdir().expect("a temp folder");
    let paths: Vec<_> = (1..=count as i64)
        .map(|id| profile_dir(profiles.path(), id))
        .collect();
    for (index, path) in paths.iter().enumerate() {
        let (session, mut events) = launch(fake, path, setup).await;
        wait_state(&mut events, "a QR", |s| {
            matches!(s, AccountState::ScanQr { .. })
        })
        .await;
        fake.scan(&format!("1555000{index:04}@c.us"));
        wait_state(&mut events, "Working", |s| {
            matches!(s, AccountState::Working { .. })
        })
        .await;
        session.stop().await;
    }
    let mut running = Vec::new();
    for path in &paths {
        let (session, mut events) = launch(fake, path, setup).await;
        wait_state(&mut events, "Working", |s| {
            matches!(s, AccountState::Working { .. })
        })
        .await;
        running.push((session, events));
    }
    tokio::time::sleep(SETTLE).await;
    if std::env::var_os("LEADLINE_BENCH_DETAIL").is_some() {
        for ((session, _), path) in running.iter().zip(&paths) {
            print_detail(session, path);
        }
    }
    let mut samples = Vec::new();
    for _ in 0..SAMPLES {
        let total: f64 = running
            .iter()
            .zip(&paths)
            .map(|((session, _), path)| tree_pss_mib(session, path))
            .sum();
        samples.push(total / count as f64);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for (session, _) in running {
        session.stop().await;
    }
    median(samples)
}

/// Each browser process's PSS split and command line, on stderr.
fn print_detail(session: &Session, profile: &Path) {
    for pid in browser_pids(session, profile) {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let kind = cmdline
            .split(' ')
            .find_map(|a| a.strip_prefix("--type="))
            .unwrap_or("browser")
            .to_string();
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let field = |name: &str| {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
                .unwrap_or("?")
                .to_string()
        };
        eprintln!(
            "{pid} {kind}: pss {} anon {} file {} shmem {}",
            field("Pss:"),
            field("Pss_Anon:"),
            field("Pss_File:"),
            field("Pss_Shmem:")
        );
        eprintln!("    {}", cmdline.chars().take(700).collect::<String>());
    }
}

async fn time_to_qr_ms(fake: &FakeWhatsApp) -> f64 {
    let profile = tempfile::tempdir().expect("a temp profile");
    let started = Instant::now();
    let setup = Setup::new(browser::find(None).expect("a browser"), browser::FLAGS);
    let (session, mut events) = launch(fake, profile.path(), &setup).await;
    wait_state(&mut events, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    session.stop().await;
    elapsed
}

/// One link through WhatsApp's passkey step (§5.1) on the fake, the way an owner with a
/// screen links: in a window on a private X display, the fake's WebAuthn ceremony answered
/// by a CDP virtual authenticator as soon as the step shows (the owner's own reaction time
/// is not Leadline's). Returns the seconds from the scan to Working, and the PSS (MiB) of
/// the number afterwards, started again headless on the same profile as the app does.
async fn passkey_link(xvfb: &Xvfb) -> (f64, f64) {
    let fake = FakeWhatsApp::start(Timings {
        first_ref_ms: 600_000,
        ..Timings::default()
    })
    .await;
    fake.fault("passkey_after_qr_scan");
    let passkey = TestPasskey::generate();
    fake.register_passkey(&passkey);
    let profile = tempfile::tempdir().expect("a temp profile");
    let mut driver = ChromiumDriver::new(browser::find(None).expect("a browser"), fake.url());
    driver.visible = Some(Visible {
        browser: full_chrome(),
        display: Some(xvfb.display.clone()),
    });
    let (session, mut events) = linked_profiles::launch(&driver, profile.path()).await;
    wait_state(&mut events, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    let started = Instant::now();
    fake.scan("15550009999@c.us");
    wait_state(&mut events, "the passkey step", |s| {
        matches!(s, AccountState::Passkey { .. })
    })
    .await;
    session
        .attach_test_authenticator(passkey.credential_id.clone(), passkey.pkcs8.clone())
        .await
        .expect("a virtual authenticator on the fake");
    fake.press_continue();
    wait_state(&mut events, "Working", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await;
    let seconds = started.elapsed().as_secs_f64();
    session.stop().await;
    // Linked: the same driver starts it headless now.
    let (session, mut events) = linked_profiles::launch(&driver, profile.path()).await;
    wait_state(&mut events, "Working headless", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await;
    tokio::time::sleep(SETTLE).await;
    let mut samples = Vec::new();
    for _ in 0..SAMPLES {
        samples.push(tree_pss_mib(&session, profile.path()));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    session.stop().await;
    (seconds, median(samples))
}

async fn three_to_working_ms(fake: &FakeWhatsApp, profiles: &Path) -> f64 {
    let runtime = Runtime::new(
        Arc::new(ChromiumSessions::new(fake.url(), Arc::new(SystemClock))),
        profiles.to_path_buf(),
        Arc::new(|_, _| {}),
        Arc::new(|_, _| {}),
    );
    let started = Instant::now();
    let mut watches: Vec<_> = (1..=3).map(|id| runtime.start(id)).collect();
    for watch in &mut watches {
        tokio::time::timeout(
            DEADLINE,
            watch.wait_for(|s| matches!(s, AccountState::Working { .. })),
        )
        .await
        .expect("all three reach Working")
        .expect("the number's task runs");
    }
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    runtime.stop_all().await;
    elapsed
}

/// Sends `count` texts one after another on a linked number; the time from each send call
/// to its server ack (ack 1 or more) reported by the page, in ms.
async fn send_to_server_ack_ms(fake: &FakeWhatsApp, setup: &Setup, count: usize) -> Vec<f64> {
    let profile = tempfile::tempdir().expect("a temp profile");
    let (session, mut events) = launch(fake, profile.path(), setup).await;
    wait_state(&mut events, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    fake.scan("15550009999@c.us");
    wait_state(&mut events, "Working", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await;
    let mut times = Vec::new();
    for n in 0..count {
        let started = Instant::now();
        let id = session
            .send_text("34600000001@c.us", &format!("message {n}"))
            .await
            .expect("the fake takes the send");
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(WaEvent::Ack { id: acked, ack })) if acked == id && ack >= 1 => break,
                Ok(Some(_)) => {}
                Ok(None) => panic!("the session ended before the server ack"),
                Err(_) => panic!("no server ack for {id} within {DEADLINE:?}"),
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    session.stop().await;
    times
}

/// From asking for a 64 KiB voice note's file to having it checked, through the page's own
/// download against the fake's CDN on loopback (issue 28), `count` times.
async fn media_download_ms(fake: &FakeWhatsApp, setup: &Setup, count: usize) -> Vec<f64> {
    use base64::Engine;
    let profile = tempfile::tempdir().expect("a temp profile");
    let (session, mut events) = launch(fake, profile.path(), setup).await;
    wait_state(&mut events, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    fake.scan("15550008888@c.us");
    wait_state(&mut events, "Working", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await;
    let bytes: Vec<u8> = (0..65_536u32).map(|n| (n % 251) as u8).collect();
    let mut times = Vec::new();
    for n in 0..count {
        let short = format!("BENCHV{n}");
        fake.incoming(serde_json::json!({
            "id": short, "from": "34600000001@c.us", "type": "ptt",
            "media": { "duration": 4, "bytes": base64::engine::general_purpose::STANDARD.encode(&bytes) },
        }));
        let deadline = tokio::time::Instant::now() + DEADLINE;
        let id = loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(WaEvent::Message(m))) if m.id.ends_with(&short) => break m.id,
                Ok(Some(_)) => {}
                Ok(None) => panic!("the session ended before the voice note"),
                Err(_) => panic!("the voice note {short} never came"),
            }
        };
        let started = Instant::now();
        let file = session
            .download(&id, 1 << 24, 5_000)
            .await
            .expect("the voice note downloads");
        assert_eq!(file.bytes.len(), bytes.len());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    session.stop().await;
    times
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // For trying flag sets: `LEADLINE_BENCH_FLAGS="a b=c"` measures that set alone (on the
    // browser Leadline would pick, or `LEADLINE_CHROME`) and stops.
    if let Ok(trial) = std::env::var("LEADLINE_BENCH_FLAGS") {
        let fake = FakeWhatsApp::start(Timings {
            first_ref_ms: 600_000,
            ..Timings::default()
        })
        .await;
        let flags: Vec<&str> = trial.split_whitespace().collect();
        let setup = Setup::new(browser::find(None).expect("a browser"), &flags);
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(linked_pss(&fake, &setup, 1).await);
        }
        println!("BENCH wa_pss_trial {:.1} MiB", median(runs));
        return;
    }

    // A first QR that never expires during a measurement.
    let fake = FakeWhatsApp::start(Timings {
        first_ref_ms: 600_000,
        ..Timings::default()
    })
    .await;

    // Leadline on the browser it picks here (the headless shell when installed), Leadline
    // on a full Chromium (what an owner with only Chrome gets), and whatsapp-web.js's
    // default launch, which always uses a full Chrome. Alternated, so drift hits all alike.
    let leadline = Setup::new(browser::find(None).expect("a browser"), browser::FLAGS);
    // `LEADLINE_BENCH_WA_ONLY=media`: the media download alone (`scripts/bench.sh media`).
    if std::env::var("LEADLINE_BENCH_WA_ONLY").as_deref() == Ok("media") {
        let downloads = media_download_ms(&fake, &leadline, 20).await;
        println!("BENCH media_download_ms {:.1} ms", median(downloads));
        return;
    }
    let leadline_full = Setup::new(full_chrome(), browser::FLAGS);
    let wwebjs = Setup::new(full_chrome(), WWEBJS_DEFAULT);
    eprintln!("Leadline's browser: {}", leadline.browser.display());
    for count in [1, 3] {
        let (mut ours, mut ours_full, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
        let runs = if count == 1 { RUNS } else { 3 };
        for _ in 0..runs {
            ours.push(linked_pss(&fake, &leadline, count).await);
            ours_full.push(linked_pss(&fake, &leadline_full, count).await);
            theirs.push(linked_pss(&fake, &wwebjs, count).await);
        }
        let (ours, ours_full, theirs) = (median(ours), median(ours_full), median(theirs));
        let suffix = if count == 1 {
            String::new()
        } else {
            format!("_{count}_linked")
        };
        println!("BENCH wa_pss_per_number{suffix}_leadline {ours:.1} MiB");
        println!("BENCH wa_pss_per_number{suffix}_leadline_full_chromium {ours_full:.1} MiB");
        println!("BENCH wa_pss_per_number{suffix}_wwebjs_default {theirs:.1} MiB");
        println!(
            "BENCH wa_pss_ratio{suffix}_wwebjs_over_leadline {:.2} x",
            theirs / ours
        );
    }

    let mut to_qr = Vec::new();
    for _ in 0..RUNS {
        to_qr.push(time_to_qr_ms(&fake).await);
    }
    println!("BENCH wa_link_to_qr {:.0} ms", median(to_qr));

    let profiles = tempfile::tempdir().expect("a temp folder");
    linked_profiles::link(&fake, &leadline.driver(&fake), profiles.path(), 1..=3).await;
    let mut three = Vec::new();
    for _ in 0..3 {
        three.push(three_to_working_ms(&fake, profiles.path()).await);
    }
    println!(
        "BENCH wa_start_to_working_3_numbers {:.0} ms",
        median(three)
    );

    let acks = send_to_server_ack_ms(&fake, &leadline, 30).await;
    println!("BENCH wa_send_to_server_ack_ms {:.1} ms", median(acks));

    let downloads = media_download_ms(&fake, &leadline, 20).await;
    println!("BENCH media_download_ms {:.1} ms", median(downloads));

    // The passkey step (issue 26), after the figures above so they compare with earlier
    // runs; the memory of a number linked that way, back to headless, beside the plain one.
    let xvfb = Xvfb::start();
    let (mut seconds, mut pss) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (s, p) = passkey_link(&xvfb).await;
        seconds.push(s);
        pss.push(p);
    }
    println!("BENCH wa_link_passkey_s {:.2} s", median(seconds));
    println!(
        "BENCH wa_pss_per_number_after_passkey_link {:.1} MiB",
        median(pss)
    );
}
