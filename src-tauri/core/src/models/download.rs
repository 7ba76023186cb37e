//! One way to fetch a model file: into `<file>.part` beside its place, resumed from where it
//! stopped (an HTTP range), with progress as it comes, then checked against its pinned
//! size and SHA-256 before it takes its name. A file that doesn't match is removed, never
//! used. Nothing secret is sent, so redirects to the publisher's file servers are followed,
//! but only over https (or on this computer, for tests).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Source {
    pub url: String,
    pub file: String,
    pub sha256: String,
    /// The exact size, when the publisher states it; else the server's word is taken (the
    /// SHA-256 is the check either way).
    pub bytes: Option<u64>,
}

/// How far a fetch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    /// 0 while unknown.
    pub total: u64,
}

/// Why a fetch stopped. What was fetched stays for the next try, unless it was damaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the publisher could not be reached: {0}")]
    Network(String),
    #[error("the publisher answered {0}")]
    Refused(u16),
    #[error("the file that arrived is not the expected one (its check failed); it was removed")]
    Damaged,
    #[error("the file could not be written: {0}")]
    Disk(String),
    #[error("stopped")]
    Cancelled,
    #[error("the address is not https")]
    Insecure,
}

const MAX_REDIRECTS: usize = 10;

/// The client for model files: redirects followed over https only, generous timeouts for
/// a slow line (a stall of 60 s ends the try; the next resumes).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("Leadline/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(20))
        .read_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let safe =
                attempt.url().scheme() == "https" || crate::net::on_this_computer(attempt.url());
            if attempt.previous().len() >= MAX_REDIRECTS || !safe {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .build()
        .unwrap_or_default()
}

/// Whether `path` is the file `source` names: its size, then its SHA-256.
pub fn verified(path: &Path, source: &Source) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    source.bytes.is_none_or(|bytes| meta.len() == bytes)
        && sha256_of(path).is_some_and(|hash| hash == source.sha256)
}

fn sha256_of(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).ok()?;
        if read == 0 {
            return Some(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}

/// Fetches `source` into `dir` (made if missing) and returns the checked file's path.
/// `progress` is called as bytes arrive (at most ten times a second); `cancel` stops it
/// between chunks, keeping what came for the next try.
pub async fn fetch(
    client: &reqwest::Client,
    source: &Source,
    dir: &Path,
    progress: &(dyn Fn(Progress) + Send + Sync),
    cancel: &AtomicBool,
) -> Result<PathBuf, FetchError> {
    let url = crate::net::acceptable(&source.url).map_err(|_| FetchError::Insecure)?;
    std::fs::create_dir_all(dir).map_err(|e| FetchError::Disk(e.to_string()))?;
    let target = dir.join(&source.file);
    let part = dir.join(format!("{}.part", source.file));
    if let Some(done) = already_there(&target, source).await {
        return Ok(done);
    }
    let mut have = std::fs::metadata(&part).map_or(0, |m| m.len());
    if source.bytes.is_some_and(|bytes| have > bytes) {
        have = 0;
    }
    let mut request = client.get(url);
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut response = request
        .send()
        .await
        .map_err(|e| FetchError::Network(without_url(&e)))?;
    let status = response.status().as_u16();
    let mut expected = source.bytes;
    let mut out = match status {
        // The rest, after what we have.
        206 => {
            expected = expected.or_else(|| whole_length(&response));
            std::fs::OpenOptions::new().append(true).open(&part)
        }
        // The whole file (the server ignored the range, or we had nothing).
        200 => {
            have = 0;
            expected = expected.or_else(|| response.content_length());
            std::fs::File::create(&part)
        }
        // Nothing after what we have: it may be whole already (the check says).
        416 if have > 0 && expected.is_none_or(|bytes| have == bytes) => {
            return finish(&part, &target, source).await;
        }
        _ => {
            if status == 416 {
                let _ = std::fs::remove_file(&part);
            }
            return Err(FetchError::Refused(status));
        }
    }
    .map_err(|e| FetchError::Disk(e.to_string()))?;
    let mut done = have;
    let mut told = Instant::now() - Duration::from_secs(1);
    let total = expected.unwrap_or(0);
    progress(Progress { done, total });
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(FetchError::Cancelled);
        }
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => return Err(FetchError::Network(without_url(&e))),
        };
        done += chunk.len() as u64;
        if expected.is_some_and(|bytes| done > bytes) {
            drop(out);
            let _ = std::fs::remove_file(&part);
            return Err(FetchError::Damaged);
        }
        out.write_all(&chunk)
            .map_err(|e| FetchError::Disk(e.to_string()))?;
        if told.elapsed() >= Duration::from_millis(100) || done == total {
            told = Instant::now();
            progress(Progress { done, total });
        }
    }
    out.flush().map_err(|e| FetchError::Disk(e.to_string()))?;
    drop(out);
    if expected.is_some_and(|bytes| done < bytes) {
        return Err(FetchError::Network(
            "the connection ended before the whole file came".into(),
        ));
    }
    finish(&part, &target, source).await
}

/// The whole file's length from a partial answer's `Content-Range: bytes a-b/total`.
fn whole_length(response: &reqwest::Response) -> Option<u64> {
    let range = response
        .headers()
        .get(reqwest::header::CONTENT_RANGE)?
        .to_str()
        .ok()?;
    range.rsplit_once('/')?.1.trim().parse().ok()
}

/// `target`, when it is the right file already; a wrong one is removed.
async fn already_there(target: &Path, source: &Source) -> Option<PathBuf> {
    if !target.exists() {
        return None;
    }
    let (path, source) = (target.to_path_buf(), source.clone());
    let ok = tokio::task::spawn_blocking(move || verified(&path, &source))
        .await
        .unwrap_or(false);
    if ok {
        return Some(target.to_path_buf());
    }
    let _ = std::fs::remove_file(target);
    None
}

/// The whole `part` checked, then given its name; removed when it is not the right file.
async fn finish(part: &Path, target: &Path, source: &Source) -> Result<PathBuf, FetchError> {
    let (checked, wanted) = (part.to_path_buf(), source.clone());
    let ok = tokio::task::spawn_blocking(move || verified(&checked, &wanted))
        .await
        .unwrap_or(false);
    if !ok {
        let _ = std::fs::remove_file(part);
        return Err(FetchError::Damaged);
    }
    std::fs::rename(part, target).map_err(|e| FetchError::Disk(e.to_string()))?;
    Ok(target.to_path_buf())
}

/// A request's error without its address (the log and the owner need what, not where).
fn without_url(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the line stalled".into()
    } else if error.is_connect() {
        "no connection".into()
    } else {
        let mut words = error.to_string();
        if let Some(url) = error.url() {
            words = words.replace(url.as_str(), "the address");
        }
        words
    }
}
