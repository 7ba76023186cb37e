//! The Leads table's questions: one page of leads for a filter (number, stages, score,
//! qualified dates, a search in names, phones and every field) in a sort order, and how
//! many leads the filter matches. Built to stay fast at 100,000 leads: every sort has an
//! index, and the search goes through a trigram index instead of scanning.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Leadline;
use crate::error::{Error, Result};
use crate::leads::LeadSummary;
use crate::store::leads;
use crate::text;

/// The trigram index can't look for less than three characters.
const MIN_INDEXED: usize = 3;

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

/// One search word as the index is asked for it: a phone typed with spaces or dashes is
/// looked for as its digits.
fn normalise_term(term: &str) -> String {
    let phone_like = term.chars().filter(char::is_ascii_digit).count() >= 3
        && term
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like {
        term.chars().filter(char::is_ascii_digit).collect()
    } else {
        term.to_string()
    }
}

/// The WHERE clause for `filter` on `leads l`, and its parameters.
pub(crate) fn conditions(filter: &LeadFilter) -> Result<(String, Vec<Value>)> {
    let mut sql = String::from("1 = 1");
    let mut params: Vec<Value> = Vec::new();
    if let Some(number) = filter.number_id {
        sql.push_str(" AND l.account_id = ?");
        params.push(Value::Integer(number));
    }
    if !filter.stages.is_empty() {
        for stage in &filter.stages {
            crate::leads::check_stage(stage)?;
        }
        let marks = vec!["?"; filter.stages.len()].join(", ");
        sql.push_str(&format!(" AND l.stage IN ({marks})"));
        params.extend(filter.stages.iter().map(|s| Value::Text(s.clone())));
    }
    if let Some(min) = filter.min_score {
        sql.push_str(" AND l.score >= ?");
        params.push(Value::Integer(i64::from(min)));
    }
    if let Some(from) = filter.qualified_from_ms {
        sql.push_str(" AND l.qualified_at >= ?");
        params.push(Value::Integer(from));
    }
    if let Some(until) = filter.qualified_until_ms {
        sql.push_str(" AND l.qualified_at < ?");
        params.push(Value::Integer(until));
    }
    // A whole search that reads as a phone ("+34 611 222 333") is one number, not words.
    let whole = normalise_term(filter.search.trim());
    let terms: Vec<String> = if !whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()) {
        vec![whole.chars().take(100).collect()]
    } else {
        filter
            .search
            .split_whitespace()
            .take(10)
            .map(|t| normalise_term(&t.chars().take(100).collect::<String>()))
            .filter(|t| !t.is_empty())
            .collect()
    };
    let (indexed, short): (Vec<&String>, Vec<&String>) =
        terms.iter().partition(|t| t.chars().count() >= MIN_INDEXED);
    if !indexed.is_empty() {
        // Each word as an FTS5 string (quotes doubled), all of them required.
        let query = indexed
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ");
        sql.push_str(" AND l.id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)");
        params.push(Value::Text(query));
    }
    for term in short {
        let escaped = term
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        sql.push_str(" AND l.search_text LIKE ? ESCAPE '\\'");
        params.push(Value::Text(format!("%{escaped}%")));
    }
    Ok((sql, params))
}

pub(crate) fn order_by(sort: LeadSort, descending: bool) -> String {
    let direction = if descending { "DESC" } else { "ASC" };
    let column = match sort {
        LeadSort::Updated => "l.updated_at",
        LeadSort::Created => "l.created_at",
        LeadSort::Name => "l.display_name COLLATE NOCASE",
        LeadSort::Score => "l.score",
        LeadSort::Qualified => "l.qualified_at",
    };
    format!("{column} {direction}, l.id {direction}")
}

impl Leadline {
    /// One page of leads for a filter and sort, and how many match in all.
    pub async fn lead_page(&self, request: LeadPageRequest) -> Result<LeadPage> {
        if request.limit == 0 || request.limit > 500 {
            return Err(Error::InvalidInput(text!(
                "leads.page_size",
                "A page holds 1 to 500 leads."
            )));
        }
        let (filter_sql, params) = conditions(&request.filter)?;
        let order = order_by(request.sort, request.descending);
        self.store
            .call(move |conn| {
                // Leads the bot changed since the last look get their name and search text.
                let tx = conn.transaction()?;
                let refreshed = leads::refresh_dirty(&tx)?;
                tx.commit()?;
                if refreshed > 0 {
                    tracing::debug!(refreshed, "lead names and search text brought up to date");
                }
                let total: u32 = conn
                    .prepare_cached(&format!("SELECT COUNT(*) FROM leads l WHERE {filter_sql}"))?
                    .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
                let mut page_params = params.clone();
                page_params.push(Value::Integer(i64::from(request.limit)));
                page_params.push(Value::Integer(i64::from(request.offset)));
                // The page's ids first, from the sort's index alone (a deep page skips index
                // entries, not joined rows), then each row by its id.
                let ids: Vec<i64> = conn
                    .prepare_cached(&format!(
                        "SELECT l.id FROM leads l WHERE {filter_sql} ORDER BY {order} LIMIT ? OFFSET ?"
                    ))?
                    .query_map(rusqlite::params_from_iter(page_params.iter()), |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                // Not `leads::summary`: a page names its rows from the kept, indexed name
                // (brought up to date above) with one statement for all rows, twice as fast.
                let mut one = conn.prepare_cached(
                    "SELECT l.id, l.account_id, a.name, l.display_name, c.phone, l.stage, l.score,
                            l.qualified_reason, l.qualified_at, l.updated_at
                     FROM leads l JOIN accounts a ON a.id = l.account_id JOIN contacts c ON c.id = l.contact_id
                     WHERE l.id = ?1",
                )?;
                let rows = ids
                    .iter()
                    .map(|id| {
                        one.query_row([id], |r| {
                            let name: String = r.get(3)?;
                            crate::leads::summary_from_row(r, (!name.is_empty()).then_some(name))
                        })
                    })
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let rows = rows
                    .into_iter()
                    .map(|mut row| {
                        row.fields = leads::fields(conn, row.id)?
                            .into_iter()
                            .map(|(key, value, _)| (key, value))
                            .collect();
                        Ok(row)
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(LeadPage {
                    total,
                    offset: request.offset,
                    rows,
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_typed_any_way_are_looked_for_as_digits() {
        assert_eq!(normalise_term("611-222"), "611222");
        assert_eq!(normalise_term("(611)"), "611");
        assert_eq!(normalise_term("+34"), "+34", "too short to be a phone");
        assert_eq!(normalise_term("ana@example.com"), "ana@example.com");
        assert_eq!(normalise_term("سارة"), "سارة");
    }

    #[test]
    fn search_words_become_quoted_index_strings_or_escaped_likes() {
        let (sql, params) = conditions(&LeadFilter {
            search: "ana \"x\" 5% a_".into(),
            ..LeadFilter::default()
        })
        .unwrap();
        assert!(sql.contains("MATCH ?"));
        assert_eq!(params[0], Value::Text("\"ana\" \"\"\"x\"\"\"".into()));
        assert_eq!(params[1], Value::Text("%5\\%%".into()));
        assert_eq!(params[2], Value::Text("%a\\_%".into()));
        let bad = conditions(&LeadFilter {
            stages: vec!["hot".into()],
            ..LeadFilter::default()
        })
        .unwrap_err();
        assert!(bad.to_string().contains("hot"));
    }
}
