//! What the audit log records: one variant per kind of entry, with the values its sentence
//! is made of. An entry is stored with its kind's word, those values (so the window says it
//! in the owner's language: `audit.<kind>[.<variant>]`), and its English sentence, made from
//! the same dictionary, for anything that can't.

use crate::i18n::{self, Language};
use crate::text::Text;

crate::text_enum::text_enum! {
    /// The kind of an audit entry, as stored (and filtered by).
    pub enum ActivityKind {
        NumberAdded = "number_added",
        NumberLinked = "number_linked",
        NumberLoggedOut = "number_logged_out",
        NumberFailed = "number_failed",
        NumberRecovered = "number_recovered",
        NumberDuplicate = "number_duplicate",
        NumberLimited = "number_limited",
        NumberUnlinked = "number_unlinked",
        NumberRenamed = "number_renamed",
        NumberRemoved = "number_removed",
        WaVersion = "wa_version",
        WaFeaturesMissing = "wa_features_missing",
        MessageUnreadable = "message_unreadable",
        ChatPaused = "chat_paused",
        ChatResumed = "chat_resumed",
        ContactIgnored = "contact_ignored",
        Takeover = "takeover",
        HandedOver = "handed_over",
        OwnerCommand = "owner_command",
        BotsPaused = "bots_paused",
        ContactsImported = "contacts_imported",
        ContactsForgotten = "contacts_forgotten",
        AiFailed = "ai_failed",
        ReplyFailed = "reply_failed",
        WebhookDelivered = "webhook_delivered",
        WebhookFailed = "webhook_failed",
        BotSettings = "bot_settings",
        AiProvider = "ai_provider",
        BackupMade = "backup_made",
    }
}

/// What a change to the AI providers was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderChange {
    Added,
    Changed,
    Removed,
}

/// What changed in a number's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitChange {
    /// Messages to new contacts are refused (until a time, when known).
    Timelocked,
    /// The monthly cap on new chats is reached.
    Capped,
    /// No limit any more.
    Lifted,
}

/// One audit entry, with what its sentence says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    NumberAdded {
        name: String,
    },
    NumberLinked {
        name: String,
        phone: String,
    },
    NumberLoggedOut {
        name: String,
    },
    NumberFailed {
        name: String,
        reason: Text,
    },
    NumberRecovered {
        name: String,
    },
    /// WhatsApp began (or stopped) limiting the number's messages (§5.2). `until` is the
    /// timelock's end in the owner's local time, when WhatsApp gave one.
    NumberLimited {
        name: String,
        limit: LimitChange,
        until: Option<String>,
    },
    /// One WhatsApp account linked under two numbers: this one was stopped.
    NumberDuplicate {
        name: String,
        phone: String,
        answering: String,
    },
    NumberUnlinked {
        name: String,
    },
    NumberRenamed {
        from: String,
        name: String,
    },
    NumberRemoved {
        name: String,
        chats: i64,
        leads: i64,
    },
    /// The WhatsApp Web build a number's page runs, and whether the bridge was checked
    /// against it.
    WaVersion {
        name: String,
        version: String,
        tested: bool,
    },
    WaFeaturesMissing {
        name: String,
        features: String,
    },
    MessageUnreadable {
        name: String,
        phone: String,
    },
    ChatPaused,
    ChatResumed,
    /// The owner told the bot to leave a contact alone (or answer them again).
    ContactIgnored {
        ignored: bool,
    },
    /// The owner replied from the app; the bot stays quiet in that chat this long.
    Takeover {
        minutes: u32,
    },
    /// A customer sent what the assistant can't see, and the owner's setting leaves such a
    /// chat to them: the bot is paused there for the takeover time.
    HandedOver {
        phone: String,
        minutes: u32,
    },
    /// `!pause` from the owner's own WhatsApp.
    PausedFromWhatsApp {
        minutes: u32,
    },
    /// `!resume` from the owner's own WhatsApp.
    ResumedFromWhatsApp,
    /// "Pause all bots" turned on or off.
    BotsPaused {
        paused: bool,
    },
    ContactsImported {
        added: u32,
        skipped: u32,
    },
    ContactsForgotten {
        count: u32,
    },
    AiFailed {
        error: Text,
    },
    ReplyFailed {
        name: String,
        phone: String,
        error: Text,
    },
    WebhookDelivered {
        lead: String,
        status: u16,
    },
    WebhookFailed {
        lead: String,
        error: Text,
    },
    BotSettings,
    AiProvider {
        change: ProviderChange,
        provider: String,
    },
    BackupMade {
        file: String,
    },
}

impl Activity {
    pub fn kind(&self) -> ActivityKind {
        use ActivityKind as K;
        match self {
            Activity::NumberAdded { .. } => K::NumberAdded,
            Activity::NumberLinked { .. } => K::NumberLinked,
            Activity::NumberLoggedOut { .. } => K::NumberLoggedOut,
            Activity::NumberFailed { .. } => K::NumberFailed,
            Activity::NumberRecovered { .. } => K::NumberRecovered,
            Activity::NumberDuplicate { .. } => K::NumberDuplicate,
            Activity::NumberLimited { .. } => K::NumberLimited,
            Activity::NumberUnlinked { .. } => K::NumberUnlinked,
            Activity::NumberRenamed { .. } => K::NumberRenamed,
            Activity::NumberRemoved { .. } => K::NumberRemoved,
            Activity::WaVersion { .. } => K::WaVersion,
            Activity::WaFeaturesMissing { .. } => K::WaFeaturesMissing,
            Activity::MessageUnreadable { .. } => K::MessageUnreadable,
            Activity::ChatPaused => K::ChatPaused,
            Activity::ChatResumed => K::ChatResumed,
            Activity::ContactIgnored { .. } => K::ContactIgnored,
            Activity::Takeover { .. } => K::Takeover,
            Activity::HandedOver { .. } => K::HandedOver,
            Activity::PausedFromWhatsApp { .. } | Activity::ResumedFromWhatsApp => K::OwnerCommand,
            Activity::BotsPaused { .. } => K::BotsPaused,
            Activity::ContactsImported { .. } => K::ContactsImported,
            Activity::ContactsForgotten { .. } => K::ContactsForgotten,
            Activity::AiFailed { .. } => K::AiFailed,
            Activity::ReplyFailed { .. } => K::ReplyFailed,
            Activity::WebhookDelivered { .. } => K::WebhookDelivered,
            Activity::WebhookFailed { .. } => K::WebhookFailed,
            Activity::BotSettings => K::BotSettings,
            Activity::AiProvider { .. } => K::AiProvider,
            Activity::BackupMade { .. } => K::BackupMade,
        }
    }

    /// Which sentence of its kind it is (`audit.<kind>.<variant>`), if its kind has several.
    pub fn variant(&self) -> Option<&'static str> {
        let on_off = |on: bool| if on { "on" } else { "off" };
        Some(match self {
            Activity::WaVersion { tested, .. } => {
                if *tested {
                    "tested"
                } else {
                    "untested"
                }
            }
            Activity::ContactIgnored { ignored } => on_off(*ignored),
            Activity::NumberLimited { limit, until, .. } => match limit {
                LimitChange::Timelocked if until.is_some() => "timelocked_until",
                LimitChange::Timelocked => "timelocked",
                LimitChange::Capped => "capped",
                LimitChange::Lifted => "lifted",
            },
            Activity::BotsPaused { paused } => on_off(*paused),
            Activity::PausedFromWhatsApp { .. } => "pause",
            Activity::ResumedFromWhatsApp => "resume",
            Activity::AiProvider { change, .. } => match change {
                ProviderChange::Added => "added",
                ProviderChange::Changed => "changed",
                ProviderChange::Removed => "removed",
            },
            _ => return None,
        })
    }

    /// The plain values its sentence is made of, by name.
    pub fn values(&self) -> Vec<(&'static str, String)> {
        let name = |name: &String| ("name", name.clone());
        match self {
            Activity::NumberAdded { name: n }
            | Activity::NumberLoggedOut { name: n }
            | Activity::NumberRecovered { name: n }
            | Activity::NumberUnlinked { name: n }
            | Activity::NumberFailed { name: n, .. } => vec![name(n)],
            Activity::NumberLinked { name: n, phone }
            | Activity::MessageUnreadable { name: n, phone }
            | Activity::ReplyFailed { name: n, phone, .. } => {
                vec![name(n), ("phone", phone.clone())]
            }
            Activity::NumberDuplicate {
                name: n,
                phone,
                answering,
            } => vec![
                name(n),
                ("phone", phone.clone()),
                ("answering", answering.clone()),
            ],
            Activity::NumberRenamed { from, name: n } => vec![("from", from.clone()), name(n)],
            Activity::NumberLimited { name: n, until, .. } => match until {
                Some(until) => vec![name(n), ("until", until.clone())],
                None => vec![name(n)],
            },
            Activity::NumberRemoved {
                name: n,
                chats,
                leads,
            } => vec![
                name(n),
                ("chats", chats.to_string()),
                ("leads", leads.to_string()),
            ],
            Activity::WaVersion {
                name: n, version, ..
            } => {
                vec![name(n), ("version", version.clone())]
            }
            Activity::WaFeaturesMissing { name: n, features } => {
                vec![name(n), ("features", features.clone())]
            }
            Activity::Takeover { minutes } | Activity::PausedFromWhatsApp { minutes } => {
                vec![("minutes", minutes.to_string())]
            }
            Activity::ContactsImported { added, skipped } => vec![
                ("added", added.to_string()),
                ("skipped", skipped.to_string()),
            ],
            Activity::ContactsForgotten { count } => vec![("count", count.to_string())],
            Activity::HandedOver { phone, minutes } => {
                vec![("phone", phone.clone()), ("minutes", minutes.to_string())]
            }
            Activity::WebhookDelivered { lead, status } => {
                vec![("lead", lead.clone()), ("status", status.to_string())]
            }
            Activity::WebhookFailed { lead, .. } => vec![("lead", lead.clone())],
            Activity::AiProvider { provider, .. } => vec![("provider", provider.clone())],
            Activity::BackupMade { file } => vec![("file", file.clone())],
            Activity::ChatPaused
            | Activity::ChatResumed
            | Activity::ContactIgnored { .. }
            | Activity::ResumedFromWhatsApp
            | Activity::BotsPaused { .. }
            | Activity::AiFailed { .. }
            | Activity::BotSettings => Vec::new(),
        }
    }

    /// The value that is itself a sentence (a failure's reason), by name, if any.
    pub fn sentence(&self) -> Option<(&'static str, &Text)> {
        match self {
            Activity::NumberFailed { reason, .. } => Some(("reason", reason)),
            Activity::AiFailed { error }
            | Activity::ReplyFailed { error, .. }
            | Activity::WebhookFailed { error, .. } => Some(("error", error)),
            _ => None,
        }
    }

    /// Every value as stored: the plain ones, the variant, and a sentence's English, its
    /// key (`<name>_key`) and its values (`<name>_<value>`), so the window can say that part
    /// in the owner's language too.
    pub fn args(&self) -> Vec<(String, String)> {
        let mut args: Vec<(String, String)> = self
            .values()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect();
        if let Some(variant) = self.variant() {
            args.push(("variant".into(), variant.into()));
        }
        if let Some((name, text)) = self.sentence() {
            args.push((name.into(), text.english.clone()));
            args.push((format!("{name}_key"), text.key.clone()));
            args.extend(
                text.args
                    .iter()
                    .map(|(arg, value)| (format!("{name}_{arg}"), value.clone())),
            );
        }
        args
    }

    /// The dictionary key of its sentence.
    pub fn key(&self) -> String {
        match self.variant() {
            Some(variant) => format!("audit.{}.{variant}", self.kind()),
            None => format!("audit.{}", self.kind()),
        }
    }

    /// Its sentence in English, from the same dictionary the window says it from.
    pub fn english(&self) -> String {
        let mut values: Vec<(&str, String)> = self.values();
        if let Some((name, text)) = self.sentence() {
            values.push((name, text.english.clone()));
        }
        let args: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        i18n::say(Language::En, &self.key(), &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text;

    fn every() -> Vec<Activity> {
        let name = || "Shop".to_string();
        let reason = text!("test.timeout", "WhatsApp did not answer in time.");
        vec![
            Activity::NumberAdded { name: name() },
            Activity::NumberLinked {
                name: name(),
                phone: "+34600111222".into(),
            },
            Activity::NumberLoggedOut { name: name() },
            Activity::NumberFailed {
                name: name(),
                reason: reason.clone(),
            },
            Activity::NumberRecovered { name: name() },
            Activity::NumberLimited {
                name: name(),
                limit: LimitChange::Timelocked,
                until: Some("2026-12-08 14:00".into()),
            },
            Activity::NumberLimited {
                name: name(),
                limit: LimitChange::Timelocked,
                until: None,
            },
            Activity::NumberLimited {
                name: name(),
                limit: LimitChange::Capped,
                until: None,
            },
            Activity::NumberLimited {
                name: name(),
                limit: LimitChange::Lifted,
                until: None,
            },
            Activity::NumberDuplicate {
                name: name(),
                phone: "+34600111222".into(),
                answering: "Bikes".into(),
            },
            Activity::NumberUnlinked { name: name() },
            Activity::NumberRenamed {
                from: "Old".into(),
                name: name(),
            },
            Activity::NumberRemoved {
                name: name(),
                chats: 3,
                leads: 2,
            },
            Activity::WaVersion {
                name: name(),
                version: "2.3000.1".into(),
                tested: true,
            },
            Activity::WaVersion {
                name: name(),
                version: "2.3000.1".into(),
                tested: false,
            },
            Activity::WaFeaturesMissing {
                name: name(),
                features: "typing".into(),
            },
            Activity::MessageUnreadable {
                name: name(),
                phone: "+34600111222".into(),
            },
            Activity::ChatPaused,
            Activity::ChatResumed,
            Activity::ContactIgnored { ignored: true },
            Activity::ContactIgnored { ignored: false },
            Activity::Takeover { minutes: 720 },
            Activity::HandedOver {
                phone: "+34600111222".into(),
                minutes: 720,
            },
            Activity::PausedFromWhatsApp { minutes: 120 },
            Activity::ResumedFromWhatsApp,
            Activity::BotsPaused { paused: true },
            Activity::BotsPaused { paused: false },
            Activity::ContactsImported {
                added: 10,
                skipped: 1,
            },
            Activity::ContactsForgotten { count: 10 },
            Activity::AiFailed {
                error: reason.clone(),
            },
            Activity::ReplyFailed {
                name: name(),
                phone: "+34600111222".into(),
                error: reason.clone(),
            },
            Activity::WebhookDelivered {
                lead: "7".into(),
                status: 200,
            },
            Activity::WebhookFailed {
                lead: "7".into(),
                error: reason,
            },
            Activity::BotSettings,
            Activity::AiProvider {
                change: ProviderChange::Added,
                provider: "OpenAI".into(),
            },
            Activity::AiProvider {
                change: ProviderChange::Removed,
                provider: "OpenAI".into(),
            },
            Activity::BackupMade {
                file: "/tmp/b.db".into(),
            },
        ]
    }

    #[test]
    fn every_entry_has_its_sentence_in_the_dictionary_with_every_value_filled() {
        let mut kinds = std::collections::HashSet::new();
        for activity in every() {
            let english = activity.english();
            assert_ne!(english, activity.key(), "{:?} has no sentence", activity);
            assert!(!english.contains('{'), "a value left out: {english}");
            kinds.insert(activity.kind());
        }
        assert_eq!(
            kinds.len(),
            ActivityKind::ALL.len(),
            "every kind is covered"
        );
    }

    #[test]
    fn the_english_sentence_is_the_one_entries_were_stored_with() {
        let said = |a: Activity| a.english();
        assert_eq!(
            said(Activity::NumberAdded {
                name: "Shop".into()
            }),
            "Added number “Shop”"
        );
        assert_eq!(
            said(Activity::NumberRemoved {
                name: "Shop".into(),
                chats: 3,
                leads: 2
            }),
            "Removed number “Shop” with 3 conversations and 2 leads"
        );
        assert_eq!(
            said(Activity::ReplyFailed {
                name: "Shop".into(),
                phone: "+34611222333".into(),
                error: text!("test.broke", "it broke")
            }),
            "“Shop” could not answer +34611222333: it broke. Answer them on the phone."
        );
        assert_eq!(
            said(Activity::AiProvider {
                change: ProviderChange::Changed,
                provider: "Groq".into()
            }),
            "Changed the AI provider Groq"
        );
    }

    #[test]
    fn a_sentence_value_keeps_its_key_and_values_for_the_window() {
        let args = Activity::NumberFailed {
            name: "Shop".into(),
            reason: text!(
                "test.problem",
                "WhatsApp reported a problem ({state}).",
                state = "X"
            ),
        }
        .args();
        let get = |k: &str| args.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("name"), Some("Shop"));
        assert_eq!(get("reason"), Some("WhatsApp reported a problem (X)."));
        assert_eq!(get("reason_key"), Some("test.problem"));
        assert_eq!(get("reason_state"), Some("X"));
    }
}
