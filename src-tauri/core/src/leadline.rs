//! The owner's Leadline: the store, the events, the clock, the keychain and the AI client,
//! one per running app. Each domain adds the operations the window calls on it.

use std::sync::Arc;

use crate::ai::client::{AiClient, Limits};
use crate::clock::Clock;
use crate::events::EventSink;
use crate::store::database::Store;
use crate::{bot, secrets};

/// The app's state and operations, one per running app. Domain modules add their
/// operations in `impl Leadline` blocks of their own.
#[derive(Clone)]
pub struct Leadline {
    pub(crate) store: Store,
    pub(crate) events: EventSink,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) keychain: Arc<dyn secrets::Keychain>,
    pub(crate) ai: AiClient,
    pub(crate) pacing: bot::timing::Pacing,
    /// One turn at a time per chat (see `answer_chat`).
    pub(crate) chat_locks: bot::timing::ChatLocks,
    /// AI turns in flight at once, across numbers.
    pub(crate) turns: Arc<tokio::sync::Semaphore>,
    /// The first wait before a webhook is tried again.
    pub(crate) webhook_backoff: std::time::Duration,
    /// How long a keychain call may take before it counts as locked.
    pub(crate) keychain_wait: std::time::Duration,
    /// Waits before failed turns are tried again.
    pub(crate) retry_times: bot::timing::RetryTimes,
    /// How long a reply may wait for WhatsApp's server ack before it counts as not
    /// delivered (the driver's bound, used again after a restart).
    pub(crate) delivery_wait: std::time::Duration,
    /// Queued webhook deliveries a task works on (so a resume never starts a second).
    pub(crate) webhooks_in_flight: Arc<std::sync::Mutex<std::collections::HashSet<i64>>>,
}

/// How many AI turns run at once: enough to keep replies flowing across numbers, few
/// enough that a burst of chats can't flood the provider (and its rate limit).
pub const TURNS_IN_FLIGHT: usize = 4;

impl Leadline {
    /// With the operating system's keychain and the default AI limits.
    pub fn new(store: Store, events: EventSink, clock: Arc<dyn Clock>) -> Leadline {
        Leadline {
            store,
            events,
            clock,
            keychain: Arc::new(secrets::OsKeychain),
            ai: AiClient::new(Limits::default()),
            pacing: bot::timing::Pacing::default(),
            chat_locks: Default::default(),
            turns: Arc::new(tokio::sync::Semaphore::new(TURNS_IN_FLIGHT)),
            webhook_backoff: std::time::Duration::from_secs(2),
            keychain_wait: std::time::Duration::from_secs(10),
            retry_times: Default::default(),
            delivery_wait: std::time::Duration::from_secs(60),
            webhooks_in_flight: Default::default(),
        }
    }

    /// Another first wait before a webhook is retried (tests: short).
    pub fn with_webhook_backoff(mut self, first: std::time::Duration) -> Leadline {
        self.webhook_backoff = first;
        self
    }

    /// Another wait before a keychain call counts as locked (tests: short).
    pub fn with_keychain_wait(mut self, wait: std::time::Duration) -> Leadline {
        self.keychain_wait = wait;
        self
    }

    /// Other waits before failed turns are tried again (the soak: short).
    pub fn with_retry_times(mut self, times: bot::timing::RetryTimes) -> Leadline {
        self.retry_times = times;
        self
    }

    /// Another bound on a reply's server ack after a restart (the soak: short).
    pub fn with_delivery_wait(mut self, wait: std::time::Duration) -> Leadline {
        self.delivery_wait = wait;
        self
    }

    /// Other reply pacing (tests: none).
    pub fn with_pacing(mut self, pacing: bot::timing::Pacing) -> Leadline {
        self.pacing = pacing;
        self
    }

    /// Another keychain (tests: in memory).
    pub fn with_keychain(mut self, keychain: Arc<dyn secrets::Keychain>) -> Leadline {
        self.keychain = keychain;
        self
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
