//! What the owner does with AI on this computer, from Settings: see the models, download
//! one (progress as `model:progress`), choose it ("Use AI on this computer": the server
//! starts, and it becomes the default AI provider), remove it. The app starts the server
//! again at launch when it was chosen.

use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::local_ai::supervisor::LocalAi;
use crate::model::local_ai::LocalAiState;
use crate::model::model_file::ModelFile;
use crate::text;

fn local(core: &Leadline) -> Result<&LocalAi> {
    core.local_ai().ok_or_else(|| {
        Error::Unavailable(text!(
            "local_ai.missing",
            "This installation of Leadline has no AI on this computer. Reinstall Leadline from its installer, or add an AI provider in Settings › AI providers."
        ))
    })
}

/// The chat models, with the one in use.
pub async fn models(core: &Leadline) -> Result<Vec<ModelFile>> {
    let in_use = core.this_computer_model().await?;
    Ok(local(core)?.list(in_use.as_deref()))
}

/// Downloads model `id`.
pub async fn install(core: &Leadline, id: &str) -> Result<Vec<ModelFile>> {
    local(core)?.shelf.install(id, &core.events).await?;
    models(core).await
}

/// Stops model `id`'s download, keeping what came.
pub fn cancel(core: &Leadline, id: &str) -> Result<()> {
    local(core)?.shelf.cancel(id);
    Ok(())
}

/// "Use AI on this computer": starts the server with model `id` (downloaded), then makes
/// it the default provider. A server that can't start changes no setting.
pub async fn choose(core: &Leadline, id: &str) -> Result<LocalAiState> {
    let local = local(core)?;
    local.endpoint(id).await?;
    core.use_this_computer(id).await?;
    Ok(local.state().await)
}

/// Removes model `id` from this computer; if the assistant answers with it, AI on this
/// computer is stopped and removed from the providers first.
pub async fn remove(core: &Leadline, id: &str) -> Result<Vec<ModelFile>> {
    let local = local(core)?;
    if core.this_computer_model().await?.as_deref() == Some(id) {
        core.remove_ai_provider(crate::ai::providers::THIS_COMPUTER)
            .await?;
        local.stop().await;
    }
    local.shelf.remove(id)?;
    models(core).await
}

pub async fn state(core: &Leadline) -> LocalAiState {
    match core.local_ai() {
        Some(local) => local.state().await,
        None => LocalAiState::Missing,
    }
}

/// At launch: AI on this computer started again when it was chosen (in the background;
/// a failure shows in Settings and the first answer tries again).
pub async fn resume(core: &Leadline) {
    let (Some(local), Ok(Some(model))) = (core.local_ai(), core.this_computer_model().await) else {
        return;
    };
    if let Err(e) = local.endpoint(&model).await {
        tracing::warn!(error = %e, "AI on this computer did not start with the app");
    }
}
