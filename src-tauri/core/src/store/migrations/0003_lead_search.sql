-- Leads at scale: the name the list shows and sorts by, and the text search looks in
-- (name, phone, every field's value), kept on the lead so one index serves each. The
-- search index is FTS5 with trigrams: any part of a name, an email or a phone matches,
-- in any script, without caring about case.

ALTER TABLE leads ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN search_text  TEXT NOT NULL DEFAULT '';
-- Set by the bot's turn (cheap); the name and search text are worked out when the Leads
-- table next asks, so re-indexing never lands on a reply's time.
ALTER TABLE leads ADD COLUMN search_dirty INTEGER NOT NULL DEFAULT 0 CHECK (search_dirty IN (0, 1));
CREATE INDEX leads_search_dirty ON leads (id) WHERE search_dirty = 1;

CREATE INDEX leads_updated   ON leads (updated_at DESC, id DESC);
CREATE INDEX leads_created   ON leads (created_at DESC, id DESC);
CREATE INDEX leads_score     ON leads (score, id);
CREATE INDEX leads_name      ON leads (display_name COLLATE NOCASE, id);
CREATE INDEX leads_qualified_at ON leads (qualified_at, id);
-- Number, stage and score filters counted from the index alone.
CREATE INDEX leads_filter    ON leads (account_id, stage, score);

-- The leads already there (the same expression as store::leads::refresh_search).
UPDATE leads SET
    display_name = COALESCE(
        (SELECT value FROM lead_fields WHERE lead_id = leads.id AND key = 'name'),
        (SELECT COALESCE(display_name, push_name, phone, '') FROM contacts WHERE id = leads.contact_id),
        ''),
    search_text = trim(
        COALESCE((SELECT COALESCE(display_name, '') || ' ' || COALESCE(push_name, '') || ' ' || COALESCE(phone, '')
                  FROM contacts WHERE id = leads.contact_id), '')
        || ' ' ||
        COALESCE((SELECT group_concat(value, ' ') FROM lead_fields WHERE lead_id = leads.id), ''));

CREATE VIRTUAL TABLE leads_fts USING fts5 (
    search_text,
    content = 'leads',
    content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER leads_fts_update AFTER UPDATE OF search_text ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO leads_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- Index the leads already there.
INSERT INTO leads_fts (leads_fts) VALUES ('rebuild');
