//! The durable message pipeline. Every message is stored before anything else; each
//! inbound one gets an inbox row that moves received → decided → replied | skipped(reason)
//! | failed(error). A reply's text is written into its decision before it is sent, and
//! each send attempt is counted first, so after a crash a row with attempts is reconciled
//! against the chat's own messages in WhatsApp: sent already → recorded, not sent → sent
//! again with the same words. No message is lost and none is answered twice.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::commands::OwnerCommand;
use super::hours::{Hours, Schedule};
use super::policy::{self, Behaviour, Decision, Incoming, Situation, Skip};
use super::rules::{MatchKind, Rule};
use super::switch::BotSwitch;
use crate::Leadline;
use crate::ai::chat::ChatMessage;
use crate::ai::prompt::{self, DEFAULT_HISTORY_BUDGET, TurnContext};
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::store::{
    account_settings, activity, away_sent, chats, contacts, inbox, messages, rules,
};
use crate::text;
use crate::text::Text;
use crate::whatsapp::{WaError, WaMessage};

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

    fn typing_for(&self, text: &str) -> Duration {
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
    Replied { wa_msg_id: String },
    Skipped { reason: String },
    Failed { error: String },
}

/// The decision as stored on the inbox row: the policy's decision, plus the text to send
/// once it is known (so a resend after a crash sends the same words).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    decision: Decision,
    text: Option<String>,
    /// Where the text goes (the customer's chat, or the owner's own for commands).
    to: Option<String>,
}

fn now_ms(core: &Leadline) -> i64 {
    core.clock.now_ms()
}

fn skip_name(skip: &Skip) -> String {
    serde_json::to_value(skip)
        .ok()
        .and_then(|v| v["reason"].as_str().map(str::to_string))
        .unwrap_or_else(|| "skipped".into())
}

impl Leadline {
    fn chat_lock(&self, chat_id: i64) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .chat_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        locks.entry(chat_id).or_default().clone()
    }

    /// Stores a message before anything else is done with it. Returns the id of the inbox
    /// row to decide on, or `None`: a redelivery, or the echo of the bot's own send (then
    /// its inbox row is marked replied here).
    pub async fn receive(&self, account_id: i64, message: WaMessage) -> Result<Option<i64>> {
        let now = now_ms(self);
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
                // The echo of our own reply: the inbox row waiting on it is done.
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
                Ok((chat.id, true, Some(message_id)))
            })
            .await?;
        if changed {
            self.chat_changed(account_id, chat_id);
        }
        Ok(inbox_row)
    }

    /// After a (re)start: handles every row a crash left open, oldest first.
    pub async fn resume(&self, wa: &Runtime, account_id: i64) -> Result<Vec<(i64, Handled)>> {
        self.work_on(wa, account_id, false).await
    }

    /// Tries again the failed sends whose time has come.
    pub async fn retry_failed(&self, wa: &Runtime, account_id: i64) -> Result<Vec<(i64, Handled)>> {
        self.work_on(wa, account_id, true).await
    }

    async fn work_on(
        &self,
        wa: &Runtime,
        account_id: i64,
        only_failures: bool,
    ) -> Result<Vec<(i64, Handled)>> {
        let now = now_ms(self);
        let open = self
            .store
            .call(move |conn| Ok(inbox::open(conn, account_id, now, only_failures)?))
            .await?;
        let mut done = Vec::with_capacity(open.len());
        for message_id in open {
            done.push((message_id, self.handle(wa, account_id, message_id).await?));
        }
        Ok(done)
    }

    /// Decides on one stored message and acts. Safe to call again on the same row.
    pub async fn handle(&self, wa: &Runtime, account_id: i64, message_id: i64) -> Result<Handled> {
        // One message of a chat at a time, whoever asks (the runner, a resume, a retry):
        // the row's state is read under the lock, so no two callers both answer it.
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
        let lock = self.chat_lock(chat_id);
        let _turn = lock.lock().await;
        let (row, message, chat) = self
            .store
            .call(move |conn| {
                let row = inbox::get(conn, message_id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "bot.inbox_gone",
                        "That message is no longer waiting for an answer."
                    ))
                })?;
                let message = messages::get(conn, message_id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "bot.message_gone",
                        "That message is no longer in Leadline."
                    ))
                })?;
                let chat = chats::get(conn, message.chat_id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "chat.gone",
                        "That chat is no longer in Leadline. Reload the list."
                    ))
                })?;
                Ok((row, message, chat))
            })
            .await?;
        match row.state.as_str() {
            "replied" => {
                return Ok(Handled::Replied {
                    wa_msg_id: String::new(),
                });
            }
            "skipped" => {
                return Ok(Handled::Skipped {
                    reason: row.skip_reason.unwrap_or_default(),
                });
            }
            // A failed send is tried again (same words) until its attempts run out; any
            // other failure stays for the owner to see.
            "failed" => {
                let has_text = row
                    .decision
                    .as_deref()
                    .and_then(|d| serde_json::from_str::<Stored>(d).ok())
                    .is_some_and(|stored| stored.text.is_some());
                if !has_text || row.attempts >= inbox::MAX_ATTEMPTS {
                    return Ok(Handled::Failed {
                        error: "failed earlier".into(),
                    });
                }
            }
            _ => {}
        }
        let (chat_jid, contact_id, paused_until) = chat;
        // Decided with a text: maybe sent before a crash. Ask WhatsApp before sending again.
        if let Some(stored) = row
            .decision
            .as_deref()
            .and_then(|d| serde_json::from_str::<Stored>(d).ok())
        {
            if let (Some(text), Some(to)) = (stored.text, stored.to) {
                if row.attempts > 0 {
                    if let Some(sent) = self
                        .already_sent(wa, account_id, &to, &text, message.sent_at)
                        .await
                    {
                        self.record_reply(account_id, message_id, message.chat_id, &sent, &text)
                            .await?;
                        return Ok(Handled::Replied { wa_msg_id: sent });
                    }
                }
                return self
                    .send_reply(wa, account_id, message_id, message.chat_id, &to, &text)
                    .await;
            }
        }

        let now = now_ms(self);
        let situation = self
            .situation(account_id, message.chat_id, contact_id, paused_until, now)
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
        let (text, to) = match &decision {
            Decision::Skip(skip) => {
                let reason = skip_name(skip);
                self.finish_skip(message_id, &decision, &reason).await?;
                return Ok(Handled::Skipped { reason });
            }
            Decision::PauseChat { until_ms } => {
                let (chat_id, until) = (message.chat_id, *until_ms);
                self.store
                    .call(move |conn| {
                        Ok(chats::set_pause(
                            conn,
                            chat_id,
                            Some(until),
                            Some("owner_takeover"),
                        )?)
                    })
                    .await?;
                let reason = "owner_takeover".to_string();
                self.finish_skip(message_id, &decision, &reason).await?;
                return Ok(Handled::Skipped { reason });
            }
            Decision::Command(command) => (
                self.run_command(account_id, command, now).await?,
                chat_jid.clone(),
            ),
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
                (text.clone(), chat_jid.clone())
            }
            Decision::QuickReply { text, .. } => (text.clone(), chat_jid.clone()),
            Decision::Ai { closed } => match self
                .ai_reply(
                    account_id,
                    message.chat_id,
                    contact_id,
                    *closed,
                    hours.as_ref(),
                    now,
                )
                .await
            {
                Ok(text) => (text, chat_jid.clone()),
                Err(error) => {
                    let shown = error.to_string();
                    self.finish_failed(account_id, message_id, &decision, error.text())
                        .await?;
                    return Ok(Handled::Failed { error: shown });
                }
            },
        };
        let stored = Stored {
            decision,
            text: Some(text.clone()),
            to: Some(to.clone()),
        };
        let json = serde_json::to_string(&stored).map_err(|e| Error::Internal(e.to_string()))?;
        self.store
            .call(move |conn| Ok(inbox::decided(conn, message_id, &json, now)?))
            .await?;
        self.send_reply(wa, account_id, message_id, message.chat_id, &to, &text)
            .await
    }

    /// What the policy needs to know, read in one go.
    #[allow(clippy::type_complexity)]
    async fn situation(
        &self,
        account_id: i64,
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
                    replies_by_number_today: messages::bot_replies_since(conn, account_id, now - 86_400_000)?,
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

    /// The AI's reply for this chat's latest turn.
    async fn ai_reply(
        &self,
        account_id: i64,
        chat_id: i64,
        contact_id: Option<i64>,
        closed: bool,
        hours: Option<&Hours>,
        now: i64,
    ) -> Result<String, crate::ai::AiError> {
        let provider_error = |e: Error| crate::ai::AiError::Rejected {
            provider: "Leadline".into(),
            status: 0,
            detail: e.to_string(),
        };
        let settings = self.number_ai(account_id).await.map_err(provider_error)?;
        let (endpoint, default_model) = self
            .ai_endpoint(settings.provider.as_deref())
            .await
            .map_err(provider_error)?;
        let model = settings.model.clone().or(default_model).unwrap_or_default();
        let recent = self
            .store
            .call(move |conn| Ok(messages::recent_in_chat(conn, chat_id, 60)?))
            .await
            .map_err(provider_error)?;
        let history: Vec<ChatMessage> = recent
            .into_iter()
            .map(|(direction, _, body, _)| {
                if direction == "in" {
                    ChatMessage::user(body)
                } else {
                    ChatMessage::assistant(body)
                }
            })
            .collect();
        let hours_context = if closed {
            prompt::Hours::Closed {
                next_open: hours
                    .and_then(|h| {
                        h.next_open(jiff::Timestamp::from_millisecond(now).unwrap_or_default())
                    })
                    .map(|z| z.strftime("%A %H:%M").to_string()),
            }
        } else {
            prompt::Hours::Open
        };
        let known: BTreeMap<String, String> = match contact_id {
            Some(contact) => self
                .store
                .call(move |conn| {
                    Ok(crate::store::leads::fields_of_contact(
                        conn, account_id, contact,
                    )?)
                })
                .await
                .map_err(provider_error)?
                .into_iter()
                .collect(),
            None => BTreeMap::new(),
        };
        let turn = TurnContext {
            prompt: &settings.prompt,
            facts: &settings.facts,
            fields: &settings.fields,
            criteria: &settings.criteria,
            hours: hours_context,
            known: &known,
            history: &history,
            history_budget: DEFAULT_HISTORY_BUDGET,
        };
        let started = std::time::Instant::now();
        let answered = crate::ai::answer_turn(&self.ai, &endpoint, &model, &turn).await;
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let prices = self.ai_prices().await.unwrap_or_default();
        let usage = answered.as_ref().map(|a| a.usage).unwrap_or_default();
        let cost = crate::ai::pricing::cost_micros(&prices, &model, usage);
        self.record_usage(
            Some(account_id),
            &endpoint.name,
            &model,
            "reply",
            usage,
            cost,
            elapsed,
            answered.is_ok(),
        )
        .await;
        let answered = answered?;
        if answered.output.truncated {
            return Err(crate::ai::AiError::BadResponse {
                provider: endpoint.name,
                detail: "the answer was cut off".into(),
            });
        }
        let reply = answered.output.reply.clone();
        // The lead takes what this turn found; a failure to record it is logged and never
        // holds up the customer's reply.
        if let Some(contact) = contact_id {
            let me = self.number(account_id).await.ok().and_then(|n| n.wa_id);
            let country = me.as_deref().and_then(crate::ai::fields::country_of);
            let asked = settings.fields.clone();
            if let Err(e) = self
                .merge_turn(
                    account_id,
                    contact,
                    chat_id,
                    asked,
                    answered.output,
                    country,
                )
                .await
            {
                tracing::error!(account_id, error = %e, "could not update the lead");
            }
        }
        Ok(reply)
    }

    /// Seen, typing for a while, then the send; the attempt is counted before it.
    async fn send_reply(
        &self,
        wa: &Runtime,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        to: &str,
        text: &str,
    ) -> Result<Handled> {
        let now = now_ms(self);
        self.store
            .call(move |conn| Ok(inbox::attempt(conn, message_id, now)?))
            .await?;
        let pacing = self.pacing;
        tokio::time::sleep(pacing.before_seen).await;
        // Seen and typing are courtesy: a failure there doesn't stop the reply.
        let _ = wa.mark_seen(account_id, to).await;
        let typing = pacing.typing_for(text);
        if !typing.is_zero() {
            let _ = wa.set_typing(account_id, to, true).await;
            tokio::time::sleep(typing).await;
            let _ = wa.set_typing(account_id, to, false).await;
        }
        match wa.send_text(account_id, to, text).await {
            Ok(wa_msg_id) => {
                self.record_reply(account_id, message_id, chat_id, &wa_msg_id, text)
                    .await?;
                Ok(Handled::Replied { wa_msg_id })
            }
            Err(e) => {
                let error = e.to_string();
                let now = now_ms(self);
                // Not connected: the row stays decided and is sent on the next resume.
                if matches!(e, WaError::NotConnected) {
                    return Ok(Handled::Failed { error });
                }
                let retry_at = now + 60_000;
                let shown = error.clone();
                self.store
                    .call(move |conn| {
                        Ok(inbox::failed(
                            conn,
                            message_id,
                            &shown,
                            Some(retry_at),
                            now,
                        )?)
                    })
                    .await?;
                Ok(Handled::Failed { error })
            }
        }
    }

    async fn record_reply(
        &self,
        account_id: i64,
        message_id: i64,
        chat_id: i64,
        wa_msg_id: &str,
        text: &str,
    ) -> Result<()> {
        let (wa_msg_id, text) = (wa_msg_id.to_string(), text.to_string());
        let now = now_ms(self);
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                messages::insert(
                    &tx,
                    &messages::NewMessage {
                        account_id,
                        chat_id,
                        wa_msg_id: &wa_msg_id,
                        direction: "out",
                        origin: "bot",
                        author: None,
                        body: &text,
                        sent_at: now,
                    },
                    now,
                )?;
                let reply_id: i64 = tx.query_row(
                    "SELECT id FROM messages WHERE account_id = ?1 AND wa_msg_id = ?2",
                    rusqlite::params![account_id, wa_msg_id],
                    |r| r.get(0),
                )?;
                inbox::replied(&tx, message_id, reply_id, now)?;
                tx.commit().map_err(Error::from)
            })
            .await?;
        self.chat_changed(account_id, chat_id);
        Ok(())
    }

    async fn finish_skip(&self, message_id: i64, decision: &Decision, reason: &str) -> Result<()> {
        let json = serde_json::to_string(&Stored {
            decision: decision.clone(),
            text: None,
            to: None,
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let reason = reason.to_string();
        let now = now_ms(self);
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                inbox::decided(&tx, message_id, &json, now)?;
                inbox::skipped(&tx, message_id, &reason, now)?;
                tx.commit().map_err(Error::from)
            })
            .await
    }

    async fn finish_failed(
        &self,
        account_id: i64,
        message_id: i64,
        decision: &Decision,
        error: Text,
    ) -> Result<()> {
        let json = serde_json::to_string(&Stored {
            decision: decision.clone(),
            text: None,
            to: None,
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let now = now_ms(self);
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                inbox::decided(&tx, message_id, &json, now)?;
                inbox::failed(&tx, message_id, &error.english, None, now)?;
                activity::insert_with_text(
                    &tx,
                    Some(account_id),
                    "ai_failed",
                    &format!("The assistant could not answer a customer: {error}"),
                    &[],
                    ("error", &error),
                    now,
                )?;
                tx.commit().map_err(Error::from)
            })
            .await
    }

    /// Whether `text` already went to `to` after the customer's message (WhatsApp's list).
    async fn already_sent(
        &self,
        wa: &Runtime,
        account_id: i64,
        to: &str,
        text: &str,
        after_ms: i64,
    ) -> Option<String> {
        let own = wa.recent_own(account_id, to).await.ok()?;
        own.into_iter()
            .rev()
            .find(|m| m.body == text && m.timestamp.saturating_mul(1000) >= after_ms - 60_000)
            .map(|m| m.id)
    }
}

/// The inbox row in `chat_id` whose reply is `body` and which is being sent.
fn sent_reply_waiting(
    conn: &rusqlite::Connection,
    chat_id: i64,
    body: &str,
) -> rusqlite::Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.message_id, i.decision FROM inbox i JOIN messages m ON m.id = i.message_id
         WHERE m.chat_id = ?1 AND i.state = 'decided' AND i.attempts > 0 ORDER BY i.message_id",
    )?;
    let rows: Vec<(i64, Option<String>)> = stmt
        .query_map([chat_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().find_map(|(id, decision)| {
        let stored: Stored = serde_json::from_str(decision.as_deref()?).ok()?;
        (stored.text.as_deref() == Some(body)).then_some(id)
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
