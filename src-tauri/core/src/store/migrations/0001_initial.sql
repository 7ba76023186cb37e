-- Leadline schema, version 1: the whole design's tables.
-- Times are unix milliseconds (UTC). JSON columns hold structured settings that are read
-- and written whole by one module; everything that is filtered or joined is a column.

-- 'LDLN': lets Leadline tell its own database from any other SQLite file.
PRAGMA application_id = 1279544398;

-- A linked (or to-be-linked) WhatsApp number.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The number's own WhatsApp id once linked (e.g. 15551234567@c.us); NULL until then.
    wa_id       TEXT,
    -- Last link state we know of, so the app can say "needs re-linking" before a browser starts.
    link_state  TEXT    NOT NULL DEFAULT 'unlinked'
                        CHECK (link_state IN ('unlinked', 'linked', 'logged_out')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_name_unique ON accounts (name COLLATE NOCASE);
CREATE UNIQUE INDEX accounts_wa_id_unique ON accounts (wa_id) WHERE wa_id IS NOT NULL;

-- Per-number bot configuration. Structured parts are JSON documents owned by their modules.
CREATE TABLE account_settings (
    account_id      INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    bot_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (bot_enabled IN (0, 1)),
    prompt          TEXT    NOT NULL DEFAULT '',
    business_facts  TEXT    NOT NULL DEFAULT '',
    ai_provider     TEXT,
    ai_model        TEXT,
    lead_fields     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(lead_fields)),
    qualification   TEXT    NOT NULL DEFAULT '',
    hours           TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(hours)),
    behaviour       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(behaviour)),
    updated_at      INTEGER NOT NULL
);

-- App-wide settings as typed JSON values under fixed keys.
CREATE TABLE app_settings (
    key         TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL CHECK (json_valid(value)),
    updated_at  INTEGER NOT NULL
);

-- People who wrote to a number. wa_id is the chat jid (@c.us or @lid, stable per person).
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wa_id         TEXT    NOT NULL,
    phone         TEXT,                   -- E.164 when known
    push_name     TEXT,                   -- the name the sender set in WhatsApp
    display_name  TEXT,                   -- the owner's name for them
    ignored       INTEGER NOT NULL DEFAULT 0 CHECK (ignored IN (0, 1)),
    known         INTEGER NOT NULL DEFAULT 0 CHECK (known IN (0, 1)),  -- imported contact
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (account_id, wa_id)
);
CREATE INDEX contacts_phone ON contacts (account_id, phone);

CREATE TABLE chats (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wa_chat_id        TEXT    NOT NULL,
    contact_id        INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('person', 'group', 'broadcast')),
    title             TEXT,
    -- Owner takeover: the bot stays quiet in this chat until this time (NULL = active).
    bot_paused_until  INTEGER,
    bot_pause_reason  TEXT,
    last_message_at   INTEGER,
    created_at        INTEGER NOT NULL,
    UNIQUE (account_id, wa_chat_id)
);
CREATE INDEX chats_recent ON chats (account_id, last_message_at DESC);

-- Every message in and out. The WhatsApp message id is unique per number, which is what
-- makes a redelivered message a no-op.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    wa_msg_id   TEXT    NOT NULL,
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    -- Who wrote it: the customer, the bot, the owner from the app, or the owner on the phone.
    origin      TEXT    NOT NULL CHECK (origin IN ('customer', 'bot', 'owner_app', 'owner_phone')),
    author      TEXT,                     -- sender jid inside a group
    kind        TEXT    NOT NULL DEFAULT 'chat',
    body        TEXT    NOT NULL,
    ack         INTEGER NOT NULL DEFAULT 0 CHECK (ack BETWEEN -1 AND 4),
    sent_at     INTEGER NOT NULL,         -- WhatsApp's timestamp
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, wa_msg_id)
);
CREATE INDEX messages_chat_time ON messages (chat_id, sent_at);

-- Processing state of each inbound message: received -> decided -> replied | skipped | failed.
CREATE TABLE inbox (
    message_id        INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state             TEXT    NOT NULL DEFAULT 'received'
                              CHECK (state IN ('received', 'decided', 'replied', 'skipped', 'failed')),
    decision          TEXT,               -- what the policy decided, as JSON
    skip_reason       TEXT,
    error             TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER,
    reply_message_id  INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX inbox_open ON inbox (account_id, state) WHERE state IN ('received', 'decided');

CREATE TABLE leads (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id        INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    chat_id           INTEGER REFERENCES chats (id) ON DELETE SET NULL,
    stage             TEXT    NOT NULL DEFAULT 'new'
                              CHECK (stage IN ('new', 'engaged', 'qualified', 'won', 'lost')),
    score             INTEGER NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
    qualified_reason  TEXT,
    qualified_at      INTEGER,
    notes             TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (account_id, contact_id)
);
CREATE INDEX leads_stage ON leads (account_id, stage, updated_at DESC);
CREATE INDEX leads_qualified ON leads (qualified_at) WHERE qualified_at IS NOT NULL;

CREATE TABLE lead_fields (
    lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('ai', 'owner')),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (lead_id, key)
);

CREATE TABLE lead_events (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    created_at  INTEGER NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events (lead_id, created_at);

-- Keyword / regex quick replies, tried in position order before the AI.
CREATE TABLE rules (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    match_kind  TEXT    NOT NULL CHECK (match_kind IN ('keyword', 'regex')),
    pattern     TEXT    NOT NULL,
    reply       TEXT    NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX rules_order ON rules (account_id, position);

-- One row per AI call: tokens, cost (millionths of a US dollar) and latency.
CREATE TABLE ai_usage (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    provider           TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    purpose            TEXT    NOT NULL CHECK (purpose IN ('reply', 'playground', 'test')),
    prompt_tokens      INTEGER NOT NULL DEFAULT 0,
    completion_tokens  INTEGER NOT NULL DEFAULT 0,
    cost_micros        INTEGER NOT NULL DEFAULT 0,
    latency_ms         INTEGER NOT NULL DEFAULT 0,
    ok                 INTEGER NOT NULL CHECK (ok IN (0, 1)),
    created_at         INTEGER NOT NULL
);
CREATE INDEX ai_usage_time ON ai_usage (created_at);

-- The audit log the owner reads in Activity.
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    kind        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    created_at  INTEGER NOT NULL
);
CREATE INDEX activity_time ON activity (created_at DESC);
