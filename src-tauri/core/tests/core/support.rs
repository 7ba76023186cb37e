//! Shared test fixtures: a core over a fresh store, a settable clock, recorded events.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use leadline_core::clock::Clock;
use leadline_core::events::{CoreEvent, EventSink};
use leadline_core::leadline::Leadline;
use leadline_core::store::database::Store;

/// A clock that stands still until a test moves it.
pub struct TestClock(AtomicI64);

impl TestClock {
    pub fn at(ms: i64) -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(ms)))
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(self.0.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// Every event the core sent, in order.
#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<Vec<CoreEvent>>>);

impl Recorded {
    pub fn sink(&self) -> EventSink {
        let events = self.0.clone();
        Arc::new(move |event| events.lock().unwrap().push(event))
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().iter().map(CoreEvent::name).collect()
    }

    pub fn take(&self) -> Vec<CoreEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

pub const T0: i64 = 1_763_800_000_000;

pub fn core() -> (Leadline, Recorded) {
    let recorded = Recorded::default();
    let store = Store::in_memory().expect("an in-memory store opens");
    (
        Leadline::new(store, recorded.sink(), TestClock::at(T0)),
        recorded,
    )
}
