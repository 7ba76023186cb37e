//! Quick replies: a keyword or a regular expression, and the fixed text it answers with,
//! tried in the owner's order before the AI.

use crate::text;
use crate::text::Text;
use regex::{Regex, RegexBuilder};

use crate::model::quick_reply::MatchKind;

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: i64,
    pub reply: String,
    pattern: Regex,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.text(0))]
pub struct RuleError {
    pub pattern: String,
    /// Why the pattern can't be used; `None` when it is empty.
    pub detail: Option<String>,
}

impl RuleError {
    /// The sentence the owner reads about quick reply number `number` (from 1).
    pub fn text(&self, number: usize) -> Text {
        match &self.detail {
            None => text!(
                "bot.quick_reply_no_pattern",
                "Quick reply {number}: the words to look for are empty.",
                number = number
            ),
            Some(detail) => text!(
                "bot.quick_reply_bad_pattern",
                "Quick reply {number}: “{pattern}” can't be used ({detail}).",
                number = number,
                pattern = &self.pattern,
                detail = detail
            ),
        }
    }
}

impl Rule {
    pub fn new(id: i64, kind: MatchKind, pattern: &str, reply: &str) -> Result<Rule, RuleError> {
        let refuse = |detail: Option<String>| RuleError {
            pattern: pattern.chars().take(80).collect(),
            detail,
        };
        if pattern.trim().is_empty() {
            return Err(refuse(None));
        }
        let source = match kind {
            MatchKind::Keyword => format!(r"(?:^|\W){}(?:$|\W)", regex::escape(pattern.trim())),
            MatchKind::Regex => pattern.to_string(),
        };
        let pattern = RegexBuilder::new(&source)
            .case_insensitive(kind == MatchKind::Keyword)
            // A customer's message must never make matching slow or huge.
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                refuse(Some(
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or("not a valid pattern")
                        .trim()
                        .to_string(),
                ))
            })?;
        Ok(Rule {
            id,
            reply: reply.to_string(),
            pattern,
        })
    }

    pub fn matches(&self, text: &str) -> bool {
        self.pattern.is_match(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_words_in_any_case() {
        let rule = Rule::new(1, MatchKind::Keyword, "precio", "…").unwrap();
        assert!(rule.matches("¿PRECIO?"));
        assert!(rule.matches("el precio por favor"));
        assert!(!rule.matches("preciosa"), "a whole word only");
        let emoji = Rule::new(2, MatchKind::Keyword, "🚲", "…").unwrap();
        assert!(emoji.matches("quiero 🚲!"));
        let arabic = Rule::new(3, MatchKind::Keyword, "سعر", "…").unwrap();
        assert!(arabic.matches("ما هو سعر الدراجة؟"));
    }

    #[test]
    fn bad_patterns_are_refused_in_plain_words() {
        let error = Rule::new(1, MatchKind::Regex, "(unclosed", "…").unwrap_err();
        assert!(error.to_string().contains("(unclosed"), "{error}");
        assert!(Rule::new(1, MatchKind::Keyword, "  ", "…").is_err());
        let huge = Rule::new(1, MatchKind::Regex, r"\w{1000}{1000}", "…");
        assert!(
            huge.is_err(),
            "a pattern too big to compile safely is refused"
        );
    }
}
