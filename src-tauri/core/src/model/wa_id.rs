//! What a WhatsApp id says by itself: the kind of chat, and the phone number it carries.

use super::chat::ChatKind;

/// What a chat is, from its WhatsApp id.
pub fn kind_of(wa_chat_id: &str) -> ChatKind {
    if wa_chat_id.ends_with("@g.us") {
        ChatKind::Group
    } else if wa_chat_id.ends_with("@broadcast") {
        ChatKind::Broadcast
    } else {
        ChatKind::Person
    }
}

/// `+34600111222` for `34600111222@c.us`; ids that carry no phone number (`@lid`,
/// groups, anything odd) give `None`.
pub fn phone_number(wa_id: &str) -> Option<String> {
    let user = wa_id.strip_suffix("@c.us")?;
    (user.len() >= 6 && user.chars().all(|c| c.is_ascii_digit())).then(|| format!("+{user}"))
}

/// `15551234567@c.us` as `+15551234567`; other ids as they are.
pub fn shown_number(wa_id: &str) -> String {
    match wa_id.strip_suffix("@c.us") {
        Some(digits) if digits.chars().all(|c| c.is_ascii_digit()) => format!("+{digits}"),
        _ => wa_id.to_string(),
    }
}
