//! What `inject.js` sends through the CDP binding, and how a stream of it becomes account
//! states. The payload is JSON from a page we don't control: every field is optional and
//! anything unreadable is reported, never trusted.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::account::{AccountState, failure_reason};
use super::kinds::{PageFields, classify};
use super::message::{WaEvent, WaMessage};
use super::page::PageInfo;
use super::recent::RecentIds;
use crate::model::limits::Limits;
use crate::model::wa_id::phone_number;
use crate::text;

/// One report from the page. Parsed once and consumed at once (never queued or stored), so
/// its message variant's size costs nothing worth a box per field.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PageEvent {
    /// The script found the modules it can't work without; `version` is `Debug.VERSION`.
    Injected {
        version: Option<String>,
    },
    /// Which alternative each feature of the bridge resolved to (`None`: missing), once the
    /// late modules had their chance; `build` is `WAWebBuildConstants.VERSION_STR`.
    Features {
        #[serde(default)]
        features: BTreeMap<String, Option<String>>,
        build: Option<String>,
    },
    /// `Socket.state` / `Socket.hasSynced` changed.
    Socket {
        state: String,
        #[serde(default)]
        has_synced: bool,
    },
    /// The login QR string changed: render it as it is. `ref_` is the ref it carries and
    /// `ttl_ms` that ref's life (`Conn.refTTL`), when the page gave them.
    Qr {
        qr: Option<String>,
        #[serde(rename = "ref")]
        ref_: Option<String>,
        ttl_ms: Option<f64>,
    },
    /// Sync progress 0-100 while the phone sends history (read from the offline handler).
    Progress {
        percent: f64,
        count: Option<f64>,
    },
    /// The number this page is linked as (its phone id, else its linked id) and its LID.
    Me {
        me: String,
        lid: Option<String>,
    },
    Message {
        id: String,
        chat: String,
        from: Option<String>,
        author: Option<String>,
        #[serde(default)]
        from_me: bool,
        #[serde(rename = "type")]
        kind: Option<String>,
        body: Option<String>,
        /// What it carries besides its text (media, place, cards, the quote).
        #[serde(default)]
        fields: Box<PageFields>,
        timestamp: Option<i64>,
        push_name: Option<String>,
        /// The phone id behind an `@lid` chat, when the page knows it.
        chat_phone: Option<String>,
        /// The phone id behind an `@lid` group author, when the page knows it.
        author_phone: Option<String>,
        /// The sender's WhatsApp username (without "@"), when they have one (§5.3).
        username: Option<String>,
    },
    Ack {
        id: String,
        ack: i64,
    },
    /// A reported message was edited: its new text (a media message's caption).
    Edit {
        id: String,
        body: Option<String>,
    },
    /// A reported message was deleted for everyone (`id`: the original's).
    Revoke {
        id: String,
    },
    /// Someone reacted to a message (`text` empty: a reaction taken back).
    Reaction {
        parent: Option<String>,
        sender: Option<String>,
        text: Option<String>,
        /// Unix ms.
        timestamp: Option<f64>,
    },
    /// A message stayed unreadable (ciphertext) after a resend was asked for.
    Unreadable {
        id: String,
        chat: Option<String>,
    },
    /// The passkey step is pending (§5.1): its stage, and a verification code once it has
    /// stayed on screen for the owner to compare.
    Passkey {
        stage: Option<String>,
        code: Option<String>,
    },
    /// The passkey step is gone without a link (Cancel: the QR is back).
    PasskeyEnded,
    /// The passkey step failed (`shortcake_error`: "timeout", "server_error", …).
    PasskeyFailed {
        reason: Option<String>,
    },
    /// The account's limits as the page holds them (§5.2), whenever they change.
    Limits {
        #[serde(default)]
        timelocked: bool,
        ends_ms: Option<f64>,
        #[serde(default)]
        capped: bool,
    },
    /// A pairing code to type on the phone, valid until `expires_ms` (unix ms), when the
    /// page replaces it, `renewals_left` more times (§2).
    PairingCode {
        code: String,
        expires_ms: Option<f64>,
        #[serde(default)]
        renewals_left: u32,
    },
    /// The last pairing code ran out (or WhatsApp stopped the cycle): a new one only when
    /// the owner asks.
    PairingCodeExpired {
        reason: Option<String>,
    },
    /// Back to the QR from a pairing code.
    PairingCodeEnded,
    /// WhatsApp logged this device out.
    Logout,
    /// The page can't be driven: a core module is missing, the page never became ready.
    Failed {
        reason: String,
    },
    /// Something the driver should log: e.g. a renamed field it worked around.
    Warning {
        message: String,
    },
}

impl PageEvent {
    /// What kind of report this is, for logs (which never carry its content).
    pub fn kind(&self) -> &'static str {
        match self {
            PageEvent::Injected { .. } => "injected",
            PageEvent::Features { .. } => "features",
            PageEvent::Socket { .. } => "socket",
            PageEvent::Qr { .. } => "qr",
            PageEvent::Progress { .. } => "progress",
            PageEvent::Me { .. } => "me",
            PageEvent::Message { .. } => "message",
            PageEvent::Ack { .. } => "ack",
            PageEvent::Edit { .. } => "edit",
            PageEvent::Revoke { .. } => "revoke",
            PageEvent::Reaction { .. } => "reaction",
            PageEvent::Unreadable { .. } => "unreadable",
            PageEvent::Passkey { .. } => "passkey",
            PageEvent::PasskeyEnded => "passkey_ended",
            PageEvent::PasskeyFailed { .. } => "passkey_failed",
            PageEvent::Limits { .. } => "limits",
            PageEvent::PairingCode { .. } => "pairing_code",
            PageEvent::PairingCodeExpired { .. } => "pairing_code_expired",
            PageEvent::PairingCodeEnded => "pairing_code_ended",
            PageEvent::Logout => "logout",
            PageEvent::Failed { .. } => "failed",
            PageEvent::Warning { .. } => "warning",
        }
    }

    /// The report in `payload`; one over `MAX_REPORT_BYTES` is refused unread.
    pub fn parse(payload: &str) -> Result<PageEvent, UnreadableReport> {
        if payload.len() > MAX_REPORT_BYTES {
            return Err(UnreadableReport {
                kind: "too_large",
                why: format!("{} bytes, over {MAX_REPORT_BYTES}", payload.len()),
            });
        }
        serde_json::from_str(payload).map_err(|e| UnreadableReport {
            kind: kind_named(payload),
            // Where and what sort of error, never serde's message: it may quote a value.
            why: format!(
                "{:?} error at line {} column {}",
                e.classify(),
                e.line(),
                e.column()
            ),
        })
    }
}

/// The longest report the page may send: a message at WhatsApp's limit (65,536 characters,
/// each up to 4 bytes, some escaped) fits with room; the page refuses longer ones before
/// sending (`inject.js`), and so does this side.
pub const MAX_REPORT_BYTES: usize = 1 << 20;

/// A report that could not be read: its kind, and why, without its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableReport {
    pub kind: &'static str,
    pub why: String,
}

/// The kind a report names, if it is one this build knows.
fn kind_named(payload: &str) -> &'static str {
    #[derive(Deserialize)]
    struct Tagged {
        event: String,
    }
    const KNOWN: &[&str] = &[
        "injected",
        "features",
        "socket",
        "qr",
        "progress",
        "me",
        "message",
        "ack",
        "unreadable",
        "passkey",
        "passkey_ended",
        "passkey_failed",
        "logout",
        "failed",
        "warning",
    ];
    serde_json::from_str::<Tagged>(payload)
        .ok()
        .and_then(|tagged| KNOWN.iter().find(|k| **k == tagged.event).copied())
        .unwrap_or("unknown")
}

/// How long a QR lives before WhatsApp replaces it: the first ~60 s, later ones ~20 s.
const FIRST_QR_MS: i64 = 60_000;
const LATER_QR_MS: i64 = 20_000;

/// How many recent message ids are remembered to drop duplicates (WhatsApp Web sometimes
/// adds the same message twice, e.g. around a reconnect).
const REMEMBERED_IDS: usize = 4096;

/// Chats that are never conversations: status updates.
const STATUS_CHAT: &str = "status@broadcast";

/// Folds page events into the account's state.
#[derive(Debug)]
pub struct StateTracker {
    recent: RecentIds,
    socket: String,
    has_synced: bool,
    progress: u8,
    me: Option<String>,
    qrs_shown: u32,
    /// The ref of the QR shown now and when it expires (a ref keeps its life when its
    /// string is rebuilt, e.g. for a new ADV secret).
    qr_ref: Option<String>,
    qr_expires_at: i64,
    last_qr: Option<String>,
    logged_out: bool,
    failed: Option<String>,
    /// The passkey step while pending: its stage and verification code, if one is shown.
    passkey: Option<(Option<String>, Option<String>)>,
    /// Why the passkey step failed, until the owner tries again.
    passkey_failed: Option<Option<String>>,
    /// The pairing code shown while linking by code: the code (`None` once the last ran
    /// out), when it is replaced, and how many more times.
    pairing: Option<(Option<String>, i64, u8)>,
    version: Option<String>,
    last: Option<AccountState>,
}

impl Default for StateTracker {
    fn default() -> Self {
        StateTracker {
            recent: RecentIds::new(REMEMBERED_IDS),
            socket: String::new(),
            has_synced: false,
            progress: 0,
            me: None,
            qrs_shown: 0,
            qr_ref: None,
            qr_expires_at: 0,
            last_qr: None,
            logged_out: false,
            failed: None,
            passkey: None,
            passkey_failed: None,
            pairing: None,
            version: None,
            last: None,
        }
    }
}

/// A username as WhatsApp shows it, without "@" and never blank; at most 64 characters of
/// letters, digits, `.` and `_` (anything else is not a username the page would show).
fn username_of(raw: &str) -> Option<String> {
    let name = raw.trim().trim_start_matches('@');
    let valid = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '_');
    valid.then(|| name.to_string())
}

/// The sender's phone id: the author in a group, the chat otherwise; an `@lid` one only
/// when the page knows the phone behind it.
fn sender_phone(
    chat: &str,
    author: Option<&str>,
    chat_phone: Option<String>,
    author_phone: Option<String>,
) -> Option<String> {
    let (person, mapped) = if chat.ends_with("@g.us") {
        (author.unwrap_or_default(), author_phone)
    } else {
        (chat, chat_phone)
    };
    phone_number(person).or_else(|| mapped.as_deref().and_then(phone_number))
}

impl StateTracker {
    /// Applies `event` at `now_ms`; returns what to report, if anything changed.
    pub fn apply(&mut self, event: PageEvent, now_ms: i64) -> Vec<WaEvent> {
        let mut out = Vec::new();
        let mut qr = None;
        match event {
            PageEvent::Warning { .. } => {}
            // Reported with the features, once the late modules had their chance.
            PageEvent::Injected { version } => self.version = version,
            PageEvent::Features { features, build } => {
                let missing = features
                    .into_iter()
                    .filter(|(_, used)| used.is_none())
                    .map(|(name, _)| name)
                    .collect();
                out.push(WaEvent::Page(PageInfo::new(
                    self.version.clone(),
                    build,
                    missing,
                )));
            }
            PageEvent::Socket { state, has_synced } => {
                self.socket = state;
                self.has_synced = has_synced;
            }
            PageEvent::Qr {
                qr: Some(text),
                ref_,
                ttl_ms,
            } => {
                let same_ref = ref_.is_some() && ref_ == self.qr_ref;
                if !same_ref {
                    let life = match ttl_ms {
                        Some(ttl) if ttl.is_finite() && ttl > 0.0 => ttl.min(600_000.0) as i64,
                        _ if self.qrs_shown == 0 => FIRST_QR_MS,
                        _ => LATER_QR_MS,
                    };
                    self.qrs_shown += 1;
                    self.qr_ref = ref_;
                    self.qr_expires_at = now_ms.saturating_add(life);
                }
                qr = Some(text);
            }
            PageEvent::Qr { qr: None, .. } => {}
            PageEvent::Progress { percent, .. } => {
                if percent.is_finite() {
                    self.progress = percent.clamp(0.0, 100.0) as u8;
                }
            }
            PageEvent::Me { me, .. } => self.me = Some(me),
            message @ PageEvent::Message { .. } => {
                if let Some(message) = self.message(message, now_ms) {
                    out.push(WaEvent::Message(message));
                }
            }
            PageEvent::Edit { id, body } => out.push(WaEvent::Edited {
                id,
                text: body.unwrap_or_default(),
            }),
            PageEvent::Revoke { id } => out.push(WaEvent::Revoked { id }),
            PageEvent::Reaction {
                parent: Some(parent),
                sender,
                text,
                timestamp,
            } if !parent.is_empty() => out.push(WaEvent::Reaction {
                parent,
                from: sender.unwrap_or_default(),
                emoji: text.unwrap_or_default().chars().take(16).collect(),
                at_ms: timestamp
                    .filter(|t| t.is_finite() && *t > 0.0 && *t < 1.0e15)
                    .map_or(now_ms, |t| t as i64),
            }),
            PageEvent::Reaction { .. } => {}
            PageEvent::Ack { id, ack } => {
                out.push(WaEvent::Ack {
                    id,
                    ack: ack.clamp(-1, 4) as i8,
                });
            }
            PageEvent::Limits {
                timelocked,
                ends_ms,
                capped,
            } => out.push(WaEvent::Limits(Limits {
                timelocked,
                timelock_ends_at: ends_ms
                    .filter(|ms| timelocked && ms.is_finite() && *ms > 0.0 && *ms < 1.0e15)
                    .map(|ms| ms as i64),
                capped,
            })),
            PageEvent::Unreadable { id, chat } => out.push(WaEvent::Unreadable {
                id,
                chat: chat.unwrap_or_default(),
            }),
            event @ (PageEvent::Passkey { .. }
            | PageEvent::PasskeyEnded
            | PageEvent::PasskeyFailed { .. }
            | PageEvent::PairingCode { .. }
            | PageEvent::PairingCodeExpired { .. }
            | PageEvent::PairingCodeEnded) => self.apply_linking(event, now_ms),
            PageEvent::Logout => self.logged_out = true,
            PageEvent::Failed { reason } => self.failed = Some(reason),
        }
        let state = self.state(qr, now_ms);
        if let Some(state) = state {
            if self.last.as_ref() != Some(&state) {
                self.last = Some(state.clone());
                out.insert(0, WaEvent::State(state));
            }
        }
        out
    }

    /// The passkey step and the pairing code: what they say of linking.
    fn apply_linking(&mut self, event: PageEvent, now_ms: i64) {
        match event {
            PageEvent::Passkey { stage, code } => {
                self.passkey = Some((stage, code.filter(|c| !c.trim().is_empty())));
                self.passkey_failed = None;
            }
            PageEvent::PasskeyEnded => {
                self.passkey = None;
                self.passkey_failed = None;
            }
            PageEvent::PasskeyFailed { reason } => {
                self.passkey = None;
                self.passkey_failed = Some(reason);
            }
            PageEvent::PairingCode {
                code,
                expires_ms,
                renewals_left,
            } => {
                let expires_at = expires_ms
                    .filter(|ms| ms.is_finite() && *ms > 0.0 && *ms < 1.0e15)
                    .map_or(now_ms, |ms| ms as i64);
                let code = Some(code).filter(|c| !c.trim().is_empty());
                self.pairing = Some((code, expires_at, renewals_left.min(255) as u8));
            }
            PageEvent::PairingCodeExpired { .. } => {
                if let Some((code, expires_at, left)) = &mut self.pairing {
                    *code = None;
                    *expires_at = now_ms;
                    *left = 0;
                } else {
                    self.pairing = Some((None, now_ms, 0));
                }
            }
            PageEvent::PairingCodeEnded => self.pairing = None,
            _ => {}
        }
    }

    fn state(&mut self, qr: Option<String>, now_ms: i64) -> Option<AccountState> {
        if self.logged_out {
            return Some(AccountState::LoggedOut);
        }
        if let Some(reason) = &self.failed {
            return Some(AccountState::failed(text!(
                "wa.page_failed",
                "Leadline can't use WhatsApp Web right now ({detail}). It will try again.",
                detail = reason
            )));
        }
        if self.socket == "CONNECTED" {
            // Linked: whatever the passkey step or a pairing code said is over.
            self.passkey = None;
            self.passkey_failed = None;
            self.pairing = None;
        }
        if let Some(reason) = &self.passkey_failed {
            return Some(AccountState::failed(super::account::passkey_failure(
                reason.as_deref(),
            )));
        }
        if let Some((stage, code)) = &self.passkey {
            // Held from the first signal until linked, failed or cancelled: never a QR, never
            // a failure, whatever the socket says meanwhile.
            return Some(AccountState::Passkey {
                stage: stage.clone(),
                code: code.clone(),
            });
        }
        if let (Some((code, expires_at, renewals_left)), "UNPAIRED" | "UNPAIRED_IDLE") =
            (&self.pairing, self.socket.as_str())
        {
            // Linking by code: the code (or that it ran out), not the QR behind it.
            return Some(AccountState::PairingCode {
                code: code.clone(),
                expires_at: *expires_at,
                renewals_left: *renewals_left,
            });
        }
        match self.socket.as_str() {
            "" | "OPENING" | "UNLAUNCHED" | "PAIRING" | "CONNECTING" => {
                if self.me.is_some() && self.progress > 0 {
                    Some(AccountState::Syncing {
                        percent: self.progress,
                    })
                } else {
                    Some(AccountState::Starting)
                }
            }
            // The batch of codes ran out: the last one is shown as expired until the owner
            // asks for more (refresh_qr).
            "UNPAIRED_IDLE" => self.last_qr.clone().map(|qr| AccountState::ScanQr {
                qr,
                expires_at: now_ms.min(self.qr_expires_at),
            }),
            "UNPAIRED" => match qr {
                Some(qr) => {
                    self.last_qr = Some(qr.clone());
                    Some(AccountState::ScanQr {
                        qr,
                        expires_at: self.qr_expires_at,
                    })
                }
                // Between codes: keep what is shown until the page says more.
                None => self.last.clone(),
            },
            "CONNECTED" => match (&self.me, self.has_synced) {
                (Some(me), true) => Some(AccountState::Working { me: me.clone() }),
                _ => Some(AccountState::Syncing {
                    percent: self.progress,
                }),
            },
            other => Some(AccountState::Failed {
                reason: failure_reason(other),
                open_elsewhere: other == "CONFLICT",
            }),
        }
    }

    /// A message the page reported, as Leadline keeps it; `None` for a system notice, a
    /// status update, or one reported before.
    fn message(&mut self, event: PageEvent, now_ms: i64) -> Option<WaMessage> {
        let PageEvent::Message {
            id,
            chat,
            from,
            author,
            from_me,
            kind,
            body,
            fields,
            timestamp,
            push_name,
            chat_phone,
            author_phone,
            username,
        } = event
        else {
            return None;
        };
        // Every kind a person sends is kept; system notices and add-ons are not.
        let classified = classify(
            kind.as_deref().unwrap_or("chat"),
            fields.subtype.as_deref(),
            body.as_deref().unwrap_or_default(),
            &fields,
        );
        let (kind, text, details) = classified?;
        if chat == STATUS_CHAT || !self.recent.insert(&id) {
            return None;
        }
        {
            let phone = sender_phone(&chat, author.as_deref(), chat_phone, author_phone);
            let from = author.or(from).unwrap_or_else(|| chat.clone());
            Some(WaMessage {
                id,
                chat,
                from,
                from_me,
                kind,
                body: text,
                details: Box::new(details),
                timestamp: timestamp.unwrap_or(now_ms / 1000),
                push_name: push_name.filter(|n| !n.is_empty()),
                phone,
                username: username.as_deref().and_then(username_of),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::message_kind::MessageKind;

    fn socket(state: &str, has_synced: bool) -> PageEvent {
        PageEvent::Socket {
            state: state.into(),
            has_synced,
        }
    }

    fn states(events: Vec<WaEvent>) -> Vec<AccountState> {
        events
            .into_iter()
            .filter_map(|e| match e {
                WaEvent::State(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_login_walks_from_qr_to_working() {
        let mut t = StateTracker::default();
        assert_eq!(
            states(t.apply(socket("OPENING", false), 0)),
            vec![AccountState::Starting]
        );
        assert_eq!(
            states(t.apply(socket("UNPAIRED", false), 0)),
            vec![],
            "no QR yet, nothing new"
        );
        let first = states(t.apply(
            PageEvent::Qr {
                qr: Some("ref1,a,b,c,d".into()),
                ref_: None,
                ttl_ms: None,
            },
            1_000,
        ));
        assert_eq!(
            first,
            vec![AccountState::ScanQr {
                qr: "ref1,a,b,c,d".into(),
                expires_at: 61_000
            }]
        );
        let second = states(t.apply(
            PageEvent::Qr {
                qr: Some("ref2,a,b,c,d".into()),
                ref_: None,
                ttl_ms: None,
            },
            2_000,
        ));
        assert_eq!(
            second,
            vec![AccountState::ScanQr {
                qr: "ref2,a,b,c,d".into(),
                expires_at: 22_000
            }]
        );
        assert_eq!(
            states(t.apply(socket("PAIRING", false), 3_000)),
            vec![AccountState::Starting]
        );
        t.apply(
            PageEvent::Me {
                me: "15550001@c.us".into(),
                lid: None,
            },
            3_000,
        );
        let syncing = states(t.apply(
            PageEvent::Progress {
                percent: 40.0,
                count: None,
            },
            3_000,
        ));
        assert_eq!(syncing, vec![AccountState::Syncing { percent: 40 }]);
        let working = states(t.apply(socket("CONNECTED", true), 4_000));
        assert_eq!(
            working,
            vec![AccountState::Working {
                me: "15550001@c.us".into()
            }]
        );
    }

    #[test]
    fn failure_states_and_logout_are_told_in_plain_words() {
        let mut t = StateTracker::default();
        let conflict = states(t.apply(socket("CONFLICT", false), 0));
        assert!(
            matches!(&conflict[..], [AccountState::Failed { reason, open_elsewhere: true }] if reason.english.contains("another computer"))
        );
        assert_eq!(
            states(t.apply(PageEvent::Logout, 0)),
            vec![AccountState::LoggedOut]
        );
    }

    #[test]
    fn a_pairing_code_is_its_own_state_until_the_qr_is_back_and_limits_are_reported() {
        let mut t = StateTracker::default();
        t.apply(
            PageEvent::Socket {
                state: "UNPAIRED".into(),
                has_synced: false,
            },
            0,
        );
        let code = |code: Option<&str>, expires_at: i64, renewals_left: u8| {
            vec![WaEvent::State(AccountState::PairingCode {
                code: code.map(str::to_string),
                expires_at,
                renewals_left,
            })]
        };
        let out = t.apply(
            PageEvent::PairingCode {
                code: "ABCD1234".into(),
                expires_ms: Some(195_000.0),
                renewals_left: 5,
            },
            0,
        );
        assert_eq!(out, code(Some("ABCD1234"), 195_000, 5));
        // The QR behind the code is not shown meanwhile.
        let qr = PageEvent::Qr {
            qr: Some("2@ref,a,b,c,1".into()),
            ref_: Some("2@ref".into()),
            ttl_ms: None,
        };
        assert!(t.apply(qr.clone(), 10).is_empty());
        let out = t.apply(PageEvent::PairingCodeExpired { reason: None }, 20);
        assert_eq!(out, code(None, 20, 0));
        t.apply(PageEvent::PairingCodeEnded, 30);
        assert!(matches!(
            t.apply(qr, 40).as_slice(),
            [WaEvent::State(AccountState::ScanQr { .. })]
        ));

        let limits = t.apply(
            PageEvent::Limits {
                timelocked: true,
                ends_ms: Some(1.8e12),
                capped: false,
            },
            50,
        );
        assert_eq!(
            limits,
            vec![WaEvent::Limits(Limits {
                timelocked: true,
                timelock_ends_at: Some(1_800_000_000_000),
                capped: false,
            })]
        );
        // An end without a timelock, or a garbage one, is no end.
        for (timelocked, ends_ms) in [
            (false, Some(1.8e12)),
            (true, Some(f64::NAN)),
            (true, Some(-5.0)),
        ] {
            let out = t.apply(
                PageEvent::Limits {
                    timelocked,
                    ends_ms,
                    capped: true,
                },
                60,
            );
            assert!(
                matches!(out.as_slice(), [WaEvent::Limits(l)] if l.timelock_ends_at.is_none() && l.capped),
                "{out:?}"
            );
        }
    }

    #[test]
    fn the_passkey_step_is_its_own_state_until_linked_failed_or_cancelled() {
        let mut t = StateTracker::default();
        t.apply(socket("UNPAIRED", false), 0);
        t.apply(
            PageEvent::Qr {
                qr: Some("2@ref,a,b,c,1".into()),
                ref_: Some("2@ref".into()),
                ttl_ms: None,
            },
            0,
        );
        let pending = PageEvent::Passkey {
            stage: Some("NotStarted".into()),
            code: None,
        };
        assert_eq!(
            states(t.apply(pending, 10)),
            vec![AccountState::Passkey {
                stage: Some("NotStarted".into()),
                code: None
            }]
        );
        // The refs run out meanwhile: still the passkey step, never an expired QR.
        assert!(states(t.apply(socket("UNPAIRED_IDLE", false), 20)).is_empty());
        let coded = PageEvent::Passkey {
            stage: Some("WaitingForVerificationCodeConfirmation".into()),
            code: Some("K7Q2M9XA".into()),
        };
        assert_eq!(
            states(t.apply(coded, 30)),
            vec![AccountState::Passkey {
                stage: Some("WaitingForVerificationCodeConfirmation".into()),
                code: Some("K7Q2M9XA".into())
            }]
        );
        let failed = states(t.apply(
            PageEvent::PasskeyFailed {
                reason: Some("timeout".into()),
            },
            40,
        ));
        assert!(
            matches!(&failed[..], [AccountState::Failed { reason, .. }] if reason.key == "wa.passkey_timeout"),
            "{failed:?}"
        );
        // Cancelled: the QR screen is back.
        t.apply(PageEvent::PasskeyEnded, 50);
        let back = states(t.apply(
            PageEvent::Qr {
                qr: Some("2@next,a,b,d,1".into()),
                ref_: Some("2@next".into()),
                ttl_ms: None,
            },
            60,
        ));
        let _ = back;
        t.apply(socket("UNPAIRED", false), 61);
        assert!(
            matches!(t.last, Some(AccountState::ScanQr { .. })),
            "{:?}",
            t.last
        );
        // Linked after a passkey: Working.
        t.apply(
            PageEvent::Passkey {
                stage: None,
                code: None,
            },
            70,
        );
        t.apply(
            PageEvent::Me {
                me: "1@c.us".into(),
                lid: None,
            },
            80,
        );
        assert_eq!(
            states(t.apply(socket("CONNECTED", true), 90)),
            vec![AccountState::Working {
                me: "1@c.us".into()
            }]
        );
    }

    #[test]
    fn unreadable_reports_are_errors_not_panics() {
        for payload in [
            "",
            "{",
            "null",
            "{\"event\":\"message\"}",
            "{\"event\":\"nope\"}",
            "\u{202e}💥",
        ] {
            assert!(
                PageEvent::parse(payload).is_err(),
                "{payload:?} must be refused"
            );
        }
    }

    #[test]
    fn an_unreadable_report_is_told_by_its_kind_never_its_words() {
        let words = "Soy Ana García, mi tarjeta es 4111";
        let wrong_type = format!(
            "{{\"event\":\"message\",\"id\":\"false_1@c.us_A\",\"chat\":\"1@c.us\",\"body\":7,\"timestamp\":\"{words}\"}}"
        );
        let unreadable = PageEvent::parse(&wrong_type).unwrap_err();
        assert_eq!(unreadable.kind, "message");
        assert!(!unreadable.why.contains("Ana"), "{}", unreadable.why);
        let cut = format!("{{\"event\":\"message\",\"body\":\"{words}");
        let unreadable = PageEvent::parse(&cut).unwrap_err();
        assert!(!unreadable.why.contains("Ana"), "{}", unreadable.why);
        assert_eq!(
            PageEvent::parse("{\"event\":\"nope\"}").unwrap_err().kind,
            "unknown"
        );
        // Over the bound, refused before it is parsed.
        let huge = format!(
            "{{\"event\":\"warning\",\"message\":\"{}\"}}",
            "x".repeat(MAX_REPORT_BYTES)
        );
        assert_eq!(PageEvent::parse(&huge).unwrap_err().kind, "too_large");
    }

    #[test]
    fn every_kind_a_person_sends_becomes_a_message_system_notices_dont_and_acks_are_clamped() {
        let mut t = StateTracker::default();
        let message = |kind: &str| PageEvent::Message {
            id: format!("false_1@c.us_{kind}"),
            chat: "1@c.us".into(),
            from: Some("1@c.us".into()),
            author: None,
            from_me: false,
            kind: Some(kind.into()),
            body: Some("hola".into()),
            fields: Box::default(),
            timestamp: Some(10),
            push_name: Some(String::new()),
            chat_phone: None,
            author_phone: None,
            username: None,
        };
        let mut status = message("chat");
        if let PageEvent::Message { chat, id, .. } = &mut status {
            *chat = "status@broadcast".into();
            *id = "false_status@broadcast_S".into();
        }
        assert!(
            t.apply(status, 0)
                .iter()
                .all(|e| !matches!(e, WaEvent::Message(_))),
            "status updates are not chats"
        );
        let text = t.apply(message("chat"), 0);
        assert!(text.iter().any(
            |e| matches!(e, WaEvent::Message(m) if m.body == "hola" && m.push_name.is_none())
        ));
        assert!(
            t.apply(message("image"), 0).iter().any(
                |e| matches!(e, WaEvent::Message(m) if m.kind == MessageKind::Image && m.body.is_empty())
            ),
            "a photo is a message; its body is a thumbnail, not text"
        );
        for notice in ["gp2", "e2e_notification", "call_log", "protocol"] {
            assert!(
                !t.apply(message(notice), 0)
                    .iter()
                    .any(|e| matches!(e, WaEvent::Message(_))),
                "{notice} is not a message anyone wrote"
            );
        }
        assert!(
            !t.apply(message("chat"), 0)
                .iter()
                .any(|e| matches!(e, WaEvent::Message(_))),
            "the same message twice must be reported once"
        );
        let ack = t.apply(
            PageEvent::Ack {
                id: "x".into(),
                ack: 99,
            },
            0,
        );
        assert!(ack.contains(&WaEvent::Ack {
            id: "x".into(),
            ack: 4
        }));
    }
}
