//! Copies of the whole database: written by SQLite itself, and checked on their own file.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// Writes a consistent copy of the database to `target` (a file that must not exist).
pub fn vacuum_into(conn: &Connection, target: &str) -> rusqlite::Result<()> {
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}

/// SQLite's verdict on a database file, opened read-only: "ok", or what it found wrong.
pub fn quick_check(path: &Path) -> rusqlite::Result<String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.query_row("PRAGMA quick_check", [], |row| row.get(0))
}
