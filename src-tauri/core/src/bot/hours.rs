//! Working hours per number: an IANA time zone, several periods per weekday (a period may
//! run past midnight), holidays and one-off closures. All in the number's own zone with
//! jiff, so a period means the same wall-clock hours on the days the clocks change.

use crate::text;
use crate::text::Text;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};

use crate::model::schedule::Schedule;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub enum HoursError {
    Zone(String),
    Time(String),
    Date(String),
    Weekday(u8),
    Order,
    ClosureOrder,
}

impl HoursError {
    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            HoursError::Zone(zone) => text!(
                "hours.zone",
                "“{zone}” is not a time zone Leadline knows (use a name like Europe/Madrid).",
                zone = zone
            ),
            HoursError::Time(time) => text!(
                "hours.time",
                "“{time}” is not a time of day like 09:30.",
                time = time
            ),
            HoursError::Date(date) => text!(
                "hours.date",
                "“{date}” is not a date like 2026-12-25.",
                date = date
            ),
            HoursError::Weekday(day) => text!(
                "hours.weekday",
                "“{day}” is not a day of the week (1 = Monday … 7 = Sunday).",
                day = day
            ),
            HoursError::Order => text!(
                "hours.order",
                "The bot's stop time must come after its start time."
            ),
            HoursError::ClosureOrder => {
                text!("hours.closure_order", "A closure must end after it starts.")
            }
        }
    }
}

/// A schedule read and checked, ready to answer "open now?".
#[derive(Debug, Clone)]
pub struct Hours {
    tz: TimeZone,
    periods: Vec<(Weekday, Time, Time)>,
    holidays: Vec<Date>,
    closures: Vec<(DateTime, DateTime)>,
}

fn time(text: &str) -> Result<Time, HoursError> {
    text.trim()
        .parse::<Time>()
        .map_err(|_| HoursError::Time(text.chars().take(20).collect()))
}

fn weekday(n: u8) -> Result<Weekday, HoursError> {
    Weekday::from_monday_one_offset(i8::try_from(n).map_err(|_| HoursError::Weekday(n))?)
        .map_err(|_| HoursError::Weekday(n))
}

impl Hours {
    pub fn new(schedule: &Schedule) -> Result<Hours, HoursError> {
        let tz = TimeZone::get(schedule.zone.trim())
            .map_err(|_| HoursError::Zone(schedule.zone.clone()))?;
        let periods = schedule
            .periods
            .iter()
            .map(|p| Ok((weekday(p.weekday)?, time(&p.start)?, time(&p.end)?)))
            .collect::<Result<_, HoursError>>()?;
        let holidays = schedule
            .holidays
            .iter()
            .map(|d| {
                d.trim()
                    .parse::<Date>()
                    .map_err(|_| HoursError::Date(d.clone()))
            })
            .collect::<Result<_, _>>()?;
        let datetime = |text: &str| {
            text.trim()
                .parse::<DateTime>()
                .map_err(|_| HoursError::Date(text.chars().take(30).collect()))
        };
        let closures = schedule
            .closures
            .iter()
            .map(|c| {
                let (from, until) = (datetime(&c.from)?, datetime(&c.until)?);
                if until <= from {
                    return Err(HoursError::ClosureOrder);
                }
                Ok((from, until))
            })
            .collect::<Result<_, HoursError>>()?;
        Ok(Hours {
            tz,
            periods,
            holidays,
            closures,
        })
    }

    /// The wall-clock time at `at` in the schedule's zone.
    fn local(&self, at: Timestamp) -> DateTime {
        at.to_zoned(self.tz.clone()).datetime()
    }

    fn closed_by_exception(&self, local: DateTime) -> bool {
        self.closures
            .iter()
            .any(|(from, until)| *from <= local && local < *until)
    }

    /// The opening period that `local` falls in, as the local date-time it started.
    fn period_at(&self, local: DateTime) -> Option<DateTime> {
        let today = local.date();
        let yesterday = today.yesterday().ok();
        for &(day, start, end) in &self.periods {
            let overnight = end <= start;
            // Started today: from `start` to `end` (or to midnight when overnight).
            if today.weekday() == day
                && !self.holidays.contains(&today)
                && local.time() >= start
                && (overnight || local.time() < end)
            {
                return Some(today.to_datetime(start));
            }
            // Started yesterday and runs past midnight into today.
            if let Some(yesterday) = yesterday {
                if overnight
                    && yesterday.weekday() == day
                    && !self.holidays.contains(&yesterday)
                    && local.time() < end
                {
                    return Some(yesterday.to_datetime(start));
                }
            }
        }
        None
    }

    pub fn is_open(&self, at: Timestamp) -> bool {
        let local = self.local(at);
        !self.closed_by_exception(local) && self.period_at(local).is_some()
    }

    /// When the business next opens after `at` (within four weeks), in its zone. A start
    /// time that falls in a spring-forward gap opens at the first instant after it.
    pub fn next_open(&self, at: Timestamp) -> Option<Zoned> {
        if self.is_open(at) {
            return Some(at.to_zoned(self.tz.clone()));
        }
        let local = self.local(at);
        let mut best: Option<Zoned> = None;
        for offset in 0..=28 {
            let date = local.date().checked_add(offset.days()).ok()?;
            for &(day, start, _) in &self.periods {
                if date.weekday() != day || self.holidays.contains(&date) {
                    continue;
                }
                let Ok(zoned) = date.to_datetime(start).to_zoned(self.tz.clone()) else {
                    continue;
                };
                if zoned.timestamp() <= at {
                    continue;
                }
                // A closure may cover this start; then the business opens when it ends,
                // if that is still inside the period.
                let candidate =
                    match self.closures.iter().find(|(from, until)| {
                        *from <= zoned.datetime() && zoned.datetime() < *until
                    }) {
                        None => Some(zoned),
                        Some((_, until)) => until
                            .to_zoned(self.tz.clone())
                            .ok()
                            .filter(|z| self.is_open(z.timestamp())),
                    };
                if let Some(candidate) = candidate {
                    if best
                        .as_ref()
                        .is_none_or(|b| candidate.timestamp() < b.timestamp())
                    {
                        best = Some(candidate);
                    }
                }
            }
            if best.is_some() {
                return best;
            }
        }
        best
    }

    /// A name for the closed stretch `at` is in, the same for every moment of it (it is
    /// named by when it ends: the next opening), so an away message goes once per closed
    /// stretch and contact. `None` when open.
    pub fn closed_stretch(&self, at: Timestamp) -> Option<String> {
        if self.is_open(at) {
            return None;
        }
        Some(match self.next_open(at) {
            Some(open) => format!("until {}", open.datetime()),
            None => "closed".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schedule::{Closure, Period};

    fn at(zoned: &str) -> Timestamp {
        zoned.parse::<Zoned>().unwrap().timestamp()
    }

    fn madrid(periods: &[(u8, &str, &str)]) -> Schedule {
        Schedule {
            zone: "Europe/Madrid".into(),
            periods: periods
                .iter()
                .map(|(d, s, e)| Period {
                    weekday: *d,
                    start: s.to_string(),
                    end: e.to_string(),
                })
                .collect(),
            holidays: vec![],
            closures: vec![],
        }
    }

    #[test]
    fn several_periods_a_day_in_the_numbers_zone() {
        // Monday 9–14 and 16–20 in Madrid.
        let hours = Hours::new(&madrid(&[(1, "09:00", "14:00"), (1, "16:00", "20:00")])).unwrap();
        assert!(hours.is_open(at("2026-11-23T09:00[Europe/Madrid]")));
        assert!(
            !hours.is_open(at("2026-11-23T14:00[Europe/Madrid]")),
            "the end is exclusive"
        );
        assert!(!hours.is_open(at("2026-11-23T15:00[Europe/Madrid]")));
        assert!(hours.is_open(at("2026-11-23T19:59[Europe/Madrid]")));
        // 09:30 in Madrid is 08:30 UTC in winter: the zone, not UTC, decides.
        assert!(hours.is_open(at("2026-11-23T08:30[UTC]")));
        assert!(!hours.is_open(at("2026-11-23T07:30[UTC]")));
        assert_eq!(
            hours
                .next_open(at("2026-11-23T14:30[Europe/Madrid]"))
                .unwrap()
                .datetime()
                .to_string(),
            "2026-11-23T16:00:00"
        );
        assert_eq!(
            hours
                .next_open(at("2026-11-23T21:00[Europe/Madrid]"))
                .unwrap()
                .datetime()
                .to_string(),
            "2026-11-30T09:00:00",
            "next Monday"
        );
    }

    #[test]
    fn a_period_past_midnight_belongs_to_the_day_it_started() {
        // Friday 22:00–02:00.
        let hours = Hours::new(&madrid(&[(5, "22:00", "02:00")])).unwrap();
        assert!(hours.is_open(at("2026-11-27T23:30[Europe/Madrid]")));
        assert!(
            hours.is_open(at("2026-11-28T01:59[Europe/Madrid]")),
            "Saturday night, still Friday's period"
        );
        assert!(!hours.is_open(at("2026-11-28T02:00[Europe/Madrid]")));
        assert!(
            !hours.is_open(at("2026-11-29T01:00[Europe/Madrid]")),
            "Sunday early is not Friday's"
        );
    }

    #[test]
    fn daylight_saving_both_ways_keeps_wall_clock_hours() {
        // Every day 09:00–17:00 and 01:00–03:30 in New York.
        let days: Vec<(u8, &str, &str)> = (1..=7)
            .flat_map(|d| [(d, "09:00", "17:00"), (d, "01:00", "03:30")])
            .collect();
        let schedule = Schedule {
            zone: "America/New_York".into(),
            ..madrid(&days)
        };
        let hours = Hours::new(&schedule).unwrap();
        // Spring forward (2026-03-08, 02:00 → 03:00): 09:00 local is 13:00 UTC, not 14:00.
        assert!(hours.is_open(at("2026-03-08T13:00[UTC]")));
        assert!(!hours.is_open(at("2026-03-08T12:59[UTC]")));
        // The 01:00–03:30 period that night is one hour shorter, and still ends at 03:30.
        assert!(hours.is_open(at("2026-03-08T03:15-04:00[America/New_York]")));
        assert!(!hours.is_open(at("2026-03-08T03:30-04:00[America/New_York]")));
        // Fall back (2026-11-01, 02:00 → 01:00): 09:00 local is 14:00 UTC after the change.
        assert!(hours.is_open(at("2026-11-01T14:00[UTC]")));
        assert!(!hours.is_open(at("2026-11-01T13:59[UTC]")));
        // 01:30 happens twice that night; both are inside 01:00–03:30.
        assert!(hours.is_open(at("2026-11-01T01:30-04:00[America/New_York]")));
        assert!(hours.is_open(at("2026-11-01T01:30-05:00[America/New_York]")));
    }

    #[test]
    fn an_opening_in_the_spring_forward_gap_opens_right_after_it() {
        let schedule = Schedule {
            zone: "America/New_York".into(),
            ..madrid(&[(7, "02:30", "05:00")])
        };
        let hours = Hours::new(&schedule).unwrap();
        let open = hours
            .next_open(at("2026-03-08T00:00-05:00[America/New_York]"))
            .unwrap();
        assert_eq!(
            open.datetime().to_string(),
            "2026-03-08T03:30:00",
            "02:30 doesn't exist that day"
        );
    }

    #[test]
    fn holidays_and_closures_close_what_would_be_open() {
        let mut schedule = madrid(&[
            (4, "09:00", "18:00"),
            (5, "09:00", "18:00"),
            (5, "22:00", "01:00"),
        ]);
        schedule.holidays = vec!["2026-12-24".into()];
        schedule.closures = vec![Closure {
            from: "2026-12-25T09:00".into(),
            until: "2026-12-25T12:00".into(),
            note: "Inventory".into(),
        }];
        let mut backwards = schedule.clone();
        backwards.closures[0].until = "2026-12-25T08:00".into();
        assert_eq!(
            Hours::new(&backwards).unwrap_err(),
            HoursError::ClosureOrder
        );
        let hours = Hours::new(&schedule).unwrap();
        assert!(
            !hours.is_open(at("2026-12-24T10:00[Europe/Madrid]")),
            "Thursday the 24th is a holiday"
        );
        assert!(
            !hours.is_open(at("2026-12-25T10:00[Europe/Madrid]")),
            "closed for inventory"
        );
        assert!(hours.is_open(at("2026-12-25T12:00[Europe/Madrid]")));
        assert_eq!(
            hours
                .next_open(at("2026-12-24T10:00[Europe/Madrid]"))
                .unwrap()
                .datetime()
                .to_string(),
            "2026-12-25T12:00:00",
            "the next opening is when the closure ends"
        );
        assert_eq!(
            hours.closed_stretch(at("2026-12-25T12:30[Europe/Madrid]")),
            None
        );
        assert_eq!(
            hours.closed_stretch(at("2026-12-24T10:00[Europe/Madrid]")),
            hours.closed_stretch(at("2026-12-24T20:00[Europe/Madrid]")),
            "one closed stretch, one away message"
        );
    }

    #[test]
    fn bad_schedules_are_plain_errors() {
        let mut bad = madrid(&[(8, "09:00", "10:00")]);
        assert_eq!(Hours::new(&bad).unwrap_err(), HoursError::Weekday(8));
        bad = madrid(&[(1, "9am", "10:00")]);
        assert!(matches!(Hours::new(&bad).unwrap_err(), HoursError::Time(_)));
        bad.zone = "Mars/Olympus".into();
        assert!(matches!(Hours::new(&bad).unwrap_err(), HoursError::Zone(_)));
        let never = Hours::new(&madrid(&[])).unwrap();
        assert!(!never.is_open(at("2026-11-23T10:00[Europe/Madrid]")));
        assert_eq!(never.next_open(at("2026-11-23T10:00[Europe/Madrid]")), None);
    }
}
