//! What a parser reads out of an address book: one person's phone and where.

/// One person's phone as found in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Line (vCard: where the card starts; CSV: the record's line).
    pub line: u64,
    pub name: Option<String>,
    pub phone: String,
}
