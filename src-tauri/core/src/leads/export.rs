//! CSV export of the leads a filter matches, in the table's order: one consistent snapshot
//! read on a connection of its own (the bot keeps writing meanwhile), written to a `.part`
//! file that becomes the CSV only when complete, its progress streamed to the caller.

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::lead::{LeadFilter, LeadSort};
use crate::store::{lead_query, leads};
use crate::text;

/// How far an export got: `done` of `total` rows written. Streamed to the caller (the
/// window's progress bar) every few thousand rows and at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ExportProgress {
    pub done: u32,
    pub total: u32,
}

/// Where an export's progress goes.
pub type ProgressSink = std::sync::Arc<dyn Fn(ExportProgress) + Send + Sync>;

/// Progress is announced every this many rows.
const PROGRESS_EVERY: u32 = 2_000;
const FIXED_COLUMNS: [&str; 11] = [
    "Name",
    "Phone",
    // A customer who reached the business by username may have no phone (§5.3).
    "WhatsApp username",
    "WhatsApp number",
    "Stage",
    "Score",
    "Reason",
    "Qualified at",
    "First message",
    "Last activity",
    "Notes",
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LeadExportRequest {
    pub filter: LeadFilter,
    pub sort: LeadSort,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LeadExport {
    /// Where the file was written.
    pub path: String,
    pub rows: u32,
}

/// A cell as a spreadsheet will read it: text that would start a formula gets a leading
/// apostrophe (a customer could write `=HYPERLINK(…)` as their name). Phone numbers such as
/// `+34 611…` stay as they are.
fn safe_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = match text.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !text[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || " ().-".contains(c)),
        _ => false,
    };
    if risky {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// Unix ms as the owner's local date and time, the way spreadsheets read it.
fn local_time(ms: Option<i64>) -> String {
    ms.and_then(crate::clock::local_minute).unwrap_or_default()
}

/// A file name that doesn't exist yet in `dir`: leadline-leads-2026-11-27-1431.csv, then -2, …
fn write_csv(
    conn: &rusqlite::Connection,
    request: &LeadExportRequest,
    out: impl Write,
    progress: &ProgressSink,
) -> Result<u32> {
    crate::leads::filter::check_stages(&request.filter)?;
    let filter = lead_query::conditions(&request.filter);
    let order = lead_query::order_by(request.sort, request.descending);
    let total = lead_query::count(conn, &filter)?;
    let keys = lead_query::field_keys(conn, &filter)?;
    let mut csv = csv::WriterBuilder::new().from_writer(out);
    let csv_error = |e: csv::Error| {
        Error::Unavailable(text!(
            "export.write_failed",
            "The file could not be written: {error}",
            error = e
        ))
    };
    let header: Vec<&str> = FIXED_COLUMNS
        .iter()
        .copied()
        .chain(keys.iter().map(String::as_str))
        .collect();
    csv.write_record(&header).map_err(csv_error)?;
    let mut done: u32 = 0;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    progress(ExportProgress { done, total });
    lead_query::each_for_export(conn, &filter, &order, |row| {
        record.clear();
        record.push(row.name.unwrap_or_default());
        record.push(row.phone.unwrap_or_default());
        // Without its "@": a cell starting with one reads as a formula in spreadsheets.
        record.push(row.username.unwrap_or_default());
        record.push(row.number_name);
        record.push(row.stage);
        record.push(row.score.to_string());
        record.push(row.reason.unwrap_or_default());
        record.push(local_time(row.qualified_at));
        record.push(local_time(row.created_at));
        record.push(local_time(row.updated_at));
        record.push(row.notes);
        for key in &keys {
            record.push(row.fields.get(key).cloned().unwrap_or_default());
        }
        csv.write_record(record.iter().map(|cell| safe_cell(cell).into_owned()))
            .map_err(csv_error)?;
        done += 1;
        if done % PROGRESS_EVERY == 0 {
            progress(ExportProgress { done, total });
        }
        Ok(())
    })?;
    csv.flush().map_err(|e| {
        Error::Unavailable(text!(
            "export.write_failed",
            "The file could not be written: {error}",
            error = e
        ))
    })?;
    progress(ExportProgress { done, total: done });
    Ok(done)
}

/// Writes the leads `request` matches to a new CSV file in `dir`, telling `progress` how
/// far it got.
pub(crate) async fn export(
    core: &Leadline,
    request: LeadExportRequest,
    dir: PathBuf,
    progress: ProgressSink,
) -> Result<LeadExport> {
    // Names and search text the bot left due, so the file matches the table.
    core.store
        .call(|conn| {
            let tx = conn.transaction()?;
            leads::refresh_dirty(&tx)?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    std::fs::create_dir_all(&dir).map_err(|e| {
            Error::Unavailable(text!(
                "export.folder_unusable",
                "The folder {folder} can't be used for the export: {error}. Choose another folder or free some space.",
                folder = dir.display(),
                error = e
            ))
        })?;
    let path = crate::files::free_name(&dir, "leadline-leads", "csv", core.now_ms());
    let part = path.with_extension("csv.part");
    let (part_in, path_in) = (part.clone(), path.clone());
    let written = core
        .store
        .read(move |conn| {
            let file = std::fs::File::create(&part_in).map_err(|e| {
                Error::Unavailable(text!(
                    "export.create_failed",
                    "The file {file} could not be created: {error}.",
                    file = part_in.display(),
                    error = e
                ))
            })?;
            let tx = conn.transaction()?;
            // UTF-8 with a byte-order mark, so spreadsheet programs show accents, Arabic
            // and emoji correctly.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            out.write_all("\u{feff}".as_bytes()).map_err(|e| {
                Error::Unavailable(text!(
                    "export.write_failed",
                    "The file could not be written: {error}",
                    error = e
                ))
            })?;
            let rows = write_csv(&tx, &request, &mut out, &progress)?;
            let file = out.into_inner().map_err(|e| {
                Error::Unavailable(text!(
                    "export.write_failed",
                    "The file could not be written: {error}",
                    error = e
                ))
            })?;
            file.sync_all().map_err(|e| {
                Error::Unavailable(text!(
                    "export.write_failed",
                    "The file could not be written: {error}",
                    error = e
                ))
            })?;
            std::fs::rename(&part_in, &path_in).map_err(|e| {
                Error::Unavailable(text!(
                    "export.write_failed",
                    "The file could not be written: {error}",
                    error = e
                ))
            })?;
            Ok(rows)
        })
        .await;
    match written {
        Ok(rows) => Ok(LeadExport {
            path: path.to_string_lossy().into_owned(),
            rows,
        }),
        Err(e) => {
            // Never leave half a file that looks finished.
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_cell;

    #[test]
    fn text_that_would_start_a_formula_is_quoted_but_phones_are_not() {
        assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(safe_cell("-2+3"), "'-2+3");
        assert_eq!(safe_cell("+34 611 222 333"), "+34 611 222 333");
        assert_eq!(safe_cell("+34611222333"), "+34611222333");
        assert_eq!(safe_cell("Ana"), "Ana");
        assert_eq!(safe_cell("سارة"), "سارة");
        assert_eq!(safe_cell(""), "");
    }
}
