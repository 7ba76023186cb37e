//! The durable message pipeline. Every message is stored before anything else; each
//! inbound one gets an inbox row that moves received → decided → replied | skipped(reason)
//! | failed(error), each move conditional on the state it expects (`store::inbox`).
//!
//! The unit of work is a chat's turn (`answer_chat`), under the chat's lock: the owner's
//! messages are acted on first, then a reply already being sent is finished, then every
//! open customer message of the chat becomes one turn answered by the newest (the others
//! recorded as merged) — the same whether the turn comes from the live debounce, a resume
//! after a reconnect or a restart, or a retry. A reply's text is written into its decision
//! before it is sent, and each send attempt is counted first, so a row with attempts is
//! reconciled against the chat's own messages in WhatsApp before it is sent again.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::commands::OwnerCommand;
use super::hours::{Hours, Schedule};
use super::policy::{self, Behaviour, Decision, Incoming, Situation, Skip};
use super::rules::{MatchKind, Rule};
use super::switch::BotSwitch;
use crate::Leadline;
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::store::{
    account_settings, activity, away_sent, chats, contacts, inbox, messages, rules,
};
use crate::text;
use crate::whatsapp::WaMessage;

/// How the bot paces a reply like a person: seen, then typing for a time that grows with
/// the reply's length, with some jitter. Tests turn it down.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub before_seen: Duration,
    pub typing_per_char: Duration,
    pub typing_max: Duration,
    pub jitter: Duration,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing {
            before_seen: Duration::from_millis(1_200),
            typing_per_char: Duration::from_millis(35),
            typing_max: Duration::from_secs(8),
            jitter: Duration::from_millis(1_500),
        }
    }
}

impl Pacing {
    /// No waiting at all (tests, benchmarks).
    pub const NONE: Pacing = Pacing {
        before_seen: Duration::ZERO,
        typing_per_char: Duration::ZERO,
        typing_max: Duration::ZERO,
        jitter: Duration::ZERO,
    };

    pub(crate) fn typing_for(&self, text: &str) -> Duration {
        let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        let base = self
            .typing_per_char
            .saturating_mul(chars)
            .min(self.typing_max);
        base + self.jitter.mul_f64(fastrand_unit())
    }
}

/// A number in [0, 1) without a random crate: the low bits of the clock are jitter enough.
fn fastrand_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000) / 1_000.0
}

/// Per chat id, the lock its turns take.
pub type ChatLocks = std::sync::Arc<
    std::sync::Mutex<std::collections::HashMap<i64, std::sync::Arc<tokio::sync::Mutex<()>>>>,
>;

/// What became of one inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Replied {
        wa_msg_id: String,
    },
    Skipped {
        reason: String,
    },
    /// Failed: tried again at its time (`error` says why), or for good.
    Failed {
        error: String,
    },
    /// Not done yet: the number is not connected, or the reply waits for its turn.
    Waiting {
        reason: String,
    },
}

/// The decision as stored on the inbox row: the policy's decision, plus the text to send
/// once it is known (so a resend after a crash sends the same words).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub decision: Decision,
    pub text: Option<String>,
    /// Where the text goes (the customer's chat, or the owner's own for commands).
    pub to: Option<String>,
}

impl Stored {
    pub(crate) fn parse(json: Option<&str>) -> Option<Stored> {
        serde_json::from_str(json?).ok()
    }

    /// The words to send and where, once known.
    pub(crate) fn reply(json: Option<&str>) -> Option<(String, String)> {
        let stored = Stored::parse(json)?;
        Some((stored.text?, stored.to?))
    }

    pub(crate) fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(e.to_string()))
    }
}

/// A stored message: the inbox row to decide on, and its chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub row: i64,
    pub chat_id: i64,
    /// Typed by the owner on the phone (acted on at once; no debounce).
    pub from_owner: bool,
}

pub(crate) fn now_ms(core: &Leadline) -> i64 {
    core.clock.now_ms()
}

fn skip_name(skip: &Skip) -> String {
    serde_json::to_value(skip)
        .ok()
        .and_then(|v| v["reason"].as_str().map(str::to_string))
        .unwrap_or_else(|| "skipped".into())
}

/// Why an earlier message of a burst has no reply of its own.
pub const MERGED: &str = "merged_into_later_turn";

/// Which open rows of a chat a turn takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the owner's messages (they are acted on at once, a customer's burst waits).
    Owner,
    /// Everything open.
    All,
}

impl Leadline {
    fn chat_lock(&self, chat_id: i64) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .chat_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(chat_id).or_default().clone()
    }

    fn decide_lock(&self, account_id: i64) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .decide_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(account_id).or_default().clone()
    }

    /// Stores a message before anything else is done with it. Returns the id of the inbox
    /// row to decide on, or `None`: a redelivery, or the echo of the bot's own send (then
    /// its inbox row is marked replied here).
    pub async fn receive(&self, account_id: i64, message: WaMessage) -> Result<Option<i64>> {
        Ok(self
            .receive_in_chat(account_id, message)
            .await?
            .map(|r| r.row))
    }

    /// `receive`, saying which chat the row is in.
    pub async fn receive_in_chat(
        &self,
        account_id: i64,
        message: WaMessage,
    ) -> Result<Option<Received>> {
        let now = now_ms(self);
        if message.id.trim().is_empty() || message.chat.trim().is_empty() {
            // Nothing to store it under or answer: a page's garbage, refused for good.
            return Err(Error::InvalidInput(text!(
                "bot.malformed_message",
                "WhatsApp Web reported a message without an id or a chat; it was left out."
            )));
        }
        let message = message.bounded_at(now / 1000);
        let (chat_id, changed, inbox_row) = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let is_group = chats::kind_of(&message.chat) == "group";
                let person = if is_group {
                    message.from.as_str()
                } else {
                    message.chat.as_str()
                };
                let push_name = if message.from_me {
                    None
                } else {
                    message.push_name.as_deref()
                };
                // The phone WhatsApp gave is the sender's: in a group, the author's.
                let phone = if message.from_me {
                    None
                } else {
                    message.phone.as_deref()
                };
                let contact = contacts::upsert(&tx, account_id, person, phone, push_name, now)?;
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
                if message.from_me {
                    if let Some(waiting) = sent_reply_waiting(&tx, chat.id, &message.body)? {
                        let stored = messages::insert(
                            &tx,
                            &messages::NewMessage {
                                account_id,
                                chat_id: chat.id,
                                wa_msg_id: &message.id,
                                direction: "out",
                                origin: "bot",
                                author: None,
                                body: &message.body,
                                sent_at,
                            },
                            now,
                        )?;
                        if let Some(reply_id) = stored {
                            inbox::replied(&tx, waiting, reply_id, now)?;
                        }
                        tx.commit()?;
                        return Ok((chat.id, stored.is_some(), None));
                    }
                }
                let stored = messages::insert(
                    &tx,
                    &messages::NewMessage {
                        account_id,
                        chat_id: chat.id,
                        wa_msg_id: &message.id,
                        direction: if message.from_me { "out" } else { "in" },
                        origin: if message.from_me {
                            "owner_phone"
                        } else {
                            "customer"
                        },
                        author: is_group.then_some(message.from.as_str()),
                        body: &message.body,
                        sent_at,
                    },
                    now,
                )?;
                let Some(message_id) = stored else {
                    return Ok((chat.id, false, None));
                };
                inbox::insert(&tx, message_id, account_id, now)?;
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
            self.chat_changed(account_id, chat_id);
        }
        Ok(inbox_row)
    }

    /// Answers every chat of the number with open rows, oldest first: what a crash or an
    /// outage left, and failures due for another try. Each chat is one turn (`answer_chat`).
    pub async fn resume(&self, wa: &Runtime, account_id: i64) -> Result<Vec<(i64, Handled)>> {
        let now = now_ms(self);
        let chats = self
            .store
            .call(move |conn| Ok(inbox::open_chats(conn, account_id, now)?))
            .await?;
        let mut done = Vec::new();
        for (chat_id, _) in chats {
            done.extend(
                self.answer_chat(wa, account_id, chat_id, Scope::All)
                    .await?,
            );
        }
        Ok(done)
    }

    /// Decides on one stored message by answering its chat's turn; what became of it.
    /// Safe to call again on the same row.
    pub async fn handle(&self, wa: &Runtime, account_id: i64, message_id: i64) -> Result<Handled> {
        let chat_id = self
            .store
            .call(move |conn| Ok(messages::get(conn, message_id)?.map(|m| m.chat_id)))
            .await?
            .ok_or_else(|| {
                Error::NotFound(text!(
                    "bot.message_gone",
                    "That message is no longer in Leadline."
                ))
            })?;
        self.answer_chat(wa, account_id, chat_id, Scope::All)
            .await?;
        self.outcome(message_id).await
    }

    /// What became of one row, read from the store.
    pub async fn outcome(&self, message_id: i64) -> Result<Handled> {
        self.store
            .call(move |conn| {
                let row = inbox::get(conn, message_id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "bot.inbox_gone",
                        "That message is no longer waiting for an answer."
                    ))
                })?;
                Ok(match row.state.as_str() {
                    "replied" => Handled::Replied {
                        wa_msg_id: match row.reply_message_id {
                            Some(id) => messages::get(conn, id)?
                                .map(|m| m.wa_msg_id)
                                .unwrap_or_default(),
                            None => String::new(),
                        },
                    },
                    "skipped" => Handled::Skipped {
                        reason: row.skip_reason.unwrap_or_default(),
                    },
                    "failed" => Handled::Failed {
                        error: row.error.unwrap_or_default(),
                    },
                    _ => Handled::Waiting {
                        reason: row.error.unwrap_or_else(|| "waiting".into()),
                    },
                })
            })
            .await
    }

    /// One turn of a chat, under its lock (whoever asks: the live debounce, a resume, a
    /// retry): the owner's open messages first, each acted on; then (`Scope::All`) a reply
    /// already being sent is finished; then the customer's open messages are answered as
    /// one turn by the newest, the others recorded as merged into it. Returns what became
    /// of each row it touched.
    pub async fn answer_chat(
        &self,
        wa: &Runtime,
        account_id: i64,
        chat_id: i64,
        scope: Scope,
    ) -> Result<Vec<(i64, Handled)>> {
        let lock = self.chat_lock(chat_id);
        let _turn = lock.lock().await;
        let now = now_ms(self);
        let open = self
            .store
            .call(move |conn| Ok(inbox::open_in_chat(conn, chat_id, now)?))
            .await?;
        let mut done = Vec::new();
        for (row, _) in open.iter().filter(|(_, inbound)| !inbound) {
            let handled = match Stored::reply(row.decision.as_deref()) {
                Some(_) => self.finish_send(wa, account_id, row).await?,
                None => self.decide_and_act(wa, account_id, row.message_id).await?,
            };
            done.push((row.message_id, handled));
        }
        if scope == Scope::Owner {
            return Ok(done);
        }
        let customer: Vec<&inbox::Row> = open
            .iter()
            .filter(|(_, inbound)| *inbound)
            .map(|(row, _)| row)
            .collect();
        // Replies already worded (being sent, or failed and due again) go out first, in
        // order: their words answer the messages they were written for.
        for row in customer
            .iter()
            .filter(|r| Stored::reply(r.decision.as_deref()).is_some())
        {
            let handled = self.finish_send(wa, account_id, row).await?;
            let waiting = matches!(handled, Handled::Waiting { .. });
            done.push((row.message_id, handled));
            if waiting {
                // Not connected: nothing else of this chat can go out either.
                return Ok(done);
            }
        }
        let undecided: Vec<i64> = customer
            .iter()
            .filter(|r| Stored::reply(r.decision.as_deref()).is_none())
            .map(|r| r.message_id)
            .collect();
        let Some((&latest, earlier)) = undecided.split_last() else {
            return Ok(done);
        };
        if !earlier.is_empty() {
            let earlier = earlier.to_vec();
            let now = now_ms(self);
            let merged = self
                .store
                .call(move |conn| {
                    let tx = conn.transaction()?;
                    let mut merged = Vec::new();
                    for row in earlier {
                        if inbox::skipped(&tx, row, inbox::UNDECIDED, MERGED, now)? {
                            merged.push(row);
                        }
                    }
                    tx.commit()?;
                    Ok(merged)
                })
                .await?;
            done.extend(merged.into_iter().map(|row| {
                (
                    row,
                    Handled::Skipped {
                        reason: MERGED.into(),
                    },
                )
            }));
        }
        done.push((latest, self.decide_and_act(wa, account_id, latest).await?));
        Ok(done)
    }

    /// Decides on one row (the turn's) and acts: a skip, a pause, or a reply worded (owner
    /// command, away message, quick reply, the AI) and sent. The caller holds the chat lock.
    async fn decide_and_act(
        &self,
        wa: &Runtime,
        account_id: i64,
        message_id: i64,
    ) -> Result<Handled> {
        let (row, message, chat) = self
            .store
            .call(move |conn| {
                let row = inbox::get(conn, message_id)?;
                let message = messages::get(conn, message_id)?;
                let chat = match &message {
                    Some(m) => chats::get(conn, m.chat_id)?,
                    None => None,
                };
                Ok((row, message, chat))
            })
            .await?;
        let (Some(row), Some(message), Some((chat_jid, contact_id, paused_until))) =
            (row, message, chat)
        else {
            return self.outcome(message_id).await;
        };
        if !inbox::UNDECIDED.contains(&row.state.as_str()) {
            return self.outcome(message_id).await;
        }
        // Decided and reserved under the number's lock, so the caps count every turn in
        // flight (see `inbox::reserved`).
        let decide = self.decide_lock(account_id);
        let reserved = decide.lock().await;
        let now = now_ms(self);
        let situation = self
            .situation(
                account_id,
                message_id,
                message.chat_id,
                contact_id,
                paused_until,
                now,
            )
            .await?;
        let (behaviour, hours, number_paused, rules) = situation.1.clone();
        let me = self.number(account_id).await?.wa_id.unwrap_or_default();
        let incoming = Incoming {
            body: &message.body,
            from_me: message.direction == "out",
            is_group: chats::kind_of(&chat_jid) == "group",
            is_status: chat_jid == "status@broadcast",
            to_self: !me.is_empty() && chat_jid == me,
            sent_at_ms: message.sent_at,
        };
        let mut context = situation.0;
        context.number_paused_until_ms = number_paused;
        let decision = policy::decide(&incoming, &context, &behaviour, &rules);
        let worded = match &decision {
            Decision::Skip(skip) => {
                let reason = skip_name(skip);
                drop(reserved);
                return self.finish_skip(message_id, &decision, &reason, None).await;
            }
            Decision::PauseChat { until_ms } => {
                drop(reserved);
                let pause = (message.chat_id, *until_ms);
                return self
                    .finish_skip(message_id, &decision, "owner_takeover", Some(pause))
                    .await;
            }
            Decision::Command(command) => Some(self.run_command(account_id, command, now).await?),
            Decision::Away { text } => {
                if let (Some(contact), Some(stretch)) = (
                    contact_id,
                    hours.as_ref().and_then(|h| {
                        h.closed_stretch(jiff::Timestamp::from_millisecond(now).unwrap_or_default())
                    }),
                ) {
                    self.store
                        .call(move |conn| {
                            Ok(away_sent::mark(conn, account_id, contact, &stretch, now)?)
                        })
                        .await?;
                }
                Some(text.clone())
            }
            Decision::QuickReply { text, .. } => Some(text.clone()),
            Decision::Ai { .. } => None,
        };
        // The reservation: the row is decided (text still unknown for the AI).
        let json = Stored {
            decision: decision.clone(),
            text: worded.clone(),
            to: worded.as_ref().map(|_| chat_jid.clone()),
        }
        .to_json()?;
        let from = row.state.clone();
        let moved = self
            .store
            .call(move |conn| {
                Ok(inbox::decided(
                    conn,
                    message_id,
                    &[from.as_str()],
                    &json,
                    now,
                )?)
            })
            .await?;
        drop(reserved);
        if !moved {
            return self.outcome(message_id).await;
        }
        let text = match (worded, &decision) {
            (Some(text), _) => text,
            (None, Decision::Ai { closed }) => {
                let turn = super::ai_turn::AiTurn {
                    account_id,
                    message_id,
                    chat_id: message.chat_id,
                    contact_id,
                    closed: *closed,
                    sent_at: message.sent_at,
                    freshness_ms: i64::from(behaviour.freshness_hours) * 3_600_000,
                };
                match self.ai_turn(&turn, hours.as_ref(), now).await? {
                    Ok(text) => text,
                    Err(handled) => return Ok(handled),
                }
            }
            (None, _) => return self.outcome(message_id).await,
        };
        let json = Stored {
            decision,
            text: Some(text.clone()),
            to: Some(chat_jid.clone()),
        }
        .to_json()?;
        let now = now_ms(self);
        let worded = self
            .store
            .call(move |conn| Ok(inbox::decided(conn, message_id, &["decided"], &json, now)?))
            .await?;
        if !worded {
            return self.outcome(message_id).await;
        }
        self.send_reply(
            wa,
            account_id,
            message_id,
            message.chat_id,
            &chat_jid,
            &text,
        )
        .await
    }

    /// Records a decision that sends nothing, with its reason; `pause`: the chat's bot
    /// pauses until then (the owner took over), in the same transaction.
    async fn finish_skip(
        &self,
        message_id: i64,
        decision: &Decision,
        reason: &str,
        pause: Option<(i64, i64)>,
    ) -> Result<Handled> {
        let json = Stored {
            decision: decision.clone(),
            text: None,
            to: None,
        }
        .to_json()?;
        let reason = reason.to_string();
        let now = now_ms(self);
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                if let Some((chat_id, until)) = pause {
                    chats::set_pause(&tx, chat_id, Some(until), Some("owner_takeover"))?;
                }
                if inbox::decided(&tx, message_id, inbox::UNDECIDED, &json, now)? {
                    inbox::skipped(&tx, message_id, &["decided"], &reason, now)?;
                }
                tx.commit().map_err(Error::from)
            })
            .await?;
        self.outcome(message_id).await
    }

    /// What the policy needs to know, read in one go.
    #[allow(clippy::type_complexity)]
    async fn situation(
        &self,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        contact_id: Option<i64>,
        paused_until: Option<i64>,
        now: i64,
    ) -> Result<(
        Situation,
        (Behaviour, Option<Hours>, Option<i64>, Vec<Rule>),
    )> {
        self.store
            .call(move |conn| {
                let bot = account_settings::bot(conn, account_id)?.ok_or_else(|| Error::NotFound(text!("number.removed", "That number was removed. Reload the list.")))?;
                let behaviour: Behaviour = serde_json::from_str(&bot.behaviour_json).unwrap_or_default();
                // No schedule set up means always open.
                let hours = serde_json::from_str::<Schedule>(&bot.hours_json)
                    .ok()
                    .and_then(|s| Hours::new(&s).map_err(|e| tracing::warn!(account_id, error = %e, "unusable hours; treating as always open")).ok());
                let zone = serde_json::from_str::<Schedule>(&bot.hours_json).ok().map(|s| s.zone);
                // "Pause all bots" turns every number's switch off.
                let bot_enabled = bot.bot_enabled && !crate::bots_pause::is_paused(conn)?;
                let switch = BotSwitch::new(bot_enabled, behaviour.bot_starts_at.as_deref(), behaviour.bot_stops_at.as_deref(), zone.as_deref())
                    .map_err(|e| tracing::warn!(account_id, error = %e, "unusable bot on/off times; using the switch alone"))
                    .ok()
                    .or_else(|| BotSwitch::new(bot_enabled, None, None, None).ok());
                let at = jiff::Timestamp::from_millisecond(now).unwrap_or_default();
                let open = hours.as_ref().is_none_or(|h| h.is_open(at));
                let (ignored, known) = match contact_id {
                    Some(id) => conn.query_row("SELECT ignored, known FROM contacts WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?,
                    None => (false, false),
                };
                let away_sent_this_stretch = match (contact_id, hours.as_ref().and_then(|h| h.closed_stretch(at))) {
                    (Some(contact), Some(stretch)) => away_sent::was_sent(conn, account_id, contact, &stretch)?,
                    _ => false,
                };
                let rules = rules::enabled(conn, account_id)?
                    .into_iter()
                    .filter_map(|r| {
                        let kind = if r.match_kind == "regex" { MatchKind::Regex } else { MatchKind::Keyword };
                        Rule::new(r.id, kind, &r.pattern, &r.reply)
                            .map_err(|e| tracing::warn!(rule = r.id, error = %e, "unusable quick reply skipped"))
                            .ok()
                    })
                    .collect();
                let exchanges = exchanges(&messages::recent_in_chat(conn, chat_id, 12)?);
                let situation = Situation {
                    now_ms: now,
                    contact_ignored: ignored,
                    contact_known: known,
                    paused_until_ms: paused_until,
                    number_paused_until_ms: None,
                    bot_off_until_ms: switch.as_ref().and_then(|s| s.off_until(now)),
                    replies_to_contact_last_hour: messages::bot_replies_in_chat_since(conn, chat_id, now - 3_600_000)?,
                    // Replies other turns reserved count as sent: caps hold under a burst.
                    replies_by_number_today: messages::bot_replies_since(conn, account_id, now - 86_400_000)?
                        + inbox::reserved(conn, account_id, message_id)?,
                    loop_suspected: policy::loop_suspected(&exchanges),
                    open,
                    away_sent_this_stretch,
                };
                let number_paused = bot.paused_until;
                Ok((situation, (behaviour, hours, number_paused, rules)))
            })
            .await
    }

    async fn run_command(
        &self,
        account_id: i64,
        command: &OwnerCommand,
        now: i64,
    ) -> Result<String> {
        let command = command.clone();
        self.store
            .call(move |conn| {
                let text = match command {
                    OwnerCommand::Pause { minutes } => {
                        let until = now + i64::from(minutes) * 60_000;
                        account_settings::set_paused_until(conn, account_id, Some(until))?;
                        activity::insert_with(conn, Some(account_id), "owner_command", &format!("Bot paused for {minutes} minutes from WhatsApp"), &[("variant", "pause"), ("minutes", &minutes.to_string())], now)?;
                        format!("⏸ Leadline paused for {}.", human_minutes(minutes))
                    }
                    OwnerCommand::Resume => {
                        account_settings::set_paused_until(conn, account_id, None)?;
                        activity::insert_with(conn, Some(account_id), "owner_command", "Bot resumed from WhatsApp", &[("variant", "resume")], now)?;
                        "▶ Leadline is answering again.".to_string()
                    }
                    OwnerCommand::Status => {
                        let row = account_settings::bot(conn, account_id)?;
                        let switched_off = row.as_ref().is_some_and(|b| !b.bot_enabled);
                        let paused: Option<i64> = row.and_then(|b| b.paused_until).filter(|u| *u > now);
                        let replies = messages::bot_replies_since(conn, account_id, now - 86_400_000)?;
                        match (switched_off, paused) {
                            (true, _) => format!("Leadline is switched off for this number (switch it on in the app). {replies} replies in the last 24 h."),
                            (false, Some(_)) => format!("Leadline is paused. {replies} replies in the last 24 h."),
                            (false, None) => format!("Leadline is answering. {replies} replies in the last 24 h."),
                        }
                    }
                    OwnerCommand::LeadsToday => {
                        let since = now - 86_400_000;
                        let (new, qualified): (i64, i64) = conn.query_row(
                            "SELECT COUNT(*), COUNT(qualified_at) FROM leads WHERE account_id = ?1 AND created_at >= ?2",
                            rusqlite::params![account_id, since],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )?;
                        format!("Today: {new} new leads, {qualified} qualified.")
                    }
                };
                Ok(text)
            })
            .await
    }
}

/// The inbox row in `chat_id` whose reply is `body` and which may have been sent: being
/// sent, or failed after an attempt (an error that still went out). Oldest first.
fn sent_reply_waiting(
    conn: &rusqlite::Connection,
    chat_id: i64,
    body: &str,
) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.message_id, i.decision FROM inbox i JOIN messages m ON m.id = i.message_id
         WHERE m.chat_id = ?1 AND i.state IN ('decided', 'failed') AND i.attempts > 0 ORDER BY i.message_id",
    )?;
    let rows: Vec<(i64, Option<String>)> = stmt
        .query_map([chat_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().find_map(|(id, decision)| {
        let (text, _) = Stored::reply(decision.as_deref())?;
        (text == body).then_some(id)
    }))
}

/// (our reply's time, their next message's time) pairs from a chat's recent messages.
fn exchanges(recent: &[(String, String, String, i64)]) -> Vec<(i64, i64)> {
    recent
        .windows(2)
        .filter(|w| w[0].1 == "bot" && w[1].0 == "in")
        .map(|w| (w[0].3, w[1].3))
        .collect()
}

fn human_minutes(minutes: u32) -> String {
    match minutes {
        m if m % 1440 == 0 => format!("{} day(s)", m / 1440),
        m if m % 60 == 0 => format!("{} hour(s)", m / 60),
        m => format!("{m} minutes"),
    }
}
