//! The desktop app's Leadline: the database on disk, real Chromium for each number with
//! the browser and address from Settings, and the linked numbers reconnecting.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::App;
use crate::bot::timing::Tuning;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::events::EventSink;
use crate::leadline::Leadline;
use crate::local_ai::supervisor::LocalAi;
use crate::media::hearing::{Hearer, HearingLoader};
use crate::model::settings::{AppSettings, VoiceHearing};
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
    /// The llama.cpp server shipped beside the app (AI on this computer), if any.
    pub llama_server: Option<PathBuf>,
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
        let local_ai = LocalAi::new(
            config.llama_server,
            config.models.clone(),
            config.events.clone(),
        )
        .with_source_from_env();
        let core = Leadline::new(store, config.events, config.clock.clone())
            .with_keychain(config.keychain)
            .with_local_ai(local_ai);
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
                    starting.start_hearing(&settings.voice).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not read the settings; using the defaults")
                }
            }
            let resuming = starting.app.core().clone();
            tokio::spawn(async move { crate::local_ai::choose::resume(&resuming).await });
            if let Err(e) = starting.app.reconnect_linked().await {
                tracing::error!(error = %e, "could not list the numbers to reconnect");
            }
        });
        Ok(desktop)
    }

    /// Saves the owner's settings and applies them to browsers started from now on. The
    /// way voice notes are heard changes only through `use_speech_model` and
    /// `hear_by_provider` (which load the model or check the provider first).
    pub async fn set_settings(&self, mut settings: AppSettings) -> Result<AppSettings> {
        settings.voice = self.app.core().settings().await?.voice;
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
    /// Voice notes heard as when the app last ran: the model on this computer loaded again
    /// (one that can't be, removed or damaged, turns hearing off, and the notes waiting are
    /// left for the owner), or the provider chosen.
    async fn start_hearing(&self, voice: &VoiceHearing) {
        match voice {
            VoiceHearing::Off => {}
            VoiceHearing::Provider { provider } => {
                self.app
                    .set_hearing(Some(Hearer::Provider(provider.clone())));
            }
            VoiceHearing::Computer { model } => match self.speech.load(model).await {
                Ok(hearing) => self.app.set_hearing(Some(Hearer::Local(hearing))),
                Err(e) => {
                    tracing::warn!(error = %e, "the speech model could not be loaded; hearing is off");
                    self.app.set_hearing(None);
                    if let Err(e) = self.save_voice(VoiceHearing::Off).await {
                        tracing::warn!(error = %e, "could not turn hearing off in Settings");
                    }
                }
            },
        }
    }

    /// The speech models, with which is in use.
    pub async fn speech_models(&self) -> Result<Vec<SpeechModel>> {
        let voice = self.app.core().settings().await?.voice;
        Ok(self.speech.list(voice.model()))
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
        let voice = match id {
            Some(id) => {
                let hearing = self.speech.load(id).await?;
                self.app.set_hearing(Some(Hearer::Local(hearing)));
                VoiceHearing::Computer { model: id.into() }
            }
            None => {
                self.app.set_hearing(None);
                VoiceHearing::Off
            }
        };
        self.save_voice(voice).await?;
        self.speech_models().await
    }

    /// Hears voice notes by the owner's AI provider `provider` (one that can: OpenAI, Groq,
    /// Mistral, Gemini, or another OpenAI-compatible server); saved in Settings.
    pub async fn hear_by_provider(&self, provider: &str) -> Result<AppSettings> {
        let found = self.app.core().ai_providers().await?;
        if !found.iter().any(|p| p.id == provider && p.can_hear) {
            return Err(Error::InvalidInput(crate::text!(
                "voice.provider_cant_hear",
                "That AI provider can't hear voice notes. Choose OpenAI, Groq, Mistral, Google Gemini or another OpenAI-compatible server in Settings › AI providers."
            )));
        }
        self.app
            .set_hearing(Some(Hearer::Provider(provider.to_string())));
        self.save_voice(VoiceHearing::Provider {
            provider: provider.to_string(),
        })
        .await?;
        self.app.core().settings().await
    }

    /// Removes speech model `id` from this computer (hearing stops first if it is in use).
    pub async fn remove_speech_model(&self, id: &str) -> Result<Vec<SpeechModel>> {
        let voice = self.app.core().settings().await?.voice;
        if voice.model() == Some(id) {
            self.use_speech_model(None).await?;
        }
        self.speech.remove(id)?;
        self.speech_models().await
    }

    async fn save_voice(&self, voice: VoiceHearing) -> Result<()> {
        let mut settings = self.app.core().settings().await?;
        settings.voice = voice;
        self.app.core().set_settings(settings).await?;
        Ok(())
    }
}
