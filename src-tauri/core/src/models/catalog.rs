//! The models Leadline offers, each pinned to its publisher's file by SHA-256: a file that
//! differs by one byte is refused.
//! - Speech: whisper.cpp's own conversions of OpenAI's Whisper (MIT), at a fixed revision
//!   of their repository, with the exact size of each file.
//! - Chat (AI on this computer): small instruct models in GGUF, from their publishers'
//!   own GGUF repositories. Their SHA-256s are the ones LocalAI's model gallery pins for the
//!   same files; their sizes are approximate (shown, not checked: the hash decides).

/// A model file Leadline can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// Leadline's name for it, as stored in Settings.
    pub id: &'static str,
    /// The file's name in the models folder.
    pub file: &'static str,
    pub url: &'static str,
    pub sha256: &'static str,
    /// The exact size, when pinned (speech models).
    pub bytes: Option<u64>,
    /// The size shown before downloading.
    pub approx_bytes: u64,
    /// Memory it needs while it works (speech: measured peak resident size of a hearing;
    /// chat: the file plus a 4,096-token context, as llama.cpp loads it).
    pub ram_mb: u64,
    /// Only English (the smallest speech model); else many languages.
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
        bytes: Some(59_707_625),
        approx_bytes: 59_707_625,
        ram_mb: 260,
        english_only: false,
    },
    ModelSpec {
        id: "whisper-tiny.en",
        file: "ggml-tiny.en.bin",
        url: publisher!("ggml-tiny.en.bin"),
        sha256: "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f",
        bytes: Some(77_704_715),
        approx_bytes: 77_704_715,
        ram_mb: 230,
        english_only: true,
    },
    ModelSpec {
        id: "whisper-small-q5_1",
        file: "ggml-small-q5_1.bin",
        url: publisher!("ggml-small-q5_1.bin"),
        sha256: "ae85e4a935d7a567bd102fe55afc16bb595bdb618e11b2fc7591bc08120411bb",
        bytes: Some(190_085_487),
        approx_bytes: 190_085_487,
        ram_mb: 700,
        english_only: false,
    },
];

/// The chat models for AI on this computer, smallest first. All answer in English,
/// Spanish and Portuguese; Gemma also in Arabic.
pub const CHAT: [ModelSpec; 3] = [
    ModelSpec {
        id: "gemma-3-1b",
        file: "gemma-3-1b-it-Q4_K_M.gguf",
        url: "https://huggingface.co/ggml-org/gemma-3-1b-it-GGUF/resolve/main/gemma-3-1b-it-Q4_K_M.gguf",
        sha256: "8ccc5cd1f1b3602548715ae25a66ed73fd5dc68a210412eea643eb20eb75a135",
        bytes: None,
        approx_bytes: 806_000_000,
        ram_mb: 1_300,
        english_only: false,
    },
    ModelSpec {
        id: "llama-3.2-1b",
        file: "llama-3.2-1b-instruct-q4_k_m.gguf",
        url: "https://huggingface.co/hugging-quants/Llama-3.2-1B-Instruct-Q4_K_M-GGUF/resolve/main/llama-3.2-1b-instruct-q4_k_m.gguf",
        sha256: "1d0e9419ec4e12aef73ccf4ffd122703e94c48344a96bc7c5f0f2772c2152ce3",
        bytes: None,
        approx_bytes: 808_000_000,
        ram_mb: 1_400,
        english_only: false,
    },
    ModelSpec {
        id: "llama-3.2-3b",
        file: "llama-3.2-3b-instruct-q4_k_m.gguf",
        url: "https://huggingface.co/hugging-quants/Llama-3.2-3B-Instruct-Q4_K_M-GGUF/resolve/main/llama-3.2-3b-instruct-q4_k_m.gguf",
        sha256: "c55a83bfb6396799337853ca69918a0b9bbb2917621078c34570bc17d20fd7a1",
        bytes: None,
        approx_bytes: 2_020_000_000,
        ram_mb: 3_000,
        english_only: false,
    },
];

/// The speech model named `id`.
pub fn speech(id: &str) -> Option<&'static ModelSpec> {
    SPEECH.iter().find(|m| m.id == id)
}

/// The chat model named `id`.
pub fn chat(id: &str) -> Option<&'static ModelSpec> {
    CHAT.iter().find(|m| m.id == id)
}
