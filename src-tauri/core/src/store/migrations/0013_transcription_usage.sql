-- A voice note heard by the owner's provider is an AI call like a reply: recorded with what
-- it cost, so Home's spending and the hourly ceiling count it. SQLite can't widen a CHECK,
-- so the table is rebuilt with every row kept (nothing references it).
CREATE TABLE ai_usage_new (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    provider           TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    purpose            TEXT    NOT NULL CHECK (purpose IN ('reply', 'playground', 'test', 'transcription')),
    prompt_tokens      INTEGER NOT NULL DEFAULT 0,
    completion_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_micros        INTEGER NOT NULL DEFAULT 0,
    latency_ms         INTEGER NOT NULL DEFAULT 0,
    ok                 INTEGER NOT NULL CHECK (ok IN (0, 1)),
    created_at         INTEGER NOT NULL
);
INSERT INTO ai_usage_new (id, account_id, provider, model, purpose, prompt_tokens,
    completion_tokens, cost_micros, latency_ms, ok, created_at)
SELECT id, account_id, provider, model, purpose, prompt_tokens, completion_tokens,
    cost_micros, latency_ms, ok, created_at
FROM ai_usage;
DROP TABLE ai_usage;
ALTER TABLE ai_usage_new RENAME TO ai_usage;
CREATE INDEX ai_usage_time ON ai_usage (created_at);
