//! The models Leadline offers, each pinned to its publisher's file: whisper.cpp's own
//! conversions of OpenAI's Whisper (MIT), at a fixed revision of their repository, with the
//! size and SHA-256 of that file. A file that differs by one byte is refused.

/// A model file Leadline can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// Leadline's name for it, as stored in Settings.
    pub id: &'static str,
    /// The file's name in the models folder.
    pub file: &'static str,
    pub url: &'static str,
    pub sha256: &'static str,
    pub bytes: u64,
    /// Memory it needs while hearing (measured: peak resident size of a hearing).
    pub ram_mb: u64,
    /// Only English (the smallest); else every language Whisper knows.
    pub english_only: bool,
}

/// The publisher's file `name`, at one revision (a file never changes under its pin).
macro_rules! publisher {
    ($name:literal) => {
        concat!(
            "https://huggingface.co/ggerganov/whisper.cpp/resolve/5359861c739e955e79d9a303bcbc70fb988958b1/",
            $name
        )
    };
}

/// The speech models, smallest first. RAM: measured peak resident size of a hearing
/// (../shared/docs/LOCAL_AI_MEDIA.md §4; small estimated from base's overhead).
pub const SPEECH: [ModelSpec; 3] = [
    ModelSpec {
        id: "whisper-base-q5_1",
        file: "ggml-base-q5_1.bin",
        url: publisher!("ggml-base-q5_1.bin"),
        sha256: "422f1ae452ade6f30a004d7e5c6a43195e4433bc370bf23fac9cc591f01a8898",
        bytes: 59_707_625,
        ram_mb: 260,
        english_only: false,
    },
    ModelSpec {
        id: "whisper-tiny.en",
        file: "ggml-tiny.en.bin",
        url: publisher!("ggml-tiny.en.bin"),
        sha256: "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f",
        bytes: 77_704_715,
        ram_mb: 230,
        english_only: true,
    },
    ModelSpec {
        id: "whisper-small-q5_1",
        file: "ggml-small-q5_1.bin",
        url: publisher!("ggml-small-q5_1.bin"),
        sha256: "ae85e4a935d7a567bd102fe55afc16bb595bdb618e11b2fc7591bc08120411bb",
        bytes: 190_085_487,
        ram_mb: 700,
        english_only: false,
    },
];

/// The speech model named `id`.
pub fn speech(id: &str) -> Option<&'static ModelSpec> {
    SPEECH.iter().find(|m| m.id == id)
}
