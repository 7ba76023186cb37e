-- WhatsApp's limits on a number while it stays connected (the reachout timelock and the
-- monthly cap on new chats), as its page last said, so the owner sees them after a restart.
ALTER TABLE accounts ADD COLUMN limit_timelocked INTEGER NOT NULL DEFAULT 0 CHECK (limit_timelocked IN (0, 1));
ALTER TABLE accounts ADD COLUMN limit_timelock_ends_at INTEGER;
ALTER TABLE accounts ADD COLUMN limit_capped INTEGER NOT NULL DEFAULT 0 CHECK (limit_capped IN (0, 1));

-- A customer's WhatsApp username (without "@"), for one who may have no phone number.
ALTER TABLE contacts ADD COLUMN username TEXT;
