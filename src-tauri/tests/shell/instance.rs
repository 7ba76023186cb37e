//! One Leadline per data folder on Windows: the real app, launched as an owner would (under
//! Wine here, with a display). Two launches on one folder make one app; another folder
//! runs beside it. The guard is Windows' own (a named mutex and a hidden window), so this
//! runs on Windows only; Linux's (a D-Bus name) is covered by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A launched app, ended by its handle when the test is done, whatever happened.
struct Launched(Child);

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn launch(data_dir: &Path, args: &[&str]) -> Launched {
    let child = Command::new(env!("CARGO_BIN_EXE_leadline"))
        .args(args)
        .env("LEADLINE_DATA_DIR", data_dir)
        .spawn()
        .expect("the app starts");
    Launched(child)
}

/// How many times the app in `data_dir` has logged `line`.
fn logged(data_dir: &Path, line: &str) -> usize {
    let logs: PathBuf = data_dir.join("logs");
    std::fs::read_dir(logs)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .map(|log| log.matches(line).count())
        .sum()
}

fn starts_logged(data_dir: &Path) -> usize {
    logged(data_dir, "Leadline starting")
}

/// Waits for a launched app to end, and returns its exit code.
fn exit_code(launched: &mut Launched, what: &str) -> Option<i32> {
    let mut ended = None;
    wait_until(what, Duration::from_secs(60), || {
        ended = launched.0.try_wait().unwrap();
        ended.is_some()
    });
    ended.and_then(|status| status.code())
}

fn wait_until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + deadline;
    while !done() {
        assert!(Instant::now() < until, "{what} within {deadline:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_second_launch_on_one_data_folder_hands_over_and_another_folder_runs_beside_it() {
    let temp = tempfile::tempdir().unwrap();
    let (shop, other) = (temp.path().join("shop"), temp.path().join("other"));

    let mut first = launch(&shop, &[]);
    wait_until("the first app starts", Duration::from_secs(90), || {
        starts_logged(&shop) == 1
    });

    // The same folder again: handed to the running app, which it leaves alone.
    let mut again = launch(&shop, &[]);
    assert_eq!(
        exit_code(&mut again, "a second launch on the same folder ends"),
        Some(0)
    );
    assert_eq!(
        starts_logged(&shop),
        1,
        "the second launch must not start a second app"
    );
    assert!(
        first.0.try_wait().unwrap().is_none(),
        "the first app must keep running"
    );

    // Another folder: an app of its own, beside the first.
    let mut beside = launch(&other, &[]);
    wait_until(
        "an app on another folder starts",
        Duration::from_secs(90),
        || starts_logged(&other) == 1,
    );
    assert!(
        beside.0.try_wait().unwrap().is_none(),
        "the app on another folder keeps running"
    );
    assert!(
        first.0.try_wait().unwrap().is_none(),
        "the first app keeps running"
    );
}

#[test]
fn quit_ends_the_running_app_cleanly_and_with_none_running_starts_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let shop = temp.path().join("shop");

    // None running: it ends at once and starts nothing (an uninstaller asks this blindly).
    let mut lone = launch(&shop, &["--quit"]);
    assert_eq!(
        exit_code(&mut lone, "a quit with none running ends"),
        Some(0)
    );
    assert_eq!(starts_logged(&shop), 0, "a quit must never start Leadline");

    // Running (in the background, as after an update): the quit stops it the clean way.
    let mut running = launch(&shop, &["--background"]);
    wait_until(
        "the app starts in the background",
        Duration::from_secs(90),
        || starts_logged(&shop) == 1,
    );
    let mut quitter = launch(&shop, &["--quit"]);
    assert_eq!(exit_code(&mut quitter, "the quitting launch ends"), Some(0));
    assert_eq!(exit_code(&mut running, "the running app quits"), Some(0));
    assert_eq!(logged(&shop, "asked to quit by another launch"), 1);
    assert_eq!(
        logged(&shop, "quitting: stopping every WhatsApp browser"),
        1
    );
    assert_eq!(
        starts_logged(&shop),
        1,
        "the quitting launch started nothing of its own"
    );
}
