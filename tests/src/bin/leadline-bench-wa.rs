//! WhatsApp driver benchmarks against the local fake, one `BENCH <name> <value> <unit>` line
//! per figure (medians). Run by `scripts/bench.sh`; needs Chromium. Not shipped.
//!
//! - PSS summed over the browser's process tree per linked number: Leadline's flags, and
//!   whatsapp-web.js's default launch (Puppeteer's default arguments plus the one
//!   whatsapp-web.js adds), on the same page, alternating in one run.
//! - Time from "Link" (browser start) to the first QR.
//! - Time from start to Working for 3 linked numbers at once.
//!
//! For investigating memory: `LEADLINE_BENCH_FLAGS="flag flag=value …"` measures that flag set
//! alone, and `LEADLINE_BENCH_DETAIL=1` prints each browser process's PSS split.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leadline_core::SystemClock;
use leadline_core::runtime::{Runtime, profile_dir};
use leadline_core::whatsapp::chromium::{ChromiumDriver, ChromiumSessions, Session};
use leadline_core::whatsapp::{AccountState, WaEvent, browser, process};
use leadline_tests::fake_wa::{FakeWhatsApp, Timings};
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

/// Proportional set size of one process, in KiB (shared pages split among their users).
fn pss_kib(pid: u32) -> u64 {
    let Ok(rollup) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// PSS of the browser and everything it started, in MiB.
fn tree_pss_mib(profile: &Path) -> f64 {
    let pids = process::using_profile(profile);
    pids.iter().map(|pid| pss_kib(*pid)).sum::<u64>() as f64 / 1024.0
}

async fn wait_state(
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

async fn launch(
    fake: &FakeWhatsApp,
    profile: &Path,
    flags: &[&str],
) -> (Session, mpsc::UnboundedReceiver<WaEvent>) {
    let chrome = browser::find(None).expect("Chromium is installed");
    let mut driver = ChromiumDriver::new(chrome, fake.url());
    driver.flags = flags.iter().map(|f| f.to_string()).collect();
    let (tx, events) = mpsc::unbounded_channel();
    let session = driver
        .start(profile, tx, Arc::new(SystemClock))
        .await
        .expect("the browser starts");
    (session, events)
}

/// Links a fresh profile with `flags`, lets it settle, and returns its memory in MiB.
async fn linked_pss(fake: &FakeWhatsApp, flags: &[&str]) -> f64 {
    let profile = tempfile::tempdir().expect("a temp profile");
    let (session, mut events) = launch(fake, profile.path(), flags).await;
    wait_state(&mut events, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    fake.scan("15550001111@c.us");
    wait_state(&mut events, "Working", |s| {
        matches!(s, AccountState::Working { .. })
    })
    .await;
    tokio::time::sleep(SETTLE).await;
    if std::env::var_os("LEADLINE_BENCH_DETAIL").is_some() {
        for pid in process::using_profile(profile.path()) {
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
    let mut samples = Vec::new();
    for _ in 0..SAMPLES {
        samples.push(tree_pss_mib(profile.path()));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    session.stop().await;
    median(samples)
}

async fn time_to_qr_ms(fake: &FakeWhatsApp) -> f64 {
    let profile = tempfile::tempdir().expect("a temp profile");
    let started = Instant::now();
    let (session, mut events) = launch(fake, profile.path(), browser::FLAGS).await;
    wait_state(&mut events, "a QR", |s| {
        matches!(s, AccountState::ScanQr { .. })
    })
    .await;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    session.stop().await;
    elapsed
}

/// Links numbers 1..=3 under `profiles` one at a time (one page listens to each scan).
async fn link_three(fake: &FakeWhatsApp, profiles: &Path) {
    for id in 1..=3 {
        let (session, mut events) = launch(fake, &profile_dir(profiles, id), browser::FLAGS).await;
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

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // For trying flag sets: `LEADLINE_BENCH_FLAGS="a b=c"` measures that set alone and stops.
    if let Ok(trial) = std::env::var("LEADLINE_BENCH_FLAGS") {
        let fake = FakeWhatsApp::start(Timings {
            first_ref_ms: 600_000,
            ..Timings::default()
        })
        .await;
        let flags: Vec<&str> = trial.split_whitespace().collect();
        let mut runs = Vec::new();
        for _ in 0..3 {
            runs.push(linked_pss(&fake, &flags).await);
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

    let mut leadline = Vec::new();
    let mut wwebjs = Vec::new();
    for _ in 0..RUNS {
        leadline.push(linked_pss(&fake, browser::FLAGS).await);
        wwebjs.push(linked_pss(&fake, WWEBJS_DEFAULT).await);
    }
    let (ours, theirs) = (median(leadline), median(wwebjs));
    println!("BENCH wa_pss_per_number_leadline {ours:.1} MiB");
    println!("BENCH wa_pss_per_number_wwebjs_default {theirs:.1} MiB");
    println!(
        "BENCH wa_pss_ratio_wwebjs_over_leadline {:.2} x",
        theirs / ours
    );

    let mut to_qr = Vec::new();
    for _ in 0..RUNS {
        to_qr.push(time_to_qr_ms(&fake).await);
    }
    println!("BENCH wa_link_to_qr {:.0} ms", median(to_qr));

    let profiles = tempfile::tempdir().expect("a temp folder");
    link_three(&fake, profiles.path()).await;
    let mut three = Vec::new();
    for _ in 0..3 {
        three.push(three_to_working_ms(&fake, profiles.path()).await);
    }
    println!(
        "BENCH wa_start_to_working_3_numbers {:.0} ms",
        median(three)
    );
}
