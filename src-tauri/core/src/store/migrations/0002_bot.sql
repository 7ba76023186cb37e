-- The bot pipeline: a number paused by the owner's `!pause`, and the away message sent
-- once per closed stretch and contact.

ALTER TABLE account_settings ADD COLUMN bot_paused_until INTEGER;

CREATE TABLE away_sent (
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    stretch     TEXT    NOT NULL,   -- names the closed stretch (when it ends)
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (account_id, contact_id, stretch)
);
