//! What a test reads of Leadline's state, through the store's own typed queries instead
//! of SQL of its own: a message by WhatsApp's id, an inbox row.

use leadline_core::leadline::Leadline;
use leadline_core::store::{inbox, messages};

/// The id Leadline stored WhatsApp's message `wa_msg_id` of number `account_id` under.
pub fn message(core: &Leadline, account_id: i64, wa_msg_id: &str) -> Option<i64> {
    let wa_msg_id = wa_msg_id.to_string();
    core.store()
        .call_blocking(|conn| {
            if !messages::exists(conn, account_id, &wa_msg_id)? {
                return Ok(None);
            }
            Ok(Some(messages::id_of(conn, account_id, &wa_msg_id)?))
        })
        .expect("the store answers")
}

/// The inbox row of a stored message, if it has one (a customer's or the owner's message
/// to decide on; an echo of our own send has none).
pub fn inbox_row(core: &Leadline, message_id: i64) -> Option<inbox::Row> {
    core.store()
        .call_blocking(|conn| Ok(inbox::get(conn, message_id)?))
        .expect("the store answers")
}
