//! Real voice notes for tests: words spoken by espeak-ng and encoded by opusenc as WhatsApp
//! records them (Ogg/Opus, mono, 16 kb/s), and the Whisper model the test command made
//! (`LEADLINE_ASR_MODEL`, scripts/asr-model.sh).

use std::path::PathBuf;
use std::process::Command;

/// A voice note saying `words` in espeak-ng's `voice` ("en-us", "es").
pub fn spoken(words: &str, voice: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let wav = dir.path().join("note.wav");
    let ogg = dir.path().join("note.ogg");
    let spoken = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&wav)
        .arg(words)
        .status()
        .expect("espeak-ng runs (scripts/setup.sh --test installs it)");
    assert!(spoken.success(), "espeak-ng said {words:?}");
    let encoded = Command::new("opusenc")
        .args(["--quiet", "--bitrate", "16", "--downmix-mono"])
        .arg(&wav)
        .arg(&ogg)
        .status()
        .expect("opusenc runs (opus-tools; scripts/setup.sh --test installs it)");
    assert!(encoded.success(), "opusenc encoded the note");
    std::fs::read(&ogg).expect("the encoded note")
}

/// The Whisper model to hear with, or `None` after a loud SKIPPED line.
pub fn model() -> Option<PathBuf> {
    match std::env::var_os("LEADLINE_ASR_MODEL") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            eprintln!(
                "\n*** SKIPPED: no Whisper model (LEADLINE_ASR_MODEL unset; scripts/asr-model.sh makes one) ***\n"
            );
            None
        }
    }
}
