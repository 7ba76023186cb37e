-- A customer's voice note as Leadline heard it: pending from when it is stored while
-- hearing is on, then done (its words, the language heard, how long the note and the
-- hearing took, and by what), or failed with why. A chat waits for its pending ones before
-- its turn; a done one is answered like text.
CREATE TABLE transcripts (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    text       TEXT,
    language   TEXT,
    reason     TEXT,
    engine     TEXT,
    audio_ms   INTEGER,
    took_ms    INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE INDEX transcripts_pending ON transcripts (state) WHERE state = 'pending';
