-- Leadline schema, version 4: what the owner's workspace asks quickly at 100,000 leads.

-- Conversations across every number, newest first.
CREATE INDEX chats_last ON chats (last_message_at DESC);

-- Home: replies answered in a period, for the median response time.
CREATE INDEX inbox_replied ON inbox (updated_at) WHERE state = 'replied';

-- Activity filtered by kind.
CREATE INDEX activity_kind ON activity (kind, created_at DESC);
