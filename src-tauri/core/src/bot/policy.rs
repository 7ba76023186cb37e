//! What the bot does with one customer message, decided in a fixed order, each outcome a
//! value the inbox row records: ignore (own, status, group, ignored or known contact) →
//! owner takeover → owner commands → caps and the loop guard → working hours → quick
//! replies → the AI. Pure: everything it needs is passed in, so every branch is testable.

use super::commands;
use super::rules::Rule;
use crate::model::behaviour::{Behaviour, OutsideHours, UnseenMedia};
use crate::model::decision::{Decision, Skip};
use crate::model::message_kind::MessageKind;

/// The message, as far as the policy cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming<'a> {
    /// Text, a photo, a voice note…: what the assistant can be shown (`arrived`).
    pub kind: MessageKind,
    /// Deleted for everyone by the customer before it was decided.
    pub deleted: bool,
    pub body: &'a str,
    pub from_me: bool,
    pub is_group: bool,
    pub is_status: bool,
    /// The owner wrote it to their own number (a note-to-self chat): commands come this way.
    pub to_self: bool,
    /// When WhatsApp says it was sent, unix ms.
    pub sent_at_ms: i64,
    /// The customer's earlier messages answered in the same turn include what the
    /// assistant can't see (a document sent just before these words).
    pub burst_unseen: bool,
}

/// What the policy knows about the chat and the number right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Situation {
    pub now_ms: i64,
    pub contact_ignored: bool,
    pub contact_known: bool,
    /// The bot is paused in this chat until then (owner takeover or by hand).
    pub paused_until_ms: Option<i64>,
    /// The owner paused the whole number until then (`!pause`).
    pub number_paused_until_ms: Option<i64>,
    /// The bot is switched off, or outside its scheduled on/off window, until then
    /// (`i64::MAX`: until the owner switches it on).
    pub bot_off_until_ms: Option<i64>,
    pub replies_to_contact_last_hour: u32,
    pub replies_by_number_today: u32,
    /// The other side answered our last replies within seconds, again and again: likely
    /// another bot. Worked out by `loop_suspected`.
    pub loop_suspected: bool,
    pub open: bool,
    /// The away message already went to this contact in this closed stretch.
    pub away_sent_this_stretch: bool,
    /// The number's model can see photos (`ai::vision::sees_images`).
    pub sees_photos: bool,
}

/// What a message is to the assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrived {
    /// Words (a voice note heard comes as its words).
    Text,
    /// Words about it are all the assistant needs: a place, a contact card.
    Described,
    /// A photo shown to a model that sees.
    Seen,
    /// What the assistant can't see: a video, a document, an audio file, a view-once, or a
    /// photo when the model can't see. The owner's setting decides.
    Unseen,
    /// Never a turn: a sticker, a voice note not heard, a kind Leadline can't read, an
    /// album (a marker: its photos and videos come as messages of their own).
    Never,
}

/// What `kind` is to the assistant, when the number's model sees photos or not.
pub fn arrived(kind: MessageKind, sees_photos: bool) -> Arrived {
    match kind {
        MessageKind::Text => Arrived::Text,
        MessageKind::Location | MessageKind::LiveLocation | MessageKind::Contact => {
            Arrived::Described
        }
        MessageKind::Image if sees_photos => Arrived::Seen,
        MessageKind::Image
        | MessageKind::Video
        | MessageKind::Document
        | MessageKind::Audio
        | MessageKind::ViewOnce => Arrived::Unseen,
        // A voice note is answered once heard (as its words); one not heard is the
        // owner's (`bot::hearing`).
        MessageKind::Voice
        | MessageKind::Sticker
        | MessageKind::Unsupported
        | MessageKind::Album => Arrived::Never,
    }
}

/// Decides what to do with `message`. `rules` are tried in order.
pub fn decide(
    message: &Incoming<'_>,
    situation: &Situation,
    behaviour: &Behaviour,
    rules: &[Rule],
) -> Decision {
    use Decision::Skip as S;
    if message.is_status {
        return S(Skip::Status);
    }
    if message.from_me {
        if message.to_self {
            if let Some(command) = commands::parse(message.body) {
                return Decision::Command(command);
            }
            return S(Skip::OwnMessage);
        }
        // The owner answered a customer from the phone: they are taking over this chat.
        let until_ms = situation.now_ms + i64::from(behaviour.takeover_minutes) * 60_000;
        return Decision::PauseChat { until_ms };
    }
    if message.deleted {
        return S(Skip::Deleted);
    }
    if message.is_group && !behaviour.answer_groups {
        return S(Skip::Group);
    }
    if situation.contact_ignored {
        return S(Skip::IgnoredContact);
    }
    if situation.contact_known && behaviour.ignore_known_contacts {
        return S(Skip::KnownContact);
    }
    let window_ms = i64::from(behaviour.freshness_hours) * 3_600_000;
    if situation.now_ms - message.sent_at_ms > window_ms {
        return S(Skip::TooOld);
    }
    let arrived = arrived(message.kind, situation.sees_photos);
    if arrived == Arrived::Never {
        // Kept for the owner in Conversations, never answered as if the assistant had seen
        // or heard it.
        return S(Skip::NotText);
    }
    if arrived == Arrived::Text && is_blank(message.body) {
        return S(Skip::Empty);
    }
    if let Some(until_ms) = situation.paused_until_ms.filter(|u| *u > situation.now_ms) {
        return S(Skip::TakenOver { until_ms });
    }
    if let Some(until_ms) = situation.bot_off_until_ms {
        return S(Skip::BotOff { until_ms });
    }
    if let Some(until_ms) = situation
        .number_paused_until_ms
        .filter(|u| *u > situation.now_ms)
    {
        return S(Skip::NumberPaused { until_ms });
    }
    if situation.loop_suspected {
        return S(Skip::LoopGuard);
    }
    if situation.replies_to_contact_last_hour >= behaviour.max_replies_per_contact_hour {
        return S(Skip::ContactCap);
    }
    if situation.replies_by_number_today >= behaviour.max_replies_per_number_day {
        return S(Skip::NumberCap);
    }
    let closed = !situation.open;
    match (closed, behaviour.outside_hours) {
        (true, OutsideHours::Silent) => return S(Skip::ClosedSilent),
        (false, OutsideHours::OnlyWhenClosed) => return S(Skip::OpenOwnerAnswers),
        (true, OutsideHours::AwayMessage) => {
            return if situation.away_sent_this_stretch {
                S(Skip::AwayAlreadySent)
            } else {
                Decision::Away {
                    text: behaviour.away_message.clone(),
                }
            };
        }
        _ => {}
    }
    let unseen = arrived == Arrived::Unseen || message.burst_unseen;
    if unseen && behaviour.unseen_media == UnseenMedia::HandOver {
        let until_ms = situation.now_ms + i64::from(behaviour.takeover_minutes) * 60_000;
        return Decision::HandOver { until_ms };
    }
    if let Some(rule) = rules.iter().find(|r| r.matches(message.body)) {
        return Decision::QuickReply {
            rule_id: rule.id,
            text: rule.reply.clone(),
        };
    }
    Decision::Ai { closed }
}

/// Nothing a person can read: whitespace and invisible marks (zero-width spaces and
/// joiners, direction marks, byte-order marks) only.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    })
}

/// Another bot answering ours at once makes a ping-pong: suspected when each of the last
/// `3` customer messages came within 5 seconds of our reply before it. `exchanges` holds
/// (our reply's time, their next message's time), newest last.
pub fn loop_suspected(exchanges: &[(i64, i64)]) -> bool {
    const ROUNDS: usize = 3;
    const INSTANT_MS: i64 = 5_000;
    exchanges.len() >= ROUNDS
        && exchanges[exchanges.len() - ROUNDS..]
            .iter()
            .all(|(ours, theirs)| (0..INSTANT_MS).contains(&(theirs - ours)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::decision::OwnerCommand;
    use crate::model::quick_reply::MatchKind;

    const NOW: i64 = 1_800_000_000_000;

    fn customer(body: &str) -> Incoming<'_> {
        Incoming {
            kind: MessageKind::Text,
            deleted: false,
            body,
            from_me: false,
            is_group: false,
            is_status: false,
            to_self: false,
            sent_at_ms: NOW - 1_000,
            burst_unseen: false,
        }
    }

    fn open() -> Situation {
        Situation {
            now_ms: NOW,
            open: true,
            ..Situation::default()
        }
    }

    fn decide_default(message: &Incoming<'_>, situation: &Situation) -> Decision {
        decide(message, situation, &Behaviour::default(), &[])
    }

    #[test]
    fn the_ignore_steps_come_first_in_order() {
        let status = Incoming {
            is_status: true,
            from_me: true,
            ..customer("x")
        };
        assert_eq!(
            decide_default(&status, &open()),
            Decision::Skip(Skip::Status)
        );
        let group = Incoming {
            is_group: true,
            ..customer("hola")
        };
        assert_eq!(decide_default(&group, &open()), Decision::Skip(Skip::Group));
        let groups_on = Behaviour {
            answer_groups: true,
            ..Behaviour::default()
        };
        assert_eq!(
            decide(&group, &open(), &groups_on, &[]),
            Decision::Ai { closed: false }
        );
        let ignored = Situation {
            contact_ignored: true,
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &ignored),
            Decision::Skip(Skip::IgnoredContact)
        );
        let known = Situation {
            contact_known: true,
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &known),
            Decision::Skip(Skip::KnownContact)
        );
        let old = Incoming {
            sent_at_ms: NOW - 13 * 3_600_000,
            ..customer("hola")
        };
        assert_eq!(decide_default(&old, &open()), Decision::Skip(Skip::TooOld));
        assert_eq!(
            decide_default(&customer(" \u{200b}\u{200f} "), &open()),
            Decision::Skip(Skip::Empty)
        );
    }

    #[test]
    fn the_owners_own_messages_pause_the_chat_or_are_commands() {
        let typed = Incoming {
            from_me: true,
            ..customer("I'll call you")
        };
        assert_eq!(
            decide_default(&typed, &open()),
            Decision::PauseChat {
                until_ms: NOW + 12 * 3_600_000
            }
        );
        let command = Incoming {
            from_me: true,
            to_self: true,
            ..customer("!pause 2h")
        };
        assert_eq!(
            decide_default(&command, &open()),
            Decision::Command(OwnerCommand::Pause { minutes: 120 })
        );
        let note = Incoming {
            from_me: true,
            to_self: true,
            ..customer("buy milk")
        };
        assert_eq!(
            decide_default(&note, &open()),
            Decision::Skip(Skip::OwnMessage)
        );
    }

    #[test]
    fn takeover_pause_caps_and_loop_guard_stop_the_bot() {
        let paused = Situation {
            paused_until_ms: Some(NOW + 1),
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &paused),
            Decision::Skip(Skip::TakenOver { until_ms: NOW + 1 })
        );
        let expired = Situation {
            paused_until_ms: Some(NOW - 1),
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &expired),
            Decision::Ai { closed: false }
        );
        let number = Situation {
            number_paused_until_ms: Some(NOW + 5),
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &number),
            Decision::Skip(Skip::NumberPaused { until_ms: NOW + 5 })
        );
        let off = Situation {
            bot_off_until_ms: Some(NOW + 9),
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &off),
            Decision::Skip(Skip::BotOff { until_ms: NOW + 9 })
        );
        let owner_while_off = Incoming {
            from_me: true,
            ..customer("ya te atiendo yo")
        };
        assert!(
            matches!(
                decide_default(&owner_while_off, &off),
                Decision::PauseChat { .. }
            ),
            "the owner's own replies still count as a takeover while the bot is off"
        );
        let capped = Situation {
            replies_to_contact_last_hour: 20,
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &capped),
            Decision::Skip(Skip::ContactCap)
        );
        let busy = Situation {
            replies_by_number_today: 500,
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &busy),
            Decision::Skip(Skip::NumberCap)
        );
        let looping = Situation {
            loop_suspected: true,
            ..open()
        };
        assert_eq!(
            decide_default(&customer("hola"), &looping),
            Decision::Skip(Skip::LoopGuard)
        );
    }

    #[test]
    fn outside_hours_each_mode() {
        let closed = Situation {
            open: false,
            ..open()
        };
        let with = |mode| Behaviour {
            outside_hours: mode,
            ..Behaviour::default()
        };
        assert!(matches!(
            decide(
                &customer("hola"),
                &closed,
                &with(OutsideHours::AwayMessage),
                &[]
            ),
            Decision::Away { .. }
        ));
        let sent = Situation {
            away_sent_this_stretch: true,
            ..closed.clone()
        };
        assert_eq!(
            decide(
                &customer("hola"),
                &sent,
                &with(OutsideHours::AwayMessage),
                &[]
            ),
            Decision::Skip(Skip::AwayAlreadySent)
        );
        assert_eq!(
            decide(
                &customer("hola"),
                &closed,
                &with(OutsideHours::AiClosed),
                &[]
            ),
            Decision::Ai { closed: true }
        );
        assert_eq!(
            decide(&customer("hola"), &closed, &with(OutsideHours::Silent), &[]),
            Decision::Skip(Skip::ClosedSilent)
        );
        assert_eq!(
            decide(
                &customer("hola"),
                &closed,
                &with(OutsideHours::OnlyWhenClosed),
                &[]
            ),
            Decision::Ai { closed: true }
        );
        assert_eq!(
            decide(
                &customer("hola"),
                &open(),
                &with(OutsideHours::OnlyWhenClosed),
                &[]
            ),
            Decision::Skip(Skip::OpenOwnerAnswers)
        );
    }

    #[test]
    fn quick_replies_come_before_the_ai_in_order() {
        let rules = [
            Rule::new(1, MatchKind::Keyword, "precio", "Our prices: …").unwrap(),
            Rule::new(2, MatchKind::Regex, r"(?i)\bhorario\b", "We open 10–20.").unwrap(),
        ];
        let price = decide(
            &customer("¿Qué PRECIO tiene?"),
            &open(),
            &Behaviour::default(),
            &rules,
        );
        assert_eq!(
            price,
            Decision::QuickReply {
                rule_id: 1,
                text: "Our prices: …".into()
            }
        );
        let hours = decide(
            &customer("Horario?"),
            &open(),
            &Behaviour::default(),
            &rules,
        );
        assert_eq!(
            hours,
            Decision::QuickReply {
                rule_id: 2,
                text: "We open 10–20.".into()
            }
        );
        assert_eq!(
            decide(&customer("hola"), &open(), &Behaviour::default(), &rules),
            Decision::Ai { closed: false }
        );
    }

    #[test]
    fn a_ping_pong_with_another_bot_is_suspected() {
        let instant = [(0, 1_000), (10_000, 11_500), (20_000, 20_300)];
        assert!(loop_suspected(&instant));
        let human = [(0, 1_000), (10_000, 40_000), (50_000, 50_300)];
        assert!(!loop_suspected(&human));
        assert!(!loop_suspected(&instant[..2]));
    }

    #[test]
    fn what_the_assistant_cant_see_is_answered_or_handed_over_as_the_owner_chose() {
        // Never a turn: a sticker, a voice note not heard, a kind Leadline can't read, an
        // album's marker.
        for kind in [
            MessageKind::Voice,
            MessageKind::Sticker,
            MessageKind::Unsupported,
            MessageKind::Album,
        ] {
            let never = Incoming {
                kind,
                ..customer("")
            };
            assert_eq!(
                decide(&never, &open(), &Behaviour::default(), &[]),
                Decision::Skip(Skip::NotText),
                "{kind}"
            );
        }
        let hand_over = Behaviour {
            unseen_media: UnseenMedia::HandOver,
            ..Behaviour::default()
        };
        let sees = Situation {
            sees_photos: true,
            ..open()
        };
        // A place or a card reads as words; a photo to a model that sees is shown: answered
        // whatever the setting, even without a caption.
        for (kind, situation) in [
            (MessageKind::Location, open()),
            (MessageKind::Contact, open()),
            (MessageKind::Image, sees.clone()),
        ] {
            let media = Incoming {
                kind,
                ..customer("")
            };
            assert_eq!(
                decide(&media, &situation, &hand_over, &[]),
                Decision::Ai { closed: false },
                "{kind}"
            );
        }
        // What it can't see: answered anyway by default, handed over when the owner chose.
        for kind in [
            MessageKind::Image,
            MessageKind::Video,
            MessageKind::Document,
            MessageKind::Audio,
            MessageKind::ViewOnce,
        ] {
            let unseen = Incoming {
                kind,
                ..customer("")
            };
            assert_eq!(
                decide(&unseen, &open(), &Behaviour::default(), &[]),
                Decision::Ai { closed: false },
                "{kind}"
            );
            assert_eq!(
                decide(&unseen, &open(), &hand_over, &[]),
                Decision::HandOver {
                    until_ms: NOW + i64::from(hand_over.takeover_minutes) * 60_000
                },
                "{kind}"
            );
        }
        // Words sent right after a document: the turn is the owner's too.
        let after_a_document = Incoming {
            burst_unseen: true,
            ..customer("¿precio por 10?")
        };
        assert!(matches!(
            decide(&after_a_document, &open(), &hand_over, &[]),
            Decision::HandOver { .. }
        ));
        // A paused chat stays paused: nothing is handed over twice.
        let paused = Situation {
            paused_until_ms: Some(NOW + 1),
            ..open()
        };
        let document = Incoming {
            kind: MessageKind::Document,
            ..customer("")
        };
        assert!(matches!(
            decide(&document, &paused, &hand_over, &[]),
            Decision::Skip(Skip::TakenOver { .. })
        ));
        // The owner's photo from the phone is still the owner taking over.
        let owners = Incoming {
            kind: MessageKind::Image,
            from_me: true,
            ..customer("")
        };
        assert!(matches!(
            decide(&owners, &open(), &Behaviour::default(), &[]),
            Decision::PauseChat { .. }
        ));
    }
}
