//! The owner's workspace at scale, in the real window: a database of 100,000 leads and
//! 1,000,000 messages opens on the Leads table, scrolls deep, filters, searches, sorts and
//! is driven by the keyboard; Arabic lays the window out right to left. With
//! `LEADLINE_DOCS_SCREENSHOTS=<folder>` it also saves each view in light, dark and Arabic
//! (the pictures in docs/screenshots come from this test).

use fantoccini::Client;
use fantoccini::key::Key;
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::model::lead::{LeadFilter, LeadPageRequest, LeadSort};
use leadline_core::store::database::Store;
use leadline_tests::{Driver, big_data, click, eventually, text_of};
use serde_json::json;

use crate::assistant::{choose, type_into};
use crate::go_to;

/// How many leads a filter matches, asked of the core directly.
async fn total(core: &Leadline, filter: LeadFilter) -> u32 {
    core.lead_page(LeadPageRequest {
        filter,
        sort: LeadSort::Updated,
        descending: true,
        offset: 0,
        limit: 1,
    })
    .await
    .expect("the core answers")
    .total
}

fn count_text(n: u32) -> String {
    // English grouping, as the window shows it in English.
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out} leads")
}

async fn count(client: &Client) -> String {
    text_of(client, "[data-testid='lead-count']").await
}

async fn rendered_rows(client: &Client) -> usize {
    dom_texts(client, "[data-testid='lead']").await.len()
}

/// The text content of every match, read in the page: the table's cells clip their text
/// (ellipsis), which WebDriver's visible-text rule can report as empty.
async fn dom_texts(client: &Client, css: &str) -> Vec<String> {
    let found = client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent.trim());",
            vec![json!(css)],
        )
        .await
        .expect("the page answers");
    serde_json::from_value(found).unwrap_or_default()
}

/// The first match's text once it appears.
async fn dom_text(client: &Client, css: &str) -> String {
    text_of(client, css).await;
    dom_texts(client, css)
        .await
        .into_iter()
        .next()
        .unwrap_or_default()
}

async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .expect("something has the focus")
        .send_keys(keys)
        .await
        .expect("keys can be pressed");
}

/// Each section as the owner sees it, saved as `<section>-<variant>.png` (when asked for):
/// a lead open beside the table, a chat open beside the list.
async fn shoot_every_view(client: &Client, dir: Option<&std::path::Path>, variant: &str) {
    if dir.is_none() {
        return;
    }
    for page in [
        "home",
        "numbers",
        "conversations",
        "leads",
        "activity",
        "settings",
    ] {
        click(client, &format!("button.nav-item[data-page='{page}']")).await;
        text_of(client, &format!("main[data-testid='page-{page}'] h1")).await;
        match page {
            "leads" => {
                click(client, "[data-testid='lead'][data-index='2']").await;
                text_of(client, "[data-testid='lead-detail-name']").await;
            }
            "conversations" => {
                click(client, "[data-testid='chat']").await;
                text_of(client, "[data-testid='message-body']").await;
            }
            "activity" => {
                text_of(client, "[data-testid='activity-list']").await;
            }
            _ => {}
        }
        leadline_tests::save_page_picture(client, dir, &format!("{page}-{variant}")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn the_leads_table_opens_filters_and_searches_100000_leads() {
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("the data folder");
    let shots = std::env::var_os("LEADLINE_DOCS_SCREENSHOTS").map(std::path::PathBuf::from);

    // The database, and the answers the window must agree with.
    let core = Leadline::new(
        Store::open(&data_dir.join("leadline.db")).expect("the store opens"),
        std::sync::Arc::new(|_| {}),
        std::sync::Arc::new(SystemClock),
    );
    let now = jiff::Timestamp::now().as_millisecond();
    big_data::seed(&core, big_data::LEADS, now - 60_000);
    let won = total(
        &core,
        LeadFilter {
            stages: vec!["won".into()],
            ..LeadFilter::default()
        },
    )
    .await;
    let haddad = total(
        &core,
        LeadFilter {
            search: "Haddad".into(),
            ..LeadFilter::default()
        },
    )
    .await;
    let haddad_won = total(
        &core,
        LeadFilter {
            stages: vec!["won".into()],
            search: "Haddad".into(),
            ..LeadFilter::default()
        },
    )
    .await;
    drop(core);

    // With the llama.cpp server when the test command built it, so Settings pictures AI on
    // this computer's models rather than an installation without it.
    let server = std::env::var("LLAMA_SERVER").unwrap_or_default();
    let env: &[(&str, &str)] = if server.is_empty() {
        &[]
    } else {
        &[("LEADLINE_LLAMA_SERVER", server.as_str())]
    };
    let driver = Driver::start_with(&data_dir, env);
    let client = driver.open_app().await;

    // Opens: the count of every lead, and only a window of rows in the page.
    go_to(&client, "leads", "Leads").await;
    eventually("all leads are counted", "100,000 leads".to_string(), || {
        count(&client)
    })
    .await;
    text_of(&client, "[data-testid='lead'][data-lead-id]").await;
    let rows = rendered_rows(&client).await;
    assert!(
        rows > 5 && rows < 100,
        "{rows} rows in the page for 100,000 leads"
    );
    let first = dom_text(
        &client,
        "[data-testid='lead'][data-index='0'] [data-testid='lead-name']",
    )
    .await;
    assert_eq!(
        first,
        big_data::name_of(big_data::LEADS),
        "the newest lead first"
    );

    // Scrolls deep: the rows there load.
    client
        .execute(
            "const box = document.querySelector(\"[data-testid='lead-viewport']\");
             box.scrollTop = 44 * 60000;
             box.dispatchEvent(new Event('scroll'));",
            vec![],
        )
        .await
        .expect("the table scrolls");
    let deep = dom_text(
        &client,
        "[data-testid='lead'][data-index='60000'][data-lead-id]",
    )
    .await;
    assert!(
        deep.contains(&big_data::name_of(big_data::LEADS - 60_000)),
        "{deep}"
    );
    assert!(rendered_rows(&client).await < 100);

    // Filters and searches, alone and together (stages are under "Filters").
    click(&client, "[data-testid='lead-filters-more']").await;
    click(&client, "[data-testid='lead-filter-stage-won']").await;
    eventually("won leads are counted", count_text(won), || count(&client)).await;
    eventually("only won leads are listed", true, || async {
        let stages = dom_texts(&client, "[data-testid='lead-stage']").await;
        !stages.is_empty() && stages.iter().all(|s| s == "Won")
    })
    .await;
    type_into(&client, "[data-testid='lead-search']", "Haddad").await;
    eventually("won leads named Haddad", count_text(haddad_won), || {
        count(&client)
    })
    .await;
    click(&client, "[data-testid='lead-filter-stage-won']").await;
    eventually("leads named Haddad", count_text(haddad), || count(&client)).await;
    eventually("only Haddads are listed, from the top", true, || async {
        let names = dom_texts(&client, "[data-testid='lead-name']").await;
        !names.is_empty() && names.iter().all(|n| n.contains("Haddad"))
    })
    .await;
    type_into(&client, "[data-testid='lead-search']", "600 000 007").await;
    eventually("a phone typed with spaces", true, || async {
        dom_texts(&client, "[data-testid='lead-name']")
            .await
            .first()
            == Some(&big_data::name_of(1))
    })
    .await;
    click(&client, "[data-testid='lead-filter-clear']").await;
    eventually("all leads again", "100,000 leads".to_string(), || {
        count(&client)
    })
    .await;

    // Sorts by name, A first.
    click(&client, "[data-testid='lead-sort-name']").await;
    eventually("sorted by name", true, || async {
        dom_texts(&client, "[data-testid='lead-name']")
            .await
            .first()
            .is_some_and(|n| n.starts_with("Aiko"))
    })
    .await;

    // The keyboard: a row opens its lead, arrows move, "/" finds the search, Alt+2 Numbers.
    click(&client, "[data-testid='lead'][data-index='0']").await;
    let opened = text_of(&client, "[data-testid='lead-detail-name']").await;
    let second = dom_text(
        &client,
        "[data-testid='lead'][data-index='1'] [data-testid='lead-name']",
    )
    .await;
    press(&client, &Key::Down.to_string()).await;
    eventually("the next lead opens", second.clone(), || {
        text_of(&client, "[data-testid='lead-detail-name']")
    })
    .await;
    assert!(!opened.is_empty());
    press(&client, "/").await;
    let focused = client
        .active_element()
        .await
        .expect("something has the focus")
        .attr("id")
        .await
        .expect("an id");
    assert_eq!(focused.as_deref(), Some("lead-search"));
    client
        .execute("document.activeElement.blur();", vec![])
        .await
        .expect("the search lets go of the focus");
    press(&client, &(Key::Alt + "2")).await;
    text_of(&client, "main[data-testid='page-numbers'] h1").await;

    // Activity, filtered to errors: the AI failure and the number that stopped, nothing else.
    go_to(&client, "activity", "Activity").await;
    text_of(&client, "[data-testid='activity-list']").await;
    choose(&client, "[data-testid='activity-group']", "errors").await;
    eventually(
        "only errors are listed",
        vec!["ai_failed".to_string(), "number_failed".to_string()],
        || async {
            let kinds = client
                .execute(
                    "return [...document.querySelectorAll(\"[data-testid='activity-list'] li\")].map((li) => li.dataset.kind);",
                    vec![],
                )
                .await
                .unwrap_or_default();
            serde_json::from_value::<Vec<String>>(kinds).unwrap_or_default()
        },
    )
    .await;
    choose(&client, "[data-testid='activity-group']", "").await;

    if shots.is_some() {
        shoot_every_view(&client, shots.as_deref(), "light").await;
        go_to(&client, "settings", "Settings").await;
        click(&client, "[data-testid='theme-dark']").await;
        shoot_every_view(&client, shots.as_deref(), "dark").await;
        go_to(&client, "settings", "Settings").await;
        click(&client, "[data-testid='theme-light']").await;
    }

    // Arabic: the whole window turns right to left, in Arabic.
    go_to(&client, "settings", "Settings").await;
    choose(&client, "[data-testid='language']", "ar").await;
    eventually("the page is right to left", json!("rtl"), || async {
        client
            .execute("return document.documentElement.dir;", vec![])
            .await
            .unwrap_or_default()
    })
    .await;
    let leads_label = text_of(&client, "button.nav-item[data-page='leads']").await;
    assert_eq!(leads_label, "العملاء المحتملون");
    click(&client, "button.nav-item[data-page='leads']").await;
    eventually("the count in Arabic", true, || async {
        let shown = count(&client).await;
        shown.contains("عميل") && !shown.contains("leads")
    })
    .await;
    shoot_every_view(&client, shots.as_deref(), "arabic").await;

    // The core's own sentences are in Arabic too: a refusal from the core…
    click(&client, "button.nav-item[data-page='numbers']").await;
    type_into(&client, "[data-testid='new-number-name']", "Tienda").await;
    click(&client, "[data-testid='add-number']").await;
    assert_eq!(
        text_of(&client, "[data-testid='add-error']").await,
        "لديك بالفعل رقم باسم «Tienda». اختر اسمًا آخر."
    );
    // …the notification service's state, and the desktop notification itself.
    let notifications_turn = leadline_tests::notifications::exclusive().await;
    let notifications = leadline_tests::notifications::start(&notifications_turn);
    click(&client, "button.nav-item[data-page='settings']").await;
    // Settings asks again when it opens; "Check again" is there if it asked too early.
    let _ = client
        .execute(
            "document.querySelector(\"[data-testid='notifications-recheck']\")?.click();",
            vec![],
        )
        .await;
    eventually("the notification state in Arabic", true, || async {
        text_of(&client, "[data-testid='notifications-state']")
            .await
            .contains("يظهر العملاء المؤهَّلون على سطح المكتب.")
    })
    .await;
    click(&client, "[data-testid='notifications-test']").await;
    eventually("the sample notification on the bus", true, || async {
        !notifications.notify_calls().is_empty()
    })
    .await;
    let call = notifications.notify_calls().remove(0);
    assert_eq!(call.summary, "عميل مؤهَّل: عميل تجريبي · +1 555 0100");
    assert_eq!(call.body, "هكذا يخبرك Leadline بأن عميلًا محتملًا جاهز.");
    drop(notifications);
    // Back to the computer's language: the choice is a setting, kept across restarts.
    click(&client, "button.nav-item[data-page='settings']").await;
    choose(&client, "[data-testid='language']", "").await;
    eventually("left to right again", json!("ltr"), || async {
        client
            .execute("return document.documentElement.dir;", vec![])
            .await
            .unwrap_or_default()
    })
    .await;

    client.close().await.expect("the app closes");
    drop(driver);
}
