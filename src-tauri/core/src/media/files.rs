//! Where a number's media files live and how one is written: under the profiles folder's
//! `media/<number>/`, named by the file's SHA-256, private to the user, written whole or
//! not at all.

use std::path::{Path, PathBuf};

use crate::model::message_kind::MessageKind;

/// The folder of number `account_id`'s media files.
pub fn number_dir(profiles: &Path, account_id: i64) -> PathBuf {
    profiles.join("media").join(account_id.to_string())
}

/// A file name for `sha256` (hex) with the extension its mimetype or kind calls for.
pub fn name_for(sha256: &str, kind: MessageKind, mimetype: Option<&str>) -> String {
    let extension = match mimetype.map(|m| m.split(';').next().unwrap_or(m).trim()) {
        Some("image/jpeg") => "jpg",
        Some("image/png") => "png",
        Some("image/webp") => "webp",
        Some("video/mp4") => "mp4",
        Some("video/3gpp") => "3gp",
        Some("audio/ogg") => "ogg",
        Some("audio/mp4") => "m4a",
        Some("audio/mpeg") => "mp3",
        Some("audio/aac") => "aac",
        Some("audio/amr") => "amr",
        Some("application/pdf") => "pdf",
        _ => match kind {
            MessageKind::Voice => "ogg",
            MessageKind::Sticker => "webp",
            _ => "bin",
        },
    };
    format!("{sha256}.{extension}")
}

/// Whether `relative` is a kept file's name as Leadline writes them (`<number>/<sha256>.<ext>`):
/// anything else, say a path with `..`, is never read.
pub fn is_kept_name(relative: &str) -> bool {
    let Some((number, name)) = relative.split_once('/') else {
        return false;
    };
    let Some((hash, extension)) = name.split_once('.') else {
        return false;
    };
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && (1..=5).contains(&extension.len())
        && extension.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Writes `bytes` as `name` in `dir` (made private first): to a temporary name, then
/// renamed, so a crash never leaves half a file under the real name.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    crate::whatsapp::private::make_private(dir);
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, dir.join(name))
}

/// A file name for a copy the owner saves: the customer's name for it with anything a
/// folder can't take (separators, control characters, a leading dot) taken out, else
/// `file-<message>.<the kept file's extension>`.
pub fn safe_name(given: Option<&str>, kept: &Path, message_id: i64) -> String {
    let cleaned: String = given
        .unwrap_or_default()
        .chars()
        .filter(|c| {
            !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if !cleaned.is_empty() {
        return cleaned;
    }
    let extension = kept.extension().and_then(|e| e.to_str()).unwrap_or("bin");
    format!("file-{message_id}.{extension}")
}

/// Why a copy could not be saved.
pub struct NotSaved {
    pub dir: String,
    pub detail: String,
}

/// Copies `source` into `dir` as `name`, or `name (2)`, `name (3)`… when taken; returns
/// where.
pub fn copy_out(source: &Path, dir: &Path, name: &str) -> Result<PathBuf, NotSaved> {
    let not_saved = |e: std::io::Error| NotSaved {
        dir: dir.display().to_string(),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(not_saved)?;
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem.to_string(), format!(".{extension}")),
        _ => (name.to_string(), String::new()),
    };
    let mut target = dir.join(name);
    let mut n = 2;
    while target.exists() {
        target = dir.join(format!("{stem} ({n}){extension}"));
        n += 1;
    }
    std::fs::copy(source, &target).map_err(not_saved)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_named_by_its_hash_with_the_extension_its_type_calls_for() {
        assert_eq!(
            name_for("ab12", MessageKind::Voice, Some("audio/ogg; codecs=opus")),
            "ab12.ogg"
        );
        assert_eq!(
            name_for("ab12", MessageKind::Document, Some("application/pdf")),
            "ab12.pdf"
        );
        assert_eq!(
            name_for("ab12", MessageKind::Document, Some("application/x-weird")),
            "ab12.bin"
        );
        assert_eq!(name_for("ab12", MessageKind::Sticker, None), "ab12.webp");
    }

    #[test]
    fn only_a_name_leadline_writes_is_ever_read() {
        let hash = "a".repeat(64);
        assert!(is_kept_name(&format!("7/{hash}.ogg")));
        for bad in [
            format!("../{hash}.ogg"),
            format!("7/../../{hash}.ogg"),
            format!("7/{hash}"),
            format!("7/{}.ogg", "a".repeat(63)),
            format!("/etc/{hash}.ogg"),
            format!("7/{hash}.o/g"),
            "7".to_string(),
        ] {
            assert!(!is_kept_name(&bad), "{bad}");
        }
    }

    #[test]
    fn a_saved_copy_keeps_the_customers_name_made_safe_and_never_overwrites() {
        let kept = Path::new("/x/7/ab.pdf");
        assert_eq!(
            safe_name(Some("lista de precios.pdf"), kept, 5),
            "lista de precios.pdf"
        );
        assert_eq!(safe_name(Some("../../etc/passwd"), kept, 5), "etcpasswd");
        assert_eq!(safe_name(Some(".hidden"), kept, 5), "hidden");
        assert_eq!(safe_name(Some("a\u{0}b\nc"), kept, 5), "abc");
        assert_eq!(safe_name(None, kept, 5), "file-5.pdf");
        assert_eq!(safe_name(Some(" / "), kept, 5), "file-5.pdf");

        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("kept.pdf");
        std::fs::write(&source, b"%PDF").unwrap();
        let out = dir.path().join("Downloads");
        let first = copy_out(&source, &out, "lista.pdf").ok().unwrap();
        let second = copy_out(&source, &out, "lista.pdf").ok().unwrap();
        assert_eq!(first, out.join("lista.pdf"));
        assert_eq!(second, out.join("lista (2).pdf"));
        assert_eq!(std::fs::read(second).unwrap(), b"%PDF");
    }

    #[test]
    fn a_file_is_written_whole_under_its_name_and_nothing_partial_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let numbers = dir.path().join("media").join("7");
        write(&numbers, "ab12.ogg", b"OggS").unwrap();
        assert_eq!(std::fs::read(numbers.join("ab12.ogg")).unwrap(), b"OggS");
        let names: Vec<_> = std::fs::read_dir(&numbers)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
