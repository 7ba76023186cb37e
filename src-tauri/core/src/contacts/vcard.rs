//! vCard 2.1, 3.0 and 4.0, read line by line from the file's bytes: each card's name (FN,
//! else N's parts, else the company in ORG) and every TEL. vCard 2.1 as Android and
//! Samsung write it: `ENCODING=QUOTED-PRINTABLE` (or the bare `QUOTED-PRINTABLE`) values,
//! continued across lines by a soft break (`=` at the end of a line), in the `CHARSET=`
//! they name. Pictures and other binary properties (an iPhone's PHOTO is tens of KB per
//! card) are skipped as they stream, never held. A card inside a card (2.1's AGENT) keeps
//! its own name and phones.

use super::decode;
use super::entry::Entry;

/// Properties whose data is never needed: skipped as read.
const SKIPPED: [&[u8]; 4] = [b"PHOTO", b"LOGO", b"SOUND", b"KEY"];

/// One card being read.
#[derive(Default)]
struct Card {
    line: u64,
    formatted: Option<String>,
    structured: Option<String>,
    company: Option<String>,
    phones: Vec<String>,
}

impl Card {
    fn name(&self) -> Option<String> {
        self.formatted
            .clone()
            .or_else(|| self.structured.clone())
            .or_else(|| self.company.clone())
    }
}

/// Whether these bytes are a vCard file (one card at least).
pub fn is_vcard(bytes: &[u8]) -> bool {
    bytes
        .windows(11)
        .take(64 * 1024)
        .any(|w| w.eq_ignore_ascii_case(b"BEGIN:VCARD"))
}

/// How deep cards written inside AGENT's text are read (a crafted file could nest them
/// until the stack ran out).
const MAX_DEPTH: usize = 4;

/// The entries of a vCard file. `transcoded`: the bytes were UTF-16 and are UTF-8 now, so
/// a value's `CHARSET=` no longer says how its bytes are written.
pub fn parse(bytes: &[u8], transcoded: bool) -> Vec<Entry> {
    parse_at(bytes, transcoded, 0)
}

fn parse_at(bytes: &[u8], transcoded: bool, depth: usize) -> Vec<Entry> {
    let mut reader = Reader {
        entries: Vec::new(),
        open: Vec::new(),
        transcoded,
        depth,
    };
    let mut logical: Vec<u8> = Vec::new();
    let mut logical_line = 0u64;
    let mut skipping = false;
    let mut quoted_printable = false;
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = index as u64 + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let folded = raw.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        // A quoted-printable value ending in `=` goes on on the next line, as it is (but
        // a broken one never swallows the end of its card).
        let soft_break = quoted_printable
            && logical.last() == Some(&b'=')
            && !(raw.len() >= 9 && raw[..9].eq_ignore_ascii_case(b"END:VCARD"));
        if (folded || soft_break) && !logical.is_empty() {
            if !skipping {
                if soft_break {
                    logical.pop();
                    logical.extend_from_slice(raw);
                } else {
                    logical.extend_from_slice(&raw[1..]);
                }
            }
            continue;
        }
        if skipping && raw.is_empty() {
            // vCard 2.1 ends a base64 picture with an empty line.
            continue;
        }
        if !logical.is_empty() {
            reader.property(&logical, logical_line);
        }
        logical.clear();
        logical_line = line_no;
        let name = property_name(raw);
        skipping = SKIPPED.iter().any(|s| name.eq_ignore_ascii_case(s));
        quoted_printable = !skipping && params_say_quoted_printable(raw);
        if skipping {
            // Only the name is kept: the data is dropped as it streams.
            logical.extend_from_slice(name);
        } else {
            logical.extend_from_slice(raw);
        }
    }
    if !logical.is_empty() {
        reader.property(&logical, logical_line);
    }
    reader.entries
}

/// `item1.TEL;TYPE=CELL:…` → `TEL`.
fn property_name(line: &[u8]) -> &[u8] {
    let head = line
        .split(|b| *b == b':' || *b == b';')
        .next()
        .unwrap_or_default();
    head.rsplit(|b| *b == b'.').next().unwrap_or_default()
}

fn params_say_quoted_printable(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return false;
    };
    line[..colon].split(|b| *b == b';').skip(1).any(|p| {
        let value = p.rsplit(|b| *b == b'=').next().unwrap_or_default();
        value.eq_ignore_ascii_case(b"QUOTED-PRINTABLE")
    })
}

struct Reader {
    entries: Vec<Entry>,
    /// Cards begun and not ended yet, innermost last.
    open: Vec<Card>,
    transcoded: bool,
    depth: usize,
}

impl Reader {
    fn property(&mut self, logical: &[u8], line: u64) {
        let Some(colon) = logical.iter().position(|b| *b == b':') else {
            return;
        };
        let (head, value) = (&logical[..colon], &logical[colon + 1..]);
        let mut parts = head.split(|b| *b == b';');
        let name = parts
            .next()
            .unwrap_or_default()
            .rsplit(|b| *b == b'.')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let (mut charset, mut quoted_printable, mut binary) = (None, false, false);
        for param in parts {
            let param = String::from_utf8_lossy(param);
            let (key, val) = param.split_once('=').unwrap_or(("", &param));
            let (key, val) = (key.trim(), val.trim().trim_matches('"'));
            if key.eq_ignore_ascii_case("CHARSET") {
                charset = Some(val.to_string());
            } else if val.eq_ignore_ascii_case("QUOTED-PRINTABLE") {
                quoted_printable = true;
            } else if val.eq_ignore_ascii_case("BASE64") || val.eq_ignore_ascii_case("B") {
                binary = true;
            }
        }
        let decoded;
        let value: &[u8] = if quoted_printable {
            decoded = decode_quoted_printable(value);
            &decoded
        } else {
            value
        };
        let charset = if self.transcoded {
            None
        } else {
            charset.as_deref()
        };
        let text = || decode::text(value, charset).trim().to_string();
        match name.as_slice() {
            b"BEGIN" if text().eq_ignore_ascii_case("VCARD") => self.open.push(Card {
                line,
                ..Card::default()
            }),
            b"END" if text().eq_ignore_ascii_case("VCARD") => {
                if let Some(card) = self.open.pop() {
                    let name = card.name();
                    for phone in card.phones {
                        self.entries.push(Entry {
                            line: card.line,
                            name: name.clone(),
                            phone,
                        });
                    }
                }
            }
            // vCard 3.0 writes a card inside a card as AGENT's escaped text.
            b"AGENT"
                if self.depth < MAX_DEPTH
                    && text().to_ascii_uppercase().starts_with("BEGIN:VCARD") =>
            {
                let inner = unescape(&text(), "\n");
                let nested = parse_at(inner.as_bytes(), true, self.depth + 1);
                self.entries.extend(nested.into_iter().map(|mut e| {
                    e.line = line;
                    e
                }));
            }
            _ if binary => {}
            b"FN" => {
                if let Some(card) = self.open.last_mut() {
                    card.formatted = Some(unescape(&text(), " ")).filter(|n| !n.is_empty());
                }
            }
            b"N" => {
                if let Some(card) = self.open.last_mut() {
                    card.structured = structured_name(&text());
                }
            }
            b"ORG" => {
                if let Some(card) = self.open.last_mut() {
                    let company = split_unescaped(&text(), ';').into_iter().next();
                    card.company = company.filter(|c| !c.is_empty());
                }
            }
            b"TEL" => {
                let phone = text();
                let phone = phone
                    .strip_prefix("tel:")
                    .or_else(|| phone.strip_prefix("TEL:"))
                    .unwrap_or(&phone);
                if let Some(card) = self.open.last_mut() {
                    if !phone.trim().is_empty() {
                        card.phones.push(phone.trim().to_string());
                    }
                }
            }
            _ => {}
        }
    }
}

/// N is `Family;Given;Additional;Prefix;Suffix`: read as a person says it.
fn structured_name(value: &str) -> Option<String> {
    let parts = split_unescaped(value, ';');
    let part = |i: usize| parts.get(i).map(String::as_str).unwrap_or_default();
    let spoken = [part(3), part(1), part(2), part(0), part(4)]
        .iter()
        .flat_map(|p| p.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Some(spoken).filter(|n| !n.is_empty())
}

/// Splits at `separator` where it is not escaped with a backslash, then unescapes each part.
fn split_unescaped(value: &str, separator: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    if let Some(last) = parts.last_mut() {
                        last.push('\\');
                        last.push(next);
                    }
                }
            }
            c if c == separator => parts.push(String::new()),
            c => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    parts.iter().map(|p| unescape(p, " ")).collect()
}

/// vCard escapes: `\,` `\;` `\:` `\\`, and `\n` (here `newline`).
fn unescape(value: &str, newline: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push_str(newline),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out.trim().to_string()
}

/// `=C3=A9` → the bytes; a soft break left at the very end goes, any other malformed `=`
/// is kept as it is.
fn decode_quoted_printable(value: &[u8]) -> Vec<u8> {
    let value = value.strip_suffix(b"=").unwrap_or(value);
    let hex = |b: u8| (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'=' {
            if let (Some(high), Some(low)) = (
                value.get(i + 1).copied().and_then(hex),
                value.get(i + 2).copied().and_then(hex),
            ) {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(value[i]);
        i += 1;
    }
    out
}
