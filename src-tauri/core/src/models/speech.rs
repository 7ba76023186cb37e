//! The speech models on this computer, as the owner manages them in Settings: listed with
//! what each needs, fetched on request (progress as events, resumable, checked), chosen to
//! hear voice notes with, removed. The model in use is loaded through the app's loader
//! (whisper.cpp in the desktop app) after its SHA-256 is checked again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::catalog::{self, ModelSpec};
use super::download::{self, FetchError, Source};
use super::memory;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::media::hearing::{Hearing, HearingLoader};
use crate::model::speech::SpeechModel;
use crate::text;

/// The speech models' folder, loader and fetches in flight.
#[derive(Clone)]
pub struct Speech {
    dir: PathBuf,
    loader: HearingLoader,
    client: reqwest::Client,
    /// Where a model is fetched from instead of its publisher, by id: tests only (a server
    /// on this computer, `with_source` / `LEADLINE_TEST_SPEECH_SOURCE`).
    overrides: Arc<HashMap<String, Source>>,
    fetching: Arc<Mutex<HashMap<String, Arc<AtomicBool>>>>,
}

impl Speech {
    /// The models in `dir` (`<data>/models`), loaded with `loader`.
    pub fn new(dir: PathBuf, loader: HearingLoader) -> Speech {
        Speech {
            dir,
            loader,
            client: download::client(),
            overrides: Arc::default(),
            fetching: Arc::default(),
        }
    }

    /// For tests: model `id` fetched from `url` (on this computer only) with `sha256` and
    /// `bytes` in place of its publisher's file. Anything else is ignored.
    pub fn with_source(mut self, id: &str, url: &str, sha256: &str, bytes: u64) -> Speech {
        let Some(spec) = catalog::speech(id) else {
            return self;
        };
        let local = reqwest::Url::parse(url).is_ok_and(|u| crate::net::on_this_computer(&u));
        if !local {
            tracing::warn!("a test source for a speech model was not on this computer; ignored");
            return self;
        }
        let mut overrides = (*self.overrides).clone();
        overrides.insert(
            id.to_string(),
            Source {
                url: url.to_string(),
                file: spec.file.to_string(),
                sha256: sha256.to_string(),
                bytes,
            },
        );
        self.overrides = Arc::new(overrides);
        self
    }

    /// `with_source` from `LEADLINE_TEST_SPEECH_SOURCE` (`id=url#sha256#bytes`), for the
    /// end-to-end tests of the desktop app.
    pub fn with_source_from_env(self) -> Speech {
        let Ok(value) = std::env::var("LEADLINE_TEST_SPEECH_SOURCE") else {
            return self;
        };
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

    fn spec(&self, id: &str) -> Result<ModelSpec> {
        catalog::speech(id).copied().ok_or_else(|| {
            Error::InvalidInput(text!(
                "models.unknown",
                "Leadline has no speech model called {id}.",
                id = id
            ))
        })
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

    fn path_of(&self, spec: &ModelSpec) -> PathBuf {
        self.dir.join(spec.file)
    }

    /// Every speech model with its state, `in_use` naming the one in use.
    pub fn list(&self, in_use: Option<&str>) -> Vec<SpeechModel> {
        let total_mb = memory::total_mb();
        catalog::SPEECH
            .iter()
            .map(|spec| {
                let path = self.path_of(spec);
                let bytes = self.source(spec).bytes;
                let installed = std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes);
                let partial_bytes = std::fs::metadata(part_of(&path)).map_or(0, |m| m.len());
                SpeechModel {
                    id: spec.id.to_string(),
                    english_only: spec.english_only,
                    bytes,
                    ram_mb: spec.ram_mb,
                    installed,
                    partial_bytes,
                    in_use: in_use == Some(spec.id),
                    fits: memory::fits(spec.ram_mb, total_mb),
                    total_mb,
                }
            })
            .collect()
    }

    /// Fetches model `id` (resuming what an earlier try left), announcing its progress;
    /// returns once it is on this computer and checked. A second call while one runs
    /// waits for nothing: it is refused.
    pub async fn install(&self, id: &str, events: &crate::events::EventSink) -> Result<()> {
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
        let source = self.source(&spec);
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
                tracing::info!(model = id, "a speech model was downloaded and checked");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(model = id, error = %e, "a speech model could not be downloaded");
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
        let path = self.path_of(&spec);
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

    /// Model `id` loaded to hear with, after checking it is the file it should be.
    pub async fn load(&self, id: &str) -> Result<Arc<dyn Hearing>> {
        let spec = self.spec(id)?;
        let path = self.path_of(&spec);
        let source = self.source(&spec);
        let loader = self.loader.clone();
        tokio::task::spawn_blocking(move || load_checked(&path, &source, &loader))
            .await
            .map_err(|e| Error::Internal(format!("loading a model stopped: {e}")))?
    }
}

fn load_checked(path: &Path, source: &Source, loader: &HearingLoader) -> Result<Arc<dyn Hearing>> {
    if !path.exists() {
        return Err(Error::InvalidInput(text!(
            "models.not_installed",
            "This model is not on this computer yet: download it first."
        )));
    }
    if !download::verified(path, source) {
        let _ = std::fs::remove_file(path);
        return Err(Error::Unavailable(text!(
            "models.damaged",
            "The model's file was damaged and has been removed. Download it again."
        )));
    }
    loader(path).map_err(|detail| {
        Error::Unavailable(text!(
            "models.not_loaded",
            "The model could not be loaded ({detail}). Download it again, or choose another.",
            detail = detail
        ))
    })
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
