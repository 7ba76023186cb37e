//! The IPC boundary's error: what a failed command returns, as `{code, message, text, path}`.

use std::error::Error as _;

use leadline_core::error::{Error, ErrorCode};
use leadline_core::text::Text;
use serde::Serialize;
use ts_rs::TS;

/// What a failed command returns to the UI. Never a bare string: the UI switches on `code`
/// and shows `text` in the owner's language (`message` is its English, written for the owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// Boxed: an error is rare, and a small `Result` keeps every command's happy path lean.
    pub text: Box<Text>,
    /// The file the problem is about, when there is one (shown so the owner can find it).
    pub path: Option<String>,
}

impl From<Error> for IpcError {
    fn from(e: Error) -> Self {
        log_once(&e);
        IpcError::unlogged(e)
    }
}

impl IpcError {
    /// `e` for the window, already logged by the caller at the level it deserves (an
    /// update server that can't be reached is no error of the app's).
    pub fn unlogged(e: Error) -> IpcError {
        let text = e.text();
        IpcError {
            code: e.code(),
            message: text.english.clone(),
            text: Box::new(text),
            path: e.path().map(|p| p.display().to_string()),
        }
    }
}

/// Logs an error with its whole chain of causes, once, where it leaves the app.
fn log_once(e: &Error) {
    let mut chain = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    match e.code() {
        // The owner's own mistakes are expected; they are worth a line, not an alarm.
        ErrorCode::InvalidInput | ErrorCode::NotFound | ErrorCode::Conflict => {
            tracing::info!(code = ?e.code(), "{chain}")
        }
        _ => tracing::error!(code = ?e.code(), "{chain}"),
    }
}
