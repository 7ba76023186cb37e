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
