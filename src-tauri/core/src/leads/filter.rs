//! What the owner asks of the Leads page, checked: a stage named by its word, and a
//! filter's stages (an unknown one refused, naming it).

use crate::error::{Error, Result};
use crate::model::lead::{LeadFilter, Stage};
use crate::text;

/// The stage a word names; anything else is refused, naming it.
pub(crate) fn check_stage(stage: &str) -> Result<Stage> {
    if let Some(stage) = Stage::parse(stage) {
        return Ok(stage);
    }
    Err(Error::InvalidInput(text!(
        "lead.bad_stage",
        "“{stage}” is not a stage (new, engaged, qualified, won, lost).",
        stage = stage.chars().take(20).collect::<String>()
    )))
}

/// The filter's stages, each one Leadline knows.
pub(crate) fn check_stages(filter: &LeadFilter) -> Result<()> {
    for stage in &filter.stages {
        check_stage(stage)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_leadline_does_not_know_is_refused_naming_it() {
        let bad = check_stages(&LeadFilter {
            stages: vec!["hot".into()],
            ..LeadFilter::default()
        })
        .unwrap_err();
        assert!(bad.to_string().contains("hot"));
    }
}
