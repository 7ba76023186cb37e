//! Sentences the core writes for the owner (errors, a number's failure, a notification),
//! kept as a stable key with the values they are made of, so the window can say them in
//! the owner's language. The English sentence travels along for logs, and for a window that
//! has no text for the key.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Text {
    /// Stable: the window's texts are keyed `core.<key>`. Never reuse a key for another
    /// sentence; add a new one.
    pub key: String,
    /// The values the sentence is made of, by placeholder name.
    pub args: BTreeMap<String, String>,
    pub english: String,
    /// The technical words behind it (a browser's error code, a program's last line), for
    /// "Details" in the window and for support; never needed to act on the sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub detail: Option<String>,
}

impl Text {
    #[doc(hidden)]
    pub fn new(
        key: &'static str,
        template: &'static str,
        english: String,
        args: Vec<(&'static str, String)>,
    ) -> Text {
        debug_assert!(
            placeholders(template).all(|name| args.iter().any(|(given, _)| *given == name)),
            "text {key}: every placeholder in “{template}” must be given as an argument"
        );
        Text {
            key: key.to_string(),
            args: args
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
            english,
            detail: None,
        }
    }

    /// This sentence with the technical words behind it ("Details").
    pub fn with_detail(mut self, detail: impl Into<String>) -> Text {
        self.detail = Some(detail.into());
        self
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

/// The words of `text`, lower-cased: letters and digits of any script, the rest separates
/// (for comparing texts however they are cased, spaced or punctuated).
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The `{name}` placeholders of a template.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|rest| {
        let name = rest.split('}').next()?;
        (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
    })
}

/// `text!("number.name_taken", "You already have a number called “{name}”. Pick another name.", name = name)`:
/// a [`Text`] whose English is the template filled with the named values. The window's
/// English for `core.<key>` must be the same template (a UI test compares them).
#[macro_export]
macro_rules! text {
    ($key:literal, $english:literal $(, $name:ident = $value:expr)* $(,)?) => {{
        // `name = name` is the usual call, hence the allow.
        $(#[allow(clippy::redundant_locals)] let $name = $value;)*
        $crate::text::Text::new(
            $key,
            $english,
            format!($english),
            vec![$((stringify!($name), $name.to_string())),*],
        )
    }};
}

#[cfg(test)]
mod tests {
    #[test]
    fn fills_the_template_and_keeps_the_values() {
        let length = 90;
        let shown = text!(
            "test.length",
            "That name is {length} characters long.",
            length = length
        );
        assert_eq!(shown.english, "That name is 90 characters long.");
        assert_eq!(shown.key, "test.length");
        assert_eq!(shown.args.get("length").map(String::as_str), Some("90"));
        assert_eq!(shown.to_string(), shown.english);
    }

    #[test]
    fn a_value_with_braces_is_not_a_placeholder() {
        let pattern = "{x}";
        let shown = text!(
            "test.pattern",
            "“{pattern}” can't be used.",
            pattern = pattern
        );
        assert_eq!(shown.english, "“{x}” can't be used.");
    }
}
