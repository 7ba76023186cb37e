//! A big database as an owner with years of chats has: `leads` leads over 3 numbers (one
//! with an Arabic name), 3 fields each, 10 messages per lead (each question answered a
//! second later, as the inbox records), an AI call per lead, names in several scripts.
//! Generated inside SQLite (recursive queries), so it takes seconds even in a debug build.
//! Shared by the Leads benchmark and the end-to-end test of the table at scale.

use std::time::Instant;

use leadline_core::leadline::Leadline;

/// The figure the issue names: 100,000 leads and 1,000,000 messages.
pub const LEADS: i64 = 100_000;
pub const MESSAGES_PER_LEAD: i64 = 10;

/// Lead `id`'s name: GIVEN[id % 12] FAMILY[(id / 12) % 10].
const GIVEN: [&str; 12] = [
    "Ana", "Luis", "María", "José", "سارة", "Chen", "Olga", "Kwame", "Zoë", "Priya", "Tomás",
    "Aiko",
];
const FAMILY: [&str; 10] = [
    "García", "López", "Smith", "Haddad", "Nakamura", "Silva", "Okafor", "Novak", "Kaur", "Rossi",
];
const CITIES: [&str; 6] = ["Madrid", "Lima", "Dubai", "Lagos", "Porto", "Osaka"];
/// Lead `id`'s stage: STAGES[id % 5].
const STAGES: [&str; 5] = ["new", "engaged", "qualified", "won", "lost"];

/// Lead `id`'s name as the seed writes it.
pub fn name_of(id: i64) -> String {
    format!(
        "{} {}",
        GIVEN[(id % 12) as usize],
        FAMILY[((id / 12) % 10) as usize]
    )
}

/// Fills an empty store. Lead `id` has contact and chat `id`; leads are one minute apart
/// and lead `leads` was created at `newest_ms` (so the last week holds 10,080 of them).
pub fn seed(core: &Leadline, leads: i64, newest_ms: i64) {
    let started = Instant::now();
    let json = |items: &[&str]| serde_json::to_string(items).unwrap_or_default();
    let (given, family, cities, stages) =
        (json(&GIVEN), json(&FAMILY), json(&CITIES), json(&STAGES));
    core.store()
        .call_blocking(move |conn| {
            let tx = conn.transaction()?;
            tx.execute_batch(
                "INSERT INTO accounts (id, name, created_at, updated_at) VALUES
                 (1, 'Shop', 0, 0), (2, 'Tienda', 0, 0), (3, 'متجر', 0, 0);",
            )?;
            tx.execute(
                "CREATE TEMP TABLE seed AS
                 WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < ?1)
                 SELECT id,
                        id % 3 + 1 AS account,
                        '+34' || (600000000 + id * 7) AS phone,
                        json_extract(?2, '$[' || (id % 12) || ']') || ' ' || json_extract(?3, '$[' || ((id / 12) % 10) || ']') AS name,
                        lower(json_extract(?2, '$[' || (id % 12) || ']')) || id || '@example.com' AS email,
                        json_extract(?4, '$[' || (id % 6) || ']') AS city,
                        json_extract(?5, '$[' || (id % 5) || ']') AS stage,
                        ?6 - (?1 - id) * 60000 AS at
                 FROM n",
                rusqlite::params![leads, given, family, cities, stages, newest_ms],
            )?;
            tx.execute_batch(
                "INSERT INTO contacts (id, account_id, wa_id, phone, push_name, created_at, updated_at)
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
                 DROP TABLE seed;",
            )?;
            // An audit log with one entry of each kind the owner filters by.
            tx.execute(
                "INSERT INTO activity (account_id, kind, message, detail, created_at) VALUES
                 (1, 'number_linked', 'Linked “Shop” to WhatsApp as +34 600 000 001', '{\"name\":\"Shop\",\"phone\":\"+34 600 000 001\"}', ?1 - 7200000),
                 (2, 'number_failed', '“Tienda” stopped working: the browser closed unexpectedly', '{\"name\":\"Tienda\",\"reason\":\"the browser closed unexpectedly\"}', ?1 - 5400000),
                 (2, 'number_recovered', '“Tienda” is working again', '{\"name\":\"Tienda\"}', ?1 - 5300000),
                 (1, 'takeover', 'You replied from Leadline; the bot stays quiet in that chat for 720 minutes', '{\"minutes\":\"720\"}', ?1 - 3600000),
                 (3, 'owner_command', 'Bot paused for 30 minutes from WhatsApp', '{\"variant\":\"pause\",\"minutes\":\"30\"}', ?1 - 1800000),
                 (1, 'webhook_delivered', 'Webhook delivered for lead 99998 (HTTP 200)', '{\"lead\":\"99998\",\"status\":\"200\"}', ?1 - 600000),
                 (1, 'ai_failed', 'The assistant could not answer a customer: the provider timed out', '{\"error\":\"the provider timed out\"}', ?1 - 300000)",
                [newest_ms],
            )?;
            tx.commit()?;
            conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")?;
            Ok(())
        })
        .expect("the big database is seeded");
    eprintln!(
        "seeded {leads} leads and {} messages in {:.1} s",
        leads * MESSAGES_PER_LEAD,
        started.elapsed().as_secs_f64()
    );
}
