//! A one-click copy of the database, consistent while the bots keep writing: SQLite's
//! `VACUUM INTO` reads one snapshot on a connection of its own, so nothing waits for it.
//! The copy is checked before it gets its name; a half-written one is never left behind.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::activity::Activity;
use crate::store::{self, activity};
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    /// Where the copy is.
    pub path: String,
    pub bytes: u64,
    pub elapsed_ms: u64,
}

impl Leadline {
    /// Copies the database into a new file in `dir`.
    pub async fn backup_database(&self, dir: &Path) -> Result<Backup> {
        let started = std::time::Instant::now();
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Unavailable(text!(
                "backup.folder_unusable",
                "The folder {folder} can't be used for the backup: {error}. Free some space or check the folder, then try again.",
                folder = dir.display(),
                error = e
            ))
        })?;
        let path = crate::files::free_name(dir, "leadline-backup", "db", self.clock.now_ms());
        let part = path.with_extension("db.part");
        let target = part.to_string_lossy().into_owned();
        let copied = self
            .store
            .read(move |conn| {
                store::backup::vacuum_into(conn, &target)?;
                Ok(())
            })
            .await
            .and_then(|()| check_copy(&part));
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        std::fs::rename(&part, &path).map_err(|e| {
            let _ = std::fs::remove_file(&part);
            Error::Unavailable(text!(
                "backup.rename_failed",
                "The backup could not be saved as {file}: {error}.",
                file = path.display(),
                error = e
            ))
        })?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let shown = path.display().to_string();
        let now = self.clock.now_ms();
        let logged = shown.clone();
        self.store
            .call(move |conn| {
                activity::record(
                    conn,
                    None,
                    &Activity::BackupMade {
                        file: logged.clone(),
                    },
                    now,
                )?;
                Ok(())
            })
            .await?;
        Ok(Backup {
            path: shown,
            bytes,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }
}

/// The copy opens as a database and SQLite finds nothing wrong in it.
fn check_copy(part: &Path) -> Result<()> {
    let broken = |detail: String| {
        Error::Unavailable(text!(
            "backup.check_failed",
            "The backup was written but does not read back correctly ({detail}). Nothing was kept; try again, or check the disk.",
            detail = detail
        ))
    };
    let verdict = store::backup::quick_check(part).map_err(|e| broken(e.to_string()))?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(broken(verdict))
    }
}
