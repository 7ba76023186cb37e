//! A Whisper model file checked before whisper.cpp reads it: whisper.cpp trusts the file's
//! own sizes, so a damaged or foreign file must be turned away here, with a reason.

use std::io::Read;
use std::path::Path;

use crate::error::TranscribeError;

/// whisper.cpp's file magic, `ggml` as a little-endian u32.
const MAGIC: [u8; 4] = 0x6767_6d6c_u32.to_le_bytes();

/// The smallest real model (tiny, quantised) is about 30 MB; anything far below is not one.
const SMALLEST: u64 = 10 * 1024 * 1024;

pub fn check(path: &Path) -> Result<(), TranscribeError> {
    let mut file = std::fs::File::open(path).map_err(|_| TranscribeError::ModelMissing)?;
    let size = file
        .metadata()
        .map_err(|_| TranscribeError::ModelMissing)?
        .len();
    let mut magic = [0u8; 4];
    if size < SMALLEST || file.read_exact(&mut magic).is_err() || magic != MAGIC {
        return Err(TranscribeError::ModelDamaged);
    }
    Ok(())
}
