//! A number's name: what the owner may call it.

use crate::error::{Error, Result};
use crate::text;

/// Longest name we accept, in characters: it has to fit in a sidebar and a notification.
pub const MAX_NAME_CHARS: usize = 60;

/// Characters that take no space: a name made only of these (and spaces) is empty.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// Checks a name the owner typed and returns it tidied (outer spaces removed).
pub fn clean_name(raw: &str) -> Result<String> {
    let name = raw.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if name.is_empty() {
        return Err(Error::InvalidInput(text!(
            "number.name_empty",
            "Give the number a name, for example “Shop” or “Sales line”."
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(text!(
            "number.name_one_line",
            "A name must fit on one line: remove line breaks and tabs."
        )));
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(Error::InvalidInput(text!(
            "number.name_too_long",
            "That name is {length} characters long; keep it to {max} or fewer.",
            length = length,
            max = MAX_NAME_CHARS
        )));
    }
    Ok(name.to_string())
}
