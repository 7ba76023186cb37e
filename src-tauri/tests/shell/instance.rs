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

fn launch(data_dir: &Path) -> Launched {
    let child = Command::new(env!("CARGO_BIN_EXE_leadline"))
        .env("LEADLINE_DATA_DIR", data_dir)
        .spawn()
        .expect("the app starts");
    Launched(child)
}

/// How many times the app in `data_dir` has said it is starting, in its log.
fn starts_logged(data_dir: &Path) -> usize {
    let logs: PathBuf = data_dir.join("logs");
    std::fs::read_dir(logs)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .map(|log| log.matches("Leadline starting").count())
        .sum()
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

    let mut first = launch(&shop);
    wait_until("the first app starts", Duration::from_secs(90), || {
        starts_logged(&shop) == 1
    });

    // The same folder again: handed to the running app, which it leaves alone.
    let mut again = launch(&shop);
    let mut ended = None;
    wait_until(
        "a second launch on the same folder ends",
        Duration::from_secs(60),
        || {
            ended = again.0.try_wait().unwrap();
            ended.is_some()
        },
    );
    assert_eq!(ended.and_then(|status| status.code()), Some(0));
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
    let mut beside = launch(&other);
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
