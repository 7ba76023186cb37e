//! AI on this computer's server, supervised: Leadline's own llama.cpp server (shipped
//! beside the app) running a chat model the owner downloaded from Settings. One server for
//! every number, started at first use (or when the app starts with it chosen), on 127.0.0.1 at a free port with a
//! fresh key; started again if it stops unexpectedly (three stops within a minute: it is
//! left off, and Settings says so); stopped with the app.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, oneshot};

use super::server::{self, StartError};
use crate::ai::secret::ApiKey;
use crate::error::{Error, Result};
use crate::events::{CoreEvent, EventSink};
use crate::model::local_ai::LocalAiState;
use crate::model::model_file::ModelFile;
use crate::models::catalog;
use crate::models::memory;
use crate::models::shelf::Shelf;
use crate::text;

/// Stops within this window that leave the server off.
const CRASH_WINDOW: Duration = Duration::from_secs(60);
const MAX_CRASHES: usize = 3;

/// AI on this computer: the chat models' shelf and the one server.
#[derive(Clone)]
pub struct LocalAi {
    /// `llama-server` beside the app; `None`: this installation has none.
    binary: Option<PathBuf>,
    pub shelf: Shelf,
    client: reqwest::Client,
    events: EventSink,
    /// The running server's process id (`<models>/llama-server.pid`).
    pid_file: PathBuf,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    running: Option<Running>,
    state: Option<LocalAiState>,
    /// Counts starts, so a watcher knows whether the server it watches is still the one.
    generation: u64,
    /// When it stopped unexpectedly, lately.
    crashes: Vec<Instant>,
    /// Models whose file was read whole and checked during this run.
    checked: Vec<String>,
}

struct Running {
    model: String,
    port: u16,
    key: String,
    pid: Option<u32>,
    generation: u64,
    stop: oneshot::Sender<()>,
}

impl LocalAi {
    /// The chat models in `models` (`<data>/models`), run by `binary`.
    /// A server an earlier run left behind (it crashed) is stopped first.
    pub fn new(binary: Option<PathBuf>, models: PathBuf, events: EventSink) -> LocalAi {
        let binary = binary.filter(|b| b.exists());
        let pid_file = models.join("llama-server.pid");
        if let Some(binary) = &binary {
            server::stop_leftover(&pid_file, binary);
        }
        LocalAi {
            binary,
            pid_file,
            shelf: Shelf::new(models, &catalog::CHAT),
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
            events,
            inner: Arc::default(),
        }
    }

    /// For tests: `with_source` from `LEADLINE_TEST_CHAT_SOURCE` (`id=url#sha256#bytes`).
    pub fn with_source_from_env(mut self) -> LocalAi {
        self.shelf = self.shelf.with_source_from_env("LEADLINE_TEST_CHAT_SOURCE");
        self
    }

    /// For tests: model `id` fetched from `url` (on this computer only) instead.
    pub fn with_source(mut self, id: &str, url: &str, sha256: &str, bytes: u64) -> LocalAi {
        self.shelf = self.shelf.with_source(id, url, sha256, bytes);
        self
    }

    /// Every chat model with its state, `in_use` naming the one the assistant uses.
    pub fn list(&self, in_use: Option<&str>) -> Vec<ModelFile> {
        let total_mb = memory::total_mb();
        catalog::CHAT
            .iter()
            .map(|spec| self.shelf.listed(spec, in_use, total_mb))
            .collect()
    }

    pub async fn state(&self) -> LocalAiState {
        if self.binary.is_none() {
            return LocalAiState::Missing;
        }
        self.inner
            .lock()
            .await
            .state
            .clone()
            .unwrap_or(LocalAiState::Off)
    }

    /// The server's process id while it runs (tests and the benchmark measure it).
    pub async fn pid(&self) -> Option<u32> {
        self.inner.lock().await.running.as_ref().and_then(|r| r.pid)
    }

    /// Where to ask `model`, and with which key: the server running it, started (or
    /// restarted with this model) first if need be.
    pub async fn endpoint(&self, model: &str) -> Result<(String, ApiKey)> {
        let mut inner = self.inner.lock().await;
        if let Some(running) = inner.running.as_ref().filter(|r| r.model == model) {
            return Ok((
                format!("http://127.0.0.1:{}/v1", running.port),
                ApiKey::new(&running.key),
            ));
        }
        self.start_locked(&mut inner, model).await?;
        let running = inner
            .running
            .as_ref()
            .ok_or_else(|| Error::Internal("the local AI server is not running".into()))?;
        Ok((
            format!("http://127.0.0.1:{}/v1", running.port),
            ApiKey::new(&running.key),
        ))
    }

    /// Stops the server (the owner chose another AI, removed the model, or the app quits).
    pub async fn stop(&self) {
        let mut inner = self.inner.lock().await;
        if let Some(running) = inner.running.take() {
            let _ = running.stop.send(());
            server::record(&self.pid_file, None);
        }
        self.set_state(&mut inner, LocalAiState::Off);
    }

    fn set_state(&self, inner: &mut Inner, state: LocalAiState) {
        if inner.state.as_ref() != Some(&state) {
            inner.state = Some(state.clone());
            (self.events)(CoreEvent::LocalAiState(state));
        }
    }

    async fn start_locked(&self, inner: &mut Inner, model: &str) -> Result<()> {
        let Some(binary) = self.binary.clone() else {
            return Err(Error::Unavailable(text!(
                "local_ai.missing",
                "This installation of Leadline has no AI on this computer. Reinstall Leadline from its installer, or add an AI provider in Settings › AI providers."
            )));
        };
        if let Some(old) = inner.running.take() {
            let _ = old.stop.send(());
        }
        let spec = self.shelf.spec(model)?;
        self.set_state(
            inner,
            LocalAiState::Starting {
                model: model.to_string(),
            },
        );
        let path = if inner.checked.iter().any(|m| m == model) {
            self.shelf.path_of(spec)
        } else {
            let shelf = self.shelf.clone();
            let checked = tokio::task::spawn_blocking(move || shelf.checked(spec))
                .await
                .map_err(|e| Error::Internal(format!("checking a model stopped: {e}")))?;
            match checked {
                Ok(path) => {
                    inner.checked.push(model.to_string());
                    path
                }
                Err(e) => {
                    self.set_state(inner, LocalAiState::Failed { reason: e.text() });
                    return Err(e);
                }
            }
        };
        let started = match server::start(&binary, &path, model, &self.client).await {
            Ok(started) => started,
            Err(e) => {
                let error = start_failed(&e);
                tracing::warn!(model, error = ?e, "the local AI server did not start");
                self.set_state(
                    inner,
                    LocalAiState::Failed {
                        reason: error.text(),
                    },
                );
                return Err(error);
            }
        };
        inner.generation += 1;
        let generation = inner.generation;
        let (stop, stopped) = oneshot::channel();
        inner.running = Some(Running {
            model: model.to_string(),
            port: started.port,
            key: started.key.clone(),
            pid: started.pid,
            generation,
            stop,
        });
        tracing::info!(model, pid = started.pid, "the local AI server is running");
        server::record(&self.pid_file, started.pid);
        self.set_state(
            inner,
            LocalAiState::Running {
                model: model.to_string(),
            },
        );
        self.watch(started, stopped, generation, model.to_string());
        Ok(())
    }

    /// Waits on the server: a stop asked for ends it; one nobody asked for starts it
    /// again, unless it keeps stopping.
    fn watch(
        &self,
        started: server::Started,
        stopped: oneshot::Receiver<()>,
        generation: u64,
        model: String,
    ) {
        let local = self.clone();
        let mut child = started.child;
        tokio::spawn(async move {
            tokio::select! {
                status = child.wait() => {
                    // Its output is not logged: it may hold what customers wrote.
                    tracing::warn!(?status, "the local AI server stopped unexpectedly");
                    local.stopped_unexpectedly(generation, &model).await;
                }
                _ = stopped => {
                    let _ = child.kill().await;
                }
            }
        });
    }

    async fn stopped_unexpectedly(&self, generation: u64, model: &str) {
        let mut inner = self.inner.lock().await;
        if inner.running.as_ref().map(|r| r.generation) != Some(generation) {
            return;
        }
        inner.running = None;
        let now = Instant::now();
        inner
            .crashes
            .retain(|at| now.duration_since(*at) < CRASH_WINDOW);
        inner.crashes.push(now);
        if inner.crashes.len() >= MAX_CRASHES {
            self.set_state(
                &mut inner,
                LocalAiState::Failed {
                    reason: text!(
                        "local_ai.keeps_stopping",
                        "AI on this computer keeps stopping, so Leadline left it off. Try a smaller model, close other programs, or restart the computer; then choose the model again."
                    ),
                },
            );
            return;
        }
        if let Err(e) = self.start_locked(&mut inner, model).await {
            tracing::warn!(error = %e, "the local AI server could not be started again");
        }
    }
}

/// A start's failure in the owner's words, with the next step.
fn start_failed(e: &StartError) -> Error {
    match e {
        StartError::Spawn(detail) => Error::Unavailable(text!(
            "local_ai.cannot_run",
            "Leadline's AI on this computer could not be run ({detail}). Reinstall Leadline from its installer, or add an AI provider in Settings › AI providers.",
            detail = detail
        )),
        StartError::Exited(detail) => Error::Unavailable(text!(
            "local_ai.exited",
            "AI on this computer stopped while loading the model ({detail}). The computer may be short of memory: close other programs or choose a smaller model.",
            detail = detail
        )),
        StartError::Slow => Error::Unavailable(text!(
            "local_ai.slow",
            "AI on this computer took too long to load the model. Close other programs and try again, or choose a smaller model."
        )),
    }
}
