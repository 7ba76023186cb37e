-- Why a number's assistant answers (model::bot_start): a new number waits until it is tried
-- in the Playground or switched on by the owner. Numbers already here keep answering as
-- they did: the owner's choice.
ALTER TABLE account_settings ADD COLUMN bot_started_by TEXT NOT NULL DEFAULT 'owner'
    CHECK (bot_started_by IN ('waiting', 'owner', 'playground'));
