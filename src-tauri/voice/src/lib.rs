//! Voice notes heard on this computer: a WhatsApp voice note (Ogg/Opus) decoded to the
//! 16 kHz mono samples Whisper reads, then transcribed by whisper.cpp in process, with the
//! language it heard. Nothing here leaves the laptop.

pub mod decode;
pub mod error;
pub mod hearing;
pub mod model_file;
pub mod whisper;
