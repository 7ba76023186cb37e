//! The Leads page in the real window at scale, one `BENCH` line per figure. Run by
//! `scripts/bench.sh` under Xvfb and a private D-Bus session, on the release app
//! (`LEADLINE_APP_BIN`). A database with 100,000 leads and 1,000,000 messages; then, 15
//! times after a warm-up, from a click on "Leads" in the menu to the first rows painted
//! (the frame after they are in the page), median.

use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::store::database::Store;
use leadline_tests::{Driver, big_data, click, percentile, text_of};

const RUNS: usize = 15;

/// Clicks Leads and reports, in ms, when the first row is in the page and a frame has passed.
const TO_FIRST_ROWS: &str = r#"
const done = arguments[arguments.length - 1];
const started = performance.now();
document.querySelector("button.nav-item[data-page='leads']").click();
const check = () => {
  if (document.querySelector("[data-testid='lead'][data-lead-id]")) {
    requestAnimationFrame(() => setTimeout(() => done(performance.now() - started), 0));
  } else {
    requestAnimationFrame(check);
  }
};
requestAnimationFrame(check);
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let data_dir = dir.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("the data folder");
    let core = Leadline::new(
        Store::open(&data_dir.join("leadline.db")).expect("the store opens"),
        std::sync::Arc::new(|_| {}),
        std::sync::Arc::new(SystemClock),
    );
    big_data::seed(
        &core,
        big_data::LEADS,
        jiff::Timestamp::now().as_millisecond(),
    );
    drop(core);

    let driver = Driver::start(&data_dir);
    let client = driver.open_app().await;
    text_of(&client, "main[data-testid='page-home'] h1").await;
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        click(&client, "button.nav-item[data-page='home']").await;
        text_of(&client, "main[data-testid='page-home'] h1").await;
        let ms = client
            .execute_async(TO_FIRST_ROWS, vec![])
            .await
            .expect("the Leads page paints")
            .as_f64()
            .expect("a time in ms");
        // The first run warms up the webview and SQLite's cache.
        if run > 0 {
            times.push(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    eprintln!("leads first paint: {times:?} ms");
    println!("BENCH leads_first_paint {:.0} ms", percentile(&times, 0.5));
    client.close().await.expect("the app closes");
    drop(driver);
}
