//! The keychain on a thread of its own, one call at a time. A keychain call blocks (D-Bus,
//! XPC) and a locked one waits for its unlock prompt, maybe forever: on tokio's blocking
//! pool, each call a caller gave up on would keep a thread of the pool the store uses, and
//! a few hundred turns later every database call would wait. Here a hung call holds only
//! this thread; callers wait a bounded time, and while a call hangs past that bound new
//! ones are refused at once (the owner is told the keychain may be locked) instead of
//! queueing behind it. A queued call whose caller stopped waiting is never made.

use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::secrets::{Keychain, KeychainAction, SecretsError};
use crate::text;

/// Calls waiting for the thread at most; more are refused as "not answering".
const QUEUED: usize = 16;

type Job = Box<dyn FnOnce(&dyn Keychain) + Send>;

/// The keychain's thread, shared by every clone.
#[derive(Clone)]
pub struct KeychainThread {
    jobs: Option<SyncSender<Job>>,
    /// When the call in flight started, if one is.
    busy_since: Arc<Mutex<Option<Instant>>>,
    /// How long a caller waits for an answer.
    wait: Duration,
}

impl KeychainThread {
    /// Starts the thread that makes every call to `keychain`.
    pub fn new(keychain: Arc<dyn Keychain>, wait: Duration) -> KeychainThread {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(QUEUED);
        let busy_since: Arc<Mutex<Option<Instant>>> = Arc::default();
        let busy = busy_since.clone();
        let started = std::thread::Builder::new()
            .name("leadline-keychain".into())
            .spawn(move || {
                // Ends when the last clone is gone.
                while let Ok(job) = queue.recv() {
                    *lock(&busy) = Some(Instant::now());
                    // A keychain that panics doesn't take the thread with it.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        job(keychain.as_ref())
                    }));
                    *lock(&busy) = None;
                }
            });
        if let Err(e) = &started {
            tracing::error!(error = %e, "the keychain's thread could not start");
        }
        KeychainThread {
            jobs: started.ok().map(|_| jobs),
            busy_since,
            wait,
        }
    }

    /// The same thread, with callers waiting `wait` for an answer.
    pub fn with_wait(mut self, wait: Duration) -> KeychainThread {
        self.wait = wait;
        self
    }

    /// How long a caller waits for an answer.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Runs `f` on the keychain's thread and waits for its answer, at most the wait.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Keychain) -> Result<T, SecretsError> + Send + 'static,
    ) -> Result<T, SecretsError> {
        let Some(jobs) = &self.jobs else {
            return Err(stopped());
        };
        // A call hung past the wait: the keychain is locked or gone; don't queue behind it.
        if lock(&self.busy_since).is_some_and(|since| since.elapsed() >= self.wait) {
            return Err(self.no_answer());
        }
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |keychain| {
            // Its caller stopped waiting: the call is not made at all.
            if !answer.is_closed() {
                let _ = answer.send(f(keychain));
            }
        });
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(self.no_answer()),
            Err(TrySendError::Disconnected(_)) => return Err(stopped()),
        }
        match tokio::time::timeout(self.wait, answered).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(stopped()),
            Err(_) => Err(self.no_answer()),
        }
    }

    fn no_answer(&self) -> SecretsError {
        SecretsError::Unavailable(text!(
            "keychain.locked",
            "The keychain did not answer within {seconds} seconds: it may be locked. Unlock your login keyring; Leadline tries again by itself.",
            seconds = self.wait.as_secs().max(1)
        ))
    }
}

fn stopped() -> SecretsError {
    SecretsError::Failed {
        action: KeychainAction::Answer,
        detail: "its thread stopped".into(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::secret::ApiKey;
    use crate::secrets::MemoryKeychain;

    /// A keychain whose calls wait until `open` is set.
    struct Gate {
        keys: MemoryKeychain,
        open: std::sync::atomic::AtomicBool,
        calls: std::sync::atomic::AtomicUsize,
    }

    impl Gate {
        fn pass(&self) {
            self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            while !self.open.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    impl Keychain for Gate {
        fn get(&self, id: &str) -> Result<Option<ApiKey>, SecretsError> {
            self.pass();
            self.keys.get(id)
        }
        fn set(&self, id: &str, key: &ApiKey) -> Result<(), SecretsError> {
            self.pass();
            self.keys.set(id, key)
        }
        fn delete(&self, id: &str) -> Result<(), SecretsError> {
            self.pass();
            self.keys.delete(id)
        }
    }

    #[tokio::test]
    async fn a_hung_keychain_holds_one_thread_and_later_calls_are_refused_at_once() {
        let gate = Arc::new(Gate {
            keys: MemoryKeychain::default(),
            open: false.into(),
            calls: 0.into(),
        });
        let thread = KeychainThread::new(gate.clone(), Duration::from_millis(100));
        let first = thread.call(|k| k.get("a")).await;
        assert!(
            matches!(first, Err(SecretsError::Unavailable(_))),
            "{first:?}"
        );
        let began = Instant::now();
        for _ in 0..50 {
            assert!(thread.call(|k| k.get("a")).await.is_err());
        }
        // Fifty waits would take 5 s; refused at once, far less.
        assert!(
            began.elapsed() < Duration::from_secs(2),
            "refused at once while the first call hangs: {:?}",
            began.elapsed()
        );
        assert_eq!(gate.calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Unlocked: the hung call ends and the keychain answers again.
        gate.open.store(true, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        thread
            .call(|k| k.set("a", &ApiKey::new("sk-1")))
            .await
            .unwrap();
        let key = thread.call(|k| k.get("a")).await.unwrap().unwrap();
        assert_eq!(key.last4(), "sk-1");
    }
}
