//! The core's `Hearing`, on this computer: a voice note decoded and heard by whisper.cpp,
//! one at a time (two at once would only share the same cores, each slower).

use std::path::Path;
use std::sync::Mutex;

use leadline_core::media::hearing::{Heard, Hearing, NotHeard};

use crate::decode;
use crate::error::{DecodeError, TranscribeError};
use crate::whisper::{Listen, Whisper, threads_for};

/// The longest voice note heard: ten minutes. WhatsApp allows longer, but past this a
/// customer is better answered by the owner, and the hearing would hold the cores for minutes.
pub const MAX_NOTE_SECONDS: u32 = 600;

pub struct LocalHearing {
    whisper: Mutex<Whisper>,
    engine: String,
    threads: usize,
}

impl LocalHearing {
    /// Loads the model at `path` (a whisper.cpp `.bin`).
    pub fn load(path: &Path) -> Result<LocalHearing, TranscribeError> {
        let whisper = Whisper::load(path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(LocalHearing {
            whisper: Mutex::new(whisper),
            engine: format!("local:{name}"),
            threads: threads_for(cores),
        })
    }
}

impl Hearing for LocalHearing {
    fn engine(&self) -> String {
        self.engine.clone()
    }

    fn hear(&self, audio: &[u8]) -> Result<Heard, NotHeard> {
        let pcm = decode::ogg_opus(audio, MAX_NOTE_SECONDS).map_err(|e| match e {
            DecodeError::TooLong { .. } => NotHeard::TooLong,
            _ => NotHeard::NotSound,
        })?;
        let whisper = self
            .whisper
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let listen = Listen {
            threads: self.threads,
            language: None,
        };
        let heard = whisper.transcribe(&pcm, &listen).map_err(|e| match e {
            TranscribeError::ModelMissing | TranscribeError::ModelDamaged => NotHeard::NoModel,
            _ => NotHeard::Failed,
        })?;
        Ok(Heard {
            text: heard.text,
            language: heard.language,
            audio_ms: (heard.audio_seconds * 1000.0).round() as i64,
            took_ms: heard.took.as_millis().min(i64::MAX as u128) as i64,
        })
    }
}
