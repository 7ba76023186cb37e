//! Time as a seam: the core asks a `Clock`, so tests can set the time.

use jiff::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;

    /// Unix milliseconds, the unit the store uses.
    fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Waits `wait`; no wait at all when it is zero. (Tokio's timer rounds even a zero sleep
/// up to its next millisecond tick, which put about a millisecond on every reply with
/// pacing off.)
pub async fn pause(wait: std::time::Duration) {
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
}

/// Unix ms as the owner's local date and time to the minute (`2026-12-08 14:05`), the way
/// people and spreadsheets read it; `None` outside the representable range.
pub fn local_minute(ms: i64) -> Option<String> {
    Timestamp::from_millisecond(ms).ok().map(|t| {
        t.to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    })
}
