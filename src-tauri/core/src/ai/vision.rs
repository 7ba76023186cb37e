//! Which models can see a photo. Providers don't say so in their model lists, so it is read
//! from the model's name: every Claude from 3 on and every Gemini sees; OpenAI's gpt-4o,
//! 4.1, 5 and o-series models see; on other servers a model sees when its name says it was
//! made to (llava, "vision", "-vl", pixtral, gemma 3, llama 4…). A model wrongly taken to
//! see refuses the photo, and the turn fails as any refused request (the owner is told).

use super::provider::Preset;

/// The photo types every provider that sees takes.
pub const PHOTO_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/// The largest photo shown to a model: Anthropic refuses larger ones, and the others bill
/// by size. A larger one is named, not shown.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// How a photo shown with the turn is named to the model (the live bot and the Playground).
pub const PHOTO_SHOWN: &str = "a photo, shown to you";

/// How a photo is named to a model that can't see it.
pub const PHOTO_NOT_SHOWN: &str = "a photo, not shown to you";

/// Name parts of models made to see, on any server.
const SEEING: [&str; 17] = [
    "vision",
    "-vl",
    "vl-",
    "llava",
    "pixtral",
    "gemma3",
    "gemma-3",
    "llama-4",
    "llama4",
    "minicpm-v",
    "moondream",
    "gpt-4o",
    "gpt-4.1",
    "gpt-5",
    "claude",
    "gemini",
    "mistral-small-3",
];

/// Whether `model` at a provider of `preset` takes photos.
pub fn sees_images(preset: Preset, model: &str) -> bool {
    let model = model.trim().to_lowercase();
    let name = model.rsplit('/').next().unwrap_or(&model);
    match preset {
        Preset::Anthropic => !name.starts_with("claude-2") && !name.starts_with("claude-instant"),
        Preset::Gemini => name.starts_with("gemini") || name.starts_with("gemma-3"),
        Preset::OpenAi => {
            name.starts_with("gpt-4o")
                || name.starts_with("gpt-4.1")
                || name.starts_with("gpt-4-turbo")
                || name.starts_with("gpt-5")
                || ["o1", "o3", "o4"]
                    .iter()
                    .any(|o| name == *o || name.starts_with(&format!("{o}-")))
                    && !name.starts_with("o1-mini")
                    && !name.starts_with("o3-mini")
        }
        Preset::DeepSeek => false,
        _ => SEEING.iter().any(|part| name.contains(part)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_made_to_see_are_told_from_the_rest() {
        for (preset, model) in [
            (Preset::OpenAi, "gpt-4o-mini"),
            (Preset::OpenAi, "gpt-4.1-nano"),
            (Preset::OpenAi, "o4-mini"),
            (Preset::Anthropic, "claude-3-5-haiku-latest"),
            (Preset::Gemini, "gemini-2.0-flash"),
            (Preset::Ollama, "llama3.2-vision:11b"),
            (Preset::Ollama, "qwen2.5-vl:7b"),
            (Preset::LmStudio, "gemma-3-4b-it"),
            (Preset::OpenRouter, "openai/gpt-4o-mini"),
            (Preset::Groq, "meta-llama/llama-4-scout-17b-16e-instruct"),
            (Preset::Mistral, "pixtral-12b-2409"),
        ] {
            assert!(sees_images(preset, model), "{model} sees");
        }
        for (preset, model) in [
            (Preset::OpenAi, "gpt-3.5-turbo"),
            (Preset::OpenAi, "o3-mini"),
            (Preset::DeepSeek, "deepseek-chat"),
            (Preset::Groq, "llama-3.1-8b-instant"),
            (Preset::Ollama, "llama3.2"),
            (Preset::LlamaCpp, "SmolLM2-135M-Instruct"),
            (Preset::Custom, "fake-model"),
            (Preset::Anthropic, "claude-2.1"),
        ] {
            assert!(!sees_images(preset, model), "{model} doesn't see");
        }
    }
}
