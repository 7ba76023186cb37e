//! Address-book import benchmark, one `BENCH` line per figure. Run by `scripts/bench.sh`
//! (release). Each import runs in a child process of its own (this binary again), so its
//! peak memory is its own: the database on the disk, a linked Spanish number, the file in
//! memory as the app holds it after the IPC call. Medians of 3 runs:
//!   contacts_import_50k_s_vcard / _csv   50,000 contacts from Android's vCard 2.1
//!                                        (quoted-printable names) / Google's CSV
//!   contacts_import_peak_rss_vcard / _csv  the child's peak resident memory (VmHWM)
//!   contacts_import_photos_s / _peak_rss   an iPhone export with a 30 KB photo per card
//!                                        (2,000 cards, about 62 MB), photos skipped as read

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use leadline_core::clock::SystemClock;
use leadline_core::leadline::Leadline;
use leadline_core::secrets::MemoryKeychain;
use leadline_core::store::database::Store;
use leadline_core::whatsapp::account::AccountState;
use leadline_tests::address_books;

const CONTACTS: usize = 50_000;
const PHOTO_CARDS: usize = 2_000;
const PHOTO_BYTES: usize = 30_000;

/// The child: imports one book and prints `RESULT <seconds> <peak KiB> <added>`.
async fn child(kind: &str, dir: &std::path::Path) {
    let file = match kind {
        "vcard" => address_books::android_vcard(CONTACTS),
        "csv" => address_books::google_csv(CONTACTS),
        _ => address_books::icloud_with_photos(PHOTO_CARDS, PHOTO_BYTES),
    };
    let core = Leadline::new(
        Store::open(&dir.join("leadline.db")).expect("a store"),
        Arc::new(|_| {}),
        Arc::new(SystemClock),
    )
    .with_keychain(Arc::new(MemoryKeychain::default()));
    let number = core.add_number("Shop").await.expect("a number");
    leadline_core::numbers::linking::state_changed(
        &core,
        number.id,
        AccountState::Working {
            me: "34600000001@c.us".into(),
        },
    )
    .await
    .expect("linked");
    let size = file.len();
    let started = Instant::now();
    let report = core
        .import_contacts(number.id, file)
        .await
        .expect("the book imports");
    let took = started.elapsed().as_secs_f64();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    eprintln!("{kind}: {size} bytes, {report:?}");
    println!("RESULT {took} {peak_kib} {}", report.added);
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        let dir = std::path::PathBuf::from(&args[3]);
        child(&args[2], &dir).await;
        return;
    }
    let root = std::env::current_dir()
        .expect("a working folder")
        .join("target")
        .join("bench-contacts");
    std::fs::create_dir_all(&root).expect("a folder on the disk");
    let me = std::env::current_exe().expect("this binary");
    let mut figures = Vec::new();
    for kind in ["vcard", "csv", "photos"] {
        let mut runs: Vec<(f64, f64)> = Vec::new();
        for _ in 0..3 {
            let dir = tempfile::tempdir_in(&root).expect("a folder");
            let out = Command::new(&me)
                .args(["--child", kind])
                .arg(dir.path())
                .output()
                .expect("the child runs");
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("RESULT "))
                .unwrap_or_else(|| {
                    panic!(
                        "the {kind} import failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )
                });
            let fields: Vec<f64> = line
                .split_whitespace()
                .filter_map(|f| f.parse().ok())
                .collect();
            let expected = if kind == "photos" {
                PHOTO_CARDS
            } else {
                CONTACTS
            };
            assert_eq!(fields[2] as usize, expected, "every contact added");
            runs.push((fields[0], fields[1] / 1024.0));
        }
        let median = |f: fn(&(f64, f64)) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[1]
        };
        let (seconds, rss) = (median(|r| r.0), median(|r| r.1));
        match kind {
            "photos" => {
                figures.push(format!("BENCH contacts_import_photos_s {seconds:.2} s"));
                figures.push(format!(
                    "BENCH contacts_import_photos_peak_rss {rss:.1} MiB"
                ));
            }
            _ => {
                figures.push(format!("BENCH contacts_import_50k_s_{kind} {seconds:.2} s"));
                figures.push(format!(
                    "BENCH contacts_import_peak_rss_{kind} {rss:.1} MiB"
                ));
            }
        }
    }
    for figure in figures {
        println!("{figure}");
    }
}
