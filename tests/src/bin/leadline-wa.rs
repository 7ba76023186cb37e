//! `leadline-wa`: the WhatsApp driver without the app, for debugging against the real site
//! and for scripted checks. Not shipped.
//!
//!   leadline-wa --wa-url URL --profile DIR [--chrome PATH] [--pair-phone NUMBER]
//!
//! Prints one JSON object per line on stdout (states, messages, acks, sends) and reads one
//! JSON command per line on stdin: {"cmd":"send","chat":…,"text":…}, {"cmd":"logout"},
//! {"cmd":"quit"}. Exits 0 on quit, after stopping its browser.
//!
//! Fields added for the 2026-08 bridge: state lines carry `wa_version`, `wa_version_tested`
//! and `wa_missing` once the page reported them; message lines `phone` (an @lid sender's
//! number when WhatsApp knows it); an ack line with `"ack": -1, "delivered": false` and a
//! `reason` (`refused` / `no_server_ack`) for a send the server never took; an error line
//! with `"unreadable": true` for a message that stayed encrypted; a refused send's error
//! line names the message's `id`.
//!
//! Fields added for the 2026-12 bridge (WHATSAPP_WEB.md §5): while WhatsApp's passkey step
//! is pending, state lines `{"event":"state","state":"passkey","stage":…,"code":…}` (`code`
//! once the page shows a verification code for the owner to compare); a command
//! `{"cmd":"confirm_code"}` confirms it; with a screen a number links in a visible window
//! and starts again headless once linked (a state line `Starting` follows `Working`). The
//! test-only flag `--test-virtual-authenticator` gives the page a CDP virtual authenticator
//! with a fresh passkey and prints `{"event":"test_authenticator","credential_id":…,
//! "public_key":…,"rp_id":"localhost"}` (base64url; the public key an uncompressed P-256
//! point) for the check to register with its fake; it is refused unless the WhatsApp
//! address is on this computer.
//!
//! Also for 2026-12: state lines carry `limits` (`{"timelocked":…,"timelock_ends_at":…,
//! "capped":…}`, unix ms) once the page said what WhatsApp limits for the account, and
//! are printed again when that changes; a send refused for those limits is an error line
//! with `"refused": "timelocked" | "capped" | "refused"` (and its `id` when the page made
//! the message; none when it was not attempted), never retried; message lines carry
//! `username` (without "@") when the sender has one.
//!
//! Fields added for media (WHATSAPP_WEB_MEDIA.md 2026-12): every message line carries
//! `kind` (`chat`, `image`, `video`, `voice` for a voice note, `audio`, `document`,
//! `sticker`, `location`, `live_location`, `contact`, `view_once`, `album`, `unsupported`)
//! and, when the message has them, `caption` (a photo's, video's or document's text, also
//! in `body`), `mimetype`, `filename`, `size` (bytes), `duration` (seconds), `lat`, `lng`,
//! `name` (a place's name and address), `vcards` (`[{"name":…,"vcard":…}]`), `quoted`
//! (`{"id":…,"body":…}`: the short id and text of the message a reply quotes) and `type`
//! (WhatsApp's word for an unsupported kind). System notices are never message lines.
//! Lines for what happens to a message later: `{"event":"edit","id":…,"body":…}` (its new
//! text; a media message's caption), `{"event":"revoke","id":…}` (deleted for everyone),
//! `{"event":"reaction","id":…,"from":…,"emoji":…,"timestamp":…}` (`id` the message reacted
//! to; `emoji` empty when taken back; unix ms).
//! A command `{"cmd":"download","id":…,"to":PATH}` writes a media message's file to PATH and
//! answers `{"event":"downloaded","id":…,"bytes":N,"sha256":…}` (hex), or an error line
//! with the `id` and a `reason`: `expired`, `not_on_phone`, `timeout` (the phone did not
//! upload expired media again within 30 s, or the file did not come within 270 s more: the
//! page's fetch is then stopped), `too_large` (over 100 MiB), `refused_type`,
//! `hash_mismatch` or `failed`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use leadline_core::clock::SystemClock;
use leadline_core::model::limits::Limits;
use leadline_core::model::message_kind::MessageKind;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::browser;
use leadline_core::whatsapp::chromium::{ChromiumDriver, Session};
use leadline_core::whatsapp::error::WaError;
use leadline_core::whatsapp::media::REUPLOAD_WAIT_MS;
use leadline_core::whatsapp::message::{WaEvent, WaMessage};
use leadline_core::whatsapp::page::{DEFAULT_URL, PageInfo};
use leadline_core::whatsapp::window;
use leadline_tests::fakes::whatsapp_web::passkey::{self, TestPasskey};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

struct Args {
    url: String,
    profile: PathBuf,
    chrome: Option<PathBuf>,
    pair_phone: Option<String>,
    test_authenticator: bool,
}

const USAGE: &str = "usage: leadline-wa --wa-url URL --profile DIR [--chrome PATH] [--pair-phone NUMBER] [--test-virtual-authenticator]";

fn parse_args() -> Result<Args, String> {
    let mut url = DEFAULT_URL.to_string();
    let mut profile = None;
    let mut chrome = None;
    let mut pair_phone = None;
    let mut test_authenticator = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--wa-url" => url = value()?,
            "--profile" => profile = Some(PathBuf::from(value()?)),
            "--chrome" => chrome = Some(PathBuf::from(value()?)),
            "--pair-phone" => pair_phone = Some(value()?),
            "--test-virtual-authenticator" => test_authenticator = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let profile = profile.ok_or_else(|| format!("--profile is required\n{USAGE}"))?;
    Ok(Args {
        url,
        profile,
        chrome,
        pair_phone,
        test_authenticator,
    })
}

fn say(line: Value) {
    println!("{line}");
}

/// A state line; once the page said which WhatsApp Web it is, with `wa_version`,
/// `wa_version_tested` and `wa_missing` (the bridge's features it lacks). The passkey
/// step's state is `passkey`, with its `stage` and `code`.
fn state_line(state: &AccountState, page: Option<&PageInfo>, limits: Option<&Limits>) -> Value {
    let mut line = serde_json::to_value(state).unwrap_or_else(|_| json!({}));
    if let AccountState::Passkey { .. } = state {
        line["state"] = json!("passkey");
    }
    line["event"] = json!("state");
    if let Some(page) = page {
        line["wa_version"] = json!(page.version);
        line["wa_version_tested"] = json!(page.tested);
        line["wa_missing"] = json!(page.missing);
    }
    // WhatsApp's limits on the account (§5.2), once the page has said.
    if let Some(limits) = limits {
        line["limits"] = json!({
            "timelocked": limits.timelocked,
            "timelock_ends_at": limits.timelock_ends_at,
            "capped": limits.capped,
        });
    }
    line
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let chrome = match browser::find(args.chrome.as_deref()) {
        Ok(path) => path,
        Err(e) => {
            say(json!({ "event": "state", "state": "Failed", "reason": e.to_string() }));
            return ExitCode::from(1);
        }
    };
    let mut driver = ChromiumDriver::new(chrome, args.url.clone());
    // Like the app: with a screen, a number links in a visible window.
    driver.visible = window::visible_links(args.chrome.as_deref());
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let mut asked_for_code = false;
    let mut page: Option<PageInfo> = None;
    let mut limits: Option<Limits> = None;
    let mut last_state: Option<AccountState> = None;
    let mut first = true;
    // One session; again (headless) when a link in a visible window asks for it.
    loop {
        let (tx, mut events) = mpsc::unbounded_channel();
        let session = match driver.start(&args.profile, tx, Arc::new(SystemClock)).await {
            Ok(session) => session,
            Err(e) => {
                say(json!({ "event": "state", "state": "Failed", "reason": e.to_string() }));
                return ExitCode::from(1);
            }
        };
        if args.test_authenticator && first {
            let passkey = TestPasskey::generate();
            match session
                .attach_test_authenticator(passkey.credential_id.clone(), passkey.pkcs8.clone())
                .await
            {
                Ok(()) => say(json!({
                    "event": "test_authenticator",
                    "credential_id": URL_SAFE_NO_PAD.encode(&passkey.credential_id),
                    "public_key": URL_SAFE_NO_PAD.encode(&passkey.public_key),
                    "rp_id": passkey::RP_ID,
                })),
                Err(e) => {
                    say(json!({ "event": "error", "message": e.to_string() }));
                    session.stop().await;
                    return ExitCode::from(2);
                }
            }
        }
        first = false;
        let relaunch = loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(WaEvent::State(state)) => {
                        if let (AccountState::ScanQr { .. }, Some(phone), false) = (&state, &args.pair_phone, asked_for_code) {
                            asked_for_code = true;
                            match session.pairing_code(phone).await {
                                Ok(code) => say(json!({ "event": "pairing_code", "code": code })),
                                Err(e) => say(json!({ "event": "error", "message": e.to_string() })),
                            }
                        }
                        say(state_line(&state, page.as_ref(), limits.as_ref()));
                        last_state = Some(state);
                    }
                    // Told as a state line with the new limits.
                    Some(WaEvent::Limits(now)) => {
                        limits = Some(now);
                        if let Some(state) = &last_state {
                            say(state_line(state, page.as_ref(), limits.as_ref()));
                        }
                    }
                    Some(WaEvent::Relaunch) => break true,
                    Some(WaEvent::Message(m)) => say(message_line(&m)),
                    Some(WaEvent::Ack { id, ack }) => say(json!({ "event": "ack", "id": id, "ack": ack })),
                    Some(WaEvent::Edited { id, text }) => say(json!({ "event": "edit", "id": id, "body": text })),
                    Some(WaEvent::Revoked { id }) => say(json!({ "event": "revoke", "id": id })),
                    Some(WaEvent::Reaction { parent, from, emoji, at_ms }) => say(json!({
                        "event": "reaction", "id": parent, "from": from, "emoji": emoji, "timestamp": at_ms,
                    })),
                    // Told with the next state lines (the protocol's events stay as they are).
                    Some(WaEvent::Page(info)) => page = Some(info),
                    // A send the server never took is an error ack, with why.
                    Some(WaEvent::NotDelivered { id, reason }) => say(json!({
                        "event": "ack", "id": id, "ack": -1, "delivered": false, "reason": reason,
                    })),
                    Some(WaEvent::Unreadable { id, chat }) => say(json!({
                        "event": "error", "message": "a message could not be decrypted; read it on the phone",
                        "id": id, "chat": chat, "unreadable": true,
                    })),
                    None => {
                        say(json!({ "event": "state", "state": "Failed", "reason": "the browser stopped" }));
                        session.stop().await;
                        return ExitCode::from(1);
                    }
                },
                line = stdin.next_line() => {
                    let line = match line {
                        Ok(Some(line)) => line,
                        // End of input means the caller is gone: stop like quit.
                        Ok(None) | Err(_) => break false,
                    };
                    if line.trim().is_empty() {
                        continue;
                    }
                    let command: Value = match serde_json::from_str(&line) {
                        Ok(command) => command,
                        Err(e) => {
                            say(json!({ "event": "error", "message": format!("not a JSON command: {e}") }));
                            continue;
                        }
                    };
                    match command["cmd"].as_str() {
                        Some("send") => {
                            let (Some(chat), Some(text)) = (command["chat"].as_str(), command["text"].as_str()) else {
                                say(json!({ "event": "error", "message": "send needs chat and text" }));
                                continue;
                            };
                            match session.send_text(chat, text).await {
                                Ok(id) => say(json!({ "event": "sent", "id": id })),
                                Err(e) => {
                                    let mut line = json!({ "event": "error", "message": e.to_string() });
                                    // A send WhatsApp refused still names the message it made.
                                    match &e {
                                        WaError::SendRefused { id, .. } => line["id"] = json!(id),
                                        // Refused for the account's limits: why, and never retried.
                                        WaError::Limited { id, refusal } => {
                                            line["refused"] = json!(refusal.as_str());
                                            if let Some(id) = id {
                                                line["id"] = json!(id);
                                            }
                                        }
                                        _ => {}
                                    }
                                    say(line)
                                }
                            }
                        }
                        Some("confirm_code") => {
                            if let Err(e) = session.confirm_passkey_code().await {
                                say(json!({ "event": "error", "message": e.to_string() }));
                            }
                        }
                        Some("logout") => {
                            if let Err(e) = session.logout().await {
                                say(json!({ "event": "error", "message": e.to_string() }));
                            }
                        }
                        Some("download") => {
                            let (Some(id), Some(to)) = (command["id"].as_str(), command["to"].as_str()) else {
                                say(json!({ "event": "error", "message": "download needs id and to" }));
                                continue;
                            };
                            say(download_line(&session, id, to).await);
                        }
                        Some("quit") => break false,
                        _ => say(json!({ "event": "error", "message": "unknown command (send, download, confirm_code, logout, quit)" })),
                    }
                }
            }
        };
        session.stop().await;
        if !relaunch {
            return ExitCode::SUCCESS;
        }
    }
}

/// A message line: the text fields as before, plus its kind and what the kind carries
/// (only the fields it has; `caption` is a media message's text, also in `body`).
fn message_line(m: &WaMessage) -> serde_json::Value {
    let mut line = json!({
        "event": "message", "id": m.id, "chat": m.chat, "from": m.from,
        "from_me": m.from_me, "body": m.body, "timestamp": m.timestamp,
        "phone": m.phone, "username": m.username, "kind": m.kind,
    });
    let d = &m.details;
    let mut put = |key: &str, value: serde_json::Value| {
        if !value.is_null() {
            line[key] = value;
        }
    };
    if matches!(
        m.kind,
        MessageKind::Image | MessageKind::Video | MessageKind::Document
    ) && !m.body.is_empty()
    {
        put("caption", json!(m.body));
    }
    put("mimetype", json!(d.mimetype));
    put("filename", json!(d.filename));
    put("size", json!(d.size));
    put("duration", json!(d.duration_s));
    put("lat", json!(d.lat));
    put("lng", json!(d.lng));
    put("name", json!(d.place));
    put("type", json!(d.wa_type));
    if !d.contacts.is_empty() {
        put("vcards", json!(d.contacts));
    }
    if let Some(quoted) = &d.quoted {
        put("quoted", json!({ "id": quoted.wa_id, "body": quoted.text }));
    }
    line
}

/// The largest file the harness downloads (WhatsApp's own UI fetches expired documents up
/// to 100 MB again).
const MAX_DOWNLOAD_BYTES: u64 = 100 * 1024 * 1024;

/// Downloads a media message's file to `to`: a `downloaded` line, or an error line with
/// its `reason`.
async fn download_line(session: &Session, id: &str, to: &str) -> serde_json::Value {
    let failed = |reason: &str, message: String| json!({ "event": "error", "id": id, "reason": reason, "message": message });
    match session
        .download(id, MAX_DOWNLOAD_BYTES, REUPLOAD_WAIT_MS)
        .await
    {
        Ok(file) => match std::fs::write(to, &file.bytes) {
            Ok(()) => json!({
                "event": "downloaded", "id": id, "bytes": file.bytes.len(), "sha256": file.sha256,
            }),
            Err(e) => failed(
                "failed",
                format!("the file could not be written to {to}: {e}"),
            ),
        },
        Err(e) => failed(e.reason.as_str(), e.detail),
    }
}
