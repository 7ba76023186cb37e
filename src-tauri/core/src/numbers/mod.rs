//! The owner's WhatsApp numbers: add, rename, remove, list.

pub mod linking;
pub mod list;
pub mod name;
