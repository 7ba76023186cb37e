//! The contacts of a number: names from the owner's address book.

pub mod import;
