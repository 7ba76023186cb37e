-- Which WhatsApp Web each number's page ran when last seen: its build (Debug.VERSION),
-- whether the bridge was checked against that build, and the bridge's features the page
-- lacked (a JSON list of names), so Numbers and Home can tell the owner after a restart.
ALTER TABLE accounts ADD COLUMN wa_version TEXT;
ALTER TABLE accounts ADD COLUMN wa_version_tested INTEGER NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN wa_missing_features TEXT NOT NULL DEFAULT '[]';
