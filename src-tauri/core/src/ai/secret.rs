//! An API key in memory: it can be used, but not printed, logged or serialized.

/// Never `Serialize`, and its `Debug` hides the value, so a key can't slip into a log line,
/// an IPC response or a crash report by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key itself, for the one place that sends it: an HTTP header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, which the owner sees to recognise the key.
    pub fn last4(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }

    /// `text` with the key, and any long piece of it, replaced: providers sometimes quote
    /// part of a rejected key in their error message.
    pub fn redact(&self, text: &str) -> String {
        let key = self.0.as_str();
        let chars: Vec<char> = key.chars().collect();
        if chars.len() < 8 {
            return if key.is_empty() {
                text.to_string()
            } else {
                text.replace(key, "[key hidden]")
            };
        }
        let head: String = chars[..8].iter().collect();
        let tail: String = chars[chars.len() - 8..].iter().collect();
        let (head, tail) = (head.as_str(), tail.as_str());
        text.split_inclusive(char::is_whitespace)
            .map(|word| {
                let bare =
                    word.trim_matches(|c: char| c.is_whitespace() || "\"'`,.;:()[]".contains(c));
                let leaks = bare.chars().count() >= 8
                    && (key.contains(bare) || bare.contains(head) || bare.contains(tail));
                if leaks {
                    word.replace(bare, "[key hidden]")
                } else {
                    word.to_string()
                }
            })
            .collect()
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::ApiKey;

    #[test]
    fn a_key_never_shows_in_debug_or_quoted_errors() {
        let key = ApiKey::new("sk-proj-abcdefghijklmnop1234");
        assert_eq!(format!("{key:?}"), "ApiKey(hidden)");
        assert_eq!(key.last4(), "1234");
        let said = "Incorrect API key provided: sk-proj-abcdefgh********1234. You can find yours…";
        let redacted = key.redact(said);
        assert!(!redacted.contains("sk-proj-abcdefgh"), "{redacted}");
        assert!(redacted.contains("Incorrect API key provided"));
        let full = key.redact("key=sk-proj-abcdefghijklmnop1234 was wrong");
        assert!(!full.contains("abcdefghijklmnop"), "{full}");
    }

    #[test]
    fn short_or_odd_keys_do_not_panic() {
        for key in ["", "ab", "ключ🔑", "\u{200b}\u{200b}"] {
            let key = ApiKey::new(key);
            let _ = key.last4();
            let _ = key.redact("some text with ключ🔑 inside");
        }
    }
}
