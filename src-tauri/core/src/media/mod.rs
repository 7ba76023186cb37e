//! Customers' media files on the disk: where a number's live and how one is written (the
//! bot fetches them, `bot::media`).

pub mod files;
pub mod hearing;
