//! A voice note heard by the owner's AI provider (Settings › Voice notes › "By your AI
//! provider"): its key read from the keychain at each note, the hourly spending ceiling
//! respected, and the call recorded with its time and cost like any AI call.

use std::time::Duration;

use super::handle::Bot;
use crate::ai::error::AiError;
use crate::ai::pricing::{self, PriceTable};
use crate::ai::providers::{self, ProviderConfig};
use crate::ai::transcribe::{Transcription, transcription_model};
use crate::error::Error;
use crate::media::hearing::Heard;
use crate::model::ai_call::{AiCall, Purpose};
use crate::model::transcript::provider_engine;
use crate::store::ai_usage;

/// What hearing by a provider needs from the store.
struct Needs {
    provider: crate::error::Result<ProviderConfig>,
    prices: PriceTable,
    over_limit: bool,
}

/// Hears `audio` (message of `account_id`) with provider `provider_id` within `timeout`:
/// what was heard and by what, or why not (a reason `hearing::not_heard` words).
pub async fn hear(
    bot: &Bot,
    account_id: i64,
    provider_id: &str,
    audio: Vec<u8>,
    timeout: Duration,
) -> Result<(Heard, String), &'static str> {
    let now = bot.now_ms();
    let id = provider_id.to_string();
    let needs = bot
        .store()
        .call(move |conn| {
            let over_limit = ai_usage::ceiling_reached(conn, now)?.is_some();
            Ok(Needs {
                provider: providers::provider_for(conn, Some(&id)),
                prices: providers::read_prices(conn).unwrap_or_default(),
                over_limit,
            })
        })
        .await
        .map_err(|_| "failed")?;
    if needs.over_limit {
        return Err("spend_limit");
    }
    let provider = needs.provider.map_err(|_| "no_provider")?;
    let model = transcription_model(provider.preset).ok_or("no_provider")?;
    let (endpoint, _) = bot.core.with_key(provider).await.map_err(|e| match e {
        Error::Unavailable(_) => "keychain",
        _ => "no_provider",
    })?;
    let started = std::time::Instant::now();
    let heard = tokio::time::timeout(timeout, bot.core.ai.transcribe(&endpoint, model, &audio))
        .await
        .unwrap_or_else(|_| {
            Err(AiError::Timeout {
                provider: endpoint.name.clone(),
                after: timeout,
            })
        });
    let call = usage(
        account_id,
        &endpoint.name,
        model,
        &needs.prices,
        &heard,
        started,
    );
    crate::ai::assistant::record_call(&bot.core, call).await;
    match heard {
        Ok(heard) => {
            tracing::info!(provider = %endpoint.name, model, "a voice note was heard by the provider");
            let audio_ms = heard
                .audio_seconds
                .map_or(0, |s| (s * 1000.0).round() as i64);
            Ok((
                Heard {
                    text: heard.text,
                    language: heard.language.unwrap_or_default(),
                    audio_ms,
                    took_ms: i64::try_from(heard.elapsed.as_millis()).unwrap_or(i64::MAX),
                },
                provider_engine(&endpoint.name, &heard.model),
            ))
        }
        Err(e) => {
            tracing::warn!(provider = %endpoint.name, error = e.kind(), status = e.status(), "the provider could not hear a voice note");
            Err(reason(&e))
        }
    }
}

/// The call as the usage table keeps it: audio billed by the minute where the model is,
/// by the token otherwise.
fn usage(
    account_id: i64,
    provider: &str,
    model: &str,
    prices: &PriceTable,
    heard: &Result<Transcription, AiError>,
    started: std::time::Instant,
) -> AiCall {
    let (usage, cost) = match heard {
        Ok(t) => (
            t.usage,
            t.audio_seconds
                .and_then(|s| pricing::audio_cost_micros(model, s))
                .or_else(|| pricing::cost_micros(prices, model, t.usage))
                .unwrap_or(0),
        ),
        Err(_) => (Default::default(), 0),
    };
    AiCall {
        account_id: Some(account_id),
        provider: provider.to_string(),
        model: model.to_string(),
        purpose: Purpose::Transcription,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        cost_micros: cost,
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        ok: heard.is_ok(),
    }
}

fn reason(e: &AiError) -> &'static str {
    match e {
        AiError::KeyMissing { .. } | AiError::Unauthorized { .. } => "provider_key",
        AiError::RateLimited { .. }
        | AiError::Timeout { .. }
        | AiError::Server { .. }
        | AiError::Network { .. } => "provider_down",
        AiError::SpendLimit { .. } => "spend_limit",
        AiError::Keychain(_) => "keychain",
        AiError::NotSetUp(_) => "no_provider",
        _ => "provider_refused",
    }
}
