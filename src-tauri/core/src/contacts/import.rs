//! The owner's address book, imported from a vCard (.vcf) or CSV export, marks those people
//! as known contacts of a number, so the bot can leave them to the owner. Phones are read
//! with the number's own country as the default and kept in E.164; lines that hold no
//! usable phone are counted and shown, never silently dropped.

use serde::Serialize;
use ts_rs::TS;

use super::entry::Entry;
use super::{csv_book, decode, vcard};
use crate::ai::fields;
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::activity::Activity;
use crate::store::{accounts, activity, contacts};
use crate::text;
use crate::text::Text;

/// Larger than any address book, pictures included (an iPhone's export of a few thousand
/// contacts with photos is tens of MB); a bigger file is probably not one.
pub const MAX_BYTES: usize = 256 * 1024 * 1024;
/// How many unreadable entries the report lists (it counts them all).
const MAX_LISTED: usize = 20;

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
    /// Written with a country code but no `+`, valid as a local number too, and read as the
    /// international one (`48 691 342 341` in a German book is a Polish number).
    pub read_internationally: u32,
    pub skipped: u32,
    /// The first skipped entries, to show.
    pub skipped_entries: Vec<SkippedEntry>,
    /// Known contacts of this number after the import.
    pub known_total: u32,
}

/// The entries of a file, whichever of the two formats it is, in whichever encoding.
pub fn parse(raw: &[u8]) -> Result<Vec<Entry>> {
    let read = decode::bytes(raw).map_err(|e| {
        Error::InvalidInput(match e {
            decode::NotText::Binary => text!("contacts.not_text", "This file is not a text address book (it may be a spreadsheet, an archive or a picture). Export your contacts as a vCard (.vcf) or CSV file and try again."),
            decode::NotText::BrokenUtf16 => text!("contacts.broken_utf16", "This file says it is written in UTF-16 but part of it is not, so it can't be read safely. Export your contacts again as a vCard (.vcf) or CSV file."),
        })
    })?;
    if vcard::is_vcard(&read.bytes) {
        return Ok(vcard::parse(&read.bytes, read.transcoded));
    }
    let text = decode::text(&read.bytes, None);
    csv_book::parse(&text).map_err(|e| {
        Error::InvalidInput(text!("contacts.unreadable", "This file could not be read as contacts ({error}). Export your contacts as a vCard (.vcf) or CSV file and try again.", error = e))
    })
}

/// Contacts written per transaction.
const IMPORT_CHUNK: usize = 250;
/// The wait between two of them.
const IMPORT_BREATH: std::time::Duration = std::time::Duration::from_millis(1);

/// The phones of an address book's entries, read with the number's country as the default;
/// what could not be read is counted, and the first few listed.
fn read_phones(
    entries: Vec<Entry>,
    country: Option<&str>,
) -> (Vec<(String, Option<String>)>, ImportReport) {
    let mut report = ImportReport {
        found: 0,
        added: 0,
        already_known: 0,
        read_internationally: 0,
        skipped: 0,
        skipped_entries: Vec::new(),
        known_total: 0,
    };
    let mut people = Vec::with_capacity(entries.len());
    for entry in entries {
        report.found += 1;
        let Some(read) = fields::book_phone(&entry.phone, country) else {
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
        if read.read_internationally {
            report.read_internationally += 1;
        }
        people.push((read.phone, entry.name));
    }
    (people, report)
}

impl Leadline {
    /// Marks the people in `text` (a vCard or CSV file's contents) as known contacts of
    /// number `account_id`.
    pub async fn import_contacts(&self, account_id: i64, file: Vec<u8>) -> Result<ImportReport> {
        if file.len() > MAX_BYTES {
            return Err(Error::InvalidInput(text!(
                "contacts.too_large",
                "This file is larger than 256 MB, too large for an address book. Export only your contacts as a vCard (.vcf) or CSV file."
            )));
        }
        // Reading a big book takes a moment: off the async threads.
        let entries = tokio::task::spawn_blocking(move || parse(&file))
            .await
            .map_err(|e| Error::Internal(format!("reading the address book stopped: {e}")))??;
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
                accounts::wa_id_of(conn, account_id).map_err(|e| match e {
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
        let (people, mut report) =
            tokio::task::spawn_blocking(move || read_phones(entries, country.as_deref()))
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
                        if contacts::mark_known(
                            &tx,
                            account_id,
                            &wa_id,
                            &phone,
                            name.as_deref(),
                            now,
                        )? {
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
            // A breath between chunks: the connection's lock is not fair, and without it the
            // next chunk took it again before a bot waiting for it (measured: a bot's p99
            // while importing 12 ms without, 6.7 ms with; the import 0.45 s → 0.9 s).
            crate::clock::pause(IMPORT_BREATH).await;
        }
        let (added, skipped) = (report.added, report.skipped);
        report.known_total = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let known = contacts::known_count(&tx, account_id)?;
                activity::record(
                    &tx,
                    Some(account_id),
                    &Activity::ContactsImported { added, skipped },
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
            .call(move |conn| Ok(contacts::known_count(conn, account_id)?))
            .await
    }

    /// Forgets the imported address book of a number (the people stay as customers).
    pub async fn forget_known_contacts(&self, account_id: i64) -> Result<u32> {
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let cleared = contacts::forget_known(&tx, account_id, now)?;
                activity::record(
                    &tx,
                    Some(account_id),
                    &Activity::ContactsForgotten { count: cleared },
                    now,
                )?;
                tx.commit()?;
                Ok(cleared)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people(raw: &[u8]) -> Vec<(String, Option<String>)> {
        parse(raw)
            .unwrap()
            .into_iter()
            .map(|e| (e.phone, e.name))
            .collect()
    }

    fn pair(phone: &str, name: &str) -> (String, Option<String>) {
        (phone.to_string(), Some(name.to_string()))
    }

    #[test]
    fn vcards_of_every_version_give_each_phone_with_its_name() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:García;Ana;;;\r\nFN:Ana García\r\nTEL;TYPE=CELL:+34 600 11\r\n 1 222\r\nitem1.TEL:611 222 333\r\nEND:VCARD\r\n\
BEGIN:VCARD\nVERSION:2.1\nN:Haddad;Layla\nTEL;CELL:+971 50 123 4567\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:4.0\nFN:Sin teléfono\nEMAIL:x@example.com\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:4.0\nFN:Luis\nTEL;VALUE=uri;TYPE=cell:tel:+1-415-555-2671\nEND:VCARD\n";
        let entries = parse(text.as_bytes()).unwrap();
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
                ("+1-415-555-2671", Some("Luis")),
            ]
        );
        assert_eq!(entries[2].line, 9, "where the card starts");
    }

    /// vCard 2.1 as Android and Samsung export it: every accented or non-Latin name in
    /// quoted-printable, long ones continued by soft line breaks, in the charset named.
    #[test]
    fn vcard_21_quoted_printable_and_charsets_are_decoded() {
        let android = b"BEGIN:VCARD\r\n\
VERSION:2.1\r\n\
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Mu=C3=B1oz;Jos=C3=A9;;;\r\n\
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9=20Mu=C3=B1oz\r\n\
TEL;CELL:+34 600 111 222\r\n\
END:VCARD\r\n\
BEGIN:VCARD\r\n\
VERSION:2.1\r\n\
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D9=85=D8=AD=D9=85=D8=AF =D8=A8=D9=86 =D8=B1=D8=A7=D8=B4=D8=AF =\r\n\
=D8=A7=D9=84=D9=85=D9=83=D8=AA=D9=88=D9=85\r\n\
TEL;CELL;PREF:+971 50 123 4567\r\n\
END:VCARD\r\n\
BEGIN:VCARD\r\n\
VERSION:2.1\r\n\
N;QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Gonz=E1lez;Mar=EDa;;;\r\n\
TEL;HOME:+34 911 222 333\r\n\
END:VCARD\r\n\
BEGIN:VCARD\r\n\
VERSION:2.1\r\n\
FN;CHARSET=ISO-8859-1:Fran\xE7ois\r\n\
TEL:+33 6 12 34 56 78\r\n\
END:VCARD\r\n";
        assert_eq!(
            people(android),
            [
                pair("+34 600 111 222", "José Muñoz"),
                pair("+971 50 123 4567", "محمد بن راشد المكتوم"),
                pair("+34 911 222 333", "María González"),
                pair("+33 6 12 34 56 78", "François"),
            ]
        );
    }

    #[test]
    fn whole_files_in_utf16_or_windows_1252_are_read() {
        let outlook = "First Name,Middle Name,Last Name,Company,Mobile Phone,Business Fax\r\nJosé,Luis,Muñoz,,+34 600 111 222,+34 911 000 000\r\n";
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in outlook.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(people(&utf16), [pair("+34 600 111 222", "José Luis Muñoz")]);
        let mut big_endian = vec![0xFE, 0xFF];
        for unit in outlook.encode_utf16() {
            big_endian.extend_from_slice(&unit.to_be_bytes());
        }
        assert_eq!(people(&big_endian), people(&utf16));
        let latin1 =
            b"Name;Mobile\r\nJos\xE9 Mu\xF1oz;+34 600 111 222\r\nZo\xEB \x80;+34 600 111 333\r\n";
        assert_eq!(
            people(latin1),
            [
                pair("+34 600 111 222", "José Muñoz"),
                pair("+34 600 111 333", "Zoë €"),
            ]
        );
        let picture = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0";
        let refused = parse(picture).unwrap_err();
        assert!(
            refused.text().english.contains("not a text address book"),
            "{refused:?}"
        );
    }

    #[test]
    fn names_as_a_person_says_them() {
        // Google's current export: First/Middle/Last, the company, phones in ::: lists.
        let google = "First Name,Middle Name,Last Name,Phonetic First Name,Nickname,Organization Name,Organization Title,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value\n\
Ana,María,García López,,Anita,,,Mobile,+34 600 111 222 ::: +34 611 222 333,,\n\
,,,,,Talleres Pérez SL,Gerente,Work,+34 911 222 333,,\n";
        assert_eq!(
            people(google.as_bytes()),
            [
                pair("+34 600 111 222", "Ana María García López"),
                pair("+34 611 222 333", "Ana María García López"),
                pair("+34 911 222 333", "Talleres Pérez SL"),
            ]
        );
        // A single name column, when filled, is what the person is called.
        let both = "Name,Given Name,Family Name,Phone 1 - Value\nAna G.,Ana,García,+34 600 111 222\n,Luis,Pérez,+34 600 111 333\n";
        assert_eq!(
            people(both.as_bytes()),
            [
                pair("+34 600 111 222", "Ana G."),
                pair("+34 600 111 333", "Luis Pérez")
            ]
        );
        // vCards: a company only, N without FN, and a card inside a card (2.1's AGENT) or
        // in AGENT's text (3.0), each with its own name and phones.
        let cards = "BEGIN:VCARD\nVERSION:3.0\nORG:Panadería Sol;Ventas\nTEL:+34 600 000 001\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Pérez;Luis;Alberto;Dr.;\nTEL:+34 600 000 002\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:2.1\nFN:Boss\nTEL:+34 600 000 003\nAGENT:\nBEGIN:VCARD\nVERSION:2.1\nFN:Assistant\nTEL:+34 600 000 004\nEND:VCARD\nTEL;WORK:+34 600 000 005\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nFN:Jefa\nAGENT:BEGIN:VCARD\\nFN:Ayudante\\nTEL:+34 600 000 006\\nEND:VCARD\nTEL:+34 600 000 007\nEND:VCARD\n";
        assert_eq!(
            people(cards.as_bytes()),
            [
                pair("+34 600 000 001", "Panadería Sol"),
                pair("+34 600 000 002", "Dr. Luis Alberto Pérez"),
                pair("+34 600 000 004", "Assistant"),
                pair("+34 600 000 003", "Boss"),
                pair("+34 600 000 005", "Boss"),
                pair("+34 600 000 006", "Ayudante"),
                pair("+34 600 000 007", "Jefa"),
            ]
        );
    }

    #[test]
    fn only_phone_columns_are_phones_and_tabs_separate_too() {
        let hr = "Full Name\tNational ID Number\tGovernment ID Number\tAccount number\tPhone number\tHome Fax\tPhone 1 - Type\n\
Ana García\t12345678901\t98765432109\t555000111222\t+34 600 111 222\t+34 911 000 000\tMobile\n";
        assert_eq!(
            people(hr.as_bytes()),
            [pair("+34 600 111 222", "Ana García")]
        );
        let plain = "Nombre;Número\nAna;600111222\n";
        assert_eq!(parse(plain.as_bytes()).unwrap()[0].phone, "600111222");
        let semicolons = "Nombre;Móvil\nAna;600111222\n";
        assert_eq!(parse(semicolons.as_bytes()).unwrap()[0].phone, "600111222");
        let plain = "Ana,+34 600 111 222\nLuis,611222333\n";
        let entries = parse(plain.as_bytes()).unwrap();
        assert_eq!(
            entries.len(),
            2,
            "no header: the first line is a contact too"
        );
        assert_eq!(entries[1].name.as_deref(), Some("Luis"));
    }

    #[test]
    fn digits_of_any_script_and_numbers_written_with_their_country_code() {
        assert_eq!(
            fields::phone_in_book("+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", None).as_deref(),
            Some("+971501234567")
        );
        assert_eq!(
            fields::phone_in_book("۰۹۱۲ ۳۴۵ ۶۷۸۹", Some("IR")).as_deref(),
            Some("+989123456789")
        );
        assert_eq!(
            fields::phone_in_book("+971 ٥٠ 123 ٤٥٦٧", None).as_deref(),
            Some("+971501234567"),
            "mixed"
        );
        // A Polish mobile in a German book, written without the +: not a German number,
        // and counted as read that way.
        assert_eq!(
            fields::book_phone("48 691 342 341", Some("DE")),
            Some(fields::BookPhone {
                phone: "+48691342341".into(),
                read_internationally: true
            })
        );
        assert_eq!(
            fields::book_phone("34 600 111 222", Some("ES")).map(|r| r.read_internationally),
            Some(false),
            "only one reading is valid: nothing to tell"
        );
        // Local numbers stay local.
        assert_eq!(
            fields::phone_in_book("0151 23456789", Some("DE")).as_deref(),
            Some("+4915123456789")
        );
        assert_eq!(
            fields::phone_in_book("600 111 222", Some("ES")).as_deref(),
            Some("+34600111222")
        );
        assert_eq!(
            fields::phone_in_book("(415) 555-2671", Some("US")).as_deref(),
            Some("+14155552671")
        );
        assert_eq!(fields::phone_in_book("12", Some("ES")), None);
    }

    #[test]
    fn pictures_are_skipped_as_they_stream() {
        // An iPhone card: a folded base64 PHOTO of 200 KB; 2.1's ends with an empty line.
        let photo: String = "/9j/4AAQSkZJRgABAQAAAQABAAD".repeat(8_000);
        let folded: String = photo
            .as_bytes()
            .chunks(74)
            .map(|c| format!(" {}\r\n", String::from_utf8_lossy(c)))
            .collect();
        let iphone = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nPHOTO;ENCODING=b;TYPE=JPEG:{}\r\n{folded}item1.TEL;type=pref:+34 600 111 222\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Luis\r\nPHOTO;ENCODING=BASE64;JPEG:\r\n{folded}\r\nTEL;CELL:+34 600 111 333\r\nEND:VCARD\r\n",
            &photo[..40]
        );
        assert_eq!(
            people(iphone.as_bytes()),
            [
                pair("+34 600 111 222", "Ana"),
                pair("+34 600 111 333", "Luis")
            ]
        );
    }

    #[test]
    fn odd_files_give_no_entries_rather_than_a_crash() {
        assert!(parse(b"").unwrap().is_empty());
        assert!(parse(b"just some text\nwithout phones").unwrap().is_empty());
        assert!(parse(b"BEGIN:VCARD\nTEL:123").unwrap().is_empty(), "no END");
        let _ = parse(b"\"unclosed,quote\n1,2");
        let _ = parse("\u{202e}\u{200b}🙂,+34 600 111 222\n".as_bytes());
        let _ = parse(b"BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:=\nEND:VCARD\nEND:VCARD\n=ZZ=");
        let _ = parse(b"BEGIN:VCARD\nAGENT:BEGIN:VCARD\\nAGENT:BEGIN:VCARD\nEND:VCARD\n");
        // A broken soft break never swallows the end of its card.
        assert_eq!(
            people(b"BEGIN:VCARD\nTEL:+34 600 111 222\nFN;ENCODING=QUOTED-PRINTABLE:Ana=\nEND:VCARD\nBEGIN:VCARD\nFN:Luis\nTEL:+34 600 111 333\nEND:VCARD\n"),
            [pair("+34 600 111 222", "Ana"), pair("+34 600 111 333", "Luis")]
        );
        // Cards nested in AGENT's text as deep as a crafted file can make them: no crash
        // (they are read to a depth of 4).
        let mut deep = String::from("BEGIN:VCARD\nFN:Last\nTEL:+34 600 111 444\nEND:VCARD");
        for _ in 0..2_000 {
            let escaped = deep.replace('\\', "\\\\").replace('\n', "\\n");
            deep = format!("BEGIN:VCARD\nFN:Outer\nAGENT:{escaped}\nEND:VCARD");
            if deep.len() > 4_000_000 {
                break;
            }
        }
        let _ = parse(deep.as_bytes());
    }
}
