//! Queries on `inbox`: where each inbound message is in the pipeline.
//!
//! Every transition is conditional: a row moves only from the states the step expects
//! (compare-and-set in SQL), and each function says whether it moved the row. So an echo, a
//! retry and a burst's merge racing on one row can never move it backwards; the loser of a
//! race sees `false` and leaves the row alone.

use rusqlite::{Connection, OptionalExtension, params};

use crate::model::decision::SkipReason;
use crate::model::inbox::{InboxState, Stored};
use crate::model::message_kind::MessageKind;

pub fn insert(
    conn: &Connection,
    message_id: i64,
    account_id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO inbox (message_id, account_id, state, updated_at) VALUES (?1, ?2, 'received', ?3)",
        params![message_id, account_id, now],
    )?;
    Ok(())
}

fn state_in(states: &[InboxState]) -> String {
    // The states' own words, never input.
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The decision; a decision with a reply text carries it, so a resend after a crash sends
/// the same words. From one of `from`.
pub fn decided(
    conn: &Connection,
    message_id: i64,
    from: &[InboxState],
    decision: &Stored,
    now: i64,
) -> rusqlite::Result<bool> {
    let decision = serde_json::to_string(decision)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let changed = conn.execute(
        &format!(
            "UPDATE inbox SET state = 'decided', decision = ?2, next_attempt_at = NULL, updated_at = ?3
             WHERE message_id = ?1 AND state IN ({})",
            state_in(from)
        ),
        params![message_id, decision, now],
    )?;
    Ok(changed == 1)
}

/// Counted before each send attempt: a row with attempts > 0 may have been sent.
pub fn attempt(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET attempts = attempts + 1, updated_at = ?2 WHERE message_id = ?1 AND state = 'decided'",
        params![message_id, now],
    )?;
    Ok(changed == 1)
}

/// Takes back an attempt that never reached WhatsApp (the number was not connected).
pub fn unattempt(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET attempts = attempts - 1, updated_at = ?2
         WHERE message_id = ?1 AND state = 'decided' AND attempts > 0",
        params![message_id, now],
    )?;
    Ok(changed == 1)
}

/// Counted before each AI call of the row's turn.
pub fn ai_attempt(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<u32> {
    conn.query_row(
        "UPDATE inbox SET ai_attempts = ai_attempts + 1, updated_at = ?2 WHERE message_id = ?1 RETURNING ai_attempts",
        params![message_id, now],
        |r| r.get(0),
    )
}

pub fn skipped(
    conn: &Connection,
    message_id: i64,
    from: &[InboxState],
    reason: SkipReason,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        &format!(
            "UPDATE inbox SET state = 'skipped', skip_reason = ?2, next_attempt_at = NULL, updated_at = ?3
             WHERE message_id = ?1 AND state IN ({})",
            state_in(from)
        ),
        params![message_id, reason.as_str(), now],
    )?;
    Ok(changed == 1)
}

/// A reply went out: from decided (being sent) or failed (an error, yet it went out).
pub fn replied(
    conn: &Connection,
    message_id: i64,
    reply_message_id: i64,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET state = 'replied', reply_message_id = ?2, error = NULL, next_attempt_at = NULL, updated_at = ?3
         WHERE message_id = ?1 AND state IN ('decided', 'failed')",
        params![message_id, reply_message_id, now],
    )?;
    Ok(changed == 1)
}

/// `next_attempt_at`: when to try again, or `None` for a final failure.
pub fn failed(
    conn: &Connection,
    message_id: i64,
    from: &[InboxState],
    error: &str,
    next_attempt_at: Option<i64>,
    now: i64,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        &format!(
            "UPDATE inbox SET state = 'failed', error = ?2, next_attempt_at = ?3, updated_at = ?4
             WHERE message_id = ?1 AND state IN ({})",
            state_in(from)
        ),
        params![message_id, error, next_attempt_at, now],
    )?;
    Ok(changed == 1)
}

/// A failed send due again goes back to being sent (unless an echo completed it meanwhile).
pub fn due_again(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET state = 'decided', updated_at = ?2 WHERE message_id = ?1 AND state = 'failed'",
        params![message_id, now],
    )?;
    Ok(changed == 1)
}

/// WhatsApp's server never took the reply: the row goes back to being sent, once (its
/// reply still named until the new one replaces it, so a late server ack of the original
/// can cancel the resend). Returns false when it was already sent again (or is no longer
/// replied).
pub fn resend(conn: &Connection, message_id: i64, error: &str, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET state = 'decided', resends = resends + 1, error = ?2, updated_at = ?3
         WHERE message_id = ?1 AND state = 'replied' AND resends < 1",
        params![message_id, error, now],
    )?;
    Ok(changed == 1)
}

/// A late server ack of the reply `reply_message_id` (refused or gone, so about to be
/// sent again): the row it answered is replied with it after all, unless the resend went
/// out already. True when a resend was cancelled.
pub fn cancel_resend(conn: &Connection, reply_message_id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET state = 'replied', error = NULL, next_attempt_at = NULL, updated_at = ?2
         WHERE reply_message_id = ?1 AND state IN ('decided', 'failed') AND resends > 0",
        params![reply_message_id, now],
    )?;
    Ok(changed == 1)
}

/// The owner is told of a final failure once: true the first time.
pub fn tell_owner(conn: &Connection, message_id: i64, now: i64) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE inbox SET owner_told_at = ?2 WHERE message_id = ?1 AND owner_told_at IS NULL",
        params![message_id, now],
    )?;
    Ok(changed == 1)
}

/// An inbox row: where its message is, the decision taken (read once, here), and its tries.
pub struct Row {
    pub message_id: i64,
    pub state: InboxState,
    pub decision: Option<Stored>,
    pub skip_reason: Option<SkipReason>,
    pub error: Option<String>,
    pub attempts: u32,
    pub ai_attempts: u32,
    pub resends: u32,
    pub next_attempt_at: Option<i64>,
    pub reply_message_id: Option<i64>,
}

const ROW: &str = "SELECT message_id, state, decision, skip_reason, error, attempts, ai_attempts, resends, next_attempt_at, reply_message_id FROM inbox";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let message_id = r.get(0)?;
    let decision: Option<String> = r.get(2)?;
    let skip_reason: Option<String> = r.get(3)?;
    Ok(Row {
        message_id,
        state: r.get(1)?,
        decision: decision
            .as_deref()
            .and_then(|json| decision_of(message_id, json)),
        skip_reason: skip_reason.map(|word| {
            SkipReason::parse(&word).unwrap_or_else(|| {
                tracing::warn!(message_id, "a skip reason this build doesn't know");
                SkipReason::Unknown
            })
        }),
        error: r.get(4)?,
        attempts: r.get(5)?,
        ai_attempts: r.get(6)?,
        resends: r.get(7)?,
        next_attempt_at: r.get(8)?,
        reply_message_id: r.get(9)?,
    })
}

/// A stored decision; one this build can't read (a damaged file) reads as none, logged, so
/// the row is decided afresh rather than left stuck.
fn decision_of(message_id: i64, json: &str) -> Option<Stored> {
    match serde_json::from_str(json) {
        Ok(decision) => Some(decision),
        Err(e) => {
            tracing::warn!(message_id, error = %e, "an unreadable inbox decision; deciding again");
            None
        }
    }
}

pub fn get(conn: &Connection, message_id: i64) -> rusqlite::Result<Option<Row>> {
    conn.prepare_cached(&format!("{ROW} WHERE message_id = ?1"))?
        .query_row(params![message_id], row)
        .optional()
}

/// Every row of a number, oldest first.
pub fn of_account(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<Row>> {
    conn.prepare_cached(&format!("{ROW} WHERE account_id = ?1 ORDER BY message_id"))?
        .query_map([account_id], row)?
        .collect()
}

/// The row whose reply is the message `reply_message_id`.
pub fn by_reply(conn: &Connection, reply_message_id: i64) -> rusqlite::Result<Option<Row>> {
    conn.query_row(
        &format!("{ROW} WHERE reply_message_id = ?1"),
        params![reply_message_id],
        row,
    )
    .optional()
}

/// How many times a reply is sent before the row stays failed.
pub const MAX_ATTEMPTS: u32 = 5;

/// An open row of a chat, and whether its message came in from the customer (else the
/// owner typed it on the phone), what kind it is, and (a voice note) whether it was heard.
pub struct OpenRow {
    pub row: Row,
    pub from_customer: bool,
    pub kind: MessageKind,
    pub heard: bool,
}

/// A chat's open rows, oldest first: received, decided, and failed ones due by `now` with
/// attempts left.
pub fn open_in_chat(conn: &Connection, chat_id: i64, now: i64) -> rusqlite::Result<Vec<OpenRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.message_id, i.state, i.decision, i.skip_reason, i.error, i.attempts, i.ai_attempts, i.resends, i.next_attempt_at, i.reply_message_id,
                m.direction = 'in', m.kind, COALESCE(t.state = 'done', 0)
         FROM inbox i JOIN messages m ON m.id = i.message_id
         LEFT JOIN transcripts t ON t.message_id = m.id
         WHERE m.chat_id = ?1 AND (i.state IN ('received', 'decided')
               OR (i.state = 'failed' AND i.next_attempt_at <= ?2 AND i.attempts < ?3))
         ORDER BY i.message_id",
    )?;
    stmt.query_map(params![chat_id, now, MAX_ATTEMPTS], |r| {
        Ok(OpenRow {
            row: row(r)?,
            from_customer: r.get(10)?,
            kind: r.get(11)?,
            heard: r.get(12)?,
        })
    })?
    .collect()
}

/// A chat's customer rows that failed and wait for their retry (due after `now`), oldest
/// first: a newer turn of the chat takes them in.
pub fn retrying_in_chat(conn: &Connection, chat_id: i64, now: i64) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.message_id, i.state, i.decision, i.skip_reason, i.error, i.attempts, i.ai_attempts, i.resends, i.next_attempt_at, i.reply_message_id
         FROM inbox i JOIN messages m ON m.id = i.message_id
         WHERE m.chat_id = ?1 AND m.direction = 'in' AND i.state = 'failed'
               AND i.next_attempt_at > ?2 AND i.attempts < ?3
         ORDER BY i.message_id",
    )?;
    stmt.query_map(params![chat_id, now, MAX_ATTEMPTS], row)?
        .collect()
}

/// A chat with open rows, and when (our clock) its newest open customer message was
/// stored, if any: a turn waits for the burst.
pub struct OpenChat {
    pub chat_id: i64,
    pub newest_stored_at: Option<i64>,
}

/// The chats of a number with open rows (see `open_in_chat`), oldest first.
pub fn open_chats(conn: &Connection, account_id: i64, now: i64) -> rusqlite::Result<Vec<OpenChat>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.chat_id, MAX(CASE WHEN m.direction = 'in' AND i.state = 'received' THEN m.created_at END)
         FROM inbox i JOIN messages m ON m.id = i.message_id
         WHERE i.account_id = ?1 AND (i.state IN ('received', 'decided')
               OR (i.state = 'failed' AND i.next_attempt_at <= ?2 AND i.attempts < ?3))
         GROUP BY m.chat_id ORDER BY MIN(i.message_id)",
    )?;
    stmt.query_map(params![account_id, now, MAX_ATTEMPTS], |r| {
        Ok(OpenChat {
            chat_id: r.get(0)?,
            newest_stored_at: r.get(1)?,
        })
    })?
    .collect()
}

/// When a number's next failed row is due, if any.
pub fn next_due(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT MIN(next_attempt_at) FROM inbox WHERE account_id = ?1 AND state = 'failed'
         AND next_attempt_at IS NOT NULL AND attempts < ?2",
        params![account_id, MAX_ATTEMPTS],
        |r| r.get(0),
    )
}

/// Replies reserved but not yet sent by a number (decided rows other than `except`): they
/// count against its caps, so a burst of chats can't all pass the check at once.
pub fn reserved(conn: &Connection, account_id: i64, except: i64) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT COUNT(*) FROM inbox WHERE account_id = ?1 AND state = 'decided' AND message_id <> ?2",
        params![account_id, except],
        |r| r.get(0),
    )
}

/// The rows of a chat whose reply may have gone out: being sent, or failed after an
/// attempt, oldest first; then those skipped after an attempt since `skipped_since` (a
/// reply voided or dropped after a send that may still have gone out).
pub fn attempted_in_chat(
    conn: &Connection,
    chat_id: i64,
    skipped_since: i64,
) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.message_id, i.state, i.decision, i.skip_reason, i.error, i.attempts, i.ai_attempts, i.resends, i.next_attempt_at, i.reply_message_id
         FROM inbox i JOIN messages m ON m.id = i.message_id
         WHERE m.chat_id = ?1 AND i.attempts > 0
               AND (i.state IN ('decided', 'failed') OR (i.state = 'skipped' AND i.updated_at >= ?2))
         ORDER BY i.state = 'skipped', i.message_id",
    )?;
    stmt.query_map(params![chat_id, skipped_since], row)?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decision::{Decision, Skip};
    use crate::model::inbox::UNDECIDED;

    fn stored() -> Stored {
        Stored {
            decision: Decision::Skip(Skip::Empty),
            text: None,
            to: None,
        }
    }

    fn row(conn: &Connection) -> i64 {
        conn.execute_batch(
            "INSERT INTO accounts (id, name, created_at, updated_at) VALUES (1, 'Shop', 1, 1);
             INSERT INTO contacts (id, account_id, wa_id, created_at, updated_at) VALUES (1, 1, 'a@c.us', 1, 1);
             INSERT INTO chats (id, account_id, wa_chat_id, contact_id, kind, created_at) VALUES (1, 1, 'a@c.us', 1, 'person', 1);
             INSERT INTO messages (id, account_id, chat_id, wa_msg_id, direction, origin, body, sent_at, created_at)
               VALUES (1, 1, 1, 'in1', 'in', 'customer', 'hola', 1, 1),
                      (2, 1, 1, 'out1', 'out', 'bot', 're', 2, 2);",
        )
        .expect("the fixture");
        insert(conn, 1, 1, 1).expect("an inbox row");
        1
    }

    fn state(conn: &Connection, id: i64) -> String {
        get(conn, id)
            .ok()
            .flatten()
            .map(|r| r.state.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn a_row_only_moves_from_the_state_its_step_expects() {
        let store = crate::store::database::Store::in_memory().expect("a store");
        store
            .call_blocking(|conn| {
                let id = row(conn);
                assert!(decided(conn, id, UNDECIDED, &stored(), 2)?);
                assert!(attempt(conn, id, 3)?);
                // The echo completes it first ...
                assert!(replied(conn, id, 2, 4)?);
                // ... and the send's late error, a merge or a second decision lose.
                assert!(!failed(
                    conn,
                    id,
                    &[InboxState::Decided],
                    "timed out",
                    Some(9),
                    5
                )?);
                assert!(!skipped(
                    conn,
                    id,
                    UNDECIDED,
                    SkipReason::MergedIntoLaterTurn,
                    5
                )?);
                assert!(!decided(conn, id, UNDECIDED, &stored(), 5)?);
                assert!(!attempt(conn, id, 5)?);
                assert_eq!(state(conn, id), "replied");
                // A reply the server never took goes back to being sent, once.
                assert!(resend(conn, id, "not taken", 6)?);
                assert!(replied(conn, id, 2, 7)?);
                assert!(!resend(conn, id, "not taken", 8)?);
                // A skipped row stays skipped.
                conn.execute("UPDATE inbox SET state = 'skipped'", [])?;
                assert!(!decided(
                    conn,
                    id,
                    &[
                        InboxState::Received,
                        InboxState::Decided,
                        InboxState::Failed
                    ],
                    &stored(),
                    9
                )?);
                assert!(!replied(conn, id, 2, 9)?);
                assert_eq!(state(conn, id), "skipped");
                // The owner is told once.
                assert!(tell_owner(conn, id, 10)?);
                assert!(!tell_owner(conn, id, 11)?);
                Ok(())
            })
            .expect("the transitions");
    }
}
