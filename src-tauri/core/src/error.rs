//! The core's error type and the small closed set of codes the UI can switch on.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use crate::store::error::StoreError;
use crate::text;
use crate::text::Text;

/// What kind of failure this is, for the UI to choose what to show and offer.
/// Closed on purpose: a new code is a UI change too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The owner typed something we can't accept; the message says what to change.
    InvalidInput,
    /// The thing asked for no longer exists (deleted elsewhere, stale view): reload.
    NotFound,
    /// It would clash with something that exists (a duplicate name).
    Conflict,
    /// The data folder or database can't be used; the message names the file and the fix.
    Storage,
    /// A part outside the app is missing (keychain, browser, notification server).
    Unavailable,
    /// A bug on our side: the message says to check the logs.
    Internal,
}

/// Every variant but `Store` and `Internal` carries its sentence as a [`Text`], so the
/// window can say it in the owner's language.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidInput(Text),
    #[error("{0}")]
    NotFound(Text),
    #[error("{0}")]
    Conflict(Text),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Unavailable(Text),
    #[error("{}", self.text())]
    Internal(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Store(_) => ErrorCode::Storage,
            Error::Unavailable(_) => ErrorCode::Unavailable,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            Error::InvalidInput(text)
            | Error::NotFound(text)
            | Error::Conflict(text)
            | Error::Unavailable(text) => text.clone(),
            Error::Store(e) => e.text(),
            Error::Internal(detail) => text!(
                "internal",
                "Something went wrong inside Leadline ({detail}). Details are in the log file.",
                detail = detail
            ),
        }
    }

    /// The file the owner needs to know about, when the error concerns one.
    pub fn path(&self) -> Option<&PathBuf> {
        match self {
            Error::Store(e) => e.path(),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(StoreError::Sqlite(e))
    }
}
