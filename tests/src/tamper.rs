//! What a test does to the database that Leadline itself never would, to stand in for time
//! passing or a crash at the worst moment: the exactly-once invariants are about these
//! inbox states, so this is the one place the tests write SQL of their own.

use leadline_core::store::database::Store;
use leadline_core::store::inbox;

fn write(store: &Store, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<usize>) {
    store
        .call_blocking(|conn| Ok(f(conn)?))
        .expect("the store takes the change");
}

/// Every failure waiting for another try is due now (its wait has passed).
pub fn failures_due(store: &Store) {
    write(store, |conn| {
        conn.execute(
            "UPDATE inbox SET next_attempt_at = 0 WHERE next_attempt_at IS NOT NULL",
            [],
        )
    });
}

/// A crash while a reply was being sent: every failed row is back to being sent, its
/// attempt counted, as if the send's error never got recorded.
pub fn sends_interrupted(store: &Store) {
    write(store, |conn| {
        conn.execute(
            "UPDATE inbox SET state = 'decided' WHERE state = 'failed'",
            [],
        )
    });
}

/// A crash between a send and its record: row `message_id` is back to being sent and its
/// reply forgotten (the send went out; WhatsApp has it, Leadline doesn't).
pub fn reply_unrecorded(store: &Store, message_id: i64) {
    let reply = store
        .call_blocking(|conn| Ok(inbox::get(conn, message_id)?))
        .expect("the store answers")
        .and_then(|row| row.reply_message_id)
        .expect("the row was replied");
    write(store, |conn| {
        conn.execute(
            "UPDATE inbox SET state = 'decided', reply_message_id = NULL WHERE message_id = ?1",
            [message_id],
        )?;
        conn.execute("DELETE FROM messages WHERE id = ?1", [reply])
    });
}

/// Every message was stored `ms` earlier than it was (our clock moved on).
pub fn messages_aged(store: &Store, ms: i64) {
    write(store, |conn| {
        conn.execute("UPDATE messages SET created_at = created_at - ?1", [ms])
    });
}

/// Every message was sent `ms` earlier than it was (by WhatsApp's clock: a reply that
/// waited this long).
pub fn messages_sent_earlier(store: &Store, ms: i64) {
    write(store, |conn| {
        conn.execute("UPDATE messages SET sent_at = sent_at - ?1", [ms])
    });
}

/// Every message store fails from now on (as a database that keeps refusing writes does),
/// until `messages_stored_again`.
pub fn messages_refused(store: &Store) {
    write(store, |conn| {
        conn.execute(
            "CREATE TRIGGER refuse_messages BEFORE INSERT ON messages
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
            [],
        )
    });
}

/// Messages are stored again.
pub fn messages_stored_again(store: &Store) {
    write(store, |conn| {
        conn.execute("DROP TRIGGER refuse_messages", [])
    });
}
