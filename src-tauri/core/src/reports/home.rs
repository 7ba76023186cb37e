//! Home's figures: for today (since local midnight) and the last 7 days, how many
//! conversations, new leads and qualified leads, the median time the bot took to answer,
//! what the AI cost, and the cost per qualified lead; and the latest qualified leads.

use serde::Serialize;
use ts_rs::TS;

use crate::error::Result;
use crate::leadline::Leadline;
use crate::leads::page;
use crate::model::lead::LeadSummary;
use crate::store::figures::{self, ReplyWait};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PeriodFigures {
    /// Unix ms the period starts at.
    pub since: i64,
    /// Chats with a message in the period.
    pub conversations: u32,
    pub new_leads: u32,
    pub qualified: u32,
    /// Median from a customer's message to the bot's reply; `None` without replies.
    pub median_response_ms: Option<i64>,
    /// What the AI cost (replies and playground), in millionths of a US dollar.
    pub ai_cost_micros: i64,
    /// `None` when nothing qualified.
    pub cost_per_qualified_micros: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HomeFigures {
    pub today: PeriodFigures,
    pub week: PeriodFigures,
    /// Newest first, at most 5.
    pub latest_qualified: Vec<LeadSummary>,
}

/// The most replies looked at for one median; a week of a very busy shop stays exact.
const MEDIAN_SAMPLE: u32 = 50_000;

fn period(
    conn: &rusqlite::Connection,
    since: i64,
    answered: &[ReplyWait],
) -> Result<PeriodFigures> {
    let conversations = figures::chats_active_since(conn, since)?;
    let new_leads = figures::leads_created_since(conn, since)?;
    let qualified = figures::leads_qualified_since(conn, since)?;
    let mut waits: Vec<i64> = answered
        .iter()
        .filter(|reply| reply.answered_at >= since)
        .map(|reply| reply.wait_ms)
        .collect();
    waits.sort_unstable();
    let median_response_ms = (!waits.is_empty()).then(|| waits[waits.len() / 2].max(0));
    let ai_cost_micros = figures::ai_cost_since(conn, since)?;
    Ok(PeriodFigures {
        since,
        conversations,
        new_leads,
        qualified,
        median_response_ms,
        ai_cost_micros,
        cost_per_qualified_micros: (qualified > 0).then(|| ai_cost_micros / i64::from(qualified)),
    })
}

/// Local midnight today, and the same 6 days before, as unix ms.
fn starts(now_ms: i64) -> (i64, i64) {
    let zone = jiff::tz::TimeZone::system();
    let midnight = jiff::Timestamp::from_millisecond(now_ms)
        .ok()
        .map(|t| t.to_zoned(zone))
        .and_then(|z| z.start_of_day().ok());
    match midnight {
        Some(today) => {
            let week = today
                .checked_sub(jiff::Span::new().days(6))
                .map_or(now_ms - 7 * 86_400_000, |z| z.timestamp().as_millisecond());
            (today.timestamp().as_millisecond(), week)
        }
        None => (now_ms - 86_400_000, now_ms - 7 * 86_400_000),
    }
}

impl Leadline {
    pub async fn home_figures(&self) -> Result<HomeFigures> {
        let (today, week) = starts(self.clock.now_ms());
        self.store
            .read(move |conn| {
                let latest = figures::latest_qualified(conn, 5)?;
                let answered = figures::reply_waits_since(conn, week.min(today), MEDIAN_SAMPLE)?;
                Ok(HomeFigures {
                    today: period(conn, today, &answered)?,
                    week: period(conn, week, &answered)?,
                    latest_qualified: latest
                        .into_iter()
                        .map(|id| page::summary(conn, id))
                        .collect::<Result<_>>()?,
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_week_starts_six_local_midnights_before_today() {
        let now = 1_764_244_800_000; // 2025-11-27 12:00 UTC
        let (today, week) = super::starts(now);
        assert!(today <= now && now - today < 86_400_000);
        let days = (today - week) as f64 / 86_400_000.0;
        assert!((5.9..=6.1).contains(&days), "{days}");
    }
}
