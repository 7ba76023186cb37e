//! What one customer turn asks of the model, and reading its answer: the reply, the lead
//! fields it found, and whether the lead qualifies. Providers with JSON schema support are
//! held to `schema`; for the rest, and for models that wrap or cut their JSON, the reader
//! is lenient: code fences, text around the object, and a cut-off object are all read.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::model::lead_field::LeadField;

/// The model's answer for one turn, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnOutput {
    /// What to send the customer.
    pub reply: String,
    /// Lead fields the model found, by field name, as text (unvalidated).
    pub fields: BTreeMap<String, String>,
    pub qualified: bool,
    /// Why it qualifies (or not), in the model's words.
    pub reason: String,
    /// Which of the owner's criteria the lead meets, in the model's words (empty if none).
    pub criteria_met: String,
    /// The fields whose values show it (names from `fields`). A qualification counts only
    /// with the values it rests on (see `leads::merge_turn_in`).
    pub evidence: Vec<String>,
    /// The JSON was cut off (the model hit its token limit) and had to be closed by us;
    /// the reply may end mid-sentence.
    pub truncated: bool,
}

/// Why an answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnError {
    #[error("the answer holds no JSON object")]
    NoJson,
    #[error("the answer's JSON has no usable `reply`")]
    NoReply,
}

/// The JSON schema of a turn's answer for these fields. Every property is required and no
/// others are allowed (what OpenAI's strict mode asks); a field not known yet is `null`.
pub fn schema(fields: &[LeadField]) -> Value {
    let mut properties = Map::new();
    for field in fields {
        properties.insert(
            field.name.clone(),
            json!({ "type": ["string", "null"], "description": field.description }),
        );
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let evidence_item = if names.is_empty() {
        json!({ "type": "string" })
    } else {
        json!({ "type": "string", "enum": names })
    };
    json!({
        "type": "object",
        "properties": {
            "reply": { "type": "string", "description": "The message to send the customer." },
            "fields": {
                "type": "object",
                "properties": properties,
                "required": names,
                "additionalProperties": false,
            },
            "qualified": { "type": "boolean" },
            "reason": { "type": "string", "description": "Why the lead qualifies or not, in one sentence." },
            "criteria_met": { "type": "string", "description": "Which of the owner's criteria the lead meets; empty if none." },
            "evidence": { "type": "array", "items": evidence_item, "description": "The details whose values show it." },
        },
        "required": ["reply", "fields", "qualified", "reason", "criteria_met", "evidence"],
        "additionalProperties": false,
    })
}

/// Reads the model's text. Only fields in `fields` are kept; anything else is ignored.
pub fn parse(text: &str, fields: &[LeadField]) -> Result<TurnOutput, TurnError> {
    let (value, truncated) = find_object(text).ok_or(TurnError::NoJson)?;
    let reply = value
        .get("reply")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or(TurnError::NoReply)?
        .to_string();
    let mut found = BTreeMap::new();
    if let Some(Value::Object(given)) = value.get("fields") {
        for field in fields {
            let text = match given.get(&field.name) {
                Some(Value::String(s)) => s.trim().to_string(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => continue,
            };
            // The prompt's own words for a detail are not the customer's.
            if !text.is_empty() && !super::leak::is_prompt_echo(&text, fields) {
                found.insert(field.name.clone(), text);
            }
        }
    }
    let qualified = match value.get("qualified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("yes"),
        _ => false,
    };
    let reason = value
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string();
    let criteria_met = value
        .get("criteria_met")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .chars()
        .take(300)
        .collect();
    let evidence = match value.get("evidence") {
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| fields.iter().any(|f| f.name == *name))
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    Ok(TurnOutput {
        reply,
        fields: found,
        qualified,
        reason: reason.chars().take(300).collect(),
        criteria_met,
        evidence,
        truncated,
    })
}

/// The first JSON object in `text`, and whether it had to be closed because it was cut off.
fn find_object(text: &str) -> Option<(Map<String, Value>, bool)> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let candidate = &rest[start..];
        let mut stream = serde_json::Deserializer::from_str(candidate).into_iter::<Value>();
        match stream.next() {
            Some(Ok(Value::Object(object))) => return Some((object, false)),
            Some(Err(e)) if e.is_eof() => {
                let closed = close_cut_json(candidate)?;
                if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(&closed) {
                    return Some((object, true));
                }
                return None;
            }
            // Not JSON here (a brace in prose): look further on.
            _ => rest = &candidate[1..],
        }
    }
    None
}

/// Closes a JSON text that stops early: ends an open string, drops a dangling key, comma
/// or colon, and closes every open array and object.
fn close_cut_json(cut: &str) -> Option<String> {
    let mut out = String::with_capacity(cut.len() + 8);
    let mut open: Vec<char> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in cut.chars() {
        out.push(c);
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' => open.push('}'),
            '[' => open.push(']'),
            '}' | ']' => {
                open.pop();
            }
            _ => {}
        }
    }
    if open.is_empty() {
        return None;
    }
    if in_string {
        if escaped {
            out.pop();
        }
        out.push('"');
    }
    // Whatever can't end a value goes: a trailing comma, a key without its value.
    loop {
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        if out.ends_with(',') || out.ends_with(':') {
            out.pop();
            continue;
        }
        // A key left alone (`{"a": 1, "b"`): a string right after `{` or `,` in an object.
        if open.last() == Some(&'}') && out.ends_with('"') {
            if let Some(key_start) = dangling_key_start(&out) {
                out.truncate(key_start);
                continue;
            }
        }
        // A cut literal (`tru`, `nul`, `12.`): drop it.
        let tail_start = out
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+'))
            .map_or(0, |i| i + 1);
        let tail = &out[tail_start..];
        if !tail.is_empty() && serde_json::from_str::<Value>(tail).is_err() {
            out.truncate(tail_start);
            continue;
        }
        break;
    }
    while let Some(close) = open.pop() {
        out.push(close);
    }
    Some(out)
}

/// If `out` ends with an object key that has no `:` after it, where that key starts.
fn dangling_key_start(out: &str) -> Option<usize> {
    let body = &out[..out.len() - 1];
    let mut start = body.len();
    // Walk back to the opening quote (skipping escaped quotes).
    loop {
        let quote = body[..start].rfind('"')?;
        let backslashes = body[..quote]
            .chars()
            .rev()
            .take_while(|c| *c == '\\')
            .count();
        start = quote;
        if backslashes % 2 == 0 {
            break;
        }
    }
    let before = body[..start].trim_end();
    (before.ends_with('{') || before.ends_with(',')).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lead_field::{FieldKind, LeadField};

    fn fields() -> Vec<LeadField> {
        vec![
            LeadField::new("name", "The customer's name", FieldKind::Text),
            LeadField::new("email", "Their email", FieldKind::Email),
        ]
    }

    #[test]
    fn plain_fenced_and_wrapped_json_all_read() {
        let plain = r#"{"reply":"Hola!","fields":{"name":"Ana","email":null},"qualified":false,"reason":"no budget yet"}"#;
        let fenced = format!("```json\n{plain}\n```");
        let wrapped = format!("Sure! Here is the answer: {plain} Hope it helps {{not json}}");
        for text in [plain.to_string(), fenced, wrapped] {
            let out = parse(&text, &fields()).unwrap();
            assert_eq!(out.reply, "Hola!");
            assert_eq!(out.fields.get("name").map(String::as_str), Some("Ana"));
            assert!(!out.fields.contains_key("email"), "null means not known");
            assert!(!out.truncated);
        }
    }

    #[test]
    fn cut_off_json_is_closed_and_marked() {
        let full = r#"{"reply":"Claro, te escribo mañana","fields":{"name":"Ana","email":"ana@x.es"},"qualified":true,"reason":"wants 3 units"}"#;
        // Every cut after the reply's value started still yields a reply.
        let reply_at = full.find("Claro").unwrap() + 1;
        for cut in reply_at..full.len() - 1 {
            if !full.is_char_boundary(cut) {
                continue;
            }
            let text = &full[..cut];
            let out =
                parse(text, &fields()).unwrap_or_else(|e| panic!("cut at {cut} ({text}): {e}"));
            assert!(out.truncated, "cut at {cut} must be marked as truncated");
            assert!(
                "Claro, te escribo mañana".starts_with(&out.reply),
                "{}",
                out.reply
            );
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "I can't help",
            "{",
            "{\"fields\":{}}",
            "{\"reply\": \"  \"}",
            "}{",
            "\u{200f}{\"reply\":",
            "🎉{🎉",
        ] {
            assert!(parse(text, &fields()).is_err(), "{text:?} must be refused");
        }
    }

    #[test]
    fn unknown_fields_and_odd_types_are_handled() {
        let text = r#"{"reply":"ok","fields":{"name":42,"email":"a@b.co","favourite":"x"},"qualified":"yes","reason":"","extra":[1,2]}"#;
        let out = parse(text, &fields()).unwrap();
        assert_eq!(out.fields.get("name").map(String::as_str), Some("42"));
        assert!(
            !out.fields.contains_key("favourite"),
            "only the owner's fields are kept"
        );
        assert!(out.qualified);
    }

    #[test]
    fn a_detail_that_is_the_prompts_own_words_is_not_kept() {
        let text = r#"{"reply":"ok","fields":{"name":"The customer's name","email":"Their email"},"qualified":false,"reason":""}"#;
        let out = parse(text, &fields()).unwrap();
        assert!(out.fields.is_empty(), "{:?}", out.fields);
    }

    #[test]
    fn the_schema_requires_every_property() {
        let schema = schema(&fields());
        assert_eq!(
            schema["required"],
            json!([
                "reply",
                "fields",
                "qualified",
                "reason",
                "criteria_met",
                "evidence"
            ])
        );
        assert_eq!(
            schema["properties"]["fields"]["required"],
            json!(["name", "email"])
        );
        assert_eq!(schema["additionalProperties"], json!(false));
    }
}
