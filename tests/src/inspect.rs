//! What a test reads of Leadline's state, through the store's own typed queries instead of
//! SQL of its own: a number's inbox rows, messages, contacts and chats, the AI calls, the
//! webhook deliveries waiting.

use leadline_core::leadline::Leadline;
use leadline_core::model::ai_call::AiCall;
use leadline_core::store::chats::ChatRow;
use leadline_core::store::contacts::ContactRow;
use leadline_core::store::database::Store;
use leadline_core::store::inbox::Row;
use leadline_core::store::messages::Stored;
use leadline_core::store::{ai_usage, chats, contacts, inbox, messages, webhook_outbox};

fn read<T>(store: &Store, f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>) -> T {
    store
        .call_blocking(|conn| Ok(f(conn)?))
        .expect("the store answers")
}

/// The id Leadline stored WhatsApp's message `wa_msg_id` of number `account_id` under.
pub fn message(core: &Leadline, account_id: i64, wa_msg_id: &str) -> Option<i64> {
    read(core.store(), |conn| {
        if !messages::exists(conn, account_id, wa_msg_id)? {
            return Ok(None);
        }
        Ok(Some(messages::id_of(conn, account_id, wa_msg_id)?))
    })
}

/// The inbox row of a stored message, if it has one (a customer's or the owner's message
/// to decide on; an echo of our own send has none).
pub fn inbox_row(core: &Leadline, message_id: i64) -> Option<Row> {
    read(core.store(), |conn| inbox::get(conn, message_id))
}

/// A number's inbox rows, oldest first.
pub fn inbox(store: &Store, account_id: i64) -> Vec<Row> {
    read(store, |conn| inbox::of_account(conn, account_id))
}

/// A number's messages, oldest first.
pub fn messages(store: &Store, account_id: i64) -> Vec<Stored> {
    read(store, |conn| messages::of_account(conn, account_id))
}

/// A number's contacts, oldest first.
pub fn contacts(store: &Store, account_id: i64) -> Vec<ContactRow> {
    read(store, |conn| contacts::of_account(conn, account_id))
}

/// A number's chat with WhatsApp's id `wa_chat_id`, if Leadline has it.
pub fn chat(store: &Store, account_id: i64, wa_chat_id: &str) -> Option<ChatRow> {
    read(store, |conn| {
        Ok(chats::of_account(conn, account_id)?
            .into_iter()
            .find(|chat| chat.wa_chat_id == wa_chat_id))
    })
}

/// A number's chats, oldest first.
pub fn chats(store: &Store, account_id: i64) -> Vec<ChatRow> {
    read(store, |conn| chats::of_account(conn, account_id))
}

/// Every AI call recorded, oldest first.
pub fn ai_calls(store: &Store) -> Vec<AiCall> {
    read(store, ai_usage::calls)
}

/// How many webhook deliveries wait to go out.
pub fn webhooks_waiting(store: &Store) -> usize {
    read(store, |conn| Ok(webhook_outbox::pending(conn)?.len()))
}
