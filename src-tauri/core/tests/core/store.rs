//! The store: fresh files, upgrades that keep data, and files it must refuse untouched.

use std::path::{Path, PathBuf};

use leadline_core::error::{Error, ErrorCode};
use leadline_core::leadline::Leadline;
use leadline_core::model::lead::{ChangedBy, LeadChange, Stage};
use leadline_core::store::database::Store;
use leadline_core::store::database::{APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION};
use leadline_core::store::error::StoreError;
use rusqlite::Connection;

const TABLES: &[&str] = &[
    "accounts",
    "account_settings",
    "app_settings",
    "contacts",
    "chats",
    "messages",
    "inbox",
    "leads",
    "lead_fields",
    "lead_events",
    "rules",
    "ai_usage",
    "activity",
];

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("leadline.db")
}

fn pragma(conn: &Connection, name: &str) -> String {
    conn.query_row(&format!("PRAGMA {name}"), [], |r| {
        r.get::<_, rusqlite::types::Value>(0)
    })
    .map(|v| format!("{v:?}"))
    .unwrap()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn store_error(result: Result<Store, StoreError>) -> StoreError {
    match result {
        Ok(_) => panic!("the store must refuse this file"),
        Err(e) => e,
    }
}

/// Every file SQLite keeps for a database, with its bytes (absent files as None).
fn snapshot(db: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            (suffix.to_string(), std::fs::read(&path).ok())
        })
        .collect()
}

#[test]
fn a_fresh_database_has_the_whole_schema_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let store = Store::open(&db).expect("a new database opens");
    assert_eq!(store.path(), Some(db.as_path()));
    store
        .call_blocking(|conn| {
            assert_eq!(
                pragma(conn, "user_version"),
                format!("Integer({SCHEMA_VERSION})")
            );
            assert_eq!(
                pragma(conn, "application_id"),
                format!("Integer({APPLICATION_ID})")
            );
            assert_eq!(
                pragma(conn, "journal_mode"),
                "Text(\"wal\")",
                "the file must use WAL"
            );
            assert_eq!(
                pragma(conn, "foreign_keys"),
                "Integer(1)",
                "foreign keys must be on"
            );
            assert!(
                pragma(conn, "busy_timeout") != "Integer(0)",
                "a busy timeout must be set"
            );
            for table in TABLES {
                assert_eq!(
                    count(conn, table),
                    0,
                    "table {table} must exist and start empty"
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn every_migration_applies_in_order_on_a_database_holding_data() {
    for from in 1..=SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("leadline.db");
        let seed = seed_for(from);

        let before: Vec<(String, i64)> = {
            let mut conn = Connection::open(&db).unwrap();
            for (index, sql) in MIGRATIONS.iter().take(from as usize).enumerate() {
                let tx = conn.transaction().unwrap();
                tx.execute_batch(sql).unwrap();
                tx.pragma_update(None, "user_version", index as i64 + 1)
                    .unwrap();
                tx.commit().unwrap();
            }
            conn.execute_batch(&seed).unwrap();
            let tables: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            tables
                .into_iter()
                .map(|t| (t.clone(), count(&conn, &t)))
                .collect()
        };
        assert!(
            before.iter().all(|(_, n)| *n > 0),
            "the seed for v{from} must fill every table"
        );

        let store = Store::open(&db).expect("an older database upgrades");
        store
            .call_blocking(|conn| {
                assert_eq!(
                    pragma(conn, "user_version"),
                    format!("Integer({SCHEMA_VERSION})")
                );
                for (table, rows) in &before {
                    assert_eq!(
                        count(conn, table),
                        *rows,
                        "upgrading from v{from} must keep every row of {table}"
                    );
                }
                let integrity: String =
                    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
                assert_eq!(integrity, "ok");
                let broken_links = conn
                    .prepare("PRAGMA foreign_key_check")?
                    .query([])?
                    .next()?
                    .is_some();
                assert!(
                    !broken_links,
                    "upgrading from v{from} must leave no dangling foreign key"
                );
                Ok(())
            })
            .unwrap();
        if from < SCHEMA_VERSION {
            let backup = db.with_extension(format!("v{from}.backup.db"));
            assert!(
                backup.exists(),
                "a copy of the v{from} file must be kept before upgrading"
            );
        }
    }
}

#[test]
fn reopening_keeps_data_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    {
        let store = Store::open(&db).unwrap();
        store
            .call_blocking(|conn| {
                conn.execute(
                    "INSERT INTO accounts (name, created_at, updated_at) VALUES ('Shop', 1, 1)",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
    }
    let store = Store::open(&db).expect("our own file reopens");
    let names: i64 = store.call_blocking(|c| Ok(count(c, "accounts"))).unwrap();
    assert_eq!(
        names, 1,
        "data written before a restart must be there after it"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());
    {
        let conn = Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = snapshot(&db);

    let e = store_error(Store::open(&db));
    assert!(
        matches!(e, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains(&db.display().to_string()),
        "the message must name the file: {message}"
    );
    assert!(message.contains("newer version"), "{message}");
    assert_eq!(
        snapshot(&db),
        before,
        "a newer database must never be written to"
    );
    assert_eq!(Error::from(e).code(), ErrorCode::Storage);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    std::fs::write(&db, "this is not a database, just text ✉️ ".repeat(300)).unwrap();
    let before = snapshot(&db);

    let e = store_error(Store::open(&db));
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
    assert_eq!(e.path(), Some(&db), "the error must carry the file's path");
    assert!(e.to_string().contains("did not change it"), "{e}");
    assert_eq!(
        snapshot(&db),
        before,
        "a damaged file must never be written to"
    );
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    {
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE photos (id INTEGER PRIMARY KEY); INSERT INTO photos VALUES (1);",
        )
        .unwrap();
    }
    let before = snapshot(&db);
    let e = store_error(Store::open(&db));
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
    assert!(e.to_string().contains("not a Leadline database"), "{e}");
    assert_eq!(
        snapshot(&db),
        before,
        "someone else's database must never be written to"
    );
}

#[test]
fn damage_found_after_opening_is_reported_as_damage_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    {
        let store = Store::open(&db).unwrap();
        store
            .call_blocking(|conn| {
                conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
                let tx = conn.transaction()?;
                for i in 0..2000 {
                    tx.execute(
                        "INSERT INTO activity (kind, message, created_at) VALUES ('x', ?1, ?2)",
                        (format!("entry {i} {}", "·".repeat(100)), i),
                    )?;
                }
                tx.commit()?;
                Ok(())
            })
            .unwrap();
    }
    // Keep the schema, scribble over the middle of the file: the activity rows live there.
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    assert!(
        bytes.len() > page * 64,
        "the test file must span many pages"
    );
    let middle = (bytes.len() / page / 2) * page;
    for b in bytes.iter_mut().skip(middle).take(page * 8) {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();

    let outcome = Store::open(&db).and_then(|store| {
        store
            .call_blocking(|conn| {
                conn.query_row("SELECT sum(length(message)) FROM activity", [], |r| {
                    r.get::<_, i64>(0)
                })?;
                Ok(())
            })
            .map_err(|e| match e {
                Error::Store(e) => e,
                other => panic!("damage must surface as a store error, got {other:?}"),
            })
    });
    match outcome {
        Err(StoreError::Corrupt { path, .. }) => assert_eq!(path.as_deref(), Some(db.as_path())),
        other => panic!("a damaged file must be reported as damaged, got {other:?}"),
    }
}

#[test]
fn a_data_folder_that_cannot_be_created_gives_a_clear_error() {
    // /proc refuses new folders even to root, which chmod-based tests can't rely on here.
    let db = Path::new("/proc/leadline-test/leadline.db");
    let e = store_error(Store::open(db));
    assert!(
        matches!(&e, StoreError::Unwritable { path, .. } if path == Path::new("/proc/leadline-test")),
        "{e:?}"
    );
    assert!(e.to_string().contains("writable"), "{e}");
}

#[cfg(unix)]
const READ_ONLY_DB_ENV: &str = "LEADLINE_TEST_READ_ONLY_DB";
#[cfg(unix)]
const READ_ONLY_TEST: &str =
    "store::a_read_only_data_folder_gives_a_clear_error_and_keeps_the_file";

#[cfg(unix)]
fn assert_read_only_database_is_refused_untouched(db: &Path) {
    let before = snapshot(db);
    let e = store_error(Store::open(db));
    assert!(
        matches!(e, StoreError::Unwritable { .. }),
        "a read-only database must be reported as such: {e:?}"
    );
    assert!(
        e.to_string().contains(&db.display().to_string()),
        "the message must name the file: {e}"
    );
    assert_eq!(
        snapshot(db),
        before,
        "a read-only database must be left as it is"
    );
}

// Unix permissions and an unprivileged re-run (setpriv): Linux and macOS only.
#[cfg(unix)]
#[test]
fn a_read_only_data_folder_gives_a_clear_error_and_keeps_the_file() {
    use std::os::unix::fs::PermissionsExt;
    if let Some(db) = std::env::var_os(READ_ONLY_DB_ENV) {
        // The re-run below, as an unprivileged user.
        return assert_read_only_database_is_refused_untouched(Path::new(&db));
    }
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    drop(Store::open(&db).unwrap());
    let folder = db.parent().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for file in std::fs::read_dir(folder).unwrap() {
        std::fs::set_permissions(file.unwrap().path(), std::fs::Permissions::from_mode(0o444))
            .unwrap();
    }
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o555)).unwrap();

    let probe = folder.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        // Root ignores file permissions: run this test again as `nobody`, for whom they bind.
        std::fs::remove_file(&probe).unwrap();
        let output = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", READ_ONLY_TEST, "--nocapture", "--test-threads=1"])
            .env(READ_ONLY_DB_ENV, &db)
            .output()
            .expect("setpriv (util-linux) runs the test as an unprivileged user");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.status.success(),
            "as an unprivileged user:\n{report}"
        );
        assert!(
            report.contains("1 passed"),
            "the unprivileged re-run must run the test:\n{report}"
        );
    } else {
        assert_read_only_database_is_refused_untouched(&db);
    }
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_in_memory_store_has_the_schema_and_enforces_foreign_keys() {
    let store = Store::in_memory().unwrap();
    assert_eq!(store.path(), None);
    store
        .call_blocking(|conn| {
            assert_eq!(pragma(conn, "user_version"), format!("Integer({SCHEMA_VERSION})"));
            let orphan = conn.execute(
                "INSERT INTO chats (account_id, wa_chat_id, kind, created_at) VALUES (99, 'x@c.us', 'person', 1)",
                [],
            );
            assert!(orphan.is_err(), "a chat for a missing number must be refused");
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn async_calls_run_off_the_caller_and_return_values() {
    let store = Store::in_memory().unwrap();
    let n: i64 = store
        .call(|conn| Ok(count(conn, "accounts")))
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn upgrading_drops_the_response_time_index_that_migration_4_shipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    {
        let mut conn = Connection::open(&db).unwrap();
        for (index, sql) in MIGRATIONS.iter().take(4).enumerate() {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            tx.pragma_update(None, "user_version", index as i64 + 1)
                .unwrap();
            tx.commit().unwrap();
        }
        assert_eq!(count_index(&conn, "inbox_replied"), 1, "version 4 has it");
    }
    let store = Store::open(&db).unwrap();
    store
        .call_blocking(|conn| {
            assert_eq!(
                count_index(conn, "inbox_replied"),
                0,
                "the upgrade drops it"
            );
            Ok(())
        })
        .unwrap();
}

fn count_index(conn: &Connection, name: &str) -> i64 {
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1",
        [name],
        |r| r.get(0),
    )
    .unwrap()
}

/// Data as a database at version `from` holds it: `seed_v<from>.sql`, which every migration
/// that creates or alters a table must bring; a migration that only adds or drops indexes
/// holds the same rows as the version before, so its seed is that one's. A seed that starts
/// with `-- On top of` fills in what its migration added on the rows of the version before.
fn seed_for(from: i64) -> String {
    let path = |version: i64| {
        format!(
            "{}/tests/core/fixtures/seed_v{version}.sql",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    let mut version = from;
    loop {
        if let Ok(seed) = std::fs::read_to_string(path(version)) {
            if seed.starts_with("-- On top of") {
                return format!("{}\n{seed}", seed_for(version - 1));
            }
            return seed;
        }
        let migration = MIGRATIONS[(version - 1) as usize].to_uppercase();
        assert!(
            version > 1
                && !migration.contains("CREATE TABLE")
                && !migration.contains("ALTER TABLE"),
            "migration {version} changes tables: it needs a seed fixture at {} to prove upgrades keep data",
            path(version)
        );
        version -= 1;
    }
}

/// Item 14 of "exactly once": the WAL's only fsyncs (a checkpoint's, and its header's when
/// it starts over) happen on the background thread in a quiet moment, never in a turn's
/// commit: while the app writes, nothing is checkpointed; once it is quiet, the WAL is
/// moved into the file and started over by that thread (so the app's next commit appends
/// to a WAL that already started over).
#[test]
fn the_wal_starts_over_in_the_background_never_in_the_apps_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let store = Store::open(&db).unwrap();
    let write = |n: i64| {
        store
            .call_blocking(move |conn| {
                Ok(conn.execute(
                    "INSERT INTO activity (account_id, kind, message, detail, created_at) VALUES (NULL, 'test', 'x', '{}', ?1)",
                    [n],
                )?)
            })
            .unwrap();
    };
    // Busy for 3 s: writes every 100 ms.
    let started = std::time::Instant::now();
    let mut n = 0;
    while started.elapsed() < std::time::Duration::from_secs(3) {
        write(n);
        n += 1;
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The WAL index (the `-shm` file) says how many frames the WAL holds and how many of
    // them a checkpoint moved into the file, without touching either.
    let shm = db.with_extension("db-shm");
    let frames = || -> (u32, u32) {
        let bytes = std::fs::read(&shm).unwrap();
        let at = |offset: usize| u32::from_ne_bytes(bytes[offset..offset + 4].try_into().unwrap());
        (at(16), at(96))
    };
    let (busy_frames, busy_moved) = frames();
    assert!(
        busy_frames as i64 >= n && busy_moved == 0,
        "nothing is checkpointed while the app writes ({busy_frames} frames, {busy_moved} moved)"
    );
    // Quiet: the background thread checkpoints and starts the WAL over by itself.
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    let (quiet_frames, _) = frames();
    assert!(
        quiet_frames <= 4,
        "the WAL started over in the background ({quiet_frames} frames left, {busy_frames} before)"
    );
    // The app's next commit appends to it: no new start (and no header fsync) there.
    write(n);
    let (after, _) = frames();
    assert!(after > quiet_frames, "appended ({quiet_frames} → {after})");
}

/// The lead history an early build wrote (`stage_changed`, no `by`) reads after upgrading
/// as the same typed change the app writes today: nothing of it is lost.
#[tokio::test]
async fn a_lead_history_written_by_an_early_build_reads_after_upgrading() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadline.db");
    {
        let mut conn = Connection::open(&db).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(MIGRATIONS[0]).unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
        conn.execute_batch(&seed_for(1)).unwrap();
    }
    let store = Store::open(&db).unwrap();
    let recorded = crate::support::Recorded::default();
    let core = Leadline::new(
        store,
        recorded.sink(),
        crate::support::TestClock::at(1_700_000_001_000),
    );
    let detail = core.lead_detail(1).await.unwrap();
    assert_eq!(
        detail
            .events
            .iter()
            .map(|e| e.change.clone())
            .collect::<Vec<_>>(),
        [LeadChange::Stage {
            by: ChangedBy::Ai,
            from: Stage::New,
            to: Stage::Engaged,
            reason: None,
        }]
    );
}

/// "Remove all data" deletes the database's files: Windows refuses to delete a file a
/// program holds open, so a closed store must hold none (the checkpoint thread's own
/// connection included), and refuse calls after.
#[test]
fn a_closed_store_lets_go_of_its_files_and_refuses_calls() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir);
    let store = Store::open(&db).unwrap();
    let clone = store.clone();
    store
        .call_blocking(|conn| {
            conn.execute_batch("CREATE TABLE scratch (x); INSERT INTO scratch VALUES (1);")?;
            Ok(())
        })
        .unwrap();
    // Let the checkpoint thread open its connection and look once.
    std::thread::sleep(std::time::Duration::from_millis(1_200));
    store.close();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.clone().into_os_string();
        name.push(suffix);
        let file = std::path::PathBuf::from(name);
        if file.exists() {
            std::fs::remove_file(&file)
                .unwrap_or_else(|e| panic!("{} is still held: {e}", file.display()));
        }
    }
    let refused = clone.call_blocking(|_| Ok(())).unwrap_err();
    assert!(refused.to_string().contains("closed"), "{refused}");
}

/// A full disk (SQLite told the database may not grow: `max_page_count`, as when there is
/// no room left) is said as what it is, with the next step; what was saved stays, and
/// Leadline goes on once there is room.
#[tokio::test]
async fn a_full_disk_is_said_plainly_and_what_was_saved_stays() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db_in(&dir)).unwrap();
    let core = Leadline::new(
        store.clone(),
        crate::support::Recorded::default().sink(),
        crate::support::TestClock::at(1_700_000_001_000),
    );
    core.add_number("Tienda").await.unwrap();
    let pages: i64 = store
        .call(|conn| {
            let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            conn.execute_batch(&format!("PRAGMA max_page_count = {pages}"))?;
            Ok(pages)
        })
        .await
        .unwrap();
    let mut full = None;
    for n in 0..2_000 {
        if let Err(e) = core.add_number(&format!("Tienda {n}")).await {
            full = Some(e);
            break;
        }
    }
    let full = full.expect("the database fills up");
    assert_eq!(full.code(), ErrorCode::Storage);
    let said = full.text();
    assert_eq!(said.key, "store.disk_full", "{}", said.english);
    assert!(said.english.contains("Free some space"), "{}", said.english);
    assert!(
        core.numbers()
            .await
            .unwrap()
            .iter()
            .any(|n| n.name == "Tienda"),
        "what was saved stays"
    );
    // Room again: Leadline goes on.
    store
        .call(move |conn| {
            Ok(conn.execute_batch(&format!("PRAGMA max_page_count = {}", pages * 100))?)
        })
        .await
        .unwrap();
    core.add_number("Tienda otra vez").await.unwrap();
}
