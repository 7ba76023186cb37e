//! The lead step of a turn: the fields the AI found merged into the contact's lead (checked;
//! the owner's own edits win), a score 0–100 with its reason, the stage moved new →
//! engaged → qualified, and the moment it qualifies announced once.

use crate::ai::fields;
use crate::ai::turn::TurnOutput;
use crate::error::Result;
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::lead::{ChangedBy, LeadChange, QualifiedLead, Stage};
use crate::model::lead_field::LeadField;
use crate::store::leads::FieldRow;
use crate::store::{contacts, leads};

/// What one AI turn found about the customer, to merge into their lead.
#[derive(Debug, Clone)]
pub struct Findings {
    pub account_id: i64,
    pub contact_id: i64,
    pub chat_id: i64,
    /// The details the owner asks for.
    pub asked: Vec<LeadField>,
    pub output: TurnOutput,
    /// The number's own country, for reading phones written without one.
    pub country: Option<String>,
    pub now: i64,
}

/// A lead a turn changed, and the lead when it qualified with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub lead_id: i64,
    pub qualified: Option<QualifiedLead>,
}

/// Merges one turn's findings into the contact's lead, inside the caller's transaction
/// (announce the result with `announce` once it commits).
pub fn merge_turn(tx: &rusqlite::Connection, findings: &Findings) -> Result<Merged> {
    let Findings {
        account_id,
        contact_id,
        chat_id,
        asked,
        output,
        country,
        now,
    } = findings;
    let (account_id, contact_id, chat_id, now) = (*account_id, *contact_id, *chat_id, *now);
    let country = country.as_deref();
    let lead = leads::upsert(tx, account_id, contact_id, Some(chat_id), now)?;
    let mut changed = std::collections::BTreeMap::new();
    for field in asked {
        let Some(value) = output.fields.get(&field.name) else {
            continue;
        };
        match fields::check(field.kind, value, country) {
            Ok(value) => {
                if leads::set_ai_field(tx, lead.id, &field.name, &value, now)? {
                    changed.insert(field.name.clone(), Some(value));
                }
            }
            // The value is the customer's: only what it should have been.
            Err(e) => {
                tracing::debug!(field = %field.name, expected = ?e.expected, "an AI value was not accepted")
            }
        }
    }
    if !changed.is_empty() {
        let change = LeadChange::Fields {
            by: ChangedBy::Ai,
            fields: changed.into_iter().collect(),
        };
        leads::record(tx, lead.id, &change, now)?;
    }
    let known = leads::fields(tx, lead.id)?;
    let (qualified, reason) = qualification(asked, output, &known);
    let score = score(
        known
            .iter()
            .filter(|field| asked.iter().any(|f| f.name == field.key))
            .count(),
        asked.len(),
        qualified,
    );
    let owner_decided = lead.stage.is_owners();
    let newly_qualified = qualified && lead.qualified_at.is_none() && !owner_decided;
    let stage = match lead.stage {
        s if owner_decided || s == Stage::Qualified => s,
        _ if newly_qualified => Stage::Qualified,
        _ => Stage::Engaged,
    };
    if stage != lead.stage {
        let change = LeadChange::Stage {
            by: ChangedBy::Ai,
            from: lead.stage,
            to: stage,
            reason: Some(reason.clone()),
        };
        leads::record(tx, lead.id, &change, now)?;
    }
    leads::mark_search_dirty(tx, lead.id)?;
    leads::update(
        tx,
        lead.id,
        stage,
        score,
        (!reason.is_empty()).then_some(reason.as_str()),
        newly_qualified.then_some(now),
        now,
    )?;
    let announce = if newly_qualified {
        let contacts::Named {
            phone,
            name: push_name,
        } = contacts::named(tx, contact_id)?;
        let given_name = known
            .iter()
            .find(|field| field.key == "name")
            .map(|field| field.value.clone());
        Some(QualifiedLead {
            lead_id: lead.id,
            account_id,
            name: given_name.or(push_name),
            phone,
            reason: reason.clone(),
            score,
            fields: known.into_iter().map(|f| (f.key, f.value)).collect(),
        })
    } else {
        None
    };
    Ok(Merged {
        lead_id: lead.id,
        qualified: announce,
    })
}

/// Announces a merged turn (after its transaction committed): the lead changed, and if it
/// qualified now, the owner is told and the webhook gets it.
pub fn announce(core: &Leadline, account_id: i64, merged: &Merged) {
    (core.events)(CoreEvent::LeadUpdated {
        id: merged.lead_id,
        number_id: account_id,
    });
    if let Some(lead) = &merged.qualified {
        (core.events)(CoreEvent::LeadQualified(lead.clone()));
        core.deliver_qualified(lead.clone());
    }
}

/// Whether the turn qualifies the lead, and the reason to show for it. A qualification
/// rests on the owner's criteria and the values that meet them: where the owner asked for
/// details, the model must name at least one that is known (a customer saying "mark me
/// qualified" gives none), and the reason shown names the criteria met and those values,
/// so a bare claim reads as what it is.
fn qualification(asked: &[LeadField], output: &TurnOutput, known: &[FieldRow]) -> (bool, String) {
    if !output.qualified {
        return (false, output.reason.clone());
    }
    let shown: Vec<String> = output
        .evidence
        .iter()
        .filter_map(|name| {
            let field = known.iter().find(|field| &field.key == name)?;
            Some(format!("{name}: {}", field.value))
        })
        .collect();
    if !asked.is_empty() && shown.is_empty() {
        return (
            false,
            format!("Not qualified: no detail shows it ({})", output.reason)
                .chars()
                .take(300)
                .collect(),
        );
    }
    let met = if output.criteria_met.is_empty() {
        output.reason.as_str()
    } else {
        output.criteria_met.as_str()
    };
    let reason = if shown.is_empty() {
        format!("Meets: {met}")
    } else {
        format!("Meets: {met} — {}", shown.join(", "))
    };
    (true, reason.chars().take(400).collect())
}

/// 0–100: how much of what the owner asked for is known (up to 60), and the AI's verdict
/// (40 more when it says the lead qualifies).
pub fn score(known: usize, asked: usize, qualified: bool) -> u8 {
    let completeness = (known.min(asked) * 60)
        .checked_div(asked)
        .map_or(60, |part| u8::try_from(part).unwrap_or(60));
    completeness + if qualified { 40 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn the_score_grows_with_what_is_known_and_the_verdict() {
        assert_eq!(score(0, 3, false), 0);
        assert_eq!(score(3, 3, false), 60);
        assert_eq!(score(3, 3, true), 100);
        assert_eq!(score(1, 3, true), 60);
        assert_eq!(score(5, 3, false), 60, "more than asked counts as complete");
        assert_eq!(score(0, 0, false), 60, "nothing asked: complete");
    }
}
