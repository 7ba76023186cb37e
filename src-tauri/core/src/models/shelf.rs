//! One catalog's model files on this computer (the speech models, the chat models): where
//! each is kept, whether it is there or partly fetched, fetched on request (progress as
//! events, resumable, checked), stopped, checked again before use, removed. The one way
//! every model is fetched, whatever uses it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::catalog::ModelSpec;
use super::download::{self, FetchError, Source};
use super::memory;
use crate::error::{Error, Result};
use crate::events::{CoreEvent, EventSink};
use crate::model::model_file::ModelFile;
use crate::text;

/// A model's file as the owner's lists show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OnDisk {
    /// The download's size (exact, or the publisher's approximate).
    pub bytes: u64,
    /// Downloaded and checked.
    pub installed: bool,
    /// Bytes of an interrupted download kept for "Resume".
    pub partial_bytes: u64,
}

/// The models of one catalog in one folder.
#[derive(Clone)]
pub struct Shelf {
    dir: PathBuf,
    catalog: &'static [ModelSpec],
    client: reqwest::Client,
    /// Where a model is fetched from instead of its publisher, by id: tests only (a server
    /// on this computer).
    overrides: Arc<HashMap<String, Source>>,
    fetching: Arc<Mutex<HashMap<String, Arc<AtomicBool>>>>,
}

impl Shelf {
    /// `catalog`'s models in `dir` (`<data>/models`).
    pub fn new(dir: PathBuf, catalog: &'static [ModelSpec]) -> Shelf {
        Shelf {
            dir,
            catalog,
            client: download::client(),
            overrides: Arc::default(),
            fetching: Arc::default(),
        }
    }

    /// For tests: model `id` fetched from `url` (on this computer only) with `sha256` and
    /// `bytes` in place of its publisher's file. Anything else is ignored.
    pub fn with_source(mut self, id: &str, url: &str, sha256: &str, bytes: u64) -> Shelf {
        let Some(spec) = self.catalog.iter().find(|m| m.id == id) else {
            return self;
        };
        let local = reqwest::Url::parse(url).is_ok_and(|u| crate::net::on_this_computer(&u));
        if !local {
            tracing::warn!("a test source for a model was not on this computer; ignored");
            return self;
        }
        let mut overrides = (*self.overrides).clone();
        overrides.insert(
            id.to_string(),
            Source {
                url: url.to_string(),
                file: spec.file.to_string(),
                sha256: sha256.to_string(),
                bytes: Some(bytes),
            },
        );
        self.overrides = Arc::new(overrides);
        self
    }

    /// `with_source` from the variable `name` (`id=url#sha256#bytes`, several separated by
    /// `;`), for the end-to-end tests of the desktop app.
    pub fn with_source_from_env(self, name: &str) -> Shelf {
        let Ok(value) = std::env::var(name) else {
            return self;
        };
        value
            .split(';')
            .fold(self, |shelf, entry| shelf.with_source_entry(entry))
    }

    fn with_source_entry(self, value: &str) -> Shelf {
        let parsed = value.split_once('=').and_then(|(id, rest)| {
            let mut parts = rest.split('#');
            let (url, sha256, bytes) = (parts.next()?, parts.next()?, parts.next()?);
            Some((
                id.to_string(),
                url.to_string(),
                sha256.to_string(),
                bytes.parse().ok()?,
            ))
        });
        match parsed {
            Some((id, url, sha256, bytes)) => self.with_source(&id, &url, &sha256, bytes),
            None => self,
        }
    }

    /// Model `id` of this catalog, or `unknown` in the owner's words.
    pub fn spec(&self, id: &str) -> Result<&'static ModelSpec> {
        self.catalog.iter().find(|m| m.id == id).ok_or_else(|| {
            Error::InvalidInput(text!(
                "models.unknown",
                "Leadline has no model called {id}.",
                id = id
            ))
        })
    }

    pub fn catalog(&self) -> &'static [ModelSpec] {
        self.catalog
    }

    fn source(&self, spec: &ModelSpec) -> Source {
        self.overrides
            .get(spec.id)
            .cloned()
            .unwrap_or_else(|| Source {
                url: spec.url.to_string(),
                file: spec.file.to_string(),
                sha256: spec.sha256.to_string(),
                bytes: spec.bytes,
            })
    }

    /// Where model `spec`'s file is kept once checked.
    pub fn path_of(&self, spec: &ModelSpec) -> PathBuf {
        self.dir.join(spec.file)
    }

    /// Model `spec`'s file on this computer. A file takes its name only once checked, so
    /// its presence (and size, when pinned) is enough here; `checked` reads it all.
    pub fn on_disk(&self, spec: &ModelSpec) -> OnDisk {
        let path = self.path_of(spec);
        let source = self.source(spec);
        let size = std::fs::metadata(&path).ok().map(|m| m.len());
        OnDisk {
            bytes: source.bytes.unwrap_or(spec.approx_bytes),
            installed: size.is_some_and(|len| source.bytes.is_none_or(|bytes| len == bytes)),
            partial_bytes: std::fs::metadata(part_of(&path)).map_or(0, |m| m.len()),
        }
    }

    /// Model `spec` as Settings lists it, `in_use` naming the one in use.
    pub fn listed(
        &self,
        spec: &ModelSpec,
        in_use: Option<&str>,
        total_mb: Option<u64>,
    ) -> ModelFile {
        let disk = self.on_disk(spec);
        ModelFile {
            id: spec.id.to_string(),
            bytes: disk.bytes,
            ram_mb: spec.ram_mb,
            installed: disk.installed,
            partial_bytes: disk.partial_bytes,
            in_use: in_use == Some(spec.id),
            fits: memory::fits(spec.ram_mb, total_mb),
            total_mb,
        }
    }

    /// Fetches model `id` (resuming what an earlier try left), announcing its progress as
    /// `model:progress`; returns once it is on this computer and checked. A second call
    /// while one runs is refused. A model needing more than half the memory is refused
    /// before anything is fetched.
    pub async fn install(&self, id: &str, events: &EventSink) -> Result<()> {
        let spec = self.spec(id)?;
        if !memory::fits(spec.ram_mb, memory::total_mb()) {
            return Err(Error::InvalidInput(text!(
                "models.too_big",
                "This computer doesn't have the memory for this model (it needs about {ram} MB). Choose a smaller one.",
                ram = spec.ram_mb
            )));
        }
        let cancel = Arc::new(AtomicBool::new(false));
        {
            let mut fetching = self
                .fetching
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if fetching.contains_key(id) {
                return Err(Error::InvalidInput(text!(
                    "models.already_fetching",
                    "This model is being downloaded already."
                )));
            }
            fetching.insert(id.to_string(), cancel.clone());
        }
        let source = self.source(spec);
        let progress_events = events.clone();
        let model_id = id.to_string();
        let progress = move |p: download::Progress| {
            progress_events(CoreEvent::ModelProgress {
                id: model_id.clone(),
                done: p.done,
                total: p.total,
            });
        };
        let fetched = download::fetch(&self.client, &source, &self.dir, &progress, &cancel).await;
        self.fetching
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id);
        match fetched {
            Ok(_) => {
                tracing::info!(model = id, "a model was downloaded and checked");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(model = id, error = %e, "a model could not be downloaded");
                Err(fetch_failed(&e))
            }
        }
    }

    /// Stops model `id`'s download, keeping what came for "Resume".
    pub fn cancel(&self, id: &str) {
        if let Some(cancel) = self
            .fetching
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
        {
            cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Removes model `id`'s file and any partial download (the caller stopped using it).
    pub fn remove(&self, id: &str) -> Result<()> {
        let spec = self.spec(id)?;
        self.cancel(id);
        let path = self.path_of(spec);
        for file in [part_of(&path), path] {
            if file.exists() {
                std::fs::remove_file(&file).map_err(|e| {
                    Error::Unavailable(text!(
                        "models.not_removed",
                        "The model could not be removed ({detail}). Close other programs using it and try again.",
                        detail = e
                    ))
                })?;
            }
        }
        Ok(())
    }

    /// Model `spec`'s file, read whole and checked against its SHA-256 first (blocking: a
    /// large file takes seconds). A damaged file is removed.
    pub fn checked(&self, spec: &ModelSpec) -> Result<PathBuf> {
        let path = self.path_of(spec);
        if !path.exists() {
            return Err(Error::InvalidInput(text!(
                "models.not_installed",
                "This model is not on this computer yet: download it first."
            )));
        }
        if !download::verified(&path, &self.source(spec)) {
            let _ = std::fs::remove_file(&path);
            return Err(Error::Unavailable(text!(
                "models.damaged",
                "The model's file was damaged and has been removed. Download it again."
            )));
        }
        Ok(path)
    }
}

fn part_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// A fetch's failure in the owner's words, with the next step.
fn fetch_failed(e: &FetchError) -> Error {
    match e {
        FetchError::Cancelled => Error::InvalidInput(text!(
            "models.download_stopped",
            "The download was stopped. Resume it whenever you like: it goes on from where it stopped."
        )),
        FetchError::Damaged => Error::Unavailable(text!(
            "models.download_damaged",
            "The downloaded file was not the right one, so it was removed. Try again."
        )),
        FetchError::Disk(detail) => Error::Unavailable(text!(
            "models.disk",
            "The model could not be saved on this computer ({detail}). Check there is free space and try again.",
            detail = detail
        )),
        FetchError::Network(detail) => Error::Unavailable(text!(
            "models.network",
            "The model's publisher could not be reached ({detail}). Check this computer's internet connection, then Resume.",
            detail = detail
        )),
        FetchError::Refused(status) => Error::Unavailable(text!(
            "models.refused",
            "The model's publisher refused the download (HTTP {status}). Try again later.",
            status = status
        )),
        FetchError::Insecure => Error::Internal("a model's address is not https".into()),
    }
}
