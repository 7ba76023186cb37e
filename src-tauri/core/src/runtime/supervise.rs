//! The loop each number's task runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use tokio::sync::{mpsc, watch};

use super::channel::{Command, Inbound, StateSink};
use super::profile::PID_FILE;
use crate::whatsapp::account::AccountState;
use crate::whatsapp::driver::{Driver, Session};
use crate::whatsapp::message::WaEvent;
use crate::whatsapp::process;

/// How often a running page is asked whether it still answers, and how long it gets.
const HEALTH_EVERY: Duration = Duration::from_secs(30);
const HEALTH_TIMEOUT: Duration = Duration::from_secs(10);
/// Missed health checks in a row that make a page "hung": it is then restarted.
const HUNG_AFTER_MISSES: u32 = 2;
/// Restart delays after failures in a row: 1 s, 2 s, 4 s … up to a minute.
const FIRST_RETRY: Duration = Duration::from_secs(1);
const MAX_RETRY: Duration = Duration::from_secs(60);

pub(super) struct Context {
    pub account_id: i64,
    pub profile: PathBuf,
    pub driver: Arc<dyn Driver>,
    pub inbound: Inbound,
    pub on_state: StateSink,
    pub state: watch::Sender<AccountState>,
}

impl Context {
    fn publish(&self, state: AccountState) {
        // The daily log has the state's kind only; a QR string and the own number go to the
        // detailed file alone, while the owner asked for it.
        tracing::info!(
            account = self.account_id,
            state = state.kind(),
            "number state"
        );
        if crate::logging::detailed() {
            tracing::info!(target: crate::logging::DETAILED, account = self.account_id, ?state, "number state");
        }
        (self.on_state)(self.account_id, &state);
        self.state.send_replace(state);
    }
}

/// How a session ended.
enum Ended {
    /// The owner or the app stopped it.
    Stopped,
    /// WhatsApp logged the number out (or the owner unlinked it): the profile is gone.
    LoggedOut,
    /// The browser crashed, closed or hung: start it again.
    Crashed,
    /// The session asked to be started again at once (linked in a visible window: now
    /// headless).
    Relaunch,
}

fn retry_delay(failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
    FIRST_RETRY.saturating_mul(factor).min(MAX_RETRY)
}

pub(super) async fn run(context: Context, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut failures: u32 = 0;
    loop {
        context.publish(AccountState::Starting);
        let (events_tx, events) = mpsc::unbounded_channel();
        let ended = match context.driver.start(&context.profile, events_tx).await {
            Ok(session) => {
                record_browser(&context.profile, session.pid());
                let ended = drive(&context, session, events, &mut commands, &mut failures).await;
                let _ = std::fs::remove_file(context.profile.join(PID_FILE));
                ended
            }
            Err(e) => {
                tracing::error!(account = context.account_id, error = %e, "the WhatsApp browser could not start");
                context.publish(AccountState::failed(e.text()));
                Ended::Crashed
            }
        };
        match ended {
            Ended::Stopped => {
                context.publish(AccountState::Stopped);
                return;
            }
            Ended::LoggedOut => {
                delete_profile(&context.profile);
                context.publish(AccountState::LoggedOut);
                return;
            }
            Ended::Relaunch => {
                failures = 0;
                tracing::info!(
                    account = context.account_id,
                    "starting the WhatsApp browser again, headless"
                );
            }
            Ended::Crashed => {
                failures += 1;
                let delay = retry_delay(failures);
                tracing::warn!(
                    account = context.account_id,
                    failures,
                    ?delay,
                    "restarting the WhatsApp browser"
                );
                if wait_or_stop(delay, &mut commands).await {
                    context.publish(AccountState::Stopped);
                    return;
                }
            }
        }
    }
}

/// Runs one session until it ends; returns how.
async fn drive(
    context: &Context,
    session: Box<dyn Session>,
    mut events: mpsc::UnboundedReceiver<WaEvent>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    failures: &mut u32,
) -> Ended {
    let mut health =
        tokio::time::interval_at(tokio::time::Instant::now() + HEALTH_EVERY, HEALTH_EVERY);
    let mut misses = 0;
    // Downloads in flight: they borrow the session and run beside its other work (a phone
    // may take 30 s to upload expired media again); they go before the session stops.
    let mut downloads: FuturesUnordered<BoxFuture<'_, ()>> = FuturesUnordered::new();
    loop {
        tokio::select! {
            Some(()) = downloads.next(), if !downloads.is_empty() => {}
            event = events.recv() => match event {
                Some(WaEvent::State(state)) => {
                    if matches!(state, AccountState::Working { .. }) {
                        *failures = 0;
                    }
                    let logged_out = state == AccountState::LoggedOut;
                    context.publish(state);
                    if logged_out {
                        drop(downloads);
                        session.stop().await;
                        return Ended::LoggedOut;
                    }
                }
                Some(WaEvent::Relaunch) => {
                    drop(downloads);
                        session.stop().await;
                    return Ended::Relaunch;
                }
                Some(other) => (context.inbound)(context.account_id, other),
                // The page's reports stopped: the browser is gone.
                None => {
                    drop(downloads);
                        session.stop().await;
                    return Ended::Crashed;
                }
            },
            command = commands.recv() => match command {
                Some(Command::Stop(done)) => {
                    drop(downloads);
                        session.stop().await;
                    let _ = done.send(());
                    return Ended::Stopped;
                }
                // The app is gone: nothing will ever stop this task otherwise.
                None => {
                    drop(downloads);
                        session.stop().await;
                    return Ended::Stopped;
                }
                Some(Command::Unlink(done)) => {
                    if let Err(e) = session.logout().await {
                        tracing::warn!(account = context.account_id, error = %e, "logout from the page failed; removing the profile anyway");
                    }
                    drop(downloads);
                        session.stop().await;
                    delete_profile(&context.profile);
                    let _ = done.send(());
                    return Ended::LoggedOut;
                }
                Some(Command::RefreshQr) => {
                    if let Err(e) = session.refresh_qr().await {
                        tracing::warn!(account = context.account_id, error = %e, "could not refresh the QR");
                    }
                }
                Some(Command::TakeOver(reply)) => {
                    let _ = reply.send(session.take_over().await);
                }
                Some(Command::ConfirmPasskeyCode(reply)) => {
                    let _ = reply.send(session.confirm_passkey_code().await);
                }
                Some(Command::CatchUp(reply)) => {
                    let _ = reply.send(session.catch_up().await);
                }
                Some(Command::RecentOwn { chat, since, reply }) => {
                    let _ = reply.send(session.recent_own(&chat, since).await);
                }
                Some(Command::Seen { chat, reply }) => {
                    let _ = reply.send(session.mark_seen(&chat).await);
                }
                Some(Command::Typing { chat, on, reply }) => {
                    let _ = reply.send(session.set_typing(&chat, on).await);
                }
                Some(Command::Send { chat, text, reply }) => {
                    let _ = reply.send(session.send_text(&chat, &text).await);
                }
                Some(Command::PairingCode { phone, reply }) => {
                    let _ = reply.send(session.pairing_code(&phone).await);
                }
                Some(Command::Download { id, max_bytes, reply }) => {
                    let session = &*session;
                    downloads.push(Box::pin(async move {
                        let _ = reply.send(Ok(session.download(&id, max_bytes).await));
                    }));
                }
            },
            _ = health.tick() => {
                // Renderers come and go: keep the record current.
                record_browser(&context.profile, session.pid());
                let answered = tokio::time::timeout(HEALTH_TIMEOUT, session.ping()).await;
                if matches!(answered, Ok(Ok(()))) {
                    misses = 0;
                } else {
                    misses += 1;
                    tracing::warn!(account = context.account_id, misses, "the WhatsApp page did not answer");
                    if misses >= HUNG_AFTER_MISSES {
                        drop(downloads);
                        session.stop().await;
                        return Ended::Crashed;
                    }
                }
            }
        }
    }
}

/// Waits `delay`, or returns true early when told to stop.
async fn wait_or_stop(delay: Duration, commands: &mut mpsc::UnboundedReceiver<Command>) -> bool {
    let deadline = tokio::time::Instant::now() + delay;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return false,
            command = commands.recv() => match command {
                Some(Command::Stop(done)) => {
                    let _ = done.send(());
                    return true;
                }
                None => return true,
                Some(Command::Unlink(done)) => {
                    let _ = done.send(());
                    return true;
                }
                Some(Command::Send { reply, .. }) | Some(Command::PairingCode { reply, .. }) => {
                    let _ = reply.send(Err(crate::whatsapp::error::WaError::NotConnected));
                }
                Some(Command::TakeOver(reply)) | Some(Command::ConfirmPasskeyCode(reply)) => {
                    let _ = reply.send(Err(crate::whatsapp::error::WaError::NotConnected));
                }
                Some(Command::RecentOwn { reply, .. }) => {
                    let _ = reply.send(Err(crate::whatsapp::error::WaError::NotConnected));
                }
                Some(Command::CatchUp(reply)) => {
                    let _ = reply.send(Err(crate::whatsapp::error::WaError::NotConnected));
                }
                Some(Command::Seen { reply, .. }) | Some(Command::Typing { reply, .. }) => {
                    let _ = reply.send(Err(crate::whatsapp::error::WaError::NotConnected));
                }
                Some(Command::Download { reply, .. }) => {
                    let _ = reply.send(Err(crate::whatsapp::error::WaError::NotConnected));
                }
                Some(Command::RefreshQr) => {}
            }
        }
    }
}

/// Records the browser and every helper it runs now, browser first, so the next start can
/// stop them if the app dies without doing so. Some helpers (the headless shell's zygotes)
/// can't be told apart by command line once their browser is gone; the record can.
pub fn record_browser(profile: &Path, pid: Option<u32>) {
    let Some(pid) = pid else {
        return;
    };
    let mut pids = process::tree(pid);
    pids.retain(|p| *p != pid);
    pids.insert(0, pid);
    if let Err(e) = process::write_records(&profile.join(PID_FILE), &process::record(&pids)) {
        tracing::warn!(error = %e, "could not record the browser's processes");
    }
}

/// Removes a profile WhatsApp no longer accepts, so the next link starts clean.
pub(super) fn delete_profile(profile: &Path) {
    match std::fs::remove_dir_all(profile) {
        Ok(()) => tracing::info!(profile = %profile.display(), "browser profile removed"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(profile = %profile.display(), error = %e, "could not remove the browser profile")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_back_off_exponentially_up_to_a_minute() {
        let delays: Vec<u64> = [1, 2, 3, 4, 7, 8, 100]
            .iter()
            .map(|f| retry_delay(*f).as_secs())
            .collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 60, 60, 60]);
    }
}
