//! The contacts of a number: names from the owner's address book, read from a vCard or CSV
//! export in any encoding.

mod csv_book;
pub mod decode;
pub mod entry;
pub mod import;
mod vcard;
