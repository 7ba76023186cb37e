//! The owner's hand on the bots: each number's settings as the owner edits them (behaviour,
//! working hours, quick replies, checked before they are saved: a bad time, zone or
//! pattern is refused in plain words and nothing changes), and "Pause all bots", one
//! switch over every number from the tray or Home.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::bot::hours::Hours;
use crate::bot::rules::Rule;
use crate::bot::switch::BotSwitch;
use crate::error::{Error, Result};
use crate::events::CoreEvent;
use crate::leadline::Leadline;
use crate::model::activity::Activity;
use crate::model::behaviour::Behaviour;
use crate::model::bot_start::BotStart;
use crate::model::quick_reply::QuickReply;
use crate::model::schedule::Schedule;
use crate::store::{account_settings, activity, app_settings, rules};
use crate::text;
use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberBot {
    /// The owner's on/off switch for this number's bot.
    #[serde(default = "switched_on")]
    pub enabled: bool,
    /// Why it answers or not (a new number waits to be tried); read only: saving sets it
    /// to the owner's when `enabled` changes.
    #[serde(default)]
    pub started: BotStart,
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
                Ok(NumberBot {
                    enabled: row.bot_enabled,
                    started: row.started_by,
                    behaviour: row.behaviour,
                    schedule: row.schedule,
                    quick_replies: rules::all(conn, id)?,
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
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                let schedule = bot.schedule.as_ref();
                let switched = account_settings::bot(&tx, id)?
                    .is_some_and(|before| before.bot_enabled != bot.enabled);
                if !account_settings::set_bot(&tx, id, bot.enabled, &bot.behaviour, schedule, now)?
                {
                    return Err(Error::NotFound(text!(
                        "number.removed",
                        "That number was removed. Reload the list."
                    )));
                }
                if switched {
                    account_settings::set_started_by_owner(&tx, id)?;
                }
                rules::replace_all(&tx, id, &bot.quick_replies, now)?;
                activity::record(&tx, Some(id), &Activity::BotSettings, now)?;
                tx.commit().map_err(Error::from)
            })
            .await?;
        self.number_bot(id).await
    }

    /// Whether "Pause all bots" is on: messages are still stored and shown, and nobody
    /// gets an automatic answer. Kept in the database, so a paused app stays paused.
    pub async fn bots_paused(&self) -> Result<bool> {
        self.store
            .call(|conn| Ok(app_settings::bots_paused(conn)?))
            .await
    }

    /// Pauses (or resumes) every number's bot; audited and announced when it changes.
    pub async fn set_bots_paused(&self, paused: bool) -> Result<bool> {
        let now = self.clock.now_ms();
        let changed = self
            .store
            .call(move |conn| {
                let tx = conn.transaction()?;
                if app_settings::bots_paused(&tx)? == paused {
                    return Ok(false);
                }
                app_settings::set_bots_paused(&tx, paused, now)?;
                activity::record(&tx, None, &Activity::BotsPaused { paused }, now)?;
                tx.commit().map_err(Error::from)?;
                Ok(true)
            })
            .await?;
        if changed {
            (self.events)(CoreEvent::BotsPaused { paused });
        }
        Ok(paused)
    }
}
