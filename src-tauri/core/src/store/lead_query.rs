//! The Leads table's query: the WHERE clause for a filter, the ORDER BY for a sort, and
//! one page of rows with how many match in all.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::leads::{fields, summary_from_row};
use crate::error::Result;
use crate::model::lead::{LeadFilter, LeadSort, LeadSummary};

/// The trigram index can't look for less than three characters.
const MIN_INDEXED: usize = 3;

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

/// The WHERE clause for a filter on `leads l`, and its parameters.
pub struct Conditions {
    pub sql: String,
    pub params: Vec<Value>,
}

/// The conditions for `filter` (its stages checked by the caller).
pub fn conditions(filter: &LeadFilter) -> Conditions {
    let mut sql = String::from("1 = 1");
    let mut params: Vec<Value> = Vec::new();
    if let Some(number) = filter.number_id {
        sql.push_str(" AND l.account_id = ?");
        params.push(Value::Integer(number));
    }
    if !filter.stages.is_empty() {
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
    Conditions { sql, params }
}

pub fn order_by(sort: LeadSort, descending: bool) -> String {
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

/// One page of the Leads table, and how many leads match in all.
pub struct Page {
    pub total: u32,
    pub rows: Vec<LeadSummary>,
}

/// How many leads match `filter`, and the page of them in `order` (with their fields).
pub fn page(
    conn: &Connection,
    filter: &Conditions,
    order: &str,
    limit: u32,
    offset: u32,
) -> rusqlite::Result<Page> {
    let Conditions {
        sql: filter_sql,
        params,
    } = filter;
    let total: u32 = conn
        .prepare_cached(&format!("SELECT COUNT(*) FROM leads l WHERE {filter_sql}"))?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?;
    let mut page_params = params.to_vec();
    page_params.push(Value::Integer(i64::from(limit)));
    page_params.push(Value::Integer(i64::from(offset)));
    // The page's ids first, from the sort's index alone (a deep page skips index
    // entries, not joined rows), then each row by its id.
    let ids: Vec<i64> = conn
        .prepare_cached(&format!(
            "SELECT l.id FROM leads l WHERE {filter_sql} ORDER BY {order} LIMIT ? OFFSET ?"
        ))?
        .query_map(rusqlite::params_from_iter(page_params.iter()), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Not `leads::summary`: a page names its rows from the kept, indexed name
    // (brought up to date by the caller) with one statement for all rows, twice as fast.
    let mut one = conn.prepare_cached(
        "SELECT l.id, l.account_id, a.name, l.display_name, c.phone, l.stage, l.score,
                l.qualified_reason, l.qualified_at, l.updated_at
         FROM leads l JOIN accounts a ON a.id = l.account_id JOIN contacts c ON c.id = l.contact_id
         WHERE l.id = ?1",
    )?;
    let mut rows = ids
        .iter()
        .map(|id| {
            one.query_row([id], |r| {
                let name: String = r.get(3)?;
                summary_from_row(r, (!name.is_empty()).then_some(name))
            })
        })
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for row in &mut rows {
        row.fields = fields(conn, row.id)?
            .into_iter()
            .map(|field| (field.key, field.value))
            .collect();
    }
    Ok(Page { total, rows })
}

/// How many leads match `filter_sql`.
pub fn count(conn: &Connection, filter: &Conditions) -> rusqlite::Result<u32> {
    let Conditions {
        sql: filter_sql,
        params,
    } = filter;
    conn.prepare(&format!("SELECT COUNT(*) FROM leads l WHERE {filter_sql}"))?
        .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))
}

/// The field names (other than `name`) the matching leads have, by name.
pub fn field_keys(conn: &Connection, filter: &Conditions) -> rusqlite::Result<Vec<String>> {
    let Conditions {
        sql: filter_sql,
        params,
    } = filter;
    conn.prepare(&format!(
        "SELECT DISTINCT key FROM lead_fields WHERE key <> 'name'
         AND lead_id IN (SELECT l.id FROM leads l WHERE {filter_sql}) ORDER BY key"
    ))?
    .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
    .collect()
}

/// A lead as a spreadsheet row holds it.
pub struct ExportRow {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The contact's WhatsApp username (without "@"), when they have one.
    pub username: Option<String>,
    pub number_name: String,
    pub stage: String,
    pub score: i64,
    pub reason: Option<String>,
    pub qualified_at: Option<i64>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub notes: String,
    /// Its fields, by name.
    pub fields: std::collections::BTreeMap<String, String>,
}

/// A lead's fields from the JSON object SQLite made of them (strings only).
fn fields_of(json: Option<&str>) -> std::collections::BTreeMap<String, String> {
    json.and_then(|json| {
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json).ok()
    })
    .unwrap_or_default()
    .into_iter()
    .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
    .collect()
}

/// Hands every matching lead, in `order`, to `each` (streamed: one row in memory at a time).
pub fn each_for_export(
    conn: &Connection,
    filter: &Conditions,
    order: &str,
    mut each: impl FnMut(ExportRow) -> Result<()>,
) -> Result<()> {
    let Conditions {
        sql: filter_sql,
        params,
    } = filter;
    let mut stmt = conn.prepare(&format!(
        "SELECT l.display_name, c.phone, a.name, l.stage, l.score, l.qualified_reason, l.qualified_at,
                l.created_at, l.updated_at, l.notes,
                (SELECT json_group_object(key, value) FROM lead_fields WHERE lead_id = l.id),
                c.username
         FROM leads l JOIN accounts a ON a.id = l.account_id JOIN contacts c ON c.id = l.contact_id
         WHERE {filter_sql} ORDER BY {order}"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(row) = rows.next()? {
        each(ExportRow {
            name: row.get(0)?,
            phone: row.get(1)?,
            number_name: row.get(2)?,
            stage: row.get(3)?,
            score: row.get(4)?,
            reason: row.get(5)?,
            qualified_at: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
            notes: row.get(9)?,
            fields: fields_of(row.get::<_, Option<String>>(10)?.as_deref()),
            username: row.get(11)?,
        })?;
    }
    Ok(())
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
        let Conditions { sql, params } = conditions(&LeadFilter {
            search: "ana \"x\" 5% a_".into(),
            ..LeadFilter::default()
        });
        assert!(sql.contains("MATCH ?"));
        assert_eq!(params[0], Value::Text("\"ana\" \"\"\"x\"\"\"".into()));
        assert_eq!(params[1], Value::Text("%5\\%%".into()));
        assert_eq!(params[2], Value::Text("%a\\_%".into()));
    }
}
