//! The lead fields an owner asks the AI to collect, and checking what it found: an email
//! must look like one; a phone is stored in E.164, read with the number's own country as
//! the default (a Spanish shop's customer writing "600 123 456" means +34 600 123 456).

use crate::model::lead_field::FieldKind;
use crate::text;
use crate::text::Text;

/// Why a value was not accepted, in the owner's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text())]
pub struct InvalidValue {
    pub value: String,
    /// What the value should have been.
    pub expected: FieldKind,
}

impl InvalidValue {
    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        let value = &self.value;
        match self.expected {
            FieldKind::Text => text!("field.empty", "This field is empty."),
            FieldKind::Email => text!(
                "field.not_email",
                "“{value}” is not an email address.",
                value = value
            ),
            FieldKind::Phone => text!(
                "field.not_phone",
                "“{value}” is not a phone number.",
                value = value
            ),
        }
    }

    /// The same, about the lead field `field`.
    pub fn text_in(&self, field: &str) -> Text {
        let value = &self.value;
        match self.expected {
            FieldKind::Text => text!("lead.field_empty", "“{field}” is empty.", field = field),
            FieldKind::Email => text!(
                "lead.field_not_email",
                "“{field}”: “{value}” is not an email address.",
                field = field,
                value = value
            ),
            FieldKind::Phone => text!(
                "lead.field_not_phone",
                "“{field}”: “{value}” is not a phone number.",
                field = field,
                value = value
            ),
        }
    }
}

/// The value in its stored form, or why it is refused. `country` is an ISO code such as
/// `ES` used when a phone is written without its country code.
/// The longest value a lead field keeps (a name, a product, a budget: never a paragraph).
pub const MAX_VALUE_CHARS: usize = 120;

pub fn check(kind: FieldKind, value: &str, country: Option<&str>) -> Result<String, InvalidValue> {
    let value = value.trim();
    let refuse = |expected| InvalidValue {
        value: value.chars().take(80).collect(),
        expected,
    };
    match kind {
        FieldKind::Text => {
            // The customer's words, as data: one line, no control characters, capped.
            let clean: String = value
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(MAX_VALUE_CHARS)
                .collect();
            let clean = clean.trim();
            if clean.is_empty() {
                Err(refuse(FieldKind::Text))
            } else {
                Ok(clean.to_string())
            }
        }
        FieldKind::Email => email(value).ok_or_else(|| refuse(FieldKind::Email)),
        FieldKind::Phone => phone(value, country).ok_or_else(|| refuse(FieldKind::Phone)),
    }
}

fn email(value: &str) -> Option<String> {
    let (local, domain) = value.rsplit_once('@')?;
    let sane = |part: &str| {
        !part.is_empty()
            && part.len() <= 254
            && !part
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[];:,\"\\".contains(c))
    };
    let labels_ok = domain
        .split('.')
        .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    (sane(local) && sane(domain) && !local.contains('@') && domain.contains('.') && labels_ok)
        .then(|| format!("{local}@{}", domain.to_lowercase()))
}

/// Arabic-Indic (٠–٩), Persian (۰–۹) and full-width (０–９) digits as ASCII ones, as people
/// type them in those scripts, mixed or not.
pub fn ascii_digits(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{FF10}'..='\u{FF19}' => char::from(b'0' + (c as u32 - 0xFF10) as u8),
            other => other,
        })
        .collect()
}

/// A phone from the owner's address book, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookPhone {
    /// E.164.
    pub phone: String,
    /// It was written with its country code but no `+` and was valid as a local number
    /// too: read the international way (the owner is told how many were).
    pub read_internationally: bool,
}

/// A phone from the owner's address book. Like `check`, except for a number written with
/// its country code but without `+` (`48 691 342 341` in a German book): when it reads as a
/// valid number both ways, the international reading is the one meant (someone wrote the
/// country code), not a local number that happens to be valid too.
pub fn book_phone(value: &str, country: Option<&str>) -> Option<BookPhone> {
    let value = ascii_digits(value.trim());
    let national = phone(&value, country);
    let bare = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() && c != '0');
    let international = if bare {
        phone(&format!("+{value}"), None)
    } else {
        None
    };
    match (national, international) {
        (Some(national), Some(international)) if national != international => Some(BookPhone {
            phone: international,
            read_internationally: true,
        }),
        (national, international) => national.or(international).map(|phone| BookPhone {
            phone,
            read_internationally: false,
        }),
    }
}

/// `book_phone`'s number alone.
pub fn phone_in_book(value: &str, country: Option<&str>) -> Option<String> {
    book_phone(value, country).map(|read| read.phone)
}

fn phone(value: &str, country: Option<&str>) -> Option<String> {
    let value = ascii_digits(value);
    if value.chars().filter(char::is_ascii_digit).count() < 6 || value.len() > 40 {
        return None;
    }
    let country = country.and_then(|c| c.to_ascii_uppercase().parse().ok());
    // The phone library has panicked on odd input before; a customer's text must never
    // take the app down.
    std::panic::catch_unwind(move || {
        let number = phonenumber::parse(country, &value).ok()?;
        number
            .is_valid()
            .then(|| phonenumber::format(&number).to_string())
    })
    .ok()
    .flatten()
}

/// The ISO country of a WhatsApp number (`34600123456@c.us` → `ES`), to read local phones.
pub fn country_of(wa_id: &str) -> Option<String> {
    let digits: String = wa_id
        .split('@')
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.len() < 6 {
        return None;
    }
    std::panic::catch_unwind(move || {
        let number = phonenumber::parse(None, format!("+{digits}")).ok()?;
        number.country().id().map(|id| format!("{id:?}"))
    })
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_normalised() {
        assert_eq!(
            check(FieldKind::Email, " Ana@Example.ES ", None).unwrap(),
            "Ana@example.es"
        );
        for bad in [
            "ana",
            "ana@",
            "@x.es",
            "ana@x",
            "a b@x.es",
            "ana@x..es",
            "ana@-x.es",
            "<a>@x.es",
        ] {
            assert!(
                check(FieldKind::Email, bad, None).is_err(),
                "{bad} must be refused"
            );
        }
    }

    #[test]
    fn phones_become_e164_with_the_numbers_country_as_default() {
        assert_eq!(
            check(FieldKind::Phone, "600 123 456", Some("ES")).unwrap(),
            "+34600123456"
        );
        assert_eq!(
            check(FieldKind::Phone, "+1 (415) 555-2671", Some("ES")).unwrap(),
            "+14155552671"
        );
        assert!(check(FieldKind::Phone, "12", Some("ES")).is_err());
        assert!(check(FieldKind::Phone, "call me", None).is_err());
        assert_eq!(country_of("34600123456@c.us").as_deref(), Some("ES"));
        assert_eq!(country_of("123@lid"), None);
    }

    #[test]
    fn odd_text_never_panics() {
        let odd = [
            "\u{202e}+34 600 123 456",
            "٠٦٠٠١٢٣٤٥٦",
            "📞 600123456",
            "+99999999999999999999999999",
            "\u{200b}",
            &"9".repeat(500),
            "+",
        ];
        for value in odd {
            for kind in [FieldKind::Text, FieldKind::Email, FieldKind::Phone] {
                let _ = check(kind, value, Some("ES"));
            }
            let _ = country_of(value);
        }
    }
}
