//! When the bot acts: a reply paced like a person's, the waits before a failed turn is
//! tried again, and the lock that keeps a chat to one turn at a time.

use std::time::Duration;

/// How the bot paces a reply like a person: seen, then typing for a time that grows with
/// the reply's length, with some jitter. Tests turn it down.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub before_seen: Duration,
    pub typing_per_char: Duration,
    pub typing_max: Duration,
    pub jitter: Duration,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing {
            before_seen: Duration::from_millis(1_200),
            typing_per_char: Duration::from_millis(35),
            typing_max: Duration::from_secs(8),
            jitter: Duration::from_millis(1_500),
        }
    }
}

impl Pacing {
    /// No waiting at all (tests, benchmarks).
    pub const NONE: Pacing = Pacing {
        before_seen: Duration::ZERO,
        typing_per_char: Duration::ZERO,
        typing_max: Duration::ZERO,
        jitter: Duration::ZERO,
    };

    /// Whether the reply goes out at once (no seen mark or typing shown first).
    pub(crate) fn is_none(&self) -> bool {
        self.before_seen.is_zero() && self.typing_max.is_zero() && self.jitter.is_zero()
    }

    pub(crate) fn typing_for(&self, text: &str) -> Duration {
        let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
        let base = self
            .typing_per_char
            .saturating_mul(chars)
            .min(self.typing_max);
        base + self.jitter.mul_f64(fastrand_unit())
    }
}

/// A number in [0, 1) without a random crate: the low bits of the clock are jitter enough.
fn fastrand_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000) / 1_000.0
}

/// How many AI turns run at once: enough to keep replies flowing across numbers, few
/// enough that a burst of chats can't flood the provider (and its rate limit).
pub const TURNS_IN_FLIGHT: usize = 4;

/// The bot's timing, set once when the app starts (tests and the soak turn it down).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub pacing: Pacing,
    /// Waits before failed turns are tried again.
    pub retry_times: RetryTimes,
    /// How long a reply may wait for WhatsApp's server ack before it counts as not
    /// delivered (the driver's bound, used again after a restart).
    pub delivery_wait: Duration,
    /// AI turns in flight at once, across numbers.
    pub turns_in_flight: usize,
    /// How often the runner looks for failures due for another try (tests that drive
    /// each turn by hand set it long).
    pub sweep_every: Duration,
    /// How long a turn waits for a customer's photo still coming before it is answered
    /// without it (the photo named to the model): a download may take minutes.
    pub photo_wait: Duration,
}

/// A photo that hasn't come in this long doesn't hold its chat's answer any longer.
pub const PHOTO_WAIT: Duration = Duration::from_secs(30);

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            pacing: Pacing::default(),
            retry_times: RetryTimes::default(),
            delivery_wait: Duration::from_secs(60),
            turns_in_flight: TURNS_IN_FLIGHT,
            sweep_every: Duration::from_secs(5),
            photo_wait: PHOTO_WAIT,
        }
    }
}

/// Per chat id, the lock its turns take.
pub type ChatLocks = std::sync::Arc<
    std::sync::Mutex<std::collections::HashMap<i64, std::sync::Arc<tokio::sync::Mutex<()>>>>,
>;

/// How long the pipeline waits before trying a failed turn again.
#[derive(Debug, Clone, Copy)]
pub struct RetryTimes {
    /// After the AI's first failure; doubling after each one, up to `ai_max`.
    pub ai_first: Duration,
    pub ai_max: Duration,
    /// After a send's first failure; doubling after each one. Longer than WhatsApp takes
    /// to echo a send that went out despite its error, so the echo (or the reconcile)
    /// finds it first.
    pub send_first: Duration,
}

impl Default for RetryTimes {
    fn default() -> RetryTimes {
        RetryTimes {
            ai_first: Duration::from_secs(30),
            ai_max: Duration::from_secs(15 * 60),
            send_first: Duration::from_secs(20),
        }
    }
}

impl RetryTimes {
    /// The wait before the AI is tried again after its `attempt`th failure; longer if the
    /// provider asked for it.
    pub(crate) fn ai(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let doubled = self
            .ai_first
            .saturating_mul(1 << attempt.saturating_sub(1).min(10));
        doubled.min(self.ai_max).max(asked.unwrap_or_default())
    }

    /// The wait before a failed send is tried again after its `attempt`th try.
    pub(crate) fn send(&self, attempt: u32) -> Duration {
        self.send_first
            .saturating_mul(1 << attempt.saturating_sub(1).min(6))
    }
}
