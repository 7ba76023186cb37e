//! From a file's bytes to text, the way exports are really written: UTF-8 (with or without
//! a BOM), UTF-16 with its BOM (Outlook, Windows tools), or an 8-bit code page such as
//! Windows-1252 / Latin-1 (older exports and spreadsheets). UTF-8 is tried strictly first;
//! what is not UTF-8 is read as Windows-1252, which maps every byte (Latin-1's letters
//! included). A vCard's value may also name its own `CHARSET=`.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Why a file's bytes are not text Leadline can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotText {
    /// UTF-16 with a byte that cannot be (an odd length, a broken surrogate pair).
    #[error("the file says it is UTF-16 but is not")]
    BrokenUtf16,
    /// Zero bytes or other control characters: a spreadsheet, an archive, a picture.
    #[error("the file is not text")]
    Binary,
}

/// The file as bytes to parse: UTF-16 is turned into UTF-8 (then `transcoded`: its values
/// are text already, and a vCard's `CHARSET=` no longer applies); anything else is handed
/// on as it is, each piece decoded by `text` as it is read.
pub struct Bytes<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub transcoded: bool,
}

/// Takes off a BOM and turns UTF-16 into UTF-8; refuses what is not text at all.
pub fn bytes(raw: &[u8]) -> Result<Bytes<'_>, NotText> {
    if let Some(rest) = raw.strip_prefix(b"\xEF\xBB\xBF") {
        return checked(Cow::Borrowed(rest), false);
    }
    let utf16 = if raw.starts_with(b"\xFF\xFE") {
        Some(UTF_16LE)
    } else if raw.starts_with(b"\xFE\xFF") {
        Some(UTF_16BE)
    } else {
        unmarked_utf16(raw)
    };
    let Some(encoding) = utf16 else {
        return checked(Cow::Borrowed(raw), false);
    };
    let (text, had_errors) = encoding.decode_with_bom_removal(raw);
    if had_errors {
        return Err(NotText::BrokenUtf16);
    }
    checked(Cow::Owned(text.into_owned().into_bytes()), true)
}

/// UTF-16 written without a BOM: ASCII text then has a zero in every other byte.
fn unmarked_utf16(raw: &[u8]) -> Option<&'static Encoding> {
    let sample = &raw[..raw.len().min(4096)];
    if sample.len() < 8 {
        return None;
    }
    let zeros_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    // Text in an 8-bit encoding has no zero bytes at all: zeros on one side only, for a
    // third of the characters or more (names in Arabic or Cyrillic have none there), is
    // UTF-16's pattern.
    let half = sample.len() / 2;
    let (odd, even) = (zeros_at(1), zeros_at(0));
    if odd * 3 >= half && even * 100 <= half {
        Some(UTF_16LE)
    } else if even * 3 >= half && odd * 100 <= half {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Text has no zero bytes and few control characters (tabs and line ends aside).
fn checked(bytes: Cow<'_, [u8]>, transcoded: bool) -> Result<Bytes<'_>, NotText> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let controls = sample
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    if sample.contains(&0) || controls * 100 > sample.len().max(1) {
        return Err(NotText::Binary);
    }
    Ok(Bytes { bytes, transcoded })
}

/// A piece of the file as text: in `charset` when one is named and known, else UTF-8 when
/// it is valid UTF-8, else Windows-1252.
pub fn text<'a>(bytes: &'a [u8], charset: Option<&str>) -> Cow<'a, str> {
    if let Some(encoding) = charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        if encoding != encoding_rs::UTF_8 {
            return encoding.decode_without_bom_handling(bytes).0;
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" });
        }
        for unit in text.encode_utf16() {
            out.extend_from_slice(&if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_with_or_without_its_bom_becomes_utf8() {
        let text = "Name,Mobile Phone\nJosé Muñoz,+34 600 111 222\nمحمد,+971 50 123 4567\n";
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let raw = utf16(text, big_endian, bom);
            let read = bytes(&raw).unwrap();
            assert!(read.transcoded);
            assert_eq!(std::str::from_utf8(&read.bytes).unwrap(), text);
        }
        // Without a BOM and mostly not Latin: still recognised.
        let arabic = "الاسم,الجوال\nمحمد حداد,+971 50 123 4567\nليلى,+971 50 765 4321\n";
        let raw = utf16(arabic, false, false);
        assert_eq!(
            std::str::from_utf8(&bytes(&raw).unwrap().bytes).unwrap(),
            arabic
        );
        let mut broken = utf16("Ana", false, true);
        broken.extend_from_slice(&[0x00, 0xD8, b'x', 0]); // a lone high surrogate
        assert_eq!(bytes(&broken).err(), Some(NotText::BrokenUtf16));
    }

    #[test]
    fn utf8_is_tried_strictly_then_windows_1252() {
        let marked = b"\xEF\xBB\xBFJos\xC3\xA9";
        let read = bytes(marked).unwrap();
        assert_eq!(text(&read.bytes, None), "José");
        // Latin-1 / Windows-1252: é, ñ, and the euro sign only 1252 has.
        assert_eq!(text(b"Jos\xE9 Mu\xF1oz \x80", None), "José Muñoz €");
        assert_eq!(text(b"Jos\xE9", Some("ISO-8859-1")), "José");
        assert_eq!(text("Łódź".as_bytes(), Some("UTF-8")), "Łódź");
        assert_eq!(text(b"\xA3\xF3d\xBC", Some("ISO-8859-2")), "Łódź");
        assert_eq!(text(b"Ana", Some("not-a-charset")), "Ana");
    }

    #[test]
    fn a_picture_or_a_spreadsheet_is_not_text() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
        assert_eq!(bytes(png).err(), Some(NotText::Binary));
        let xlsx = b"PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0";
        assert_eq!(bytes(xlsx).err(), Some(NotText::Binary));
        assert!(bytes(b"").is_ok(), "empty is text (with nothing in it)");
    }
}
