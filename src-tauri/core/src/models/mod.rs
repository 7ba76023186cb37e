//! Models that run on this computer (the speech models that hear voice notes): which there
//! are, fetched from their publisher with a progress bar, resumed after an interruption,
//! checked against a pinned SHA-256 before use, and removed on request.

pub mod catalog;
pub mod download;
pub mod memory;
pub mod shelf;
pub mod speech;
