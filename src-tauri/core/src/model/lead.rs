//! A lead as the app shows it and announces it, its stages, its history, and the Leads
//! page's filter and sort.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Announced once, when a lead first qualifies: notify the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QualifiedLead {
    pub lead_id: i64,
    pub account_id: i64,
    /// The name the lead gave, or their WhatsApp name.
    pub name: Option<String>,
    /// E.164 when known.
    pub phone: Option<String>,
    pub reason: String,
    pub score: u8,
    /// The key fields, as (name, value).
    pub fields: Vec<(String, String)>,
}

/// A lead as the Leads list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadSummary {
    pub id: i64,
    pub number_id: i64,
    pub number_name: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub stage: Stage,
    pub score: u8,
    pub reason: Option<String>,
    pub qualified_at: Option<i64>,
    pub updated_at: i64,
    /// (name, value), by name.
    pub fields: Vec<(String, String)>,
}

crate::text_enum::text_enum! {
    /// Where a lead is, in order: the AI moves it from new to engaged to qualified; won and
    /// lost are the owner's to set.
    pub enum Stage {
        New = "new",
        Engaged = "engaged",
        Qualified = "qualified",
        Won = "won",
        Lost = "lost",
    }
}

impl Stage {
    /// Set by the owner: the AI never moves a lead out of it.
    pub fn is_owners(self) -> bool {
        matches!(self, Stage::Won | Stage::Lost)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LeadFilter {
    pub number_id: Option<i64>,
    /// Empty: every stage.
    pub stages: Vec<String>,
    pub min_score: Option<u8>,
    pub qualified_from_ms: Option<i64>,
    pub qualified_until_ms: Option<i64>,
    /// Words to find in the name, phone or any field; a phone may be typed any way.
    pub search: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeadSort {
    #[default]
    Updated,
    Created,
    Name,
    Score,
    Qualified,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadPageRequest {
    #[serde(default)]
    pub filter: LeadFilter,
    #[serde(default)]
    pub sort: LeadSort,
    #[serde(default = "descending")]
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

fn descending() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadPage {
    /// Leads the filter matches in all.
    pub total: u32,
    pub offset: u32,
    pub rows: Vec<LeadSummary>,
}

crate::text_enum::text_enum! {
    /// Who changed a lead.
    pub enum ChangedBy {
        Ai = "ai",
        Owner = "owner",
    }
}

/// One change in a lead's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeadChange {
    /// Fields set (with their value) or cleared (`null`), by name.
    Fields {
        by: ChangedBy,
        fields: Vec<(String, Option<String>)>,
    },
    /// The stage moved; `reason` says why when the AI moved it.
    Stage {
        by: ChangedBy,
        from: Stage,
        to: Stage,
        reason: Option<String>,
    },
    /// The owner's notes changed.
    Notes { by: ChangedBy },
}

impl LeadChange {
    /// The kind as the history stores it: `fields`, `stage` or `notes`.
    pub fn kind(&self) -> &'static str {
        match self {
            LeadChange::Fields { .. } => "fields",
            LeadChange::Stage { .. } => "stage",
            LeadChange::Notes { .. } => "notes",
        }
    }
}

/// An entry of a lead's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadEvent {
    pub id: i64,
    pub change: LeadChange,
    pub created_at: i64,
}
