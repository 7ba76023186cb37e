-- Edits and deletions for everyone, as WhatsApp reported them: the text now, the first text
-- kept for the owner, and when each happened (Leadline's clock).
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN original_body TEXT;
ALTER TABLE messages ADD COLUMN revoked_at INTEGER;

-- Reactions: one per sender and message, the newest kept.
CREATE TABLE reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    sender     TEXT    NOT NULL,
    emoji      TEXT    NOT NULL,
    reacted_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, sender)
);
