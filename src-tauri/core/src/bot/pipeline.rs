//! The chat's turn. Every message was stored first (`bot::intake`); each inbound one has an
//! inbox row that moves received → decided → replied | skipped(reason) | failed(error),
//! each move conditional on the state it expects (`store::inbox`).
//!
//! The unit of work is a chat's turn (`answer_chat`), under the chat's lock: the owner's
//! messages are acted on first, then a reply already being sent is finished, then every
//! open customer message of the chat becomes one turn answered by the newest (the others
//! recorded as merged, with the rows still waiting for a retry) — the same whether the turn comes from the live debounce, a resume
//! after a reconnect or a restart, or a retry. The turn's steps, each a file: `decide`,
//! `ai_turn` (the AI's words), the lead step (`leads::merge`, with the AI's usage, in the
//! same transaction as the reply's words), `reply` (paced, sent, reconciled). A reply's
//! text is written into its decision before it is sent, and each send attempt is counted
//! first, so a row with attempts is reconciled against the chat's own messages in WhatsApp
//! before it is sent again.

use super::ai_turn::{self, Answered};
use super::decide::{self, AiAsk, Decided};
use super::handle::Bot;
use super::handover;
use super::inbox::{Handled, Scope, message_gone, outcome};
use super::policy;
use super::reply::{self, Reply};
use crate::error::{Error, Result};
use crate::leads::merge::{self, Merged};
use crate::model::decision::SkipReason;
use crate::model::inbox::{InboxState, Stored, UNDECIDED};
use crate::model::message_kind::MessageKind;
use crate::store::inbox::{OpenRow, Row};
use crate::store::{ai_usage, inbox, media as media_files, messages, transcripts};

/// Answers every chat of the number with open rows, oldest first: what a crash or an
/// outage left, and failures due for another try. Each chat is one turn (`answer_chat`).
pub async fn resume(bot: &Bot, account_id: i64) -> Result<Vec<(i64, Handled)>> {
    let now = bot.now_ms();
    let chats = bot
        .store()
        .call(move |conn| Ok(inbox::open_chats(conn, account_id, now)?))
        .await?;
    let mut done = Vec::new();
    for chat in chats {
        done.extend(answer_chat(bot, account_id, chat.chat_id, Scope::All).await?);
    }
    Ok(done)
}

/// Decides on one stored message by answering its chat's turn; what became of it. Safe to
/// call again on the same row.
pub async fn handle(bot: &Bot, account_id: i64, message_id: i64) -> Result<Handled> {
    let chat_id = bot
        .store()
        .call(move |conn| Ok(messages::get(conn, message_id)?.map(|m| m.chat_id)))
        .await?
        .ok_or_else(message_gone)?;
    answer_chat(bot, account_id, chat_id, Scope::All).await?;
    outcome(bot, message_id).await
}

/// Whether a row's reply is already worded (being sent, or failed and due again).
fn worded(row: &Row) -> bool {
    row.decision.as_ref().and_then(Stored::reply).is_some()
}

/// One turn of a chat, under its lock (whoever asks: the live debounce, a resume, a
/// retry): the owner's open messages first, each acted on; then (`Scope::All`) a reply
/// already being sent is finished; then the customer's open messages are answered as one
/// turn by the newest, the others recorded as merged into it. Returns what became of each
/// row it touched.
pub async fn answer_chat(
    bot: &Bot,
    account_id: i64,
    chat_id: i64,
    scope: Scope,
) -> Result<Vec<(i64, Handled)>> {
    let lock = bot.chat_lock(chat_id);
    let _turn = lock.lock().await;
    let now = bot.now_ms();
    // The chat's open rows and those waiting for a retry, in one call: a text's turn
    // costs the store no more than that.
    let ChatRows { open, retrying } = bot
        .store()
        .call(move |conn| {
            Ok(ChatRows {
                open: inbox::open_in_chat(conn, chat_id, now)?,
                retrying: inbox::retrying_in_chat(conn, chat_id, now)?,
            })
        })
        .await?;
    let (customer, owner): (Vec<OpenRow>, Vec<OpenRow>) =
        open.into_iter().partition(|o| o.from_customer);
    let mut done = Vec::new();
    for row in owner.iter().map(|o| &o.row) {
        let handled = if worded(row) {
            reply::finish(bot, account_id, row).await?
        } else {
            decide_and_act(bot, account_id, row.message_id, &[]).await?
        };
        done.push((row.message_id, handled));
    }
    if scope == Scope::Owner {
        return Ok(done);
    }
    // Replies already worded (being sent, or failed and due again) go out first, in
    // order: their words answer the messages they were written for.
    for row in customer.iter().map(|o| &o.row).filter(|r| worded(r)) {
        let handled = reply::finish(bot, account_id, row).await?;
        let waiting = matches!(handled, Handled::Waiting { .. });
        done.push((row.message_id, handled));
        if waiting {
            // Not connected: nothing else of this chat can go out either.
            return Ok(done);
        }
    }
    // A voice note of the chat is still being heard, or a photo fetched: the turn waits
    // for its words or its file (which answer the chat when they end, `bot::hearing`).
    // Only a turn with a voice note or a photo in it asks.
    let awaits_media = customer
        .iter()
        .any(|o| o.kind.is_voice() || o.kind == MessageKind::Image);
    let photos_since =
        now.saturating_sub(i64::try_from(bot.tuning.photo_wait.as_millis()).unwrap_or(i64::MAX));
    if awaits_media
        && bot
            .store()
            .call(move |conn| {
                Ok(transcripts::waiting_in_chat(conn, chat_id)?
                    || media_files::photo_coming_in_chat(conn, account_id, chat_id, photos_since)?)
            })
            .await?
    {
        return Ok(done);
    }
    // What never takes a turn (a sticker, a voice note not heard) is decided on its own
    // (kept for the owner), so it never takes the turn of the words around it.
    let (never, turn): (Vec<&OpenRow>, Vec<&OpenRow>) = customer
        .iter()
        .filter(|o| !worded(&o.row))
        .partition(|o| never_a_turn(o));
    for open in never {
        let id = open.row.message_id;
        done.push((id, decide_and_act(bot, account_id, id, &[]).await?));
    }
    let Some((latest, earlier)) = turn.split_last() else {
        return Ok(done);
    };
    let latest = latest.row.message_id;
    // What else the turn answers, by kind (a document in it may hand the chat over).
    let burst: Vec<MessageKind> = earlier.iter().map(|o| o.kind).collect();
    let earlier: Vec<i64> = earlier.iter().map(|o| o.row.message_id).collect();
    // One answer per chat per moment, in order: the chat's rows still waiting for a retry
    // are taken into this turn, never answered after it.
    // Read again when replies went out above (one that failed waits for its retry now).
    let retrying = if done.is_empty() {
        retrying
    } else {
        let now = bot.now_ms();
        bot.store()
            .call(move |conn| Ok(inbox::retrying_in_chat(conn, chat_id, now)?))
            .await?
    };
    let Some(retrying) = take_in_retrying(bot, account_id, retrying).await? else {
        return Ok(done);
    };
    done.extend(retrying);
    done.extend(merge_into_latest(bot, earlier).await?);
    done.push((
        latest,
        decide_and_act(bot, account_id, latest, &burst).await?,
    ));
    Ok(done)
}

/// A chat's rows as its turn begins.
struct ChatRows {
    /// Received, decided, and failed ones due now (`inbox::open_in_chat`).
    open: Vec<OpenRow>,
    /// The customer's failed ones waiting for their retry (`inbox::retrying_in_chat`).
    retrying: Vec<Row>,
}

/// The chat's rows that failed and wait for their retry, as a newer turn of the chat is
/// answered: one whose AI failed is merged into the newer turn (its message is in the
/// newer turn's history); one whose reply is worded was sent after all (WhatsApp's list of
/// the chat says so) or is dropped. `None` when WhatsApp can't say yet: then the newer
/// turn waits too.
async fn take_in_retrying(
    bot: &Bot,
    account_id: i64,
    retrying: Vec<Row>,
) -> Result<Option<Vec<(i64, Handled)>>> {
    let mut done = Vec::new();
    let mut unworded = Vec::new();
    for row in retrying {
        if !worded(&row) {
            unworded.push(row.message_id);
            continue;
        }
        let handled = reply::drop_unless_sent(bot, account_id, &row).await?;
        if matches!(handled, Handled::Waiting { .. }) {
            return Ok(None);
        }
        done.push((row.message_id, handled));
    }
    done.extend(merge_into_latest(bot, unworded).await?);
    Ok(Some(done))
}

/// The earlier messages of a burst, recorded as merged into the turn that answers them.
async fn merge_into_latest(bot: &Bot, earlier: Vec<i64>) -> Result<Vec<(i64, Handled)>> {
    if earlier.is_empty() {
        return Ok(Vec::new());
    }
    let now = bot.now_ms();
    let merged = bot
        .store()
        .call(move |conn| {
            let tx = conn.transaction()?;
            let mut merged = Vec::new();
            for row in earlier {
                if inbox::skipped(&tx, row, UNDECIDED, SkipReason::MergedIntoLaterTurn, now)? {
                    merged.push(row);
                }
            }
            tx.commit()?;
            Ok(merged)
        })
        .await?;
    Ok(merged
        .into_iter()
        .map(|row| {
            (
                row,
                Handled::Skipped {
                    reason: SkipReason::MergedIntoLaterTurn,
                },
            )
        })
        .collect())
}

/// Whether an open row can never be a turn of its own: a sticker, a kind Leadline can't
/// read, a voice note not heard (`policy::arrived`).
fn never_a_turn(open: &OpenRow) -> bool {
    let heard_note = open.kind.is_voice() && open.heard;
    !heard_note && policy::arrived(open.kind, false) == policy::Arrived::Never
}

/// Decides on one row (the turn's, answering `burst`'s kinds with it) and acts: a skip, a
/// pause, or a reply worded (owner command, away message, quick reply, the AI) and sent.
/// The caller holds the chat lock.
async fn decide_and_act(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    burst: &[MessageKind],
) -> Result<Handled> {
    let decided = decide::decide(bot, account_id, message_id, burst.to_vec()).await?;
    let (chat_id, to, text, counted) = match decided {
        Decided::Done(Handled::Waiting { .. }) => return outcome(bot, message_id).await,
        Decided::Done(
            handled @ Handled::Skipped {
                reason: SkipReason::HandedOver,
            },
        ) => {
            handover::tell(bot, account_id, message_id).await?;
            return Ok(handled);
        }
        Decided::Done(handled) => return Ok(handled),
        Decided::Send { chat_id, to, text } => (chat_id, to, text, false),
        Decided::Ai(ask) => {
            let answered = match ai_turn::answer(bot, account_id, message_id, &ask).await? {
                Ok(answered) => answered,
                Err(handled) => return Ok(handled),
            };
            let text = answered.text.clone();
            if !record_turn(bot, account_id, message_id, &ask, answered).await? {
                return outcome(bot, message_id).await;
            }
            (ask.chat_id, ask.to, text, true)
        }
    };
    reply::send(
        bot,
        Reply {
            account_id,
            message_id,
            chat_id,
            to,
            text,
            counted,
        },
    )
    .await
}

/// The AI's turn written down before its reply is sent, in one transaction: the call's
/// usage, then what it found merged into the lead (`leads::merge::merge_turn`), then the
/// reply's words into the decision and the send's attempt counted. A failure to record the
/// usage or the lead is logged and never holds up the customer's reply. False when the row
/// moved on meanwhile (nothing is sent then).
async fn record_turn(
    bot: &Bot,
    account_id: i64,
    message_id: i64,
    ask: &AiAsk,
    answered: Answered,
) -> Result<bool> {
    let decision = Stored {
        decision: ask.decision.clone(),
        text: Some(answered.text),
        to: Some(ask.to.clone()),
    };
    let Answered { call, findings, .. } = answered;
    let now = bot.now_ms();
    let (counted, merged) = bot
        .store()
        .call(move |conn| {
            let mut tx = conn.transaction()?;
            if let Err(e) = ai_usage::insert(&tx, &call, now) {
                tracing::error!(error = %e, "could not record AI usage");
            }
            let merged = findings.and_then(|findings| merge_lead(&mut tx, &findings));
            let counted = inbox::decided(&tx, message_id, &[InboxState::Decided], &decision, now)?
                && inbox::attempt(&tx, message_id, now)?;
            tx.commit()?;
            Ok((counted, merged))
        })
        .await?;
    if let Some(merged) = merged {
        merge::announce(&bot.core, account_id, &merged);
    }
    Ok(counted)
}

/// The lead step inside the turn's transaction, on a savepoint of its own: a lead that
/// can't be updated is logged and left as it was, and the reply still goes out.
fn merge_lead(tx: &mut rusqlite::Transaction<'_>, findings: &merge::Findings) -> Option<Merged> {
    let account_id = findings.account_id;
    let attempt = tx.savepoint().map_err(Error::from).and_then(|savepoint| {
        let merged = merge::merge_turn(&savepoint, findings)?;
        savepoint.commit()?;
        Ok(merged)
    });
    match attempt {
        Ok(merged) => Some(merged),
        Err(e) => {
            tracing::error!(account_id, error = %e, "could not update the lead");
            None
        }
    }
}
