//! Leadline's core: everything the app does, with no Tauri in sight. The shell hands it an
//! event sink, a clock and a store; tests hand it their own.

pub mod activity;
pub mod clock;
pub mod error;
pub mod events;
pub mod linking;
pub mod logging;
pub mod numbers;
pub mod runtime;
pub mod settings;
pub mod store;
pub mod whatsapp;

use std::sync::Arc;

pub use clock::{Clock, SystemClock};
pub use error::{Error, ErrorCode, Result};
pub use events::{CoreEvent, EventSink};
pub use store::Store;

/// The app's state and operations, one per running app. Domain modules add their
/// operations in `impl Leadline` blocks of their own.
#[derive(Clone)]
pub struct Leadline {
    store: Store,
    events: EventSink,
    clock: Arc<dyn Clock>,
}

impl Leadline {
    pub fn new(store: Store, events: EventSink, clock: Arc<dyn Clock>) -> Leadline {
        Leadline {
            store,
            events,
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}
