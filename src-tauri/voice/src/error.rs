//! What can go wrong hearing a voice note, in words an owner can act on.

/// Why a voice note's file could not be read as sound.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("the file is not an Ogg voice note")]
    NotOgg,
    #[error("the Ogg file does not carry Opus sound")]
    NotOpus,
    #[error("the voice note is damaged")]
    Damaged,
    #[error("the voice note has no sound in it")]
    Empty,
    #[error("the voice note is longer than {max_seconds} seconds")]
    TooLong { max_seconds: u32 },
}

/// Why a transcription did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error("the speech model file is missing: install it again in Settings")]
    ModelMissing,
    #[error(
        "the speech model file is not a Whisper model (damaged?): install it again in Settings"
    )]
    ModelDamaged,
    #[error("the speech model could not be loaded: {0}")]
    ModelLoad(String),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("the speech model failed on this voice note: {0}")]
    Failed(String),
}
