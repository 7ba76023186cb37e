//! The SQLite store: one file in the app data dir, WAL, numbered migrations embedded in the
//! binary. Opening it (checked, migrated) and running work on its one connection.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::StoreError;
use crate::error::{Error, Result};
use crate::text;

/// Every migration, in order. Index + 1 is the `user_version` a database has after it.
/// Shipped entries are never edited: a change is a new file at the end.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_bot.sql"),
    include_str!("migrations/0003_lead_search.sql"),
    include_str!("migrations/0004_workspace.sql"),
    include_str!("migrations/0005_drop_inbox_replied.sql"),
    include_str!("migrations/0006_wa_page.sql"),
    include_str!("migrations/0007_exactly_once.sql"),
    include_str!("migrations/0008_limits_usernames.sql"),
    include_str!("migrations/0009_message_details.sql"),
    include_str!("migrations/0010_edits_revokes_reactions.sql"),
    include_str!("migrations/0011_media_files.sql"),
    include_str!("migrations/0012_transcripts.sql"),
    include_str!("migrations/0013_transcription_usage.sql"),
    include_str!("migrations/0014_bot_start.sql"),
];

/// The schema version this build writes; a database with a higher one is refused.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Written by migration 1 ('LDLN'), so that another program's SQLite file is never taken for ours.
pub const APPLICATION_ID: i64 = 0x4C44_4C4E;

/// How long a writer waits for another before giving up (the UI and the bots share the file).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle to the database. Cheap to clone; all clones share one connection, used on a
/// blocking thread so async callers never stall their runtime.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    /// When the connection was last used (unix ms): checkpoints wait for a quiet moment.
    last_used_ms: std::sync::atomic::AtomicI64,
    /// Set by `close`: every call from then on is refused.
    closed: std::sync::atomic::AtomicBool,
    /// The checkpoint thread: dropping its sender wakes it to end, and it is joined, so
    /// its own connection to the file is closed too.
    checkpoints: Mutex<Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>>,
}

impl Store {
    /// Opens (or creates) the database at `path` and brings it to `SCHEMA_VERSION`.
    ///
    /// A file this build must not use (another program's, damaged, or from a newer
    /// Leadline) is refused before anything is written to it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unwritable {
                path: dir.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)
            .map_err(|e| StoreError::classify(e, Some(path)))?;
        let found = inspect(&conn).map_err(|e| e.with_path(path))?;

        // From here on the file is written to.
        use_wal(&conn).map_err(|e| StoreError::classify(e, Some(path)))?;
        configure(&conn).map_err(|e| StoreError::classify(e, Some(path)))?;

        if found > 0 && found < SCHEMA_VERSION {
            backup_before_migration(&conn, path, found)?;
        }
        migrate(&mut conn, found).map_err(|e| e.with_path(path))?;
        // Checkpoints move to a thread of their own (see `checkpoint_in_background`), so no
        // bot's commit waits on the disk; a large automatic threshold is kept in case that
        // thread can't run.
        conn.pragma_update(None, "wal_autocheckpoint", 100_000)
            .map_err(|e| StoreError::classify(e, Some(path)))?;
        tracing::info!(path = %path.display(), from = found, to = SCHEMA_VERSION, "database open");
        let store = Store::from_connection(conn, Some(path.to_path_buf()));
        checkpoint_in_background(&store, path);
        Ok(store)
    }

    /// A fresh database in memory, for tests and previews.
    pub fn in_memory() -> Result<Store, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(|e| StoreError::classify(e, None))?;
        configure(&conn).map_err(|e| StoreError::classify(e, None))?;
        migrate(&mut conn, 0)?;
        Ok(Store::from_connection(conn, None))
    }

    fn from_connection(conn: Connection, path: Option<PathBuf>) -> Store {
        Store {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path,
                last_used_ms: std::sync::atomic::AtomicI64::new(0),
                closed: std::sync::atomic::AtomicBool::new(false),
                checkpoints: Mutex::new(None),
            }),
        }
    }

    /// The database file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.call_blocking(f))
            .await
            .map_err(|e| Error::Internal(format!("a database task stopped: {e}")))?
    }

    /// Runs `f` on a blocking thread with a read-only connection of its own, so a long read
    /// (an export) sees one consistent snapshot without holding up the bot's writes. In
    /// memory there is only the one connection, so `f` gets that.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let Some(path) = self.inner.path.clone() else {
            return self.call(f).await;
        };
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            // Refused like any call: a read must not open the file again once closed.
            return self.call(f).await;
        }
        tokio::task::spawn_blocking(move || {
            let classify = |e| Error::Store(StoreError::classify(e, Some(&path)));
            let mut conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(classify)?;
            configure(&conn).map_err(classify)?;
            f(&mut conn).map_err(|e| match e {
                Error::Store(StoreError::Sqlite(e)) => classify(e),
                other => other,
            })
        })
        .await
        .map_err(|e| Error::Internal(format!("a database task stopped: {e}")))?
    }

    /// Closes the database file for good (every clone; the checkpoint thread's connection
    /// too), so it can be deleted: Windows refuses to delete an open file. Calls made after
    /// it fail.
    pub fn close(&self) {
        use std::sync::atomic::Ordering;
        self.inner.closed.store(true, Ordering::SeqCst);
        let checkpoints = self
            .inner
            .checkpoints
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some((wake, thread)) = checkpoints {
            drop(wake);
            let _ = thread.join();
        }
        let mut conn = self.lock();
        match Connection::open_in_memory() {
            // The file's connection is dropped here, closing the file.
            Ok(memory) => drop(std::mem::replace(&mut *conn, memory)),
            Err(e) => tracing::warn!(error = %e, "the database could not be closed"),
        }
        tracing::info!("database closed");
    }

    /// Runs `f` with the connection on this thread. For sync callers that are not on an
    /// async runtime (start-up, tools, tests).
    pub fn call_blocking<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::Unavailable(text!(
                "store.closed",
                "The database is closed: Leadline is removing its data or quitting."
            )));
        }
        self.inner
            .last_used_ms
            .store(unix_ms(), std::sync::atomic::Ordering::Relaxed);
        f(&mut conn).map_err(|e| match e {
            Error::Store(StoreError::Sqlite(e)) => {
                Error::Store(StoreError::classify(e, self.inner.path.as_deref()))
            }
            other => other,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a closure can't leave SQLite half-written (statements are atomic
        // and open transactions roll back on drop), so a poisoned lock is safe to reuse.
        self.inner
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Reads what the file is without writing to it: its schema version, after checking that
/// it is a Leadline database (or an empty one) this build can open.
fn inspect(conn: &Connection) -> Result<i64, StoreError> {
    let read = || -> Result<(i64, i64, i64), rusqlite::Error> {
        let version = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app_id = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let objects = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((version, app_id, objects))
    };
    let (version, app_id, objects) = read().map_err(|e| StoreError::classify(e, None))?;
    let empty = version == 0 && app_id == 0 && objects == 0;
    if !empty && app_id != APPLICATION_ID {
        return Err(StoreError::Corrupt {
            path: None,
            detail: format!("not a Leadline database (application id {app_id:#x})"),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: None,
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(version)
}

/// WAL lets the UI read while a bot writes; NORMAL sync is durable in WAL mode except for
/// the last commits before a power loss.
fn use_wal(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// How often the background thread looks for a quiet moment.
const CHECKPOINT_LOOK_EVERY: Duration = Duration::from_millis(500);
/// How long the shared connection must have been unused for a checkpoint to run.
const CHECKPOINT_QUIET_MS: i64 = 1_000;
/// A checkpoint runs anyway after this long (a bot busy without a pause).
const CHECKPOINT_AT_LEAST_EVERY: Duration = Duration::from_secs(300);

/// Moves the WAL into the database file on a connection of its own, in quiet moments, so
/// no turn waits on the disk. In WAL mode with NORMAL sync the only fsyncs are a
/// checkpoint's and the WAL header's when the WAL starts over after a complete checkpoint
/// — which the next writer does, whoever it is. So after a complete checkpoint this
/// thread writes once itself (a counter), paying that fsync here, and the bot's next
/// commit just appends. PASSIVE never blocks writers or readers.
fn checkpoint_in_background(store: &Store, path: &Path) {
    let alive = Arc::downgrade(&store.inner);
    let path = path.to_path_buf();
    let (wake, sleep) = std::sync::mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("leadline-checkpoint".into())
        .spawn(move || {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = match Connection::open_with_flags(&path, flags) {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "no background checkpoints; SQLite will checkpoint on its own");
                    return;
                }
            };
            let _ = conn.busy_timeout(BUSY_TIMEOUT);
            let mut last = std::time::Instant::now();
            // The database's version as this connection last left it: unchanged means the
            // app wrote nothing since, and there is nothing to checkpoint.
            let mut left_at: Option<i64> = None;
            loop {
                // Woken early only to end (the store closing).
                if sleep.recv_timeout(CHECKPOINT_LOOK_EVERY)
                    != Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                {
                    return;
                }
                let Some(inner) = alive.upgrade() else {
                    return;
                };
                let used = inner.last_used_ms.load(std::sync::atomic::Ordering::Relaxed);
                drop(inner);
                let quiet = unix_ms().saturating_sub(used) >= CHECKPOINT_QUIET_MS;
                if !quiet && last.elapsed() < CHECKPOINT_AT_LEAST_EVERY {
                    continue;
                }
                let version = conn
                    .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                    .ok();
                if version.is_some() && version == left_at {
                    continue;
                }
                last = std::time::Instant::now();
                match checkpoint_and_restart(&conn) {
                    Ok(()) => {}
                    Err(e) => tracing::debug!(error = %e, "a background checkpoint did not run"),
                }
                left_at = conn
                    .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
                    .ok();
            }
        });
    match spawned {
        Ok(thread) => {
            *store
                .inner
                .checkpoints
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((wake, thread));
        }
        Err(e) => {
            tracing::warn!(error = %e, "no background checkpoint thread; SQLite will checkpoint on its own")
        }
    }
}

/// One PASSIVE checkpoint; when it moved the whole WAL, one small write (a counter of these
/// restarts) so the WAL starts over (and its header is synced) here rather than in a
/// turn's commit.
fn checkpoint_and_restart(conn: &Connection) -> Result<(), rusqlite::Error> {
    let (busy, log, done): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy == 0 && log > 0 && done == log {
        // A real change (SQLite writes nothing for an update that changes nothing).
        conn.execute(
            "INSERT INTO id_high_water (name, high) VALUES ('wal_restarts', 1)
             ON CONFLICT (name) DO UPDATE SET high = high + 1",
            [],
        )?;
    }
    Ok(())
}

/// Settings every connection needs, file or memory.
fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every statement the bot runs per message stays prepared (SQLite's parse is most of a
    // small query's cost); rusqlite keeps 16 by default, fewer than the pipeline uses.
    conn.set_prepared_statement_cache_capacity(128);
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Keeps a consistent copy of the file as it was before an upgrade changes it, so an owner
/// who must go back to the older app still has their data.
fn backup_before_migration(conn: &Connection, path: &Path, found: i64) -> Result<(), StoreError> {
    let backup = path.with_extension(format!("v{found}.backup.db"));
    if backup.exists() {
        return Ok(());
    }
    conn.execute("VACUUM INTO ?1", [backup.to_string_lossy()])
        .map_err(|e| StoreError::classify(e, Some(path)))?;
    tracing::info!(backup = %backup.display(), "saved a copy of the database before upgrading it");
    Ok(())
}

/// Applies the migrations after `from`, each in its own transaction with its version, so a
/// failure leaves the file at the last version that fully applied.
fn migrate(conn: &mut Connection, from: i64) -> Result<(), StoreError> {
    let start = usize::try_from(from).unwrap_or(0);
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        let version = index as i64 + 1;
        let apply = |conn: &mut Connection| -> Result<(), rusqlite::Error> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()
        };
        apply(conn).map_err(|source| StoreError::Migration { version, source })?;
    }
    Ok(())
}
