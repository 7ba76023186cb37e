//! Address books the way phones and mail programs export them, at any size, for the
//! importer's benchmark and tests: Android's vCard 2.1 (quoted-printable names, CRLF),
//! Google Contacts' CSV (its current columns), and an iPhone/iCloud vCard 3.0 with a photo
//! in every card. Names mix scripts; every entry's phone is a distinct valid Spanish mobile
//! (`+34 6xx xxx xxx`), so `n` entries are `n` known contacts.

use std::fmt::Write;

const GIVEN: [&str; 8] = [
    "José",
    "María",
    "Ana",
    "Luis",
    "محمد",
    "Zoë",
    "François",
    "Łukasz",
];
const FAMILY: [&str; 6] = ["Muñoz", "García", "Pérez", "حداد", "Smith", "Nowak"];

fn name(n: usize) -> (&'static str, &'static str) {
    (
        GIVEN[n % GIVEN.len()],
        FAMILY[(n / GIVEN.len()) % FAMILY.len()],
    )
}

/// The `n`th contact's phone, as a person writes it.
pub fn phone(n: usize) -> String {
    let digits = format!("{:08}", n);
    format!("+34 6{} {} {}", &digits[0..2], &digits[2..5], &digits[5..8])
}

/// Each byte as Android writes it: letters and digits as they are, the rest as `=XX`.
fn quoted_printable_parts(text: &str) -> Vec<String> {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("={b:02X}")
            }
        })
        .collect()
}

fn quoted_printable(text: &str) -> String {
    quoted_printable_parts(text).concat()
}

/// Android's export: vCard 2.1, names in quoted-printable UTF-8, long ones with a soft break.
pub fn android_vcard(count: usize) -> Vec<u8> {
    let mut out = String::with_capacity(count * 200);
    for n in 0..count {
        let (given, family) = name(n);
        let parts = quoted_printable_parts(&format!("{given} {family} {n}"));
        let (head, tail) = parts.split_at(parts.len() / 2);
        let (head, tail) = (head.concat(), tail.concat());
        let _ = write!(
            out,
            "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{};{};;;\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{head}=\r\n{tail}\r\nTEL;CELL:{}\r\nEND:VCARD\r\n",
            quoted_printable(family),
            quoted_printable(given),
            phone(n)
        );
    }
    out.into_bytes()
}

/// Google Contacts' CSV export (the columns it writes today).
pub fn google_csv(count: usize) -> Vec<u8> {
    let mut out = String::with_capacity(count * 120);
    out.push_str("First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\r\n");
    for n in 0..count {
        let (given, family) = name(n);
        let _ = write!(
            out,
            "{given},,{family} {n},,,,,,,,,,,,,,* myContacts,* Home,p{n}@example.com,Mobile,{}\r\n",
            phone(n)
        );
    }
    out.into_bytes()
}

/// An iPhone/iCloud export: vCard 3.0 with grouped properties and a base64 photo of
/// `photo_bytes` in every card, folded at 75 columns.
pub fn icloud_with_photos(count: usize, photo_bytes: usize) -> Vec<u8> {
    let line = "/9j/4AAQSkZJRgABAQAASABIAAD/4QBMRXhpZgAATU0AKgAAAAgAAYdpAAQAAAABAAAAGgAAAAAAA6";
    let photo_lines = photo_bytes.div_ceil(74);
    let mut out = String::with_capacity(count * (photo_lines * 77 + 300));
    for n in 0..count {
        let (given, family) = name(n);
        let _ = write!(
            out,
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\nN:{family};{given};;;\r\nFN:{given} {family} {n}\r\nitem1.TEL;type=pref:{}\r\nitem1.X-ABLabel:mobile\r\nPHOTO;ENCODING=b;TYPE=JPEG:",
            phone(n)
        );
        for i in 0..photo_lines {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&line[..74]);
            out.push_str("\r\n");
        }
        out.push_str("END:VCARD\r\n");
    }
    out.into_bytes()
}
