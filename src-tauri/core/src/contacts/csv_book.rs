//! An address book as a table: CSV from Google Contacts, Outlook, a phone or a spreadsheet,
//! with commas, semicolons or tabs. Only the columns whose header names a phone are read as
//! phones ("Phone 1 - Value", "Mobile Phone", "Móvil"; never "National ID Number", a fax or
//! a phone's label). A person is named by the "Name"/"Full Name" column when there is one
//! and it is filled, else by "First Name" + "Middle Name" + "Last Name", else by the
//! company. Without a header row, every cell that looks like a phone is one, and the first
//! other cell is the name.

use super::entry::Entry;
use crate::text::words;

/// Words a phone column's header has (any language an owner may export in).
const PHONE_WORDS: [&str; 28] = [
    "phone",
    "phones",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "cellphone",
    "cellular",
    "whatsapp",
    "móvil",
    "movil",
    "celular",
    "teléfono",
    "telefono",
    "telefone",
    "telemóvel",
    "telemovel",
    "telefon",
    "mobiltelefon",
    "handy",
    "mobil",
    "portable",
    "téléphone",
    "هاتف",
    "جوال",
    "موبايل",
    "手机",
    "电话",
];
/// Words that make a header something else than a phone, whatever else it says.
const NOT_PHONE_WORDS: [&str; 6] = ["type", "label", "fax", "pager", "id", "phonetic"];
/// A header of only these words (and at least one of the first three) is a phone number's.
const NUMBER_WORDS: [&str; 10] = [
    "number", "numero", "número", "contact", "primary", "main", "home", "work", "other", "no",
];

fn is_phone_header(header: &str) -> bool {
    let words = words(header);
    if words.iter().any(|w| NOT_PHONE_WORDS.contains(&w.as_str())) {
        return false;
    }
    if words.iter().any(|w| PHONE_WORDS.contains(&w.as_str())) {
        return true;
    }
    // "Number", "Número", "Contact number": a number and nothing saying of what else.
    !words.is_empty()
        && words
            .iter()
            .any(|w| matches!(w.as_str(), "number" | "numero" | "número"))
        && words
            .iter()
            .all(|w| NUMBER_WORDS.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit()))
}

/// What a header says of a person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamePart {
    Full,
    First,
    Middle,
    Last,
    Company,
}

fn name_part(header: &str) -> Option<NamePart> {
    let words = words(header);
    let has = |w: &str| words.iter().any(|x| x == w);
    if has("phonetic") || has("nickname") || has("nick") || has("yomi") {
        return None;
    }
    let joined = words.join(" ");
    let is = |options: &[&str]| options.contains(&joined.as_str());
    if has("organization")
        || has("organisation")
        || has("company")
        || has("empresa")
        || has("compañía")
        || has("firma")
        || has("société")
        || has("الشركة")
    {
        // "Organization Name", "Organization 1 - Name", "Company": not its title or department.
        return (!has("title") && !has("department") && !has("job") && !has("type"))
            .then_some(NamePart::Company);
    }
    if is(&[
        "first name",
        "given name",
        "nombre de pila",
        "primeiro nome",
        "prénom",
        "vorname",
        "الاسم الأول",
    ]) {
        return Some(NamePart::First);
    }
    if is(&[
        "middle name",
        "additional name",
        "segundo nombre",
        "nome do meio",
        "zweiter vorname",
    ]) {
        return Some(NamePart::Middle);
    }
    if is(&[
        "last name",
        "family name",
        "surname",
        "apellido",
        "apellidos",
        "sobrenome",
        "último nome",
        "nom",
        "nachname",
        "اسم العائلة",
    ]) {
        return Some(NamePart::Last);
    }
    if is(&[
        "name",
        "full name",
        "display name",
        "contact name",
        "contact",
        "nombre",
        "nombre completo",
        "nome",
        "nome completo",
        "nom complet",
        "الاسم",
        "اسم",
    ]) {
        return Some(NamePart::Full);
    }
    None
}

/// The delimiter the header line uses most, outside quotes.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in first.bytes() {
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(count) = counts.iter_mut().find(|(d, _)| *d == c) {
                count.1 += 1;
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map_or(b',', |(d, _)| *d)
}

/// A cell that is only a phone (digits of any script, spaces, + - ( ) .).
fn looks_like_phone(cell: &str) -> bool {
    let digits = cell.chars().filter(|c| c.is_numeric()).count();
    digits >= 6
        && cell
            .chars()
            .all(|c| c.is_numeric() || " +-().\u{a0}".contains(c))
}

pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
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
    let column = |part: NamePart| head.iter().position(|h| name_part(h) == Some(part));
    let (full, first, middle, last, company) = (
        column(NamePart::Full),
        column(NamePart::First),
        column(NamePart::Middle),
        column(NamePart::Last),
        column(NamePart::Company),
    );
    let mut entries = Vec::new();
    let push_row = |record: &csv::StringRecord, entries: &mut Vec<Entry>| {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|c| !c.is_empty())
        };
        if phone_columns.is_empty() {
            let name = record
                .iter()
                .find(|c| !c.trim().is_empty() && !looks_like_phone(c))
                .map(|c| c.trim().to_string());
            for phone in record.iter().filter(|c| looks_like_phone(c)) {
                entries.push(Entry {
                    line,
                    name: name.clone(),
                    phone: phone.trim().to_string(),
                });
            }
            return;
        }
        let parts: Vec<&str> = [first, middle, last].into_iter().filter_map(cell).collect();
        let name = cell(full)
            .map(str::to_string)
            .or_else(|| (!parts.is_empty()).then(|| parts.join(" ")))
            .or_else(|| cell(company).map(str::to_string));
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
