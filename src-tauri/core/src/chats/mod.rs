//! Conversations as the owner watches them: each number's chats with their last message and
//! the bot's state in them (answering / paused by the owner until … / contact ignored), a
//! chat's transcript with WhatsApp's ticks, and the owner's hand on the bot per chat.

pub mod conversations;
pub mod owner;
