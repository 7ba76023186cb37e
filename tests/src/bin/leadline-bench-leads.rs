//! Leads at scale, one `BENCH` line per figure. Run by `scripts/bench.sh` (release).
//! A database file with 100,000 leads (3 numbers, 3 fields each) and 1,000,000 messages,
//! then the Leads table's queries through the core, each 30 times after a warm-up, medians:
//! the first page (100 rows and the total) in the default order, a page deep in the list,
//! a filtered and sorted page, and searches for part of a name, a phone typed with spaces
//! and part of an email; then the CSV export of all 100,000 leads.

use std::time::Instant;

use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::leads::export::LeadExportRequest;
use leadline_core::model::chat::ChatListRequest;
use leadline_core::model::lead::{LeadFilter, LeadPageRequest, LeadSort};
use leadline_core::store::database::Store;
use leadline_tests::big_data;
use leadline_tests::percentile;

const RUNS: usize = 30;

fn page(filter: LeadFilter, sort: LeadSort, offset: u32) -> LeadPageRequest {
    LeadPageRequest {
        filter,
        sort,
        descending: true,
        offset,
        limit: 100,
    }
}

/// Median milliseconds of `request` through the core, and how many leads it matched.
async fn measure(core: &Leadline, request: LeadPageRequest) -> (f64, u32) {
    let mut total = 0;
    for _ in 0..3 {
        total = core
            .lead_page(request.clone())
            .await
            .expect("the query runs")
            .total;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        core.lead_page(request.clone())
            .await
            .expect("the query runs");
        times.push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), total)
}

fn search(text: &str) -> LeadFilter {
    LeadFilter {
        search: text.into(),
        ..LeadFilter::default()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("a temp folder");
    // LEADLINE_BENCH_DB keeps the database for a look at the query plans.
    let path = std::env::var_os("LEADLINE_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("leadline.db"));
    let store = Store::open(&path).expect("the store opens");
    let core = Leadline::new(
        store,
        std::sync::Arc::new(|_| {}),
        std::sync::Arc::new(SystemClock),
    );
    big_data::seed(&core, big_data::LEADS, 1_706_000_000_000);

    let figures = [
        (
            "leads_page_first",
            page(LeadFilter::default(), LeadSort::Updated, 0),
        ),
        (
            "leads_page_deep",
            page(LeadFilter::default(), LeadSort::Updated, 50_000),
        ),
        (
            "leads_page_filtered",
            page(
                LeadFilter {
                    number_id: Some(2),
                    stages: vec!["qualified".into(), "won".into()],
                    min_score: Some(50),
                    ..LeadFilter::default()
                },
                LeadSort::Score,
                0,
            ),
        ),
        (
            "leads_page_by_name",
            page(LeadFilter::default(), LeadSort::Name, 0),
        ),
        (
            "leads_search_name",
            page(search("Haddad"), LeadSort::Updated, 0),
        ),
        (
            "leads_search_phone",
            page(search("600 123"), LeadSort::Updated, 0),
        ),
        (
            "leads_search_email",
            page(search("priya1234"), LeadSort::Updated, 0),
        ),
    ];
    for (name, request) in figures {
        let (ms, matched) = measure(&core, request).await;
        eprintln!("{name}: {matched} leads match");
        println!("BENCH {name} {ms:.2} ms");
    }

    // Conversations across every number (newest first) and Home's figures, same database.
    let mut chats = Vec::new();
    let mut home = Vec::new();
    for run in 0..=RUNS {
        let started = Instant::now();
        core.chats(ChatListRequest {
            limit: 100,
            ..ChatListRequest::default()
        })
        .await
        .expect("the chats list");
        let chats_ms = started.elapsed().as_secs_f64() * 1_000.0;
        let started = Instant::now();
        core.home_figures().await.expect("Home's figures");
        let home_ms = started.elapsed().as_secs_f64() * 1_000.0;
        if run > 0 {
            chats.push(chats_ms);
            home.push(home_ms);
        }
    }
    chats.sort_by(f64::total_cmp);
    home.sort_by(f64::total_cmp);
    println!("BENCH chats_list_first {:.2} ms", percentile(&chats, 0.5));
    println!("BENCH home_figures {:.2} ms", percentile(&home, 0.5));

    // The CSV export of every lead (the whole table), 3 runs, median; the export reads on a
    // connection of its own, as in the app.
    let out = dir.path().join("exports");
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let export = core
            .export_leads(LeadExportRequest::default(), out.clone(), |_| {})
            .await
            .expect("the export runs");
        times.push(started.elapsed().as_secs_f64());
        rows = export.rows;
        std::fs::remove_file(&export.path).expect("the export is removed");
    }
    times.sort_by(f64::total_cmp);
    eprintln!("leads_csv_export: {rows} rows");
    println!(
        "BENCH leads_csv_export_all {:.2} s",
        percentile(&times, 0.5)
    );
}
