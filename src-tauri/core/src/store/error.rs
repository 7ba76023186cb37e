//! What can go wrong with the database, in words an owner can act on. Every message names
//! the file and the next step, and promises what is true: Leadline did not change the file.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode as SqliteCode;

use crate::text;
use crate::text::Text;

fn shown(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "(in memory)".to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", self.text())]
    Unwritable { path: PathBuf, detail: String },

    #[error("{}", self.text())]
    Corrupt {
        path: Option<PathBuf>,
        detail: String,
    },

    #[error("{}", self.text())]
    TooNew {
        path: Option<PathBuf>,
        found: i64,
        supported: i64,
    },

    #[error("{}", self.text())]
    Migration {
        version: i64,
        source: rusqlite::Error,
    },

    /// The disk (or the database's room on it) is full: nothing more can be saved until
    /// space is freed; what is saved stays.
    #[error("{}", self.text())]
    DiskFull(rusqlite::Error),

    #[error("{}", self.text())]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            StoreError::Unwritable { path, detail } => text!(
                "store.unwritable",
                "Leadline can't write to {path} ({detail}). Make sure the file and its folder are writable by \
                 your user and the disk has free space, then open Leadline again. Your data was not changed.",
                path = path.display(),
                detail = detail
            ),
            StoreError::Corrupt { path, detail } => text!(
                "store.corrupt",
                "The database {path} is damaged or is not a Leadline database ({detail}). Leadline did not \
                 change it. Restore it from a backup, or move it to another folder and open Leadline \
                 again to start with an empty database.",
                path = shown(path),
                detail = detail
            ),
            StoreError::TooNew {
                path,
                found,
                supported,
            } => text!(
                "store.too_new",
                "The database {path} was saved by a newer version of Leadline (data version {found}; this \
                 version reads up to {supported}). Leadline did not change it. Install the latest \
                 version of Leadline to open it.",
                path = shown(path),
                found = found,
                supported = supported
            ),
            StoreError::Migration { version, source } => text!(
                "store.migration",
                "Leadline could not upgrade its database to data version {version}: {source}. The \
                 database was left as it was before this step. Details are in the log file.",
                version = version,
                source = source
            ),
            StoreError::DiskFull(_) => text!(
                "store.disk_full",
                "This computer's disk is full, so Leadline couldn't save what just happened. Free some \
                 space (empty the trash, move large files away); everything saved before is kept, and \
                 Leadline goes on once there is room."
            ),
            StoreError::Sqlite(e) => text!(
                "store.sqlite",
                "The database could not be read or written: {detail}. Details are in the log file.",
                detail = e
            ),
        }
    }

    /// Sorts a raw SQLite error into what the owner can do about it.
    pub(crate) fn classify(e: rusqlite::Error, path: Option<&Path>) -> StoreError {
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
            _ => None,
        };
        match (code, path) {
            (Some(SqliteCode::NotADatabase | SqliteCode::DatabaseCorrupt), _) => {
                StoreError::Corrupt {
                    path: path.map(Path::to_path_buf),
                    detail: e.to_string(),
                }
            }
            (
                Some(SqliteCode::ReadOnly | SqliteCode::CannotOpen | SqliteCode::PermissionDenied),
                Some(path),
            ) => StoreError::Unwritable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            },
            (Some(SqliteCode::DiskFull), _) => StoreError::DiskFull(e),
            _ => StoreError::Sqlite(e),
        }
    }

    /// Fills in the file's path on errors found before it was known.
    pub(crate) fn with_path(self, path: &Path) -> StoreError {
        let path = Some(path.to_path_buf());
        match self {
            StoreError::Corrupt { detail, .. } => StoreError::Corrupt { path, detail },
            StoreError::TooNew {
                found, supported, ..
            } => StoreError::TooNew {
                path,
                found,
                supported,
            },
            StoreError::Sqlite(e) => StoreError::classify(e, path.as_deref()),
            other => other,
        }
    }

    pub fn path(&self) -> Option<&PathBuf> {
        match self {
            StoreError::Unwritable { path, .. } => Some(path),
            StoreError::Corrupt { path, .. } | StoreError::TooNew { path, .. } => path.as_ref(),
            StoreError::Migration { .. } | StoreError::DiskFull(_) | StoreError::Sqlite(_) => None,
        }
    }

    /// True when a unique constraint (a name, a WhatsApp id) refused the write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Sqlite(e) if is_unique_violation(e))
    }
}

/// True when a unique constraint refused the write.
pub fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}
