//! Why a number's assistant answers customers (or doesn't yet): a newly added number waits
//! until the owner has seen it answer in the Playground or switched it on themselves, so no
//! customer meets an assistant nobody has tried.

crate::text_enum::text_enum! {
    /// What started (or keeps off) a number's assistant.
    pub enum BotStart {
        /// A new number: not answering until it is tried in the Playground or switched on.
        Waiting = "waiting",
        /// The owner switched it on or off.
        Owner = "owner",
        /// It answered the owner in the Playground, and that switched it on.
        Playground = "playground",
    }
}

impl Default for BotStart {
    /// Numbers from before the first-run checklist answered as they were: the owner's.
    fn default() -> Self {
        BotStart::Owner
    }
}
