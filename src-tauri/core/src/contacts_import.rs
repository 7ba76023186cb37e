//! The owner's address book, imported from a vCard (.vcf) or CSV export, marks those people
//! as known contacts of a number, so the bot can leave them to the owner. Phones are read
//! with the number's own country as the default and kept in E.164; lines that hold no
//! usable phone are counted and shown, never silently dropped.

use serde::Serialize;
use ts_rs::TS;

use crate::Leadline;
use crate::ai::fields::{self, FieldKind};
use crate::error::{Error, Result};
use crate::store::activity;
use crate::text;
use crate::text::Text;

/// Larger than any address book; a bigger file is probably not one.
const MAX_BYTES: usize = 20 * 1024 * 1024;
/// How many unreadable entries the report lists (it counts them all).
const MAX_LISTED: usize = 20;

/// One person's phone as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Line (vCard: where the card starts; CSV: the record's line).
    pub line: u64,
    pub name: Option<String>,
    pub phone: String,
}

/// An entry Leadline could not use, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SkippedEntry {
    pub line: u64,
    pub text: String,
    pub reason: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// Phones found in the file.
    pub found: u32,
    /// Newly marked as known.
    pub added: u32,
    /// Already known before (or twice in the file).
    pub already_known: u32,
    pub skipped: u32,
    /// The first skipped entries, to show.
    pub skipped_entries: Vec<SkippedEntry>,
    /// Known contacts of this number after the import.
    pub known_total: u32,
}

/// Joins folded vCard lines (a line starting with a space or tab continues the previous).
fn unfold(text: &str) -> Vec<(u64, String)> {
    let mut lines: Vec<(u64, String)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        if let (Some(rest), Some(last)) = (
            raw.strip_prefix(' ').or_else(|| raw.strip_prefix('\t')),
            lines.last_mut(),
        ) {
            last.1.push_str(rest);
        } else {
            lines.push((index as u64 + 1, raw.to_string()));
        }
    }
    lines
}

/// vCard 2.1 / 3.0 / 4.0: each card's FN (or N) and every TEL.
pub fn parse_vcard(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut card_line = 0;
    let mut name: Option<String> = None;
    let mut phones: Vec<String> = Vec::new();
    for (line, content) in unfold(text) {
        let Some((property, value)) = content.split_once(':') else {
            continue;
        };
        // `item1.TEL;TYPE=CELL` → `TEL`
        let key = property
            .split(';')
            .next()
            .unwrap_or_default()
            .rsplit('.')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match key.as_str() {
            "BEGIN" if value.trim().eq_ignore_ascii_case("VCARD") => {
                card_line = line;
                name = None;
                phones.clear();
            }
            "FN" => name = Some(unescape(value)).filter(|n| !n.is_empty()),
            "N" if name.is_none() => {
                // Family;Given;Additional;Prefix;Suffix
                let parts: Vec<&str> = value.split(';').collect();
                let given = parts.get(1).copied().unwrap_or_default();
                let family = parts.first().copied().unwrap_or_default();
                let joined = format!("{given} {family}").trim().to_string();
                name = Some(unescape(&joined)).filter(|n| !n.is_empty());
            }
            "TEL" => phones.push(value.trim().trim_start_matches("tel:").to_string()),
            "END" if value.trim().eq_ignore_ascii_case("VCARD") => {
                for phone in phones.drain(..) {
                    entries.push(Entry {
                        line: card_line,
                        name: name.clone(),
                        phone,
                    });
                }
            }
            _ => {}
        }
    }
    entries
}

fn unescape(value: &str) -> String {
    value
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\n", " ")
        .trim()
        .to_string()
}

fn is_phone_header(header: &str) -> bool {
    let h = header.to_lowercase();
    [
        "phone", "mobile", "tel", "cell", "whatsapp", "móvil", "movil", "celular", "número",
        "numero", "number", "هاتف", "جوال",
    ]
    .iter()
    .any(|w| h.contains(w))
        && !h.contains("type")
        && !h.contains("label")
}

fn is_name_header(header: &str) -> bool {
    let h = header.to_lowercase();
    ["name", "nombre", "nome", "contact", "اسم"]
        .iter()
        .any(|w| h.contains(w))
        && !h.contains("phonetic")
        && !h.contains("nick")
}

/// CSV from Google Contacts, Outlook, a phone or a spreadsheet: the columns whose header
/// names a phone, and the first that names a person. Without a header row, every cell
/// that looks like a phone is one, and the first other cell is the name.
pub fn parse_csv(text: &str) -> std::result::Result<Vec<Entry>, String> {
    // A spreadsheet saved with semicolons (common where the comma is the decimal mark).
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let Some(head) = records.next() else {
        return Ok(Vec::new());
    };
    let head = head.map_err(|e| e.to_string())?;
    let phone_columns: Vec<usize> = head
        .iter()
        .enumerate()
        .filter(|(_, h)| is_phone_header(h))
        .map(|(i, _)| i)
        .collect();
    let name_column = head.iter().position(is_name_header);
    let mut entries = Vec::new();
    let push_row = |record: &csv::StringRecord, entries: &mut Vec<Entry>| {
        let line = record.position().map_or(0, |p| p.line());
        if phone_columns.is_empty() {
            let looks_like_phone = |cell: &str| {
                cell.chars().filter(char::is_ascii_digit).count() >= 6
                    && cell
                        .chars()
                        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            };
            let name = record
                .iter()
                .find(|c| !c.trim().is_empty() && !looks_like_phone(c))
                .map(|c| c.trim().to_string());
            for cell in record.iter().filter(|c| looks_like_phone(c)) {
                entries.push(Entry {
                    line,
                    name: name.clone(),
                    phone: cell.trim().to_string(),
                });
            }
        } else {
            let name = name_column
                .and_then(|i| record.get(i))
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty());
            for &column in &phone_columns {
                // Google puts several phones in one cell: "+34 600 ::: +34 611".
                let cell = record.get(column).unwrap_or_default();
                for phone in cell.split(":::").map(str::trim).filter(|p| !p.is_empty()) {
                    entries.push(Entry {
                        line,
                        name: name.clone(),
                        phone: phone.to_string(),
                    });
                }
            }
        }
    };
    if phone_columns.is_empty() {
        push_row(&head, &mut entries);
    }
    for record in records {
        match record {
            Ok(record) => push_row(&record, &mut entries),
            // A broken line is reported by the caller as unreadable, the rest still counts.
            Err(e) => tracing::debug!(error = %e, "a CSV line could not be read"),
        }
    }
    Ok(entries)
}

/// The entries of a file, whichever of the two formats it is.
pub fn parse(text: &str) -> Result<Vec<Entry>> {
    if text.to_ascii_uppercase().contains("BEGIN:VCARD") {
        return Ok(parse_vcard(text));
    }
    parse_csv(text).map_err(|e| {
        Error::InvalidInput(text!("contacts.unreadable", "This file could not be read as contacts ({error}). Export your contacts as a vCard (.vcf) or CSV file and try again.", error = e))
    })
}

/// Contacts written per transaction.
const IMPORT_CHUNK: usize = 500;

impl Leadline {
    /// Marks the people in `text` (a vCard or CSV file's contents) as known contacts of
    /// number `account_id`.
    pub async fn import_contacts(&self, account_id: i64, text: String) -> Result<ImportReport> {
        if text.len() > MAX_BYTES {
            return Err(Error::InvalidInput(text!(
                "contacts.too_large",
                "This file is larger than 20 MB, too large for an address book. Export only your contacts as a vCard (.vcf) or CSV file."
            )));
        }
        let text = text.trim_start_matches('\u{feff}').to_string();
        let entries = parse(&text)?;
        if entries.is_empty() {
            return Err(Error::InvalidInput(text!(
                "contacts.no_phones",
                "No phone numbers were found in this file. Export your contacts as a vCard (.vcf) or CSV file with a phone column."
            )));
        }
        let now = self.clock.now_ms();
        let me: Option<String> = self
            .store
            .call(move |conn| {
                conn.query_row(
                    "SELECT wa_id FROM accounts WHERE id = ?1",
                    [account_id],
                    |r| r.get(0),
                )
                .map_err(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Error::NotFound(text!(
                        "number.removed",
                        "That number was removed. Reload the list."
                    )),
                    other => Error::from(other),
                })
            })
            .await?;
        let country = me.as_deref().and_then(fields::country_of);
        // Reading the phones is the slow part: done without the shared connection, so the
        // bots go on storing and answering messages meanwhile.
        let (people, mut report) = tokio::task::spawn_blocking(move || {
            let mut report = ImportReport {
                found: 0,
                added: 0,
                already_known: 0,
                skipped: 0,
                skipped_entries: Vec::new(),
                known_total: 0,
            };
            let mut people = Vec::with_capacity(entries.len());
            for entry in entries {
                report.found += 1;
                let Ok(phone) = fields::check(FieldKind::Phone, &entry.phone, country.as_deref()) else {
                    report.skipped += 1;
                    if report.skipped_entries.len() < MAX_LISTED {
                        report.skipped_entries.push(SkippedEntry {
                            line: entry.line,
                            text: entry.phone.chars().take(60).collect(),
                            reason: if country.is_none() && !entry.phone.trim_start().starts_with('+') {
                                text!("contacts.needs_country", "Not a phone number Leadline can read without the country code (link the number first, or write it as +country code).")
                            } else {
                                text!("contacts.not_phone", "Not a phone number Leadline can read.")
                            },
                        });
                    }
                    continue;
                };
                people.push((phone, entry.name));
            }
            (people, report)
        })
        .await
        .map_err(|e| Error::Internal(format!("reading the address book stopped: {e}")))?;
        // Written in chunks, each its own transaction (a contact marked twice is marked
        // once), so no bot waits long for the connection.
        for chunk in people.chunks(IMPORT_CHUNK) {
            let chunk = chunk.to_vec();
            let (added, already) = self
                .store
                .call(move |conn| {
                    let tx = conn.transaction()?;
                    let (mut added, mut already) = (0u32, 0u32);
                    for (phone, name) in chunk {
                        let wa_id = format!("{}@c.us", phone.trim_start_matches('+'));
                        let inserted = tx.execute(
                            "INSERT INTO contacts (account_id, wa_id, phone, display_name, known, created_at, updated_at)
                             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5) ON CONFLICT (account_id, wa_id) DO NOTHING",
                            rusqlite::params![account_id, wa_id, phone, name, now],
                        )?;
                        // Also people who wrote from a linked id (@lid) whose phone is known.
                        let marked = tx.execute(
                            "UPDATE contacts SET known = 1, display_name = COALESCE(display_name, ?4), updated_at = ?5
                             WHERE account_id = ?1 AND (wa_id = ?2 OR phone = ?3) AND known = 0",
                            rusqlite::params![account_id, wa_id, phone, name, now],
                        )?;
                        if inserted + marked > 0 {
                            added += 1;
                        } else {
                            already += 1;
                        }
                    }
                    tx.commit()?;
                    Ok((added, already))
                })
                .await?;
            report.added += added;
            report.already_known += already;
        }
        let (added, skipped) = (report.added, report.skipped);
        report.known_total = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let known = tx.query_row(
                    "SELECT COUNT(*) FROM contacts WHERE account_id = ?1 AND known = 1",
                    [account_id],
                    |r| r.get(0),
                )?;
                activity::insert_with(
                    &tx,
                    Some(account_id),
                    "contacts_imported",
                    &format!("Imported {added} contacts from the address book ({skipped} could not be read)"),
                    &[("added", &added.to_string()), ("skipped", &skipped.to_string())],
                    now,
                )?;
                tx.commit()?;
                Ok(known)
            })
            .await?;
        Ok(report)
    }

    /// How many contacts of the number are known (imported).
    pub async fn known_contacts(&self, account_id: i64) -> Result<u32> {
        self.store
            .call(move |conn| {
                Ok(conn.query_row(
                    "SELECT COUNT(*) FROM contacts WHERE account_id = ?1 AND known = 1",
                    [account_id],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    /// Forgets the imported address book of a number (the people stay as customers).
    pub async fn forget_known_contacts(&self, account_id: i64) -> Result<u32> {
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let cleared = tx.execute(
                    "UPDATE contacts SET known = 0, updated_at = ?2 WHERE account_id = ?1 AND known = 1",
                    rusqlite::params![account_id, now],
                )?;
                activity::insert_with(&tx, Some(account_id), "contacts_forgotten", &format!("Forgot {cleared} imported contacts"), &[("count", &cleared.to_string())], now)?;
                tx.commit()?;
                Ok(u32::try_from(cleared).unwrap_or(u32::MAX))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcards_of_every_version_give_each_phone_with_its_name() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:García;Ana;;;\r\nFN:Ana García\r\nTEL;TYPE=CELL:+34 600 11\r\n 1 222\r\nitem1.TEL:611 222 333\r\nEND:VCARD\r\n\
BEGIN:VCARD\nVERSION:2.1\nN:Haddad;Layla\nTEL;CELL:+971 50 123 4567\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:4.0\nFN:Sin teléfono\nEMAIL:x@example.com\nEND:VCARD\n";
        let entries = parse(text).unwrap();
        let phones: Vec<(&str, Option<&str>)> = entries
            .iter()
            .map(|e| (e.phone.as_str(), e.name.as_deref()))
            .collect();
        assert_eq!(
            phones,
            [
                ("+34 600 111 222", Some("Ana García")),
                ("611 222 333", Some("Ana García")),
                ("+971 50 123 4567", Some("Layla Haddad")),
            ]
        );
        assert_eq!(entries[2].line, 9, "where the card starts");
    }

    #[test]
    fn csv_from_google_outlook_or_a_plain_list() {
        let google = "Name,Given Name,Phone 1 - Type,Phone 1 - Value\nAna García,Ana,Mobile,+34 600 111 222 ::: 611 222 333\n\"Pérez, Luis\",Luis,Work,+1 415 555 2671\n";
        let entries = parse(google).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].name.as_deref(), Some("Ana García"));
        assert_eq!(entries[1].phone, "611 222 333");
        assert_eq!(entries[2].name.as_deref(), Some("Pérez, Luis"));
        assert_eq!(entries[2].line, 3);

        let semicolons = "Nombre;Móvil\nAna;600111222\n";
        assert_eq!(parse(semicolons).unwrap()[0].phone, "600111222");

        let plain = "Ana,+34 600 111 222\nLuis,611222333\n";
        let entries = parse(plain).unwrap();
        assert_eq!(
            entries.len(),
            2,
            "no header: the first line is a contact too"
        );
        assert_eq!(entries[1].name.as_deref(), Some("Luis"));
    }

    #[test]
    fn odd_files_give_no_entries_rather_than_a_crash() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("just some text\nwithout phones").unwrap().is_empty());
        assert!(parse("BEGIN:VCARD\nTEL:123").unwrap().is_empty(), "no END");
        let _ = parse("\"unclosed,quote\n1,2");
        let _ = parse("\u{202e}\u{200b}🙂,+34 600 111 222\n");
    }
}
