//! One call to an AI provider as the usage table keeps it: who asked, which model, what it
//! used and cost, how long it took, and whether it answered.

crate::text_enum::text_enum! {
    /// Why the AI was asked.
    pub enum Purpose {
        /// A customer's turn.
        Reply = "reply",
        /// The owner trying the assistant.
        Playground = "playground",
        /// "Test connection".
        Test = "test",
        /// A customer's voice note heard by the provider.
        Transcription = "transcription",
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiCall {
    /// The number it was for (`None`: not for one).
    pub account_id: Option<i64>,
    pub provider: String,
    pub model: String,
    pub purpose: Purpose,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// In millionths of a dollar (0 when the price table has no price for the model).
    pub cost_micros: u64,
    pub latency_ms: u64,
    pub ok: bool,
}
