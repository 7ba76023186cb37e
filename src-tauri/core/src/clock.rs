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
