//! The speech models on this computer, as the owner manages them in Settings: listed with
//! what each needs, fetched on request (the shelf: progress as events, resumable,
//! checked), chosen to hear voice notes with, removed. The model in use is loaded through
//! the app's loader (whisper.cpp in the desktop app) after its SHA-256 is checked again.

use std::path::PathBuf;
use std::sync::Arc;

use super::catalog;
use super::memory;
use super::shelf::Shelf;
use crate::error::{Error, Result};
use crate::media::hearing::{Hearing, HearingLoader};
use crate::model::speech::SpeechModel;
use crate::text;

/// The speech models' shelf and loader.
#[derive(Clone)]
pub struct Speech {
    pub shelf: Shelf,
    loader: HearingLoader,
}

impl Speech {
    /// The models in `dir` (`<data>/models`), loaded with `loader`.
    pub fn new(dir: PathBuf, loader: HearingLoader) -> Speech {
        Speech {
            shelf: Shelf::new(dir, &catalog::SPEECH),
            loader,
        }
    }

    /// For tests: model `id` fetched from `url` (on this computer only) instead.
    pub fn with_source(mut self, id: &str, url: &str, sha256: &str, bytes: u64) -> Speech {
        self.shelf = self.shelf.with_source(id, url, sha256, bytes);
        self
    }

    /// `with_source` from `LEADLINE_TEST_SPEECH_SOURCE` (`id=url#sha256#bytes`), for the
    /// end-to-end tests of the desktop app.
    pub fn with_source_from_env(mut self) -> Speech {
        self.shelf = self
            .shelf
            .with_source_from_env("LEADLINE_TEST_SPEECH_SOURCE");
        self
    }

    /// Every speech model with its state, `in_use` naming the one in use.
    pub fn list(&self, in_use: Option<&str>) -> Vec<SpeechModel> {
        let total_mb = memory::total_mb();
        catalog::SPEECH
            .iter()
            .map(|spec| SpeechModel {
                file: self.shelf.listed(spec, in_use, total_mb),
                english_only: spec.english_only,
            })
            .collect()
    }

    /// Fetches model `id`; see `Shelf::install`.
    pub async fn install(&self, id: &str, events: &crate::events::EventSink) -> Result<()> {
        self.shelf.install(id, events).await
    }

    /// Stops model `id`'s download, keeping what came for "Resume".
    pub fn cancel(&self, id: &str) {
        self.shelf.cancel(id);
    }

    /// Removes model `id`'s file and any partial download (the caller stopped using it).
    pub fn remove(&self, id: &str) -> Result<()> {
        self.shelf.remove(id)
    }

    /// Model `id` loaded to hear with, after checking it is the file it should be.
    pub async fn load(&self, id: &str) -> Result<Arc<dyn Hearing>> {
        let spec = self.shelf.spec(id)?;
        let shelf = self.shelf.clone();
        let loader = self.loader.clone();
        tokio::task::spawn_blocking(move || {
            let path = shelf.checked(spec)?;
            loader(&path).map_err(|detail| {
                Error::Unavailable(text!(
                    "models.not_loaded",
                    "The model could not be loaded ({detail}). Download it again, or choose another.",
                    detail = detail
                ))
            })
        })
        .await
        .map_err(|e| Error::Internal(format!("loading a model stopped: {e}")))?
    }
}
