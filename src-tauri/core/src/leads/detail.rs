//! One lead in full (fields with who set them, score and reason, stage, notes, its events)
//! and the owner's edits to it. The owner's field values win over the AI's from then on.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ai::fields;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::leads::filter::check_stage;
use crate::leads::page as lead_rules;
use crate::model::lead::LeadSummary;
use crate::model::lead_field::{FieldKind, LeadField};
use crate::store::{account_settings, accounts, leads};
use crate::text;

const MAX_NOTES: usize = 20_000;
const MAX_VALUE: usize = 1_000;
const MAX_KEY: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadFieldValue {
    pub key: String,
    pub value: String,
    /// `ai` or `owner`.
    pub source: String,
}

use crate::model::lead::{ChangedBy, LeadChange, LeadEvent};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadDetail {
    pub lead: LeadSummary,
    pub fields: Vec<LeadFieldValue>,
    /// The fields the number's assistant asks for, so empty ones can be filled in too.
    pub asked: Vec<LeadField>,
    pub notes: String,
    pub chat_id: Option<i64>,
    pub created_at: i64,
    /// Newest first.
    pub events: Vec<LeadEvent>,
}

/// What the owner changed; what is left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LeadEdit {
    pub stage: Option<String>,
    pub notes: Option<String>,
    /// (field, value); an empty value clears the field.
    pub fields: Vec<(String, String)>,
}

fn not_found(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::QueryReturnedNoRows => Error::NotFound(text!(
            "lead.gone",
            "That lead is no longer in Leadline. Reload the list."
        )),
        other => Error::from(other),
    }
}

/// The asked fields of a lead's number, and the number's country for phones.
fn asked_fields(
    conn: &rusqlite::Connection,
    lead_id: i64,
) -> Result<(Vec<LeadField>, Option<String>)> {
    let account_id = leads::number_of(conn, lead_id).map_err(not_found)?;
    let asked = match account_settings::ai(conn, account_id)? {
        Some(ai) => ai.fields,
        None => Vec::new(),
    };
    let wa_id = accounts::get(conn, account_id)?.and_then(|number| number.wa_id);
    Ok((asked, wa_id.as_deref().and_then(fields::country_of)))
}

fn detail(conn: &rusqlite::Connection, lead_id: i64) -> Result<LeadDetail> {
    let lead = lead_rules::summary(conn, lead_id)?;
    let (asked, _) = asked_fields(conn, lead_id)?;
    let leads::LeadOrigin {
        notes,
        chat_id,
        created_at,
    } = leads::notes_chat_created(conn, lead_id).map_err(not_found)?;
    let fields = leads::fields(conn, lead_id)?
        .into_iter()
        .map(|field| LeadFieldValue {
            key: field.key,
            value: field.value,
            source: field.source.as_str().to_string(),
        })
        .collect();
    let events = leads::events(conn, lead_id, 200)?;
    Ok(LeadDetail {
        lead,
        fields,
        asked,
        notes,
        chat_id,
        created_at,
        events,
    })
}

/// A field name the owner typed: trimmed, not blank, short, one line.
fn clean_key(key: &str) -> Result<String> {
    let key = key.trim();
    if crate::bot::policy::is_blank(key)
        || key.chars().count() > MAX_KEY
        || key.contains(['\n', '\r'])
    {
        return Err(Error::InvalidInput(text!(
            "lead.field_name",
            "A field name needs 1 to {max} characters on one line.",
            max = MAX_KEY
        )));
    }
    Ok(key.to_string())
}

impl Leadline {
    pub async fn lead_detail(&self, lead_id: i64) -> Result<LeadDetail> {
        self.store.call(move |conn| detail(conn, lead_id)).await
    }

    /// Applies the owner's edit in one transaction: nothing changes if any part is refused.
    pub async fn edit_lead(&self, lead_id: i64, edit: LeadEdit) -> Result<LeadDetail> {
        let to_stage = match &edit.stage {
            Some(stage) => Some(check_stage(stage)?),
            None => None,
        };
        if edit
            .notes
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_NOTES)
        {
            return Err(Error::InvalidInput(text!(
                "lead.notes_too_long",
                "Notes can hold up to 20,000 characters."
            )));
        }
        let now = self.clock.now_ms();
        let (number_id, detail) = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let (asked, country) = asked_fields(&tx, lead_id)?;
                let leads::LeadStanding {
                    stage,
                    account_id: number_id,
                    notes,
                } = leads::stage_number_notes(&tx, lead_id).map_err(not_found)?;
                let mut changed = std::collections::BTreeMap::new();
                for (key, value) in &edit.fields {
                    let key = clean_key(key)?;
                    let value = value.trim();
                    if value.is_empty() {
                        if leads::clear_field(&tx, lead_id, &key)? {
                            changed.insert(key, None);
                        }
                        continue;
                    }
                    if value.chars().count() > MAX_VALUE {
                        return Err(Error::InvalidInput(text!(
                            "lead.field_too_long",
                            "“{key}” can hold up to 1,000 characters.",
                            key = key
                        )));
                    }
                    let kind = asked
                        .iter()
                        .find(|f| f.name == key)
                        .map_or(FieldKind::Text, |f| f.kind);
                    let value = fields::check(kind, value, country.as_deref())
                        .map_err(|e| Error::InvalidInput(e.text_in(&key)))?;
                    if leads::set_owner_field(&tx, lead_id, &key, &value, now)? {
                        changed.insert(key, Some(value));
                    }
                }
                let fields_changed = !changed.is_empty();
                if fields_changed {
                    let change = LeadChange::Fields {
                        by: ChangedBy::Owner,
                        fields: changed.into_iter().collect(),
                    };
                    leads::record(&tx, lead_id, &change, now)?;
                }
                if let Some(to) = to_stage.filter(|to| *to != stage) {
                    leads::set_stage(&tx, lead_id, to, now)?;
                    let change = LeadChange::Stage {
                        by: ChangedBy::Owner,
                        from: stage,
                        to,
                        reason: None,
                    };
                    leads::record(&tx, lead_id, &change, now)?;
                }
                let notes_changed = edit.notes.as_ref().filter(|n| **n != notes);
                if let Some(new_notes) = notes_changed {
                    leads::set_notes(&tx, lead_id, new_notes)?;
                    let change = LeadChange::Notes {
                        by: ChangedBy::Owner,
                    };
                    leads::record(&tx, lead_id, &change, now)?;
                }
                let anything = fields_changed
                    || to_stage.is_some_and(|to| to != stage)
                    || notes_changed.is_some();
                if anything {
                    leads::touch(&tx, lead_id, now)?;
                    leads::refresh_search(&tx, lead_id)?;
                }
                let detail = detail(&tx, lead_id)?;
                tx.commit()?;
                Ok((number_id, detail))
            })
            .await?;
        (self.events)(CoreEvent::LeadUpdated {
            id: lead_id,
            number_id,
        });
        Ok(detail)
    }
}
