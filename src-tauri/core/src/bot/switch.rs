//! Whether a number's bot runs right now: the owner's on/off switch, and an optional window
//! that switches it on and off by itself at local times ("start on Monday 09:00", "stop on
//! the 24th at 18:00"), read in the number's time zone with jiff so a DST change doesn't
//! shift them.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::hours::HoursError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotSwitch {
    enabled: bool,
    from: Option<Timestamp>,
    until: Option<Timestamp>,
}

/// "YYYY-MM-DDTHH:MM" in `tz`; an empty text is no limit. A time that a spring-forward
/// gap skips moves forward by the gap (02:30 → 03:30), as clocks do.
fn local_instant(text: Option<&str>, tz: &TimeZone) -> Result<Option<Timestamp>, HoursError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let bad = || HoursError::Date(text.chars().take(30).collect());
    let local: DateTime = text.parse().map_err(|_| bad())?;
    let zoned = local.to_zoned(tz.clone()).map_err(|_| bad())?;
    Ok(Some(zoned.timestamp()))
}

impl BotSwitch {
    /// `zone`: the number's IANA zone, or `None` for this computer's.
    pub fn new(
        enabled: bool,
        from: Option<&str>,
        until: Option<&str>,
        zone: Option<&str>,
    ) -> Result<BotSwitch, HoursError> {
        let tz = match zone.map(str::trim).filter(|z| !z.is_empty()) {
            Some(name) => TimeZone::get(name).map_err(|_| HoursError::Zone(name.to_string()))?,
            None => TimeZone::system(),
        };
        let from = local_instant(from, &tz)?;
        let until = local_instant(until, &tz)?;
        if let (Some(from), Some(until)) = (from, until) {
            if until <= from {
                return Err(HoursError::Order);
            }
        }
        Ok(BotSwitch {
            enabled,
            from,
            until,
        })
    }

    /// `None` when the bot runs at `now_ms`; otherwise until when it is off, `i64::MAX` for
    /// "until the owner switches it on".
    pub fn off_until(&self, now_ms: i64) -> Option<i64> {
        if !self.enabled {
            return Some(i64::MAX);
        }
        let now = Timestamp::from_millisecond(now_ms).unwrap_or_default();
        if let Some(from) = self.from.filter(|from| now < *from) {
            return Some(from.as_millisecond());
        }
        if self.until.is_some_and(|until| now >= until) {
            return Some(i64::MAX);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn the_switch_and_the_window_decide_together() {
        let always = BotSwitch::new(true, None, None, Some("UTC")).unwrap();
        assert_eq!(always.off_until(ms("2026-01-01T00:00:00Z")), None);
        let off = BotSwitch::new(false, None, None, Some("UTC")).unwrap();
        assert_eq!(off.off_until(ms("2026-01-01T00:00:00Z")), Some(i64::MAX));

        let window = BotSwitch::new(
            true,
            Some("2026-12-01T09:00"),
            Some("2026-12-24T18:00"),
            Some("Europe/Madrid"),
        )
        .unwrap();
        let starts = ms("2026-12-01T08:00:00Z");
        assert_eq!(window.off_until(ms("2026-11-30T12:00:00Z")), Some(starts));
        assert_eq!(window.off_until(starts - 1), Some(starts));
        assert_eq!(window.off_until(starts), None, "on at 09:00 Madrid");
        assert_eq!(window.off_until(ms("2026-12-24T16:59:59Z")), None);
        assert_eq!(
            window.off_until(ms("2026-12-24T17:00:00Z")),
            Some(i64::MAX),
            "off at 18:00 Madrid"
        );
    }

    #[test]
    fn local_times_follow_the_zone_across_a_clock_change() {
        // Madrid moves to summer time on 2026-03-29 at 02:00 → 03:00.
        let switch =
            BotSwitch::new(true, Some("2026-03-29T09:00"), None, Some("Europe/Madrid")).unwrap();
        assert_eq!(
            switch.off_until(ms("2026-03-29T06:00:00Z")),
            Some(ms("2026-03-29T07:00:00Z")),
            "09:00 CEST is 07:00 UTC"
        );
        // 02:30 doesn't exist that day: it moves forward by the gap, to 03:30 CEST.
        let gap =
            BotSwitch::new(true, Some("2026-03-29T02:30"), None, Some("Europe/Madrid")).unwrap();
        assert_eq!(
            gap.off_until(ms("2026-03-29T00:00:00Z")),
            Some(ms("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn bad_input_is_refused_in_plain_words() {
        let zone = BotSwitch::new(true, None, None, Some("Mars/Olympus")).unwrap_err();
        assert!(zone.to_string().contains("Mars/Olympus"));
        let date = BotSwitch::new(true, Some("next monday"), None, Some("UTC")).unwrap_err();
        assert!(date.to_string().contains("next monday"));
        let order = BotSwitch::new(
            true,
            Some("2026-12-02T09:00"),
            Some("2026-12-01T09:00"),
            Some("UTC"),
        )
        .unwrap_err();
        assert_eq!(order, HoursError::Order);
        assert!(
            BotSwitch::new(true, Some(""), Some("  "), None)
                .unwrap()
                .off_until(0)
                .is_none(),
            "empty fields are no limit"
        );
    }
}
