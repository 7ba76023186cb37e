//! A big database as an owner with years of chats has: `leads` leads over 3 numbers (one
//! with an Arabic name), 3 fields each, 10 messages per lead (each question answered a
//! second later, as the inbox records), an AI call per lead, names in several scripts.
//! The bulk is generated inside SQLite (`big_data.sql`, recursive queries), so it takes
//! seconds even in a debug build; the numbers and the audit log go through the store.
//! Shared by the Leads benchmark and the end-to-end test of the table at scale.

use std::time::Instant;

use leadline_core::leadline::Leadline;
use leadline_core::model::activity::Activity;
use leadline_core::store::{accounts, activity};

/// The bulk of the rows, generated inside SQLite: 100,000 leads, their fields, contacts,
/// chats, a million messages and their inbox rows through the store's per-row writes take
/// minutes in a debug build, this takes seconds. Its seed table, then (`-- rows`) the rows.
const BULK: &str = include_str!("big_data.sql");

/// The figure the issue names: 100,000 leads and 1,000,000 messages.
pub const LEADS: i64 = 100_000;
pub const MESSAGES_PER_LEAD: i64 = 10;

/// Lead `id`'s name: GIVEN[id % 12] FAMILY[(id / 12) % 10].
const GIVEN: [&str; 12] = [
    "Ana", "Luis", "María", "José", "سارة", "Chen", "Olga", "Kwame", "Zoë", "Priya", "Tomás",
    "Aiko",
];
const FAMILY: [&str; 10] = [
    "García", "López", "Smith", "Haddad", "Nakamura", "Silva", "Okafor", "Novak", "Kaur", "Rossi",
];
const CITIES: [&str; 6] = ["Madrid", "Lima", "Dubai", "Lagos", "Porto", "Osaka"];
/// Lead `id`'s stage: STAGES[id % 5].
const STAGES: [&str; 5] = ["new", "engaged", "qualified", "won", "lost"];

/// Lead `id`'s name as the seed writes it.
pub fn name_of(id: i64) -> String {
    format!(
        "{} {}",
        GIVEN[(id % 12) as usize],
        FAMILY[((id / 12) % 10) as usize]
    )
}

/// Fills an empty store. Lead `id` has contact and chat `id`; leads are one minute apart
/// and lead `leads` was created at `newest_ms` (so the last week holds 10,080 of them).
pub fn seed(core: &Leadline, leads: i64, newest_ms: i64) {
    let started = Instant::now();
    let json = |items: &[&str]| serde_json::to_string(items).unwrap_or_default();
    let (given, family, cities, stages) =
        (json(&GIVEN), json(&FAMILY), json(&CITIES), json(&STAGES));
    core.store()
        .call_blocking(move |conn| {
            let tx = conn.transaction()?;
            for name in ["Shop", "Tienda", "متجر"] {
                accounts::insert(&tx, name, 0)?;
            }
            let (seed, rows) = BULK.split_once("-- rows\n").unwrap_or((BULK, ""));
            tx.execute(
                seed.trim_end().trim_end_matches(';'),
                rusqlite::params![leads, given, family, cities, stages, newest_ms],
            )?;
            tx.execute_batch(rows)?;

            // An audit log with one entry of each kind the owner filters by.
            let reason =
                leadline_core::text!("test.browser_closed", "the browser closed unexpectedly");
            let timeout = leadline_core::text!("test.provider_timeout", "the provider timed out");
            let entries = [
                (
                    1,
                    Activity::NumberLinked {
                        name: "Shop".into(),
                        phone: "+34 600 000 001".into(),
                    },
                    7_200_000,
                ),
                (
                    2,
                    Activity::NumberFailed {
                        name: "Tienda".into(),
                        reason,
                    },
                    5_400_000,
                ),
                (
                    2,
                    Activity::NumberRecovered {
                        name: "Tienda".into(),
                    },
                    5_300_000,
                ),
                (1, Activity::Takeover { minutes: 720 }, 3_600_000),
                (3, Activity::PausedFromWhatsApp { minutes: 30 }, 1_800_000),
                (
                    1,
                    Activity::WebhookDelivered {
                        lead: "99998".into(),
                        status: 200,
                    },
                    600_000,
                ),
                (1, Activity::AiFailed { error: timeout }, 300_000),
            ];
            for (account, entry, ago) in entries {
                activity::record(&tx, Some(account), &entry, newest_ms - ago)?;
            }
            tx.commit()?;
            conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?;
            Ok(())
        })
        .expect("the big database is seeded");
    eprintln!(
        "seeded {leads} leads and {} messages in {:.1} s",
        leads * MESSAGES_PER_LEAD,
        started.elapsed().as_secs_f64()
    );
}
