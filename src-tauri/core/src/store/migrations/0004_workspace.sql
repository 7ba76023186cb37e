-- Leadline schema, version 4: what the owner's workspace asks quickly at 100,000 leads.

-- Conversations across every number, newest first.
CREATE INDEX chats_last ON chats (last_message_at DESC);

-- Activity filtered by kind.
CREATE INDEX activity_kind ON activity (kind, created_at DESC);
