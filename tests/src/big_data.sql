-- The big database's bulk, generated inside SQLite (see big_data.rs): first the seed
-- table, from ?1 leads, ?2 given names, ?3 family names, ?4 cities, ?5 stages (JSON
-- arrays) and ?6 the newest lead's time; then, after the marker, the rows made from it.
CREATE TEMP TABLE seed AS
WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < ?1)
SELECT id,
       id % 3 + 1 AS account,
       '+34' || (600000000 + id * 7) AS phone,
       json_extract(?2, '$[' || (id % 12) || ']') || ' ' || json_extract(?3, '$[' || ((id / 12) % 10) || ']') AS name,
       lower(json_extract(?2, '$[' || (id % 12) || ']')) || id || '@example.com' AS email,
       json_extract(?4, '$[' || (id % 6) || ']') AS city,
       json_extract(?5, '$[' || (id % 5) || ']') AS stage,
       ?6 - (?1 - id) * 60000 AS at
FROM n;
-- rows
INSERT INTO contacts (id, account_id, wa_id, phone, push_name, created_at, updated_at)
  SELECT id, account, substr(phone, 2) || '@c.us', phone, name, at, at FROM seed;
INSERT INTO chats (id, account_id, wa_chat_id, contact_id, kind, last_message_at, created_at)
  SELECT id, account, substr(phone, 2) || '@c.us', id, 'person', at + 9000, at FROM seed;
INSERT INTO leads (id, account_id, contact_id, chat_id, stage, score, qualified_reason, qualified_at,
                   created_at, updated_at, display_name, search_text)
  SELECT id, account, id, id, stage, id * 37 % 101,
         CASE WHEN stage IN ('qualified', 'won') THEN 'wants to buy' END,
         CASE WHEN stage IN ('qualified', 'won') THEN at END,
         at, at + 1, name, name || ' ' || name || ' ' || phone || ' ' || email || ' ' || city || ' ' || name
  FROM seed;
INSERT INTO lead_fields (lead_id, key, value, source, updated_at)
  SELECT id, 'name', name, 'ai', at FROM seed
  UNION ALL SELECT id, 'email', email, 'ai', at FROM seed
  UNION ALL SELECT id, 'city', city, 'ai', at FROM seed;
INSERT INTO messages (account_id, chat_id, wa_msg_id, direction, origin, body, ack, sent_at, created_at)
  WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 9)
  SELECT account, id, 'm' || id || '-' || n,
         CASE WHEN n % 2 = 0 THEN 'in' ELSE 'out' END,
         CASE WHEN n % 2 = 0 THEN 'customer' ELSE 'bot' END,
         CASE WHEN n % 2 = 0 THEN 'Hola, ¿precio de la bici? 🚲' ELSE '¡Hola! Desde 349 €. ¿Te reservo una?' END,
         CASE WHEN n % 2 = 0 THEN 0 ELSE 3 END,
         at + n * 1000, at + n * 1000
  FROM seed, k;
INSERT INTO inbox (message_id, account_id, state, attempts, reply_message_id, updated_at)
  SELECT q.id, q.account_id, 'replied', 1, r.id, r.created_at
  FROM messages q JOIN messages r ON r.account_id = q.account_id
       AND r.wa_msg_id = substr(q.wa_msg_id, 1, length(q.wa_msg_id) - 1) || (CAST(substr(q.wa_msg_id, -1) AS INTEGER) + 1)
  WHERE q.direction = 'in';
INSERT INTO ai_usage (account_id, provider, model, purpose, prompt_tokens, completion_tokens, cost_micros, latency_ms, ok, created_at)
  SELECT account, 'openai', 'gpt-4o-mini', 'reply', 900, 60, 171, 850, 1, at + 1000 FROM seed;
DROP TABLE seed;
