//! What a call cost: tokens times the price of the model, from a table the owner can edit
//! (prices change; the defaults are a starting point, not a promise).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::chat::Usage;

/// US dollars per million tokens, in millionths of a dollar (integers: no float drift in
/// sums of many small calls).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub input_micros_per_mtok: u64,
    pub output_micros_per_mtok: u64,
}

/// Model name → price. A model missing from the table costs 0 and is shown as "no price".
pub type PriceTable = BTreeMap<String, Price>;

pub fn default_prices() -> PriceTable {
    let price = |input: f64, output: f64| Price {
        input_micros_per_mtok: (input * 1e6) as u64,
        output_micros_per_mtok: (output * 1e6) as u64,
    };
    BTreeMap::from([
        ("gpt-4o-mini".to_string(), price(0.15, 0.60)),
        ("gpt-4o".to_string(), price(2.50, 10.00)),
        ("claude-3-5-haiku-latest".to_string(), price(0.80, 4.00)),
        ("gemini-2.0-flash".to_string(), price(0.10, 0.40)),
        ("deepseek-chat".to_string(), price(0.27, 1.10)),
        ("mistral-small-latest".to_string(), price(0.10, 0.30)),
        ("llama-3.1-8b-instant".to_string(), price(0.05, 0.08)),
    ])
}

/// The cost of `usage` on `model`, in millionths of a dollar; `None` if the table has no
/// price for it. The longest table entry that `model` starts with wins, so a dated model
/// (`gpt-4o-mini-2024-07-18`) takes its family's price.
pub fn cost_micros(table: &PriceTable, model: &str, usage: Usage) -> Option<u64> {
    let price = table
        .iter()
        .filter(|(name, _)| model.starts_with(name.as_str()))
        .max_by_key(|(name, _)| name.len())
        .map(|(_, price)| *price)?;
    let input = u128::from(usage.prompt_tokens) * u128::from(price.input_micros_per_mtok);
    let output = u128::from(usage.completion_tokens) * u128::from(price.output_micros_per_mtok);
    u64::try_from((input + output).div_ceil(1_000_000)).ok()
}

/// What hearing `seconds` of audio cost on `model`, for models billed by the minute
/// (millionths of a dollar, rounded up); `None` for the rest (Gemini and OpenAI's gpt-4o
/// models bill tokens: `cost_micros`). Public list prices, late 2026.
pub fn audio_cost_micros(model: &str, seconds: f64) -> Option<u64> {
    const PER_MINUTE: [(&str, f64); 6] = [
        ("whisper-1", 6_000.0),
        ("whisper-large-v3-turbo", 667.0),
        ("whisper-large-v3", 1_850.0),
        ("distil-whisper", 333.0),
        ("voxtral-mini", 1_000.0),
        ("voxtral-small", 4_000.0),
    ];
    let per_minute = PER_MINUTE
        .iter()
        .filter(|(name, _)| model.starts_with(name))
        .max_by_key(|(name, _)| name.len())
        .map(|(_, price)| *price)?;
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds / 60.0 * per_minute).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_uses_the_longest_matching_model_and_rounds_up() {
        let table = default_prices();
        let usage = Usage {
            prompt_tokens: 1_000,
            completion_tokens: 100,
        };
        // 1000 × 0.15 + 100 × 0.60 = 210 micro-dollars.
        assert_eq!(
            cost_micros(&table, "gpt-4o-mini-2024-07-18", usage),
            Some(210)
        );
        // gpt-4o (2.50 / 10.00): 2500 + 1000.
        assert_eq!(cost_micros(&table, "gpt-4o-2024-08-06", usage), Some(3_500));
        assert_eq!(cost_micros(&table, "smollm2", usage), None);
        let one = Usage {
            prompt_tokens: 1,
            completion_tokens: 0,
        };
        assert_eq!(
            cost_micros(&table, "gemini-2.0-flash", one),
            Some(1),
            "a fraction rounds up"
        );
    }

    #[test]
    fn audio_is_priced_by_the_minute_for_whisper_models_only() {
        assert_eq!(audio_cost_micros("whisper-1", 30.0), Some(3_000));
        assert_eq!(
            audio_cost_micros("whisper-large-v3-turbo", 60.0),
            Some(667),
            "the turbo model is not priced as the full one"
        );
        assert_eq!(audio_cost_micros("gemini-2.0-flash", 60.0), None);
        assert_eq!(audio_cost_micros("whisper-1", f64::NAN), None);
    }
}
