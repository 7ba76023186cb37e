//! Intake: every message WhatsApp reports is stored before anything else is done with it.
//! A customer's gets an inbox row (`received`); a redelivery is stored once; the echo of
//! the bot's own send completes its row (`replied`); the owner's typed on the phone is
//! theirs (the bot steps back in that chat).

use super::handle::Bot;
use super::hearing;
use super::inbox::Received;
use crate::error::{Error, Result};
use crate::model::chat::{ChatKind, Direction, Origin};
use crate::model::inbox::Stored;
use crate::model::message_kind::MessageKind;
use crate::model::wa_id::kind_of;
use crate::store::{chats, contacts, inbox, messages, transcripts};
use crate::text;
use crate::whatsapp::message::WaMessage;

/// Stores a message before anything else is done with it. Returns the inbox row to decide
/// on and its chat, or `None`: a redelivery, or the echo of the bot's own send (then its
/// inbox row is marked replied here).
pub async fn receive(bot: &Bot, account_id: i64, message: WaMessage) -> Result<Option<Received>> {
    receive_at(bot, account_id, message, bot.now_ms()).await
}

/// `receive`, for a message that reached Leadline at `arrived_ms` (the app's clock): it is
/// stored as of then, however long the database took to take it.
pub async fn receive_at(
    bot: &Bot,
    account_id: i64,
    message: WaMessage,
    arrived_ms: i64,
) -> Result<Option<Received>> {
    let now = arrived_ms;
    if message.id.trim().is_empty() || message.chat.trim().is_empty() {
        // Nothing to store it under or answer: a page's garbage, refused for good.
        return Err(Error::InvalidInput(text!(
            "bot.malformed_message",
            "WhatsApp Web reported a message without an id or a chat; it was left out."
        )));
    }
    let message = message.bounded_at(now / 1000);
    let has_media = message.kind.has_media();
    let photo = message.kind == MessageKind::Image;
    // A customer's voice note is heard before its chat's turn, when the owner set that up.
    let to_hear = hearing::on(bot) && message.kind.is_voice() && !message.from_me;
    let (chat_id, changed, inbox_row) = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let is_group = kind_of(&message.chat) == ChatKind::Group;
            let person = if is_group {
                message.from.as_str()
            } else {
                message.chat.as_str()
            };
            let (push_name, phone, username) = sender_of(&message);
            let contact =
                contacts::upsert(&tx, account_id, person, phone, push_name, username, now)?;
            let sent_at = message.timestamp.saturating_mul(1000);
            let chat = chats::upsert(
                &tx,
                account_id,
                &message.chat,
                (!is_group).then_some(contact.id),
                sent_at,
                now,
            )?;
            // The echo of our own reply (however late, even after its send reported
            // an error): the inbox row waiting on it is done, and it is not the owner.
            if message.from_me
                && let Some(stored) = bot_echo(&tx, account_id, chat.id, &message, sent_at, now)?
            {
                tx.commit()?;
                return Ok((chat.id, stored, None));
            }
            let stored = messages::insert(
                &tx,
                &messages::NewMessage {
                    account_id,
                    chat_id: chat.id,
                    wa_msg_id: &message.id,
                    direction: if message.from_me {
                        Direction::Out
                    } else {
                        Direction::In
                    },
                    origin: if message.from_me {
                        Origin::OwnerPhone
                    } else {
                        Origin::Customer
                    },
                    author: is_group.then_some(message.from.as_str()),
                    kind: message.kind,
                    body: &message.body,
                    details: Some(&*message.details),
                    sent_at,
                },
                now,
            )?;
            let Some(message_id) = stored else {
                return Ok((chat.id, false, None));
            };
            inbox::insert(&tx, message_id, account_id, now)?;
            if to_hear {
                transcripts::pending(&tx, message_id, account_id, now)?;
            }
            tx.commit()?;
            Ok((
                chat.id,
                true,
                Some(Received {
                    row: message_id,
                    chat_id: chat.id,
                    from_owner: message.from_me,
                }),
            ))
        })
        .await?;
    if changed {
        bot.core.chat_changed(account_id, chat_id);
    }
    // A customer's photo, voice note or document: its file is fetched beside the turn (and
    // a voice note then heard).
    if let Some(received) = &inbox_row
        && has_media
        && !received.from_owner
    {
        hearing::fetch_then_hear(bot, received.row, photo);
    }
    Ok(inbox_row)
}

/// The echo of the bot's own reply in `chat_id`: stored as the bot's, completing the
/// inbox row waiting on it. `Some(stored anew)` when it was one; `None` when no reply
/// waits on these words (then it is the owner's).
fn bot_echo(
    tx: &rusqlite::Transaction<'_>,
    account_id: i64,
    chat_id: i64,
    message: &WaMessage,
    sent_at: i64,
    now: i64,
) -> rusqlite::Result<Option<bool>> {
    let Some(waiting) = sent_reply_waiting(tx, chat_id, &message.body, now)? else {
        return Ok(None);
    };
    let stored = messages::insert(
        tx,
        &messages::NewMessage {
            account_id,
            chat_id,
            wa_msg_id: &message.id,
            direction: Direction::Out,
            origin: Origin::Bot,
            author: None,
            kind: message.kind,
            body: &message.body,
            details: Some(&*message.details),
            sent_at,
        },
        now,
    )?;
    if let Some(reply_id) = stored {
        inbox::replied(tx, waiting, reply_id, now)?;
    }
    Ok(Some(stored.is_some()))
}

/// What WhatsApp said of the sender (name, phone, username): nothing for the owner's own
/// messages. The phone is the sender's: in a group, the author's.
fn sender_of(message: &WaMessage) -> (Option<&str>, Option<&str>, Option<&str>) {
    if message.from_me {
        return (None, None, None);
    }
    (
        message.push_name.as_deref(),
        message.phone.as_deref(),
        message.username.as_deref(),
    )
}

/// How long after a reply was voided or dropped its echo is still recognised as the bot's
/// (an attempt that went out despite its error), not the owner's typing.
const LATE_ECHO_MS: i64 = 86_400_000;

/// The inbox row in `chat_id` whose reply is `body` and which may have been sent: being
/// sent, or failed after an attempt (an error that still went out), oldest first; else one
/// skipped after an attempt (its row stays skipped; the echo is the bot's all the same).
fn sent_reply_waiting(
    conn: &rusqlite::Connection,
    chat_id: i64,
    body: &str,
    now: i64,
) -> rusqlite::Result<Option<i64>> {
    let rows = inbox::attempted_in_chat(conn, chat_id, now.saturating_sub(LATE_ECHO_MS))?;
    Ok(rows.into_iter().find_map(|row| {
        let reply = row.decision.as_ref().and_then(Stored::reply)?;
        (reply.text == body).then_some(row.message_id)
    }))
}
