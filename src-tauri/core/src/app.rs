//! Leadline started: the one wiring the desktop app, the tests and the benchmarks share.
//! What each number's page reports goes through the bot's runner (messages stored at once,
//! then answered; states through the same channel, in order with them, so a later state
//! never lands before an earlier one, nor a message before the state it came in). What
//! takes both the data and a number's browser (linking, unlinking, removing a number,
//! the owner's reply from the app) is one operation here, so no caller sequences them.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use crate::bot::handle::Bot;
use crate::bot::hearing as bot_hearing;
use crate::bot::media as bot_media;
use crate::bot::runner;
use crate::bot::timing::Tuning;
use crate::chats::owner;
use crate::error::Result;
use crate::leadline::Leadline;
use crate::media::files;
use crate::media::hearing::Hearer;
use crate::model::media::MediaContent;
use crate::model::number::LinkState;
use crate::numbers::linking::{self, NumberState};
use crate::runtime::tasks::Runtime;
use crate::whatsapp::account::AccountState;
use crate::whatsapp::driver::Driver;

/// A running Leadline: its core and the numbers' browsers, wired to the bot.
#[derive(Clone)]
pub struct App {
    bot: Bot,
}

impl App {
    /// Wires `core` to WhatsApp through `driver` (one browser profile per number under
    /// `profiles`) and starts the bot's runner with `tuning`. Numbers start when asked
    /// (`reconnect_linked`, or the owner's Link). Needs a tokio runtime.
    pub fn start(
        core: Leadline,
        driver: Arc<dyn Driver>,
        profiles: PathBuf,
        tuning: Tuning,
    ) -> App {
        let (to_bot, from_pages) = mpsc::unbounded_channel::<runner::Input>();
        let states = to_bot.clone();
        let runtime = Arc::new(Runtime::new(
            driver,
            profiles,
            Arc::new(move |id, event| {
                let _ = to_bot.send(runner::Input::Event(id, event));
            }),
            Arc::new(move |id, state| {
                let _ = states.send(runner::Input::State(id, state.clone()));
            }),
        ));
        let bot = Bot::new(core, runtime, tuning);
        tokio::spawn(runner::run(bot.clone(), from_pages));
        App { bot }
    }

    pub fn core(&self) -> &Leadline {
        &self.bot.core
    }

    /// What hears customers' voice notes from now on. With one, the notes waiting to be
    /// heard (a restart's, or stored before it was loaded) are heard now; with `None`, a
    /// voice note is kept for the owner unanswered, as any file, and those waiting are left
    /// for the owner.
    pub fn set_hearing(&self, hearing: Option<Hearer>) {
        let on = hearing.is_some();
        self.bot.hearing.set(hearing);
        let bot = self.bot.clone();
        tokio::spawn(async move {
            let done = if on {
                bot_hearing::resume(&bot).await
            } else {
                bot_hearing::leave_waiting(&bot, "off").await
            };
            if let Err(e) = done {
                tracing::warn!(error = %e, "could not look at voice notes waiting to be heard");
            }
        });
    }

    /// The bot's handle, for its steps (`bot::intake::receive`, `bot::pipeline::handle`, …).
    pub fn bot(&self) -> &Bot {
        &self.bot
    }

    /// Starts every number that was linked when the app last ran (the profile keeps the
    /// link, so no new QR).
    pub async fn reconnect_linked(&self) -> Result<usize> {
        let linked: Vec<i64> = self
            .core()
            .numbers()
            .await?
            .into_iter()
            .filter(|n| n.link_state == LinkState::Linked)
            .map(|n| n.id)
            .collect();
        for id in &linked {
            self.bot.runtime.start(*id);
        }
        Ok(linked.len())
    }

    /// Starts number `id`'s browser; its states follow (the QR while one is shown) until
    /// it is linked, fails, or stops.
    pub async fn link(&self, id: i64) -> Result<watch::Receiver<AccountState>> {
        self.core().number(id).await?;
        // "Try again" after a failure (a passkey step that timed out, a page that broke)
        // starts afresh: a new page, a new QR.
        if matches!(self.bot.runtime.state(id), AccountState::Failed { .. }) {
            self.bot.runtime.stop(id).await;
        }
        Ok(self.bot.runtime.start(id))
    }

    /// A new batch of QR codes after the last one expired.
    pub fn refresh_qr(&self, id: i64) {
        self.bot.runtime.refresh_qr(id);
    }

    /// The owner compared the passkey step's verification code with the phone's: confirm
    /// it to WhatsApp.
    pub async fn confirm_passkey_code(&self, id: i64) -> Result<()> {
        self.core().number(id).await?;
        Ok(self.bot.runtime.confirm_passkey_code(id).await?)
    }

    /// An 8-character code to type on the phone instead of scanning the QR.
    pub async fn pairing_code(&self, id: i64, phone: &str) -> Result<String> {
        self.core().number(id).await?;
        Ok(self.bot.runtime.pairing_code(id, phone).await?)
    }

    /// "Use here": takes WhatsApp back when it was opened on another computer or browser.
    pub async fn use_here(&self, id: i64) -> Result<()> {
        self.core().number(id).await?;
        Ok(self.bot.runtime.take_over(id).await?)
    }

    /// Logs number `id` out of WhatsApp, deletes its browser profile, and forgets the link.
    pub async fn unlink(&self, id: i64) -> Result<()> {
        self.core().number(id).await?;
        self.bot.runtime.unlink(id).await;
        linking::unlinked(self.core(), id).await
    }

    /// Removes number `id` with everything under it; its browser is logged out and its
    /// profile deleted first.
    pub async fn remove_number(&self, id: i64) -> Result<()> {
        self.core().number(id).await?;
        self.bot.runtime.unlink(id).await;
        self.core().remove_number(id).await?;
        // Its customers' photos, voice notes and documents go with it.
        let media = files::number_dir(self.bot.runtime.profiles(), id);
        if media.exists() {
            if let Err(e) = std::fs::remove_dir_all(&media) {
                tracing::warn!(number = id, error = %e, "could not remove the number's media files");
            }
        }
        Ok(())
    }

    /// Message `message_id`'s kept file (a customer's photo, voice note, document…), found
    /// by the message's id only: the window never names a path.
    pub async fn media_file(&self, message_id: i64) -> Result<MediaContent> {
        bot_media::content(&self.bot, message_id).await
    }

    /// Saves a copy of message `message_id`'s kept file in `dir` (the Downloads folder) under
    /// the name the customer gave it (made safe; never over another file); returns where.
    pub async fn save_media(&self, message_id: i64, dir: PathBuf) -> Result<PathBuf> {
        bot_media::save_copy(&self.bot, message_id, dir).await
    }

    /// Fetches message `message_id`'s file again (after a failure), in the background:
    /// "Try again"; a voice note left unheard for want of its file is then heard.
    /// Conversations follows its state.
    pub fn retry_media(&self, message_id: i64) {
        bot_hearing::fetch_again(&self.bot, message_id);
    }

    /// The owner writes in chat `chat_id` from the app: sent through WhatsApp, and the bot
    /// pauses in that chat.
    pub async fn reply_in_chat(&self, chat_id: i64, text: &str) -> Result<()> {
        owner::reply(&self.bot, chat_id, text).await?;
        Ok(())
    }

    /// Number `id`'s connection state now.
    pub fn number_state(&self, id: i64) -> AccountState {
        self.bot.runtime.state(id)
    }

    /// Every number's connection state now.
    pub async fn number_states(&self) -> Result<Vec<NumberState>> {
        let numbers = self.core().numbers().await?;
        Ok(numbers
            .into_iter()
            .map(|n| NumberState {
                id: n.id,
                state: self.number_state(n.id),
            })
            .collect())
    }

    /// Stops every number's browser (the app is closing).
    pub async fn stop(&self) {
        self.bot.runtime.stop_all().await;
    }
}
