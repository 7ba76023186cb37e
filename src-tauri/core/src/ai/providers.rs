//! The owner's AI providers: which ones, where they live, the default model of each, the
//! default provider, and the price table. Their keys live only in the keychain; the UI only
//! ever learns whether a key is set and its last four characters.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ai::client::Endpoint;
use crate::ai::pricing::{self, PriceTable};
use crate::ai::provider::Preset;
use crate::ai::secret::ApiKey;
use crate::error::{Error, Result};
use crate::leadline::Leadline;
use crate::model::activity::{Activity, ProviderChange};
use crate::secrets::SecretsError;
use crate::store::{activity, app_settings};
use crate::text;
use crate::text::Text;

const AI_KEY: &str = "ai";
/// The provider that is AI on this computer (`Preset::ThisComputer`).
pub const THIS_COMPUTER: &str = "this-computer";
const PRICES_KEY: &str = "ai_prices";

/// A provider as stored (no key: that is in the keychain under `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderConfig {
    /// `openai`, `anthropic`, … for presets; `custom-1`, `custom-2`, … for other servers.
    pub id: String,
    pub preset: Preset,
    pub base_url: String,
    pub default_model: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AiConfig {
    providers: Vec<ProviderConfig>,
    default_provider: Option<String>,
}

/// Whether a provider's key is in the keychain, as the UI may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum KeyState {
    NotSet,
    Set {
        last4: String,
    },
    /// The keychain can't be read; `reason` says what to do.
    Unavailable {
        reason: Text,
    },
}

/// A provider as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    pub id: String,
    pub preset: Preset,
    pub label: String,
    pub base_url: String,
    pub default_model: Option<String>,
    pub needs_key: bool,
    pub key: KeyState,
    pub is_default: bool,
    /// Whether it can hear customers' voice notes (Settings › Voice notes).
    pub can_hear: bool,
}

/// A preset the owner can add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PresetInfo {
    pub preset: Preset,
    pub label: String,
    pub base_url: String,
    pub needs_key: bool,
    pub suggested_model: String,
}

/// What the owner submits to add or change a provider. `key`: `None` keeps the stored key,
/// `Some("")` removes it, anything else replaces it.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProviderInput {
    /// `None` to add a new one.
    pub id: Option<String>,
    pub preset: Preset,
    pub base_url: String,
    pub default_model: Option<String>,
    pub key: Option<String>,
    pub make_default: bool,
}

/// "Test connection": the models the provider offers with this key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub models: Vec<String>,
    /// Whether the provider lists the default model (some servers list none).
    pub default_model_listed: Option<bool>,
    pub elapsed_ms: u64,
}

pub fn presets() -> Vec<PresetInfo> {
    Preset::ALL
        .iter()
        .map(|&preset| PresetInfo {
            preset,
            label: preset.label().into(),
            base_url: preset.base_url().into(),
            needs_key: preset.needs_key(),
            suggested_model: preset.suggested_model().into(),
        })
        .collect()
}

fn preset_id(preset: Preset) -> String {
    serde_json::to_value(preset)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "custom".into())
}

fn check_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/').to_string();
    match crate::net::acceptable(&url) {
        Ok(_) => Ok(url),
        Err(crate::net::Refused::Insecure) => Err(Error::InvalidInput(text!(
            "ai.provider_url_insecure",
            "“{url}” would send your API key and customers' messages unencrypted. Use its https:// address (plain http:// only for a server on this computer).",
            url = url
        ))),
        Err(crate::net::Refused::NotWeb) => Err(Error::InvalidInput(text!(
            "ai.provider_url",
            "“{url}” is not a web address. It must start with https:// (or http:// for a server on this computer).",
            url = url
        ))),
    }
}

/// Whether the owner has set up an AI provider (the first-run checklist).
pub(crate) fn any_provider(conn: &rusqlite::Connection) -> Result<bool> {
    Ok(!read_ai_config(conn)?.providers.is_empty())
}

/// The AI settings as stored.
fn read_ai_config(conn: &rusqlite::Connection) -> Result<AiConfig> {
    let json = app_settings::get(conn, AI_KEY)?;
    Ok(json
        .and_then(|j| {
            serde_json::from_str(&j)
                .map_err(|e| tracing::warn!(error = %e, "unreadable AI settings; starting empty"))
                .ok()
        })
        .unwrap_or_default())
}

/// The provider a number uses (`id`, else the default one), read on `conn`, without its
/// key (that comes from the keychain: `Leadline::with_key`).
pub(crate) fn provider_for(
    conn: &rusqlite::Connection,
    id: Option<&str>,
) -> Result<ProviderConfig> {
    let config = read_ai_config(conn)?;
    let wanted = id.or(config.default_provider.as_deref());
    wanted
        .and_then(|id| config.providers.iter().find(|p| p.id == id))
        .cloned()
        .ok_or_else(|| {
            Error::InvalidInput(text!(
                "ai.no_provider",
                "No AI provider is set up yet. Add one in Settings › AI providers."
            ))
        })
}

/// The price table on `conn`: the owner's, or the defaults.
pub(crate) fn read_prices(conn: &rusqlite::Connection) -> Result<PriceTable> {
    Ok(app_settings::get(conn, PRICES_KEY)?
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_else(pricing::default_prices))
}

impl Leadline {
    async fn ai_config(&self) -> Result<AiConfig> {
        self.store.call(|conn| read_ai_config(conn)).await
    }

    /// A provider's endpoint with its key from the keychain, and its default model.
    pub(crate) async fn with_key(
        &self,
        provider: ProviderConfig,
    ) -> Result<(Endpoint, Option<String>)> {
        if provider.preset == Preset::ThisComputer {
            return self.on_this_computer(provider).await;
        }
        let key_id = provider.id.clone();
        let key = self.keychain(move |kc| kc.get(&key_id)).await?;
        Ok((
            Endpoint {
                preset: provider.preset,
                name: provider.preset.label().into(),
                base_url: provider.base_url,
                key,
            },
            provider.default_model,
        ))
    }

    /// AI on this computer's endpoint: the running server (started first if need be).
    async fn on_this_computer(
        &self,
        provider: ProviderConfig,
    ) -> Result<(Endpoint, Option<String>)> {
        let (Some(local), Some(model)) = (&self.local_ai, provider.default_model.clone()) else {
            return Err(Error::Unavailable(text!(
                "local_ai.missing",
                "This installation of Leadline has no AI on this computer. Reinstall Leadline from its installer, or add an AI provider in Settings › AI providers."
            )));
        };
        let (base_url, key) = local.endpoint(&model).await?;
        Ok((
            Endpoint {
                preset: Preset::ThisComputer,
                name: Preset::ThisComputer.label().into(),
                base_url,
                key: Some(key),
            },
            Some(model),
        ))
    }

    /// The chat model AI on this computer answers with, if the owner chose it.
    pub async fn this_computer_model(&self) -> Result<Option<String>> {
        Ok(self
            .ai_config()
            .await?
            .providers
            .into_iter()
            .find(|p| p.id == THIS_COMPUTER)
            .and_then(|p| p.default_model))
    }

    /// Makes AI on this computer with `model` the default provider (added if new).
    pub(crate) async fn use_this_computer(&self, model: &str) -> Result<()> {
        let mut config = self.ai_config().await?;
        let provider = ProviderConfig {
            id: THIS_COMPUTER.into(),
            preset: Preset::ThisComputer,
            base_url: String::new(),
            default_model: Some(model.to_string()),
        };
        let change = match config.providers.iter_mut().find(|p| p.id == THIS_COMPUTER) {
            Some(existing) => {
                *existing = provider;
                ProviderChange::Changed
            }
            None => {
                config.providers.push(provider);
                ProviderChange::Added
            }
        };
        config.default_provider = Some(THIS_COMPUTER.into());
        self.save_ai_config(
            &config,
            Some(Activity::AiProvider {
                change,
                provider: Preset::ThisComputer.label().to_string(),
            }),
        )
        .await
    }

    async fn save_ai_config(&self, config: &AiConfig, audit: Option<Activity>) -> Result<()> {
        let json = serde_json::to_string(config)
            .map_err(|e| Error::Internal(format!("the AI settings could not be saved: {e}")))?;
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| {
                let tx = conn.transaction()?;
                app_settings::put(&tx, AI_KEY, &json, now)?;
                if let Some(entry) = audit {
                    activity::record(&tx, None, &entry, now)?;
                }
                tx.commit().map_err(Error::from)
            })
            .await
    }

    /// A keychain call on its own thread, bounded in time (`KeychainThread`).
    async fn keychain<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn crate::secrets::Keychain) -> std::result::Result<T, SecretsError>
        + Send
        + 'static,
    ) -> std::result::Result<T, SecretsError> {
        self.keychain.call(f).await
    }

    fn view(config: &AiConfig, provider: &ProviderConfig, key: KeyState) -> ProviderView {
        ProviderView {
            id: provider.id.clone(),
            preset: provider.preset,
            label: provider.preset.label().into(),
            base_url: provider.base_url.clone(),
            default_model: provider.default_model.clone(),
            needs_key: provider.preset.needs_key(),
            key,
            is_default: config.default_provider.as_deref() == Some(provider.id.as_str()),
            can_hear: crate::ai::transcribe::transcription_model(provider.preset).is_some(),
        }
    }

    /// Removes every provider's key from the keychain ("Remove all data"); how many
    /// providers there were.
    pub async fn forget_all_ai_keys(&self) -> Result<usize> {
        let config = self.ai_config().await?;
        let ids: Vec<String> = config.providers.iter().map(|p| p.id.clone()).collect();
        let count = ids.len();
        self.keychain(move |k| ids.iter().try_for_each(|id| k.delete(id)))
            .await?;
        Ok(count)
    }

    /// The providers, each with whether its key is set.
    pub async fn ai_providers(&self) -> Result<Vec<ProviderView>> {
        let config = self.ai_config().await?;
        let ids: Vec<String> = config.providers.iter().map(|p| p.id.clone()).collect();
        let keys = self
            .keychain(move |k| {
                Ok(ids
                    .iter()
                    .map(|id| match k.get(id) {
                        Ok(Some(key)) => KeyState::Set { last4: key.last4() },
                        Ok(None) => KeyState::NotSet,
                        Err(e) => KeyState::Unavailable { reason: e.text() },
                    })
                    .collect::<Vec<_>>())
            })
            .await?;
        Ok(config
            .providers
            .iter()
            .zip(keys)
            .map(|(p, key)| Self::view(&config, p, key))
            .collect())
    }

    /// Adds or changes a provider; a new key goes to the keychain first, so a keychain
    /// failure changes nothing.
    pub async fn save_ai_provider(&self, input: ProviderInput) -> Result<ProviderView> {
        if input.preset == Preset::ThisComputer {
            return Err(Error::InvalidInput(text!(
                "local_ai.choose_in_settings",
                "AI on this computer is chosen in Settings › AI on this computer."
            )));
        }
        let base_url = check_url(&input.base_url)?;
        let default_model = input
            .default_model
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty());
        let mut config = self.ai_config().await?;
        let id = match &input.id {
            Some(id) => {
                if !config.providers.iter().any(|p| &p.id == id) {
                    return Err(Error::NotFound(text!(
                        "ai.provider_removed",
                        "That AI provider was removed. Add it again."
                    )));
                }
                id.clone()
            }
            None if input.preset == Preset::Custom => (1..)
                .map(|n| format!("custom-{n}"))
                .find(|id| !config.providers.iter().any(|p| &p.id == id))
                .unwrap_or_else(|| "custom".into()),
            None => {
                let id = preset_id(input.preset);
                if config.providers.iter().any(|p| p.id == id) {
                    return Err(Error::Conflict(text!(
                        "ai.provider_exists",
                        "{provider} is already set up. Change it instead of adding it again.",
                        provider = input.preset.label()
                    )));
                }
                id
            }
        };
        // A key goes only to the server it was given for: moved to another, it is asked
        // for again (a provider that needs none just forgets the old one).
        let moved = config
            .providers
            .iter()
            .find(|p| p.id == id)
            .is_some_and(|p| !crate::net::same_origin(&p.base_url, &base_url));
        let mut key_input = input.key.clone();
        if moved && key_input.is_none() {
            if input.preset.needs_key() {
                return Err(Error::InvalidInput(text!(
                    "ai.key_again",
                    "The address is on another server now: enter the API key again, so it is only sent where you mean."
                )));
            }
            key_input = Some(String::new());
        }
        let key = match key_input.as_deref().map(str::trim) {
            None => None,
            Some(k) if k.chars().any(char::is_whitespace) => {
                return Err(Error::InvalidInput(text!(
                    "ai.key_spaces",
                    "An API key has no spaces or line breaks. Copy it again from the provider."
                )));
            }
            Some(k) => Some(k.to_string()),
        };
        match key {
            Some(k) if k.is_empty() => {
                let id = id.clone();
                self.keychain(move |kc| kc.delete(&id)).await?;
            }
            Some(k) => {
                let id = id.clone();
                self.keychain(move |kc| kc.set(&id, &ApiKey::new(k)))
                    .await?;
            }
            None => {}
        }
        let provider = ProviderConfig {
            id: id.clone(),
            preset: input.preset,
            base_url,
            default_model,
        };
        let is_new = input.id.is_none();
        match config.providers.iter_mut().find(|p| p.id == id) {
            Some(existing) => *existing = provider,
            None => config.providers.push(provider),
        }
        if input.make_default || config.default_provider.is_none() {
            config.default_provider = Some(id.clone());
        }
        let change = if is_new {
            ProviderChange::Added
        } else {
            ProviderChange::Changed
        };
        self.save_ai_config(
            &config,
            Some(Activity::AiProvider {
                change,
                provider: input.preset.label().to_string(),
            }),
        )
        .await?;
        self.ai_providers()
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| Error::Internal("a saved provider was not found".into()))
    }

    /// Removes a provider and its key.
    pub async fn remove_ai_provider(&self, id: &str) -> Result<()> {
        let mut config = self.ai_config().await?;
        let Some(at) = config.providers.iter().position(|p| p.id == id) else {
            return Err(Error::NotFound(text!(
                "ai.provider_already_removed",
                "That AI provider was already removed."
            )));
        };
        let removed = config.providers.remove(at);
        if removed.preset == Preset::ThisComputer {
            if let Some(local) = &self.local_ai {
                local.stop().await;
            }
        }
        let key_id = removed.id.clone();
        self.keychain(move |kc| kc.delete(&key_id)).await?;
        if config.default_provider.as_deref() == Some(id) {
            config.default_provider = config.providers.first().map(|p| p.id.clone());
        }
        self.save_ai_config(
            &config,
            Some(Activity::AiProvider {
                change: ProviderChange::Removed,
                provider: removed.preset.label().to_string(),
            }),
        )
        .await
    }

    /// The endpoint for a provider (the default one when `id` is `None`), with its key.
    pub async fn ai_endpoint(&self, id: Option<&str>) -> Result<(Endpoint, Option<String>)> {
        let id = id.map(str::to_string);
        let provider = self
            .store
            .call(move |conn| provider_for(conn, id.as_deref()))
            .await?;
        self.with_key(provider).await
    }

    /// "Test connection": asks the provider for its models with the stored key.
    pub async fn test_ai_provider(&self, id: &str) -> Result<ConnectionCheck> {
        let (endpoint, default_model) = self.ai_endpoint(Some(id)).await?;
        let started = std::time::Instant::now();
        let models = self.ai.list_models(&endpoint).await?;
        Ok(ConnectionCheck {
            default_model_listed: default_model
                .filter(|_| !models.is_empty())
                .map(|m| models.contains(&m)),
            models,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// The price table: the owner's, or the defaults.
    pub async fn ai_prices(&self) -> Result<PriceTable> {
        self.store.call(|conn| read_prices(conn)).await
    }

    pub async fn set_ai_prices(&self, prices: PriceTable) -> Result<PriceTable> {
        let json = serde_json::to_string(&prices)
            .map_err(|e| Error::Internal(format!("the prices could not be saved: {e}")))?;
        let now = self.clock.now_ms();
        self.store
            .call(move |conn| Ok(app_settings::put(conn, PRICES_KEY, &json, now)?))
            .await?;
        Ok(prices)
    }
}
