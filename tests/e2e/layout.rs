//! Laptop layouts in the real window: at the default size (1120×740), at 1280×720 and
//! 1366×768 (what those laptops show maximised) and at the window's minimum (820×560), the
//! key parts of each page are on screen and not clipped: their boxes inside the window,
//! not only present. The Leads table keeps name, phone, stage, score and qualified date in
//! view with a lead open beside it; its filters keep to one line; Conversations shows the
//! transcript and the reply box together. With `LEADLINE_DOCS_SCREENSHOTS=<folder>` it
//! also saves Leads and Conversations at each laptop size in light, dark and Arabic.

use fantoccini::Client;
use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::store::database::Store;
use leadline_tests::{Driver, big_data, click, text_of};
use serde_json::{Value, json};

use crate::go_to;

/// (width, height, name): the laptop sizes, then the window's minimum.
const SIZES: [(u32, u32, &str); 4] = [
    (1120, 740, "1120x740"),
    (1280, 720, "1280x720"),
    (1366, 768, "1366x768"),
    (820, 560, "minimum"),
];

/// Each element `css` matches that is rendered, as [left, top, right, bottom], with the
/// window's inner size last.
async fn boxes(client: &Client, css: &str) -> (Vec<[f64; 4]>, (f64, f64)) {
    let found: Value = client
        .execute(
            "return { boxes: [...document.querySelectorAll(arguments[0])]
                 .filter((e) => e.getClientRects().length > 0)
                 .map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }),
               size: [window.innerWidth, window.innerHeight] };",
            vec![json!(css)],
        )
        .await
        .expect("the page answers");
    let boxes = serde_json::from_value(found["boxes"].clone()).unwrap_or_default();
    let size = (
        found["size"][0].as_f64().unwrap_or(0.0),
        found["size"][1].as_f64().unwrap_or(0.0),
    );
    (boxes, size)
}

/// The first element `css` matches is wholly inside the window (and `inside`, when given).
async fn in_view(client: &Client, css: &str, inside: Option<&str>, at: &str) -> [f64; 4] {
    let (found, (width, height)) = boxes(client, css).await;
    let b = *found
        .first()
        .unwrap_or_else(|| panic!("{at}: {css} is shown"));
    assert!(
        b[0] >= -0.5 && b[1] >= -0.5 && b[2] <= width + 0.5 && b[3] <= height + 0.5,
        "{at}: {css} at {b:?} is inside the {width}×{height} window"
    );
    if let Some(outer) = inside {
        let (outer_boxes, _) = boxes(client, outer).await;
        let o = outer_boxes[0];
        assert!(
            b[0] >= o[0] - 0.5 && b[2] <= o[2] + 0.5,
            "{at}: {css} at {b:?} is not cut off by {outer} at {o:?}"
        );
    }
    b
}

/// The page doesn't scroll sideways.
async fn no_sideways_scroll(client: &Client, at: &str) {
    let overflow: Value = client
        .execute(
            "const m = document.querySelector('main'); return [document.documentElement.scrollWidth, window.innerWidth, m.scrollWidth, m.clientWidth];",
            vec![],
        )
        .await
        .expect("the page answers");
    let [doc, window, main, main_client] =
        [0, 1, 2, 3].map(|i| overflow[i].as_f64().unwrap_or(0.0));
    assert!(
        doc <= window + 1.0 && main <= main_client + 1.0,
        "{at}: the page scrolls sideways (document {doc} in {window}, main {main} in {main_client})"
    );
}

async fn set_size(client: &Client, width: u32, height: u32) {
    client
        .set_window_size(width, height)
        .await
        .expect("the window takes the size");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let inner: Value = client
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await
        .expect("the page answers");
    assert_eq!(
        (inner[0].as_f64(), inner[1].as_f64()),
        (Some(f64::from(width)), Some(f64::from(height))),
        "the window is {width}×{height} inside (no frame under Xvfb)"
    );
}

/// Page `page` by its menu item (the headings are Arabic in Arabic).
async fn open_page(client: &Client, page: &str) {
    click(client, &format!("button.nav-item[data-page='{page}']")).await;
    text_of(client, &format!("main[data-testid='page-{page}'] h1")).await;
}

async fn leads_with_a_lead_open(client: &Client, at: &str, laptop: bool) {
    open_page(client, "leads").await;
    text_of(client, "[data-testid='lead'][data-lead-id]").await;
    if boxes(client, "[data-testid='lead-detail']")
        .await
        .0
        .is_empty()
    {
        click(client, "[data-testid='lead'][data-index='1']").await;
        text_of(client, "[data-testid='lead-detail-name']").await;
    }
    no_sideways_scroll(client, at).await;
    let detail = in_view(client, "[data-testid='lead-detail']", None, at).await;
    let mut keep = vec!["name", "stage"];
    if laptop {
        keep.extend(["phone", "score", "qualified"]);
    }
    for column in keep {
        let header = format!("[data-testid='lead-col-{column}']");
        let b = in_view(client, &header, Some("[data-testid='lead-table']"), at).await;
        // Beside the pane on a laptop (on either side: right to left puts it on the left).
        if laptop {
            assert!(
                b[2] <= detail[0] + 0.5 || b[0] >= detail[2] - 0.5,
                "{at}: the {column} column at {b:?} is beside the lead's pane at {detail:?}, not under it"
            );
        }
    }
    // The filters on one line: every control's top within a few pixels of the search's.
    let search = in_view(client, "[data-testid='lead-search']", None, at).await;
    for control in [
        "[data-testid='lead-filter-number']",
        "[data-testid='lead-filters-more']",
    ] {
        let b = in_view(client, control, None, at).await;
        if laptop {
            assert!(
                (b[1] - search[1]).abs() < 12.0,
                "{at}: {control} at {b:?} is on the search's line ({search:?})"
            );
        }
    }
}

async fn conversations_with_a_chat_open(client: &Client, at: &str) {
    open_page(client, "conversations").await;
    if boxes(client, "[data-testid='message-body']")
        .await
        .0
        .is_empty()
    {
        click(client, "[data-testid='chat']").await;
        text_of(client, "[data-testid='message-body']").await;
    }
    no_sideways_scroll(client, at).await;
    in_view(client, "[data-testid='chat-title']", None, at).await;
    in_view(client, ".transcript-box", None, at).await;
    in_view(client, "[data-testid='chat-reply']", None, at).await;
    in_view(client, "[data-testid='chat-send']", None, at).await;
}

async fn every_other_page(client: &Client, at: &str) {
    for page in ["home", "numbers", "activity", "settings"] {
        open_page(client, page).await;
        no_sideways_scroll(client, at).await;
        in_view(
            client,
            &format!("main[data-testid='page-{page}'] h1"),
            None,
            at,
        )
        .await;
        in_view(client, "button.nav-item[data-page='settings']", None, at).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, D-Bus and the built app: run scripts/test.sh"]
async fn every_page_fits_the_laptop_sizes_and_stays_usable_at_the_minimum() {
    let data = tempfile::tempdir().expect("a temp folder");
    let data_dir = data.path().join("data");
    std::fs::create_dir_all(&data_dir).expect("the data folder");
    let shots = std::env::var_os("LEADLINE_DOCS_SCREENSHOTS").map(std::path::PathBuf::from);
    {
        let core = Leadline::new(
            Store::open(&data_dir.join("leadline.db")).expect("the store opens"),
            std::sync::Arc::new(|_| {}),
            std::sync::Arc::new(SystemClock),
        );
        let now = jiff::Timestamp::now().as_millisecond();
        big_data::seed(&core, 400, now - 60_000);
    }
    let driver = Driver::start(&data_dir);
    let client = driver.open_app().await;

    let variants: &[&str] = if shots.is_some() {
        &["light", "dark", "arabic"]
    } else {
        &["light", "arabic"]
    };
    for variant in variants {
        match *variant {
            "dark" => {
                go_to(&client, "settings", "Settings").await;
                click(&client, "[data-testid='theme-dark']").await;
            }
            "arabic" => {
                go_to(&client, "settings", "Settings").await;
                click(&client, "[data-testid='theme-light']").await;
                crate::assistant::choose(&client, "[data-testid='language']", "ar").await;
            }
            _ => {}
        }
        for (width, height, name) in SIZES {
            let at = format!("{name} {variant}");
            set_size(&client, width, height).await;
            let laptop = name != "minimum";
            leads_with_a_lead_open(&client, &at, laptop).await;
            if laptop {
                let picture = format!("leads-{name}-{variant}");
                leadline_tests::save_page_picture(&client, shots.as_deref(), &picture).await;
            }
            conversations_with_a_chat_open(&client, &at).await;
            if laptop {
                let picture = format!("conversations-{name}-{variant}");
                leadline_tests::save_page_picture(&client, shots.as_deref(), &picture).await;
            }
            every_other_page(&client, &at).await;
        }
    }
    client.close().await.expect("the app closes");
    drop(driver);
}
