-- A media message's file: fetched after the message is stored, kept in the data folder
-- under the number (`file` is relative to the media folder), or failed with why.
CREATE TABLE media_files (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'stored', 'failed')),
    reason     TEXT,
    file       TEXT,
    sha256     TEXT,
    bytes      INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE INDEX media_files_account ON media_files (account_id, state);
