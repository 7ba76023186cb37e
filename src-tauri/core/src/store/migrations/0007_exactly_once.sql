-- Every customer answered exactly once.
-- inbox: the AI's attempts are counted apart from the send's (a send attempt means "maybe
-- sent", an AI attempt doesn't); a reply WhatsApp's server never took is sent again once
-- (`resends`); the owner is told of a final failure once (`owner_told_at`).
ALTER TABLE inbox ADD COLUMN ai_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
ALTER TABLE inbox ADD COLUMN owner_told_at INTEGER;
CREATE INDEX inbox_due ON inbox (account_id, next_attempt_at)
    WHERE state = 'failed' AND next_attempt_at IS NOT NULL;

-- A removed number's id is never given to a new one (its keychain entries, profile folder
-- and webhook were keyed by it): the highest id ever used is kept here. (The store's
-- background checkpoint also counts its WAL restarts here, as `wal_restarts`.)
CREATE TABLE id_high_water (
    name TEXT PRIMARY KEY,
    high INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO id_high_water (name, high) SELECT 'accounts', COALESCE(MAX(id), 0) FROM accounts;
CREATE TRIGGER accounts_id_high_water AFTER INSERT ON accounts BEGIN
    INSERT INTO id_high_water (name, high) VALUES ('accounts', NEW.id)
    ON CONFLICT (name) DO UPDATE SET high = MAX(high, excluded.high);
END;

-- Webhook deliveries waiting to go out (a qualified lead, as it will be posted), so a
-- restart doesn't lose them; a row goes once delivered or given up on.
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    lead_id         INTEGER NOT NULL,
    payload         TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
