//! whisper.cpp in process: one loaded model, a fresh state per voice note, greedy decoding.

use std::path::Path;
use std::time::{Duration, Instant};

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::decode::Pcm;
use crate::error::TranscribeError;
use crate::model_file;

/// What was heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The words, trimmed; empty when nothing was said.
    pub text: String,
    /// ISO 639-1 code Whisper heard ("en", "es", …); an English-only model always says "en".
    pub language: String,
    pub audio_seconds: f32,
    pub took: Duration,
}

/// How to listen.
#[derive(Debug, Clone)]
pub struct Listen {
    /// whisper.cpp's threads: [`threads_for`] picks.
    pub threads: usize,
    /// The customer's language when known (skips detection: two encoder passes over the
    /// note's first seconds); None detects.
    pub language: Option<String>,
}

/// Threads for a machine with `cores`: each core, at most four. Measured on an idle 2-core
/// machine, 2 threads hear a 9 s note in 2.2 s where 1 takes 4.3 s; on one already busy
/// compiling, 1 was faster (../shared/docs/LOCAL_AI_MEDIA.md §4), but an owner's laptop is
/// rarely that busy, and past four whisper.cpp gains little.
pub fn threads_for(cores: usize) -> usize {
    cores.clamp(1, 4)
}

/// A loaded model. Loading takes a fraction of a second; keep one while voice notes come.
pub struct Whisper {
    context: WhisperContext,
}

impl Whisper {
    pub fn load(path: &Path) -> Result<Whisper, TranscribeError> {
        model_file::check(path)?;
        // whisper.cpp's own log lines (model sizes, timings; never what was said) to tracing.
        whisper_rs::install_logging_hooks();
        let Some(path) = path.to_str() else {
            return Err(TranscribeError::ModelLoad(
                "the model's folder name is not UTF-8".into(),
            ));
        };
        let context = WhisperContext::new_with_params(path, WhisperContextParameters::default())
            .map_err(|error| TranscribeError::ModelLoad(error.to_string()))?;
        Ok(Whisper { context })
    }

    /// True for models that hear many languages (not an `.en` one).
    pub fn multilingual(&self) -> bool {
        self.context.is_multilingual()
    }

    /// Transcribes 16 kHz mono samples. Blocking and CPU-bound: call it off the async
    /// runtime (spawn_blocking).
    pub fn transcribe(&self, pcm: &Pcm, listen: &Listen) -> Result<Transcript, TranscribeError> {
        let started = Instant::now();
        let mut state = self
            .context
            .create_state()
            .map_err(|error| TranscribeError::Failed(error.to_string()))?;
        let threads = listen.threads.max(1);
        let language = match (&listen.language, self.multilingual()) {
            (_, false) => "en".to_string(),
            (Some(code), true) => code.clone(),
            (None, true) => detect_language(&mut state, pcm, threads)?,
        };
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(threads as i32);
        params.set_audio_ctx(audio_window(pcm.seconds()));
        params.set_language(Some(&language));
        params.set_translate(false);
        params.set_no_context(true);
        params.set_no_timestamps(true);
        params.set_suppress_nst(true);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        params.set_print_special(false);
        state
            .full(params, &pcm.samples)
            .map_err(|error| TranscribeError::Failed(error.to_string()))?;
        let mut text = String::new();
        for segment in state.as_iter() {
            if let Ok(words) = segment.to_str_lossy() {
                text.push_str(&words);
            }
        }
        Ok(Transcript {
            text: without_markers(&text),
            language,
            audio_seconds: pcm.seconds(),
            took: started.elapsed(),
        })
    }
}

/// How much of a note its language is heard from.
const DETECT_SECONDS: f32 = 8.0;

/// The language spoken in the note's first seconds (ISO 639-1). whisper.cpp's own detection
/// (language "auto") runs the encoder over its full 30 s window whatever the note's length
/// (it comes before the window is narrowed): 1.8 s of a 4.5 s note's 2.2 s on this 2-core
/// machine. Here it runs on a window of the first [`DETECT_SECONDS`]: the state's window is
/// narrowed first by hearing a moment of silence with it (whisper.cpp keeps a state's last
/// window, and sets it only when it hears), then the note's sound is read and its language
/// told.
fn detect_language(
    state: &mut whisper_rs::WhisperState,
    pcm: &Pcm,
    threads: usize,
) -> Result<String, TranscribeError> {
    let failed = |error: whisper_rs::WhisperError| TranscribeError::Failed(error.to_string());
    let mut narrow = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    narrow.set_n_threads(threads as i32);
    narrow.set_audio_ctx(audio_window(pcm.seconds().min(DETECT_SECONDS)));
    narrow.set_language(Some("en"));
    narrow.set_max_tokens(1);
    narrow.set_single_segment(true);
    narrow.set_no_context(true);
    narrow.set_no_timestamps(true);
    narrow.set_temperature_inc(0.0);
    narrow.set_print_progress(false);
    narrow.set_print_realtime(false);
    narrow.set_print_timestamps(false);
    narrow.set_print_special(false);
    // A fifth of a second of silence: long enough to be heard (whisper.cpp skips less than
    // 100 ms before it sets the window).
    state.full(narrow, &[0.0; 3_200]).map_err(failed)?;
    state.pcm_to_mel(&pcm.samples, threads).map_err(failed)?;
    let (id, _) = state.lang_detect(0, threads).map_err(failed)?;
    Ok(whisper_rs::get_lang_str(id).unwrap_or("en").to_string())
}

/// The encoder's window for a note of `seconds`: Whisper's is 30 s (1,500 positions, 20 ms
/// each) whatever the note's length, and a short note padded with silence to fill it is both
/// slower (the encoder's cost is the window's) and, measured on the base model, worse heard:
/// a 9 s Spanish note came back as its first five words with the full window and whole with
/// this one (2.2 s against 3.3 s). The note's own length plus 2.56 s of margin, at most 30 s.
fn audio_window(seconds: f32) -> i32 {
    const FULL: f32 = 1500.0;
    const MARGIN: f32 = 128.0;
    (seconds * 50.0 + MARGIN).clamp(MARGIN, FULL) as i32
}

/// Whisper writes what it hears that is not speech as bracketed markers ("[BLANK_AUDIO]",
/// "(music)"): those are not the customer's words.
fn without_markers(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut depth = 0usize;
    for character in text.chars() {
        match character {
            '[' | '(' => depth += 1,
            ']' | ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => kept.push(character),
            _ => {}
        }
    }
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{audio_window, threads_for, without_markers};

    #[test]
    fn the_window_fits_the_note_up_to_whispers_own() {
        assert_eq!(audio_window(0.0), 128);
        assert_eq!(audio_window(4.5), 353);
        assert_eq!(audio_window(29.0), 1500);
        assert_eq!(audio_window(300.0), 1500);
    }

    #[test]
    fn markers_are_not_words() {
        assert_eq!(without_markers(" [BLANK_AUDIO]"), "");
        assert_eq!(
            without_markers(" Hello, (music) how much is   the blue shirt?"),
            "Hello, how much is the blue shirt?"
        );
        assert_eq!(without_markers("¿Cuánto cuesta?"), "¿Cuánto cuesta?");
    }

    #[test]
    fn each_core_up_to_four() {
        assert_eq!(threads_for(0), 1);
        assert_eq!(threads_for(2), 2);
        assert_eq!(threads_for(4), 4);
        assert_eq!(threads_for(16), 4);
    }
}
