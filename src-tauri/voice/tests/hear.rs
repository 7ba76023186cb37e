//! Real voice notes, spoken by espeak-ng and encoded by opusenc as WhatsApp does (Ogg/Opus,
//! mono, 16 kb/s), decoded and heard by a real Whisper model: tiny.en, made from its PyPI
//! wheel by scripts/asr-model.sh (the test command exports LEADLINE_ASR_MODEL).

// The helpers that speak and encode a note fail the test, with why, when a tool is missing.
#![allow(clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use leadline_voice::decode::{self, SAMPLE_RATE};
use leadline_voice::error::{DecodeError, TranscribeError};
use leadline_voice::whisper::{Listen, Whisper};

/// A voice note saying `words`, as WhatsApp would send it.
fn voice_note(words: &str, voice: &str, opusenc_args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let wav = dir.path().join("note.wav");
    let ogg = dir.path().join("note.ogg");
    let spoken = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&wav)
        .arg(words)
        .status()
        .expect("espeak-ng runs (scripts/setup.sh --test installs it)");
    assert!(spoken.success());
    let encoded = Command::new("opusenc")
        .args(["--quiet", "--bitrate", "16"])
        .args(opusenc_args)
        .arg(&wav)
        .arg(&ogg)
        .status()
        .expect("opusenc runs (opus-tools; scripts/setup.sh --test installs it)");
    assert!(encoded.success());
    std::fs::read(&ogg).expect("the encoded note")
}

fn model() -> Option<PathBuf> {
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

#[test]
fn a_spoken_voice_note_is_heard_with_its_words_and_language() {
    let note = voice_note(
        "hello, how much is the blue shirt",
        "en-us",
        &["--downmix-mono"],
    );
    let pcm = decode::ogg_opus(&note, 300).expect("a real voice note decodes");
    // espeak-ng says it in about two seconds; the pre-skip is gone.
    assert!((1.0..4.0).contains(&pcm.seconds()), "{} s", pcm.seconds());
    let Some(model) = model() else { return };
    let whisper = Whisper::load(&model).expect("the model loads");
    assert!(!whisper.multilingual(), "tiny.en hears English only");
    let heard = whisper
        .transcribe(
            &pcm,
            &Listen {
                threads: 1,
                language: None,
            },
        )
        .expect("it transcribes");
    let words = heard.text.to_lowercase();
    assert!(words.contains("blue shirt"), "heard: {words}");
    assert!(words.contains("how much"), "heard: {words}");
    assert_eq!(heard.language, "en");
    assert!((heard.audio_seconds - pcm.seconds()).abs() < 0.01);
}

/// The same words in two channels: espeak-ng's mono WAV (16-bit PCM) rewritten with each
/// sample twice, then encoded as a stereo Opus stream.
fn stereo_voice_note(words: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mono = dir.path().join("mono.wav");
    let stereo = dir.path().join("stereo.wav");
    let ogg = dir.path().join("stereo.ogg");
    let spoken = Command::new("espeak-ng")
        .args(["-v", "en-us", "-w"])
        .arg(&mono)
        .arg(words)
        .status();
    assert!(spoken.expect("espeak-ng runs").success());
    let wav = std::fs::read(&mono).expect("the WAV");
    let rate = u32::from_le_bytes([wav[24], wav[25], wav[26], wav[27]]);
    let data = wav
        .windows(4)
        .position(|w| w == b"data")
        .expect("a data chunk")
        + 8;
    let samples: Vec<u8> = wav[data..]
        .chunks_exact(2)
        .flat_map(|sample| [sample[0], sample[1], sample[0], sample[1]])
        .collect();
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&2u16.to_le_bytes()); // two channels
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 4).to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    out.extend_from_slice(&samples);
    std::fs::write(&stereo, out).expect("the stereo WAV");
    let encoded = Command::new("opusenc")
        .args(["--quiet", "--bitrate", "32"])
        .arg(&stereo)
        .arg(&ogg)
        .status();
    assert!(encoded.expect("opusenc runs").success());
    let bytes = std::fs::read(&ogg).expect("the encoded note");
    assert_eq!(bytes[28 + 9], 2, "OpusHead says two channels");
    bytes
}

#[test]
fn a_stereo_note_is_heard_as_one_channel() {
    // Some phones record two channels; libopus downmixes while decoding.
    let stereo =
        decode::ogg_opus(&stereo_voice_note("one two three"), 300).expect("stereo decodes");
    let mono =
        decode::ogg_opus(&voice_note("one two three", "en-us", &[]), 300).expect("mono decodes");
    assert!(
        (stereo.seconds() - mono.seconds()).abs() < 0.05,
        "{} vs {}",
        stereo.seconds(),
        mono.seconds()
    );
    assert!(
        stereo
            .samples
            .iter()
            .all(|sample| sample.is_finite() && sample.abs() <= 1.5)
    );
    assert!(
        stereo.samples.iter().any(|sample| sample.abs() > 0.05),
        "there is sound"
    );
    assert_eq!(SAMPLE_RATE, 16_000);
}

#[test]
fn what_is_not_a_voice_note_is_refused_with_a_reason() {
    assert_eq!(decode::ogg_opus(b"", 300).unwrap_err(), DecodeError::NotOgg);
    assert_eq!(
        decode::ogg_opus(b"\xff\xd8\xff\xe0 a JPEG, not a voice note", 300).unwrap_err(),
        DecodeError::NotOgg
    );
    let note = voice_note("hello there", "en-us", &[]);
    // A damaged middle: every byte after the first pages flipped. Ogg's page checksums
    // drop the damaged pages, and with nothing whole left the note is refused.
    let mut damaged = note.clone();
    for byte in damaged.iter_mut().skip(200) {
        *byte ^= 0x5a;
    }
    assert!(matches!(
        decode::ogg_opus(&damaged, 300),
        Err(DecodeError::Damaged | DecodeError::Empty)
    ));
    // Cut short: the whole pages that arrived are heard, as a player would play them
    // (opusenc writes a page a second, so the note is several seconds long).
    let long = voice_note(
        "good morning, I would like to order two blue shirts and one green one, delivered on friday",
        "en-us",
        &[],
    );
    let whole = decode::ogg_opus(&long, 300).expect("whole");
    let part = decode::ogg_opus(&long[..long.len() * 2 / 3], 300).expect("the part that arrived");
    assert!(part.seconds() < whole.seconds() && part.seconds() > 0.2);
    // Too long for the owner's limit: stopped, not decoded to the end.
    assert_eq!(
        decode::ogg_opus(&note, 0).unwrap_err(),
        DecodeError::TooLong { max_seconds: 0 }
    );
}

#[test]
fn a_missing_or_foreign_model_file_is_a_plain_error() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let missing = dir.path().join("none.bin");
    assert!(matches!(
        Whisper::load(&missing),
        Err(TranscribeError::ModelMissing)
    ));
    let foreign = dir.path().join("foreign.bin");
    std::fs::write(&foreign, vec![7u8; 11 * 1024 * 1024]).expect("write");
    assert!(matches!(
        Whisper::load(&foreign),
        Err(TranscribeError::ModelDamaged)
    ));
    let short = dir.path().join("short.bin");
    std::fs::write(&short, b"lmgg").expect("write");
    assert!(matches!(
        Whisper::load(&short),
        Err(TranscribeError::ModelDamaged)
    ));
}

/// A note in Spanish, heard by the multilingual base model with no language given: its
/// language is heard from its first seconds (Leadline's own narrow detection) and its words
/// come in it. The test command makes the model (scripts/asr-model.sh --multilingual) and
/// exports LEADLINE_ASR_MODEL_MULTILINGUAL.
#[test]
fn a_note_in_another_language_is_heard_in_it_by_the_multilingual_model() {
    let Some(model) = std::env::var_os("LEADLINE_ASR_MODEL_MULTILINGUAL")
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
    else {
        eprintln!(
            "\n*** SKIPPED: no multilingual Whisper model (LEADLINE_ASR_MODEL_MULTILINGUAL unset; scripts/asr-model.sh --multilingual makes one) ***\n"
        );
        return;
    };
    let whisper = Whisper::load(&model).expect("the model loads");
    assert!(whisper.multilingual());
    for (voice, words, language, key) in [
        (
            "es",
            "hola, buenas tardes. quería saber cuánto cuesta la camisa azul en talla mediana.",
            "es",
            "camisa",
        ),
        (
            "en-us",
            "good morning. how much is the blue shirt in size medium, and do you have it in green?",
            "en",
            "blue shirt",
        ),
    ] {
        let note = voice_note(words, voice, &[]);
        let pcm = decode::ogg_opus(&note, 300).expect("a real voice note decodes");
        let heard = whisper
            .transcribe(
                &pcm,
                &Listen {
                    threads: 2,
                    language: None,
                },
            )
            .expect("it transcribes");
        assert_eq!(heard.language, language, "{voice}: heard {}", heard.text);
        let text = heard.text.to_lowercase();
        assert!(text.contains(key), "{voice}: heard {text}");
    }
}
