//! Each number's bot settings as the owner edits them: behaviour, working hours, and quick
//! replies, checked before they are saved (a bad time, zone or pattern is refused in plain
//! words and nothing changes).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::bot::hours::Hours;
use crate::bot::rules::Rule;
use crate::bot::switch::BotSwitch;
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::behaviour::Behaviour;
use crate::model::quick_reply::{MatchKind, QuickReply};
use crate::model::schedule::Schedule;
use crate::store::{account_settings, activity, rules};
use crate::text;
use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberBot {
    /// The owner's on/off switch for this number's bot.
    #[serde(default = "switched_on")]
    pub enabled: bool,
    pub behaviour: Behaviour,
    /// `None`: always open.
    pub schedule: Option<Schedule>,
    /// In the order they are tried.
    pub quick_replies: Vec<QuickReply>,
}

fn switched_on() -> bool {
    true
}

fn check_behaviour(b: &Behaviour) -> Result<()> {
    let within = |value: u32, max: u32, too_large: fn(u32) -> Text| {
        if value > max {
            Err(Error::InvalidInput(too_large(max)))
        } else {
            Ok(())
        }
    };
    within(b.takeover_minutes, 7 * 24 * 60, |max| {
        text!(
            "bot.takeover_too_long",
            "The pause after you reply (minutes) can be at most {max}.",
            max = max
        )
    })?;
    within(b.debounce_seconds, 120, |max| {
        text!(
            "bot.debounce_too_long",
            "The wait for more messages (seconds) can be at most {max}.",
            max = max
        )
    })?;
    within(b.freshness_hours, 24 * 14, |max| {
        text!(
            "bot.freshness_too_long",
            "The window for messages that arrived while Leadline was closed (hours) can be at most {max}.",
            max = max
        )
    })?;
    within(b.max_replies_per_contact_hour, 1_000, |max| {
        text!(
            "bot.contact_limit_too_large",
            "Replies per customer per hour can be at most {max}.",
            max = max
        )
    })?;
    within(b.max_replies_per_number_day, 100_000, |max| {
        text!(
            "bot.number_limit_too_large",
            "Replies per number per day can be at most {max}.",
            max = max
        )
    })?;
    if b.away_message.chars().count() > 2_000 {
        return Err(Error::InvalidInput(text!(
            "bot.away_too_long",
            "The away message can be at most 2,000 characters."
        )));
    }
    Ok(())
}

impl Leadline {
    pub async fn number_bot(&self, id: i64) -> Result<NumberBot> {
        self.store
            .call(move |conn| {
                let row = account_settings::bot(conn, id)?.ok_or_else(|| {
                    Error::NotFound(text!(
                        "number.removed",
                        "That number was removed. Reload the list."
                    ))
                })?;
                let quick_replies = rules::all(conn, id)?
                    .into_iter()
                    .map(|r| QuickReply {
                        kind: if r.match_kind == "regex" {
                            MatchKind::Regex
                        } else {
                            MatchKind::Keyword
                        },
                        pattern: r.pattern,
                        reply: r.reply,
                        enabled: r.enabled,
                    })
                    .collect();
                Ok(NumberBot {
                    enabled: row.bot_enabled,
                    behaviour: serde_json::from_str(&row.behaviour_json).unwrap_or_default(),
                    schedule: serde_json::from_str(&row.hours_json).ok(),
                    quick_replies,
                })
            })
            .await
    }

    pub async fn set_number_bot(&self, id: i64, bot: NumberBot) -> Result<NumberBot> {
        check_behaviour(&bot.behaviour)?;
        if let Some(schedule) = &bot.schedule {
            Hours::new(schedule).map_err(|e| Error::InvalidInput(e.text()))?;
        }
        BotSwitch::new(
            bot.enabled,
            bot.behaviour.bot_starts_at.as_deref(),
            bot.behaviour.bot_stops_at.as_deref(),
            bot.schedule.as_ref().map(|s| s.zone.as_str()),
        )
        .map_err(|e| Error::InvalidInput(e.text()))?;
        for (index, quick) in bot.quick_replies.iter().enumerate() {
            Rule::new(index as i64, quick.kind, &quick.pattern, &quick.reply)
                .map_err(|e| Error::InvalidInput(e.text(index + 1)))?;
            if quick.reply.trim().is_empty() {
                return Err(Error::InvalidInput(text!(
                    "bot.quick_reply_empty",
                    "Quick reply {number} has no answer.",
                    number = index + 1
                )));
            }
        }
        let behaviour =
            serde_json::to_string(&bot.behaviour).map_err(|e| Error::Internal(e.to_string()))?;
        let hours = match &bot.schedule {
            Some(schedule) => {
                serde_json::to_string(schedule).map_err(|e| Error::Internal(e.to_string()))?
            }
            None => "{}".to_string(),
        };
        let rules = bot.quick_replies.clone();
        let enabled = bot.enabled;
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                if !account_settings::set_bot(&tx, id, enabled, &behaviour, &hours, now)? {
                    return Err(Error::NotFound(text!(
                        "number.removed",
                        "That number was removed. Reload the list."
                    )));
                }
                let rows: Vec<rules::QuickReplyRow> = rules
                    .iter()
                    .map(|rule| rules::QuickReplyRow {
                        match_kind: match rule.kind {
                            MatchKind::Keyword => "keyword",
                            MatchKind::Regex => "regex",
                        }
                        .to_string(),
                        pattern: rule.pattern.clone(),
                        reply: rule.reply.clone(),
                        enabled: rule.enabled,
                    })
                    .collect();
                rules::replace_all(&tx, id, &rows, now)?;
                activity::insert(
                    &tx,
                    Some(id),
                    "bot_settings",
                    "Changed the bot's behaviour, hours or quick replies",
                    now,
                )?;
                tx.commit().map_err(Error::from)
            })
            .await?;
        self.number_bot(id).await
    }
}
