//! The Leads table's queries on real rows: filters, search in names, phones and fields,
//! sorts and pages.

use leadline_core::model::lead::Stage;
use leadline_core::model::lead::{LeadFilter, LeadPageRequest, LeadSort};
use leadline_core::store::{accounts, contacts, leads};

use crate::support::core;

/// (name field, push name, phone, stage, score, qualified_at, email, number)
type Row = (
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    u8,
    Option<i64>,
    Option<&'static str>,
    i64,
);

const ROWS: [Row; 5] = [
    (
        Some("Ana García"),
        "Ana",
        "+34611222333",
        "qualified",
        100,
        Some(5_000),
        Some("ana@example.com"),
        1,
    ),
    (
        None,
        "سارة 🌙",
        "+971501234567",
        "engaged",
        40,
        None,
        None,
        1,
    ),
    (
        Some("Luis"),
        "luis",
        "+14155552671",
        "won",
        90,
        Some(3_000),
        Some("LUIS@shop.mx"),
        2,
    ),
    (None, "Zoë\u{200b}", "+34699000111", "new", 0, None, None, 1),
    (
        Some("bob"),
        "Bob",
        "+447700900123",
        "lost",
        20,
        None,
        Some("bob@example.org"),
        2,
    ),
];

async fn seeded() -> leadline_core::leadline::Leadline {
    let (core, _) = core();
    seed_rows(&core);
    core
}

/// Two numbers and the five leads of `ROWS` (ids 1–5, contact ids the same), through the
/// store's own writes.
pub(crate) fn seed_rows(core: &leadline_core::leadline::Leadline) {
    seed_rows_at(core, 0, None);
}

/// `seed_rows` with the contacts made at `contacts_at` and, when given, every lead made at
/// `leads_at` (the qualified ones qualifying half a second later).
pub(crate) fn seed_rows_at(
    core: &leadline_core::leadline::Leadline,
    contacts_at: i64,
    leads_at: Option<i64>,
) {
    core.store()
        .call_blocking(|conn| {
            for name in ["Shop", "Tienda"] {
                accounts::insert(conn, name, 0)?;
            }
            for (index, (name, push, phone, stage, score, qualified, email, number)) in
                ROWS.iter().enumerate()
            {
                let id = index as i64 + 1;
                let wa_id = format!("{}@c.us", &phone[1..]);
                let contact = contacts::upsert(
                    conn,
                    *number,
                    &wa_id,
                    Some(phone),
                    Some(push),
                    None,
                    contacts_at,
                )?;
                let lead = leads::upsert(conn, *number, contact.id, None, leads_at.unwrap_or(id))?;
                for (key, value) in [("name", name), ("email", email)] {
                    if let Some(value) = value {
                        leads::set_ai_field(conn, lead.id, key, value, 0)?;
                    }
                }
                let qualified = qualified.map(|at| leads_at.map_or(at, |t| t + 500));
                let stage = Stage::parse(stage).expect("a stage");
                leads::update(conn, lead.id, stage, *score, None, qualified, 100 - id)?;
                leads::refresh_search(conn, lead.id)?;
            }
            Ok(())
        })
        .unwrap();
}

fn request(filter: LeadFilter) -> LeadPageRequest {
    LeadPageRequest {
        filter,
        sort: LeadSort::Updated,
        descending: true,
        offset: 0,
        limit: 50,
    }
}

async fn names(core: &leadline_core::leadline::Leadline, req: LeadPageRequest) -> Vec<String> {
    core.lead_page(req)
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name.unwrap_or_default())
        .collect()
}

fn search(text: &str) -> LeadPageRequest {
    request(LeadFilter {
        search: text.into(),
        ..LeadFilter::default()
    })
}

#[tokio::test]
async fn filters_search_sorts_and_pages() {
    let core = seeded().await;
    let all = core
        .lead_page(request(LeadFilter::default()))
        .await
        .unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(
        all.rows[0].name.as_deref(),
        Some("Ana García"),
        "newest activity first"
    );
    assert_eq!(all.rows[0].number_name, "Shop");
    assert!(
        all.rows[0]
            .fields
            .contains(&("email".into(), "ana@example.com".into()))
    );

    // Filters.
    let shop = request(LeadFilter {
        number_id: Some(2),
        ..LeadFilter::default()
    });
    assert_eq!(names(&core, shop).await, ["Luis", "bob"]);
    let decided = request(LeadFilter {
        stages: vec!["won".into(), "lost".into()],
        ..LeadFilter::default()
    });
    assert_eq!(names(&core, decided).await, ["Luis", "bob"]);
    let hot = request(LeadFilter {
        min_score: Some(90),
        ..LeadFilter::default()
    });
    assert_eq!(names(&core, hot).await, ["Ana García", "Luis"]);
    let window = request(LeadFilter {
        qualified_from_ms: Some(4_000),
        qualified_until_ms: Some(6_000),
        ..LeadFilter::default()
    });
    assert_eq!(names(&core, window).await, ["Ana García"]);

    // Search: any part of a name in any script and case, a phone typed any way, a field.
    assert_eq!(names(&core, search("garcía")).await, ["Ana García"]);
    assert_eq!(names(&core, search("GARC")).await, ["Ana García"]);
    assert_eq!(names(&core, search("سارة")).await, ["سارة 🌙"]);
    assert_eq!(names(&core, search("611 222")).await, ["Ana García"]);
    assert_eq!(names(&core, search("+1 (415) 555")).await, ["Luis"]);
    assert_eq!(
        names(&core, search(" +34 611 222 333 ")).await,
        ["Ana García"],
        "a whole phone typed in groups is one number"
    );
    assert!(
        names(&core, search("611 333")).await.is_empty(),
        "groups of a phone must be consecutive"
    );
    assert_eq!(names(&core, search("shop.mx")).await, ["Luis"]);
    assert_eq!(names(&core, search("example")).await, ["Ana García", "bob"]);
    assert_eq!(
        names(&core, search("example ana")).await,
        ["Ana García"],
        "every word must match"
    );
    assert_eq!(
        names(&core, search("zo")).await,
        ["Zoë\u{200b}"],
        "short words still match"
    );
    assert!(names(&core, search("nobody-here")).await.is_empty());
    for odd in [
        "\"",
        "' OR 1=1 --",
        "NEAR(",
        "*",
        "\u{202e}",
        "%",
        "_",
        "ana AND",
    ] {
        core.lead_page(search(odd))
            .await
            .unwrap_or_else(|e| panic!("{odd:?}: {e}"));
    }

    // Sorts, both ways, and pages.
    let by_name = LeadPageRequest {
        sort: LeadSort::Name,
        descending: false,
        ..request(LeadFilter::default())
    };
    assert_eq!(
        names(&core, by_name).await,
        ["Ana García", "bob", "Luis", "Zoë\u{200b}", "سارة 🌙"]
    );
    let by_score = LeadPageRequest {
        sort: LeadSort::Score,
        descending: true,
        ..request(LeadFilter::default())
    };
    assert_eq!(names(&core, by_score).await[..2], ["Ana García", "Luis"]);
    let second_page = LeadPageRequest {
        offset: 2,
        limit: 2,
        ..request(LeadFilter::default())
    };
    let page = core.lead_page(second_page).await.unwrap();
    assert_eq!((page.total, page.offset, page.rows.len()), (5, 2, 2));
    assert!(
        core.lead_page(LeadPageRequest {
            limit: 0,
            ..request(LeadFilter::default())
        })
        .await
        .is_err()
    );
}
