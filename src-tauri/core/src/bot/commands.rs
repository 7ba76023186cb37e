//! Commands the owner sends from their own WhatsApp to itself: `!pause [duration]`,
//! `!resume`, `!status`, `!leads today`.

use crate::model::decision::OwnerCommand;

/// How long `!pause` lasts when no duration is given.
pub const DEFAULT_PAUSE_MINUTES: u32 = 12 * 60;
/// The longest pause a command can ask for (a month).
const MAX_PAUSE_MINUTES: u32 = 31 * 24 * 60;

/// The command `text` is; `None` for anything that isn't one (a note to self stays a note).
pub fn parse(text: &str) -> Option<OwnerCommand> {
    let text = text.trim().to_lowercase();
    let mut words = text.split_whitespace();
    let command = match words.next()? {
        "!pause" => OwnerCommand::Pause {
            minutes: match words.next() {
                None => DEFAULT_PAUSE_MINUTES,
                Some(duration) => parse_minutes(duration)?,
            },
        },
        "!resume" => OwnerCommand::Resume,
        "!status" => OwnerCommand::Status,
        "!leads" if words.next() == Some("today") => OwnerCommand::LeadsToday,
        _ => return None,
    };
    words.next().is_none().then_some(command)
}

/// `30m`, `2h`, `1d`, `90` (minutes).
fn parse_minutes(text: &str) -> Option<u32> {
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u32 = digits.parse().ok()?;
    let minutes = match unit {
        "" | "m" | "min" => n,
        "h" => n.checked_mul(60)?,
        "d" => n.checked_mul(24 * 60)?,
        _ => return None,
    };
    (1..=MAX_PAUSE_MINUTES)
        .contains(&minutes)
        .then_some(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    impl OwnerCommand {
        fn parse(text: &str) -> Option<OwnerCommand> {
            parse(text)
        }
    }

    #[test]
    fn commands_and_their_durations() {
        assert_eq!(
            OwnerCommand::parse("!pause"),
            Some(OwnerCommand::Pause { minutes: 720 })
        );
        assert_eq!(
            OwnerCommand::parse(" !PAUSE 2h "),
            Some(OwnerCommand::Pause { minutes: 120 })
        );
        assert_eq!(
            OwnerCommand::parse("!pause 45m"),
            Some(OwnerCommand::Pause { minutes: 45 })
        );
        assert_eq!(
            OwnerCommand::parse("!pause 1d"),
            Some(OwnerCommand::Pause { minutes: 1440 })
        );
        assert_eq!(OwnerCommand::parse("!resume"), Some(OwnerCommand::Resume));
        assert_eq!(OwnerCommand::parse("!status"), Some(OwnerCommand::Status));
        assert_eq!(
            OwnerCommand::parse("!leads today"),
            Some(OwnerCommand::LeadsToday)
        );
    }

    #[test]
    fn anything_else_is_not_a_command() {
        for text in [
            "pause",
            "!pause forever",
            "!pause 0h",
            "!pause 99999d",
            "!leads",
            "!leads tomorrow",
            "!resume now",
            "",
            "!",
            "!pause 9999999999999h",
            "¡pause",
        ] {
            assert_eq!(OwnerCommand::parse(text), None, "{text:?}");
        }
    }
}
