//! A real photo for tests: a JPEG (8×6, one colour), as WhatsApp sends a photo's
//! thumbnail or a small photo's file.

use base64::Engine as _;

/// The JPEG, base64.
pub const JPEG_BASE64: &str = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAGAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAX/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAAAgX/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCaAKU//9k=";

/// The JPEG's bytes.
pub fn jpeg() -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(JPEG_BASE64)
        .expect("the test photo is base64")
}
