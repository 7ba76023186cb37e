//! The desktop app's Leadline: the database on disk, real Chromium for each number with
//! the browser and address from Settings, and the linked numbers reconnecting.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::App;
use crate::bot::timing::Tuning;
use crate::clock::Clock;
use crate::error::Result;
use crate::events::EventSink;
use crate::leadline::Leadline;
use crate::media::hearing::HearingLoader;
use crate::model::settings::AppSettings;
use crate::model::speech::SpeechModel;
use crate::models::speech::Speech;
use crate::secrets::Keychain;
use crate::store::database::Store;
use crate::whatsapp::chromium::{BrowserChoice, ChromiumSessions, test_passkey_from_env};
use crate::whatsapp::page::whatsapp_url;

/// What the desktop app starts Leadline with.
pub struct DesktopConfig {
    pub database: PathBuf,
    pub profiles: PathBuf,
    /// Where speech models are kept (`<data>/models`).
    pub models: PathBuf,
    /// Loads a speech model to hear voice notes with (whisper.cpp, from the shell).
    pub hearing_loader: HearingLoader,
    pub events: EventSink,
    pub keychain: Arc<dyn Keychain>,
    pub clock: Arc<dyn Clock>,
}

/// The desktop app's Leadline: the database on disk, real Chromium for each number with
/// the browser and address from Settings, and the linked numbers reconnecting.
#[derive(Clone)]
pub struct Desktop {
    pub app: App,
    sessions: Arc<ChromiumSessions>,
    pub speech: Speech,
}

impl Desktop {
    /// Opens the database (a failure is returned, nothing started) and starts everything
    /// else.
    pub fn open(config: DesktopConfig) -> Result<Desktop> {
        let store = Store::open(&config.database)?;
        let core = Leadline::new(store, config.events, config.clock.clone())
            .with_keychain(config.keychain);
        let url = whatsapp_url(None);
        let mut sessions = ChromiumSessions::new(url.clone(), config.clock);
        sessions.test_passkey = test_passkey_from_env(&url);
        let sessions = Arc::new(sessions);
        let app = App::start(core, sessions.clone(), config.profiles, Tuning::default());
        let speech = Speech::new(config.models, config.hearing_loader).with_source_from_env();
        let desktop = Desktop {
            app,
            sessions,
            speech,
        };
        let starting = desktop.clone();
        tokio::spawn(async move {
            match starting.app.core().settings().await {
                Ok(settings) => {
                    starting.apply(&settings);
                    starting
                        .start_hearing(settings.voice_model.as_deref())
                        .await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not read the settings; using the defaults")
                }
            }
            if let Err(e) = starting.app.reconnect_linked().await {
                tracing::error!(error = %e, "could not list the numbers to reconnect");
            }
        });
        Ok(desktop)
    }

    /// Saves the owner's settings and applies them to browsers started from now on. The
    /// speech model in use changes only through `use_speech_model` (it is loaded first).
    pub async fn set_settings(&self, mut settings: AppSettings) -> Result<AppSettings> {
        settings.voice_model = self.app.core().settings().await?.voice_model;
        let saved = self.app.core().set_settings(settings).await?;
        self.apply(&saved);
        Ok(saved)
    }

    /// The browser and WhatsApp address in force.
    pub fn browser_choice(&self) -> BrowserChoice {
        self.sessions.choice()
    }

    fn apply(&self, settings: &AppSettings) {
        self.sessions.configure(BrowserChoice {
            browser: settings.browser_path.as_deref().map(PathBuf::from),
            url: whatsapp_url(settings.whatsapp_url.as_deref()),
        });
        crate::logging::set_detailed_until(settings.detailed_logs_until);
        crate::i18n::use_language(settings.language.as_deref());
    }
}

impl Desktop {
    /// The model voice notes were heard with when the app last ran, loaded again; one that
    /// can't be (removed, damaged) turns hearing off, and the notes waiting are left for
    /// the owner.
    async fn start_hearing(&self, model: Option<&str>) {
        let Some(model) = model else {
            return;
        };
        match self.speech.load(model).await {
            Ok(hearing) => self.app.set_hearing(Some(hearing)),
            Err(e) => {
                tracing::warn!(error = %e, "the speech model could not be loaded; hearing is off");
                self.app.set_hearing(None);
                if let Err(e) = self.save_voice_model(None).await {
                    tracing::warn!(error = %e, "could not turn hearing off in Settings");
                }
            }
        }
    }

    /// The speech models, with which is in use.
    pub async fn speech_models(&self) -> Result<Vec<SpeechModel>> {
        let in_use = self.app.core().settings().await?.voice_model;
        Ok(self.speech.list(in_use.as_deref()))
    }

    /// Downloads speech model `id` (progress as `model:progress` events).
    pub async fn install_speech_model(&self, id: &str) -> Result<Vec<SpeechModel>> {
        self.speech.install(id, &self.app.core().events).await?;
        self.speech_models().await
    }

    /// Stops speech model `id`'s download, keeping what came.
    pub fn cancel_speech_download(&self, id: &str) {
        self.speech.cancel(id);
    }

    /// Hears voice notes with model `id` (downloaded), or none; saved in Settings.
    pub async fn use_speech_model(&self, id: Option<&str>) -> Result<Vec<SpeechModel>> {
        match id {
            Some(id) => {
                let hearing = self.speech.load(id).await?;
                self.app.set_hearing(Some(hearing));
            }
            None => self.app.set_hearing(None),
        }
        self.save_voice_model(id).await?;
        self.speech_models().await
    }

    /// Removes speech model `id` from this computer (hearing stops first if it is in use).
    pub async fn remove_speech_model(&self, id: &str) -> Result<Vec<SpeechModel>> {
        let in_use = self.app.core().settings().await?.voice_model;
        if in_use.as_deref() == Some(id) {
            self.use_speech_model(None).await?;
        }
        self.speech.remove(id)?;
        self.speech_models().await
    }

    async fn save_voice_model(&self, id: Option<&str>) -> Result<()> {
        let mut settings = self.app.core().settings().await?;
        settings.voice_model = id.map(str::to_string);
        self.app.core().set_settings(settings).await?;
        Ok(())
    }
}
