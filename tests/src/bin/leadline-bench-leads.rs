//! Leads at scale, one `BENCH` line per figure. Run by `scripts/bench.sh` (release).
//! A database file with 100,000 leads (3 numbers, 3 fields each) and 1,000,000 messages,
//! then the Leads table's queries through the core, each 30 times after a warm-up, medians:
//! the first page (100 rows and the total) in the default order, a page deep in the list,
//! a filtered and sorted page, and searches for part of a name, a phone typed with spaces
//! and part of an email.

use std::time::Instant;

use leadline_core::leads_query::{LeadFilter, LeadPageRequest, LeadSort};
use leadline_core::{Leadline, Store, SystemClock};
use leadline_tests::percentile;

const LEADS: i64 = 100_000;
const MESSAGES_PER_LEAD: i64 = 10;
const RUNS: usize = 30;

const GIVEN: [&str; 12] = [
    "Ana", "Luis", "María", "José", "سارة", "Chen", "Olga", "Kwame", "Zoë", "Priya", "Tomás",
    "Aiko",
];
const FAMILY: [&str; 10] = [
    "García", "López", "Smith", "Haddad", "Nakamura", "Silva", "Okafor", "Novak", "Kaur", "Rossi",
];
const CITIES: [&str; 6] = ["Madrid", "Lima", "Dubai", "Lagos", "Porto", "Osaka"];
const STAGES: [&str; 5] = ["new", "engaged", "qualified", "won", "lost"];

fn seed(core: &Leadline) {
    let started = Instant::now();
    core.store()
        .call_blocking(|conn| {
            let tx = conn.transaction()?;
            tx.execute_batch(
                "INSERT INTO accounts (id, name, created_at, updated_at) VALUES
                 (1, 'Shop', 0, 0), (2, 'Tienda', 0, 0), (3, 'متجر', 0, 0);",
            )?;
            {
                let mut contact = tx.prepare(
                    "INSERT INTO contacts (id, account_id, wa_id, phone, push_name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                )?;
                let mut chat = tx.prepare(
                    "INSERT INTO chats (id, account_id, wa_chat_id, contact_id, kind, last_message_at, created_at) VALUES (?1, ?2, ?3, ?1, 'person', ?4, ?4)",
                )?;
                let mut lead = tx.prepare(
                    "INSERT INTO leads (id, account_id, contact_id, chat_id, stage, score, qualified_reason, qualified_at, created_at, updated_at, display_name, search_text)
                     VALUES (?1, ?2, ?1, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                let mut field = tx.prepare(
                    "INSERT INTO lead_fields (lead_id, key, value, source, updated_at) VALUES (?1, ?2, ?3, 'ai', ?4)",
                )?;
                let mut message = tx.prepare(
                    "INSERT INTO messages (account_id, chat_id, wa_msg_id, direction, origin, body, sent_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                )?;
                for id in 1..=LEADS {
                    let account = id % 3 + 1;
                    let phone = format!("+34{}", 600_000_000 + id * 7);
                    let name = format!(
                        "{} {}",
                        GIVEN[(id % 12) as usize],
                        FAMILY[((id / 12) % 10) as usize]
                    );
                    let email = format!("{}{}@example.com", GIVEN[(id % 12) as usize].to_lowercase(), id);
                    let city = CITIES[(id % 6) as usize];
                    let at = 1_700_000_000_000 + id * 60_000;
                    let stage = STAGES[(id % 5) as usize];
                    let qualified = matches!(stage, "qualified" | "won").then_some(at);
                    contact.execute(rusqlite::params![id, account, format!("{}@c.us", &phone[1..]), phone, name, at])?;
                    chat.execute(rusqlite::params![id, account, format!("{}@c.us", &phone[1..]), at])?;
                    let search = format!("{name} {name} {phone} {email} {city} {name}");
                    lead.execute(rusqlite::params![
                        id, account, stage, (id * 37 % 101) as u8,
                        qualified.map(|_| "wants to buy"), qualified, at, at + 1, name, search
                    ])?;
                    for (key, value) in [("name", name.as_str()), ("email", email.as_str()), ("city", city)] {
                        field.execute(rusqlite::params![id, key, value, at])?;
                    }
                    for n in 0..MESSAGES_PER_LEAD {
                        let inbound = n % 2 == 0;
                        message.execute(rusqlite::params![
                            account,
                            id,
                            format!("m{id}-{n}"),
                            if inbound { "in" } else { "out" },
                            if inbound { "customer" } else { "bot" },
                            if inbound { "Hola, ¿precio de la bici? 🚲" } else { "¡Hola! Desde 349 €. ¿Te reservo una?" },
                            at + n * 1_000,
                        ])?;
                    }
                }
            }
            tx.commit()?;
            conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?;
            Ok(())
        })
        .expect("the benchmark database is seeded");
    eprintln!(
        "seeded {LEADS} leads and {} messages in {:.1} s",
        LEADS * MESSAGES_PER_LEAD,
        started.elapsed().as_secs_f64()
    );
}

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
    seed(&core);

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
}
