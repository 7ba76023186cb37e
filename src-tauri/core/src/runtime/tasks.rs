//! One supervised task per WhatsApp number: it starts the browser, restarts it with backoff
//! when it crashes or hangs (the profile keeps the link, so no new QR), deletes the profile
//! when WhatsApp logs the number out, and never leaves a browser behind. Commands reach a
//! task by channel; its state leaves by watch.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::channel::{Command, Inbound, StateSink};
use super::profile::{PID_FILE, profile_dir};
use super::supervise;
use crate::whatsapp::account::AccountState;
use crate::whatsapp::driver::Driver;
use crate::whatsapp::error::WaError;
use crate::whatsapp::media::{DownloadError, Downloaded};
use crate::whatsapp::process;

struct Task {
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<AccountState>,
    handle: JoinHandle<()>,
}

pub struct Runtime {
    driver: Arc<dyn Driver>,
    profiles: PathBuf,
    inbound: Inbound,
    on_state: StateSink,
    tasks: Mutex<HashMap<i64, Task>>,
}

impl Runtime {
    /// A runtime keeping profiles under `profiles`. Browsers a crashed app left running
    /// there are stopped first.
    pub fn new(
        driver: Arc<dyn Driver>,
        profiles: PathBuf,
        inbound: Inbound,
        on_state: StateSink,
    ) -> Runtime {
        stop_leftover_browsers(&profiles);
        Runtime {
            driver,
            profiles,
            inbound,
            on_state,
            tasks: Mutex::new(HashMap::new()),
        }
    }

    fn tasks(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Task>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts the number's browser unless it runs already; returns its state to watch.
    pub fn start(&self, account_id: i64) -> watch::Receiver<AccountState> {
        let mut tasks = self.tasks();
        if let Some(task) = tasks.get(&account_id) {
            if !task.handle.is_finished() {
                return task.state.clone();
            }
        }
        let (state_tx, state) = watch::channel(AccountState::Starting);
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let context = supervise::Context {
            account_id,
            profile: profile_dir(&self.profiles, account_id),
            driver: self.driver.clone(),
            inbound: self.inbound.clone(),
            on_state: self.on_state.clone(),
            state: state_tx,
        };
        let handle = tokio::spawn(supervise::run(context, commands_rx));
        tasks.insert(
            account_id,
            Task {
                commands,
                state: state.clone(),
                handle,
            },
        );
        state
    }

    /// The number's state now (`Stopped` when nothing runs for it).
    pub fn state(&self, account_id: i64) -> AccountState {
        self.tasks()
            .get(&account_id)
            .map(|t| t.state.borrow().clone())
            .unwrap_or(AccountState::Stopped)
    }

    /// Stops the number's browser and waits until it is gone.
    pub async fn stop(&self, account_id: i64) {
        let task = self.tasks().remove(&account_id);
        if let Some(task) = task {
            let (done, wait) = oneshot::channel();
            if task.commands.send(Command::Stop(done)).is_ok() {
                let _ = wait.await;
            }
            let _ = task.handle.await;
        }
    }

    /// Stops every browser (app exit).
    pub async fn stop_all(&self) {
        let ids: Vec<i64> = self.tasks().keys().copied().collect();
        for id in ids {
            self.stop(id).await;
        }
    }

    /// Logs the number out of WhatsApp and deletes its browser profile.
    pub async fn unlink(&self, account_id: i64) {
        let commands = self.tasks().get(&account_id).map(|t| t.commands.clone());
        match commands {
            Some(commands) => {
                let (done, wait) = oneshot::channel();
                if commands.send(Command::Unlink(done)).is_ok() {
                    let _ = wait.await;
                }
            }
            None => supervise::delete_profile(&profile_dir(&self.profiles, account_id)),
        }
        self.stop(account_id).await;
    }

    /// Starts a new batch of QR codes after the last one expired.
    pub fn refresh_qr(&self, account_id: i64) {
        if let Some(task) = self.tasks().get(&account_id) {
            let _ = task.commands.send(Command::RefreshQr);
        }
    }

    /// Marks a chat as read.
    pub async fn mark_seen(&self, account_id: i64, chat: &str) -> Result<(), WaError> {
        let chat = chat.to_string();
        self.ask(account_id, |reply| Command::Seen { chat, reply })
            .await
    }

    /// Shows or hides "typing…" in a chat.
    pub async fn set_typing(&self, account_id: i64, chat: &str, on: bool) -> Result<(), WaError> {
        let chat = chat.to_string();
        self.ask(account_id, |reply| Command::Typing { chat, on, reply })
            .await
    }

    /// Has the page report unread chats' customer messages again (after a restart).
    pub async fn catch_up(&self, account_id: i64) -> Result<usize, WaError> {
        self.ask(account_id, Command::CatchUp).await
    }

    /// The latest own messages in a chat (after a crash: did the reply go out?).
    pub async fn recent_own(
        &self,
        account_id: i64,
        chat: &str,
        since: i64,
    ) -> Result<Vec<crate::whatsapp::message::OwnMessage>, WaError> {
        let chat = chat.to_string();
        self.ask(account_id, |reply| Command::RecentOwn {
            chat,
            since,
            reply,
        })
        .await
    }

    /// "Use here": takes WhatsApp back from another computer or browser it was opened on.
    pub async fn take_over(&self, account_id: i64) -> Result<(), WaError> {
        self.ask(account_id, Command::TakeOver).await
    }

    /// The owner compared the passkey step's verification code with the phone's.
    pub async fn confirm_passkey_code(&self, account_id: i64) -> Result<(), WaError> {
        self.ask(account_id, Command::ConfirmPasskeyCode).await
    }

    /// Asks WhatsApp for a code to type on the phone (instead of scanning the QR).
    pub async fn pairing_code(&self, account_id: i64, phone: &str) -> Result<String, WaError> {
        let phone = phone.to_string();
        self.ask(account_id, |reply| Command::PairingCode { phone, reply })
            .await
    }

    /// Sends a text from this number; returns WhatsApp's id for it.
    pub async fn send_text(
        &self,
        account_id: i64,
        chat: &str,
        text: &str,
    ) -> Result<String, WaError> {
        let (chat, text) = (chat.to_string(), text.to_string());
        self.ask(account_id, |reply| Command::Send { chat, text, reply })
            .await
    }

    /// The folder the numbers' browser profiles (and their media files) are in.
    pub fn profiles(&self) -> &Path {
        &self.profiles
    }

    /// A media message's file, fetched beside the number's other work; the outer error is
    /// the number not being connected.
    pub async fn download(
        &self,
        account_id: i64,
        id: &str,
        max_bytes: u64,
    ) -> Result<Result<Downloaded, DownloadError>, WaError> {
        let id = id.to_string();
        self.ask(account_id, |reply| Command::Download {
            id,
            max_bytes,
            reply,
        })
        .await
    }

    /// Sends the number's task a command that answers, and waits for the answer.
    async fn ask<T>(
        &self,
        account_id: i64,
        command: impl FnOnce(oneshot::Sender<Result<T, WaError>>) -> Command,
    ) -> Result<T, WaError> {
        let commands = self
            .tasks()
            .get(&account_id)
            .map(|t| t.commands.clone())
            .ok_or(WaError::NotConnected)?;
        let (reply, answer) = oneshot::channel();
        commands
            .send(command(reply))
            .map_err(|_| WaError::NotConnected)?;
        answer.await.map_err(|_| WaError::NotConnected)?
    }
}

/// After an app crash, browsers it started may still run: find them by the records in
/// their profiles, check each process really is the recorded one (same PID, same start;
/// the browser also names its profile), and stop it with everything under it.
fn stop_leftover_browsers(profiles: &Path) {
    let Ok(entries) = std::fs::read_dir(profiles) else {
        return;
    };
    for profile in entries.filter_map(Result::ok).map(|e| e.path()) {
        let pid_file = profile.join(PID_FILE);
        if !pid_file.exists() {
            continue;
        }
        let records = process::read_records(&pid_file);
        if let Some(browser) = records.first() {
            if process::still_running(browser) && process::is_browser_of(browser.pid, &profile) {
                tracing::warn!(pid = browser.pid, profile = %profile.display(), "stopping a browser left by an earlier run");
                process::kill_tree(browser.pid);
            }
        }
        // Helpers that outlived their browser (re-parented, so not in its tree).
        let mut helpers: Vec<u32> = records
            .iter()
            .filter(|r| process::still_running(r))
            .map(|r| r.pid)
            .collect();
        helpers.extend(process::using_profile(&profile));
        if !helpers.is_empty() {
            tracing::warn!(?helpers, profile = %profile.display(), "stopping browser helpers left by an earlier run");
            process::kill(&helpers);
        }
        let _ = std::fs::remove_file(&pid_file);
    }
}
