//! The app as a desktop program, one `BENCH` line per figure. Run by `scripts/bench.sh`
//! under Xvfb and a private D-Bus session, on the release app (`LEADLINE_APP_BIN`), started
//! directly as an owner starts it (no WebDriver).
//! - `app_first_paint`: from launch to the window on screen with its content drawn (what a
//!   person sees: more than a blank colour in the window's pixels), median of 7 launches
//!   after a warm-up, on an empty data folder.
//! - `idle_*`: three numbers linked to the local fake, the app left alone for 60 s after it
//!   settled: memory (PSS, so shared pages are counted once across processes) and CPU, for
//!   the app with its webview processes ("shell"), and with the numbers' Chromium too. Also
//!   the RSS of the app's own process.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::chromium::ChromiumDriver;
use leadline_core::whatsapp::{browser, process};
use leadline_tests::desktop::{self, cpu_ticks, pss_kib, ticks_per_second};
use leadline_tests::fakes::whatsapp_web::{FakeWhatsApp, Timings};
use leadline_tests::{app_binary, linked_profiles, percentile};

const LAUNCHES: usize = 7;
const IDLE: Duration = Duration::from_secs(60);
const SETTLE: Duration = Duration::from_secs(20);

fn launch(data_dir: &Path, env: &[(&str, &str)]) -> Child {
    Command::new(app_binary())
        .env("LEADLINE_DATA_DIR", data_dir)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the app starts")
}

/// Asks the app to quit as a logout would (SIGTERM, by its PID) and waits for it.
fn quit(mut app: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &app.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if matches!(app.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = app.kill();
    let _ = app.wait();
}

fn first_paint_ms() -> f64 {
    let dir = tempfile::tempdir().expect("a temp folder");
    let started = Instant::now();
    let app = launch(dir.path(), &[]);
    let pid = app.id();
    let deadline = started + Duration::from_secs(30);
    let screen = desktop::Display::open();
    let painted = loop {
        if let Some(window) = screen.window_of(pid, "Leadline")
            // Drawn content: text and shapes show several colours; a blank or half-made
            // window shows one or two.
            && screen.colours(window) >= 6
        {
            break started.elapsed();
        }
        assert!(Instant::now() < deadline, "the window never painted");
        std::thread::sleep(Duration::from_millis(10));
    };
    drop(screen);
    quit(app);
    painted.as_secs_f64() * 1000.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    percentile(&values, 0.5)
}

fn is_chromium(pid: u32) -> bool {
    std::fs::read_link(format!("/proc/{pid}/exe"))
        .map(|exe| exe.to_string_lossy().contains("chrom"))
        .unwrap_or(false)
}

/// The app's processes, split into (shell: the app and its webview helpers, Chromium).
fn processes(app: u32) -> (Vec<u32>, Vec<u32>) {
    process::tree(app)
        .into_iter()
        .partition(|pid| !is_chromium(*pid))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Medians over a minute left alone, sampled every 5 s.
struct Figures {
    shell_pss: f64,
    all_pss: f64,
    main_rss: f64,
    shell_cpu: f64,
    all_cpu: f64,
}

async fn measure(pid: u32) -> Figures {
    let ticks = |pids: &[u32]| pids.iter().map(|p| cpu_ticks(*p)).sum::<u64>();
    let (shell, browsers) = processes(pid);
    let (shell_start, browsers_start) = (ticks(&shell), ticks(&browsers));
    let mut shell_pss = Vec::new();
    let mut all_pss = Vec::new();
    let mut main_rss = Vec::new();
    let started = Instant::now();
    while started.elapsed() < IDLE {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let (shell, browsers) = processes(pid);
        let shell_kib: u64 = shell.iter().map(|p| pss_kib(*p)).sum();
        let browsers_kib: u64 = browsers.iter().map(|p| pss_kib(*p)).sum();
        shell_pss.push(shell_kib as f64 / 1024.0);
        all_pss.push((shell_kib + browsers_kib) as f64 / 1024.0);
        main_rss.push(rss_kib(pid) as f64 / 1024.0);
    }
    let seconds = started.elapsed().as_secs_f64();
    let (shell, browsers) = processes(pid);
    let per_second = ticks_per_second() as f64;
    // Processes that ended during the minute (a webview closing) drop out of the sum.
    let shell_cpu = ticks(&shell).saturating_sub(shell_start) as f64 / per_second / seconds * 100.0;
    let browsers_cpu =
        ticks(&browsers).saturating_sub(browsers_start) as f64 / per_second / seconds * 100.0;
    Figures {
        shell_pss: median(shell_pss),
        all_pss: median(all_pss),
        main_rss: median(main_rss),
        shell_cpu,
        all_cpu: shell_cpu + browsers_cpu,
    }
}

async fn idle_with_three_numbers() {
    let fake = FakeWhatsApp::start(Timings::default()).await;
    let dir = tempfile::tempdir().expect("a temp folder");
    let data_dir = dir.path().join("data");
    let profiles = data_dir.join("profiles");
    let chromium = browser::find(None).expect("a browser (scripts/setup.sh --test)");
    linked_profiles::link(
        &fake,
        &ChromiumDriver::new(chromium, fake.url()),
        &profiles,
        1..=3,
    )
    .await;
    {
        let core = Leadline::new(
            Store::open(&data_dir.join("leadline.db")).expect("the store opens"),
            std::sync::Arc::new(|_| {}),
            std::sync::Arc::new(SystemClock),
        );
        for id in 1..=3_i64 {
            let number = core
                .add_number(&format!("Number {id}"))
                .await
                .expect("a number");
            assert_eq!(number.id, id, "ids match the linked profiles");
            leadline_core::numbers::linking::state_changed(
                &core,
                id,
                AccountState::Working {
                    me: format!("1555000000{id}@c.us"),
                },
            )
            .await
            .expect("linked");
        }
    }
    let url = fake.url();
    let app = launch(&data_dir, &[("LEADLINE_WA_URL", url.as_str())]);
    let pid = app.id();
    let deadline = Instant::now() + Duration::from_secs(90);
    while (1..=3)
        .filter(|id| {
            process::any_using_profile(&leadline_core::runtime::profile::profile_dir(
                &profiles, *id,
            ))
        })
        .count()
        < 3
    {
        assert!(
            Instant::now() < deadline,
            "the three numbers' browsers did not start"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(SETTLE).await;

    let open = measure(pid).await;
    // Closed to the background, as an owner leaves it most of the day.
    let window = desktop::window_of(pid, "Leadline").expect("the window is on screen");
    desktop::request_close(window);
    let deadline = Instant::now() + Duration::from_secs(20);
    while desktop::window_of(pid, "Leadline").is_some() {
        assert!(Instant::now() < deadline, "the window did not close");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    let closed = measure(pid).await;
    quit(app);
    let left = (1..=3).any(|id| {
        process::any_using_profile(&leadline_core::runtime::profile::profile_dir(&profiles, id))
    });
    assert!(!left, "quitting stops every browser");

    for (suffix, figures) in [("window_open", open), ("window_closed", closed)] {
        println!("BENCH idle_pss_shell_{suffix} {:.1} MiB", figures.shell_pss);
        println!(
            "BENCH idle_pss_with_chromium_{suffix} {:.1} MiB",
            figures.all_pss
        );
        println!(
            "BENCH idle_rss_main_process_{suffix} {:.1} MiB",
            figures.main_rss
        );
        println!("BENCH idle_cpu_shell_{suffix} {:.2} %", figures.shell_cpu);
        println!(
            "BENCH idle_cpu_with_chromium_{suffix} {:.2} %",
            figures.all_cpu
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let paints: Vec<f64> = (0..=LAUNCHES).map(|_| first_paint_ms()).skip(1).collect();
    println!("BENCH app_first_paint {:.0} ms", median(paints));
    idle_with_three_numbers().await;
}
