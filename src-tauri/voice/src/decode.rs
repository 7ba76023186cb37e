//! A WhatsApp voice note (Ogg container, Opus codec) to 16 kHz mono samples. libopus
//! decodes at 16 kHz itself and downmixes a stereo stream, so no resampler is needed.

use std::io::Cursor;

use ogg::reading::PacketReader;

use crate::error::DecodeError;

/// What Whisper reads: 16,000 samples a second, one channel.
pub const SAMPLE_RATE: u32 = 16_000;

/// The longest Opus frame, 120 ms, at 16 kHz.
const MAX_FRAME: usize = 120 * SAMPLE_RATE as usize / 1000;

/// 16 kHz mono samples in [-1, 1].
#[derive(Debug, Clone)]
pub struct Pcm {
    pub samples: Vec<f32>,
}

impl Pcm {
    pub fn seconds(&self) -> f32 {
        self.samples.len() as f32 / SAMPLE_RATE as f32
    }
}

/// Decodes an Ogg/Opus file. `max_seconds` bounds the work a hostile or huge file can
/// cause: decoding stops with `TooLong` as soon as it is passed.
pub fn ogg_opus(bytes: &[u8], max_seconds: u32) -> Result<Pcm, DecodeError> {
    let mut reader = PacketReader::new(Cursor::new(bytes));
    let head = match reader.read_packet() {
        Ok(Some(packet)) => packet,
        Ok(None) | Err(_) => return Err(DecodeError::NotOgg),
    };
    // RFC 7845 §5.1: "OpusHead", version, channels, pre-skip (48 kHz samples, LE), …
    if head.data.len() < 19 || !head.data.starts_with(b"OpusHead") {
        return Err(DecodeError::NotOpus);
    }
    let pre_skip_48k = u16::from_le_bytes([head.data[10], head.data[11]]) as usize;
    match reader.read_packet() {
        Ok(Some(tags)) if tags.data.starts_with(b"OpusTags") => {}
        _ => return Err(DecodeError::Damaged),
    }
    let mut decoder =
        opus::Decoder::new(SAMPLE_RATE, opus::Channels::Mono).map_err(|_| DecodeError::Damaged)?;
    let limit = max_seconds as usize * SAMPLE_RATE as usize;
    let mut samples = Vec::new();
    let mut frame = vec![0f32; MAX_FRAME];
    loop {
        let packet = match reader.read_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            // A file cut short mid-page: what was whole is kept, as a player would.
            Err(_) if !samples.is_empty() => break,
            Err(_) => return Err(DecodeError::Damaged),
        };
        let count = decoder
            .decode_float(&packet.data, &mut frame, false)
            .map_err(|_| DecodeError::Damaged)?;
        samples.extend_from_slice(&frame[..count]);
        if samples.len() > limit {
            return Err(DecodeError::TooLong { max_seconds });
        }
    }
    let skip = (pre_skip_48k * SAMPLE_RATE as usize / 48_000).min(samples.len());
    samples.drain(..skip);
    if samples.is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(Pcm { samples })
}
