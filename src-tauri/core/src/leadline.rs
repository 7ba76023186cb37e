//! The owner's Leadline: the store, the events, the clock, the keychain and the AI client,
//! one per running app. The domains add the operations the window calls on it; the bot's
//! steps get it through their handle (`bot::handle::Bot`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::ai::client::{AiClient, Limits};
use crate::clock::Clock;
use crate::events::EventSink;
use crate::keychain_thread::KeychainThread;
use crate::local_ai::supervisor::LocalAi;
use crate::secrets::{Keychain, OsKeychain};
use crate::store::database::Store;

/// How long a keychain call may take before it counts as locked.
const KEYCHAIN_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Leadline {
    pub(crate) store: Store,
    pub(crate) events: EventSink,
    pub(crate) clock: Arc<dyn Clock>,
    /// Every keychain call, one at a time on a thread of its own, bounded in time.
    pub(crate) keychain: KeychainThread,
    pub(crate) ai: AiClient,
    /// The first wait before a webhook is tried again.
    pub(crate) webhook_backoff: Duration,
    /// Queued webhook deliveries a task works on (so a resume never starts a second).
    pub(crate) webhooks_in_flight: Arc<Mutex<HashSet<i64>>>,
    /// AI on this computer (the desktop app's llama.cpp server), when there is one.
    pub(crate) local_ai: Option<LocalAi>,
}

impl Leadline {
    /// With the operating system's keychain and the default AI limits.
    pub fn new(store: Store, events: EventSink, clock: Arc<dyn Clock>) -> Leadline {
        Leadline {
            store,
            events,
            clock,
            keychain: KeychainThread::new(Arc::new(OsKeychain), KEYCHAIN_WAIT),
            ai: AiClient::new(Limits::default()),
            webhook_backoff: Duration::from_secs(2),
            webhooks_in_flight: Default::default(),
            local_ai: None,
        }
    }

    /// Another first wait before a webhook is retried (tests: short).
    pub fn with_webhook_backoff(mut self, first: Duration) -> Leadline {
        self.webhook_backoff = first;
        self
    }

    /// Another wait before a keychain call counts as locked (tests: short).
    pub fn with_keychain_wait(mut self, wait: Duration) -> Leadline {
        self.keychain = self.keychain.with_wait(wait);
        self
    }

    /// Another keychain (tests: in memory).
    pub fn with_keychain(mut self, keychain: Arc<dyn Keychain>) -> Leadline {
        self.keychain = KeychainThread::new(keychain, self.keychain.wait());
        self
    }

    /// AI on this computer: its models and server.
    pub fn with_local_ai(mut self, local_ai: LocalAi) -> Leadline {
        self.local_ai = Some(local_ai);
        self
    }

    pub fn local_ai(&self) -> Option<&LocalAi> {
        self.local_ai.as_ref()
    }

    /// Other AI limits (tests: short timeouts).
    pub fn with_ai_limits(mut self, limits: Limits) -> Leadline {
        self.ai = AiClient::new(limits);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Now, by the app's clock (unix ms).
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
