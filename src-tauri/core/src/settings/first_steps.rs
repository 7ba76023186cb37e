//! The first-run checklist: each step done is read from what the owner did (a provider
//! set up, a number linked, an answer in the Playground of a number with instructions,
//! working hours), never ticked by hand; steps put off and the list closed are the owner's
//! choice, kept in the app settings. It never blocks anything.

use crate::ai::providers;
use crate::error::Result;
use crate::leadline::Leadline;
use crate::model::first_steps::{FirstStep, FirstSteps, FirstStepsChoice};
use crate::store::{account_settings, accounts, ai_usage, app_settings};

const CHOICE_KEY: &str = "first_steps";

/// Where the checklist stands now.
pub async fn read(core: &Leadline) -> Result<FirstSteps> {
    core.store
        .call(|conn| {
            let done = [
                (FirstStep::Ai, providers::any_provider(conn)?),
                (FirstStep::Link, accounts::any_linked(conn)?),
                (FirstStep::Assistant, ai_usage::playground_tried(conn)?),
                (FirstStep::Hours, account_settings::any_hours_set(conn)?),
            ]
            .into_iter()
            .filter_map(|(step, done)| done.then_some(step))
            .collect();
            let choice = choice(conn)?;
            Ok(FirstSteps {
                done,
                later: choice.later,
                hidden: choice.hidden,
            })
        })
        .await
}

/// The owner puts steps off or closes the list (or opens it again); where it stands then.
pub async fn choose(core: &Leadline, choice: FirstStepsChoice) -> Result<FirstSteps> {
    let now = core.clock.now_ms();
    let mut later: Vec<FirstStep> = Vec::new();
    for step in choice.later {
        if !later.contains(&step) {
            later.push(step);
        }
    }
    let saved = FirstStepsChoice {
        later,
        hidden: choice.hidden,
    };
    let json = serde_json::to_string(&saved)
        .map_err(|e| crate::error::Error::Internal(format!("first steps: {e}")))?;
    core.store
        .call(move |conn| Ok(app_settings::put(conn, CHOICE_KEY, &json, now)?))
        .await?;
    read(core).await
}

/// The owner's choice as stored; none (or unreadable, logged) is the list open and nothing
/// put off.
fn choice(conn: &rusqlite::Connection) -> Result<FirstStepsChoice> {
    Ok(app_settings::get(conn, CHOICE_KEY)?
        .and_then(|json| {
            serde_json::from_str(&json)
                .map_err(|e| tracing::warn!(error = %e, "unreadable first steps; showing them all"))
                .ok()
        })
        .unwrap_or_default())
}
