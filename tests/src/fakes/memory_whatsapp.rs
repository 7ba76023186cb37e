//! An in-memory WhatsApp behind the driver seam, for tests of the runtime and the bot
//! pipeline without a browser. It is as unforgiving as WhatsApp where the pipeline can
//! tell: a send returns an id after a while and comes back as an own message (the echo)
//! after a delay of its own, maybe before the send returns, maybe long after, maybe never
//! (a session that ended doesn't get it); a send can fail after it went out; the server
//! ack comes later or not at all (then `NotDelivered`, as the driver reports it); the
//! page holds only a chat's latest messages, so older own messages are there only when
//! asked for by time (`recent_own(chat, since)`, as the page loads earlier messages);
//! WhatsApp's clock may be minutes off the laptop's (customers' messages carry WhatsApp's,
//! our sends the laptop's, as the page stamps them); the connection drops and comes back.
//! The chat's own messages outlive a session and, with a journal, the process (they are
//! WhatsApp's, not the browser's).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use leadline_core::model::limits::Limits;
use leadline_core::model::message_kind::MessageKind;
use leadline_core::whatsapp::account::AccountState;
use leadline_core::whatsapp::driver::{Driver, Session};
use leadline_core::whatsapp::error::WaError;
use leadline_core::whatsapp::limits::Refusal;
use leadline_core::whatsapp::media::{DownloadError, DownloadFailure, Downloaded};
use leadline_core::whatsapp::message::{OwnMessage, Undelivered, WaEvent, WaMessage};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub chat: String,
    pub text: String,
    pub id: String,
    /// The server took it (false: reported `NotDelivered`; the customer never saw it).
    pub delivered: bool,
}

/// When each send call reached WhatsApp, by chat (for benchmarks).
pub type SendTimes = Arc<Mutex<Vec<(String, std::time::Instant)>>>;

/// How far from perfect this WhatsApp is. `Realism::default()` is the gentle one the
/// policy tests use (echo at once, instant server ack); the soak turns everything up.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Realism {
    /// Echo of a send, after this long (uniform in the range, milliseconds).
    pub echo_ms: (u64, u64),
    /// How long a send call takes.
    pub send_ms: (u64, u64),
    /// The server ack after a send.
    pub ack_ms: (u64, u64),
    /// Out of 1,000 sends: how many go out yet report an error.
    pub fail_after_send_per_mille: u64,
    /// How long such a send takes to report its error (a timeout is slow).
    pub error_ms: (u64, u64),
    /// Out of 1,000 sends: how many fail before going out.
    pub fail_before_send_per_mille: u64,
    /// Out of 1,000 sends: how many the server never takes: no server ack within the
    /// driver's bound (`NotDelivered { NoServerAck }` after `ack_ms`), then the page's
    /// error ack (`Refused`) `error_ms` later.
    pub undelivered_per_mille: u64,
    /// Out of 1,000 sends: how many the server takes only after the driver's bound: the
    /// page still delivers them (`NoServerAck` after `ack_ms`, the server ack `late_ack_ms`
    /// later), so resending one would say it twice.
    pub late_ack_per_mille: u64,
    pub late_ack_ms: (u64, u64),
    /// How many messages of a chat the page holds in memory after a start.
    pub loaded_per_chat: usize,
    /// WhatsApp's clock minus the laptop's, in seconds.
    pub skew_s: i64,
    pub seed: u64,
}

impl Default for Realism {
    fn default() -> Realism {
        Realism {
            echo_ms: (0, 0),
            send_ms: (0, 0),
            ack_ms: (0, 0),
            fail_after_send_per_mille: 0,
            error_ms: (200, 200),
            fail_before_send_per_mille: 0,
            undelivered_per_mille: 0,
            late_ack_per_mille: 0,
            late_ack_ms: (5_000, 5_000),
            loaded_per_chat: usize::MAX,
            skew_s: 0,
            seed: 1,
        }
    }
}

/// What the server does with one of our sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Its server ack within the driver's bound.
    OnTime,
    /// Its server ack this long after the bound passed.
    Late(Duration),
    /// No server ack, then the page's error ack.
    Never,
}

#[derive(Default)]
struct State {
    /// Media files by message id, as WhatsApp's servers hold them: the bytes, or why they
    /// can't be had (expired with the phone away, gone from the phone…).
    media: std::collections::HashMap<String, Result<Vec<u8>, DownloadFailure>>,
    /// Downloads asked for, by message id.
    downloads: Vec<String>,
    /// How long a download takes (the page's takes milliseconds to minutes, never none).
    download_time: Duration,
    /// Where accepted sends are written (WhatsApp's servers, which outlive the app).
    journal: Option<std::path::PathBuf>,
    me: String,
    sent: Vec<Sent>,
    seen: Vec<String>,
    typing: Vec<(String, bool)>,
    /// Every own message of each chat, oldest first (the server's).
    own: HashMap<String, Vec<OwnMessage>>,
    /// Per chat, from which index of `own` the page holds messages.
    loaded_from: HashMap<String, usize>,
    events: Option<UnboundedSender<WaEvent>>,
    /// A counter of sessions: a session that ended answers nothing.
    session: u64,
    online: bool,
    failing_sends: usize,
    failing_after_send: usize,
    next_id: u64,
    send_times: Option<SendTimes>,
    realism: Realism,
    random: u64,
    /// `recent_own` calls, with the `since` asked for.
    asked_since: Vec<i64>,
    /// Per chat, the customer messages delivered since it was last marked seen.
    unread: HashMap<String, Vec<WaMessage>>,
    /// Every customer message id delivered to a page.
    delivered: std::collections::HashSet<String>,
    /// Where deliveries and seen marks are written (WhatsApp's record of them), if kept.
    world: Option<std::path::PathBuf>,
    /// While set, the echoes of sends wait here (with their session) until released: as
    /// late as WhatsApp may deliver them, at the moment a test chooses.
    held_echoes: Option<Vec<(u64, WaMessage)>>,
    /// How many times a page logged this account out (the owner unlinking it).
    logouts: u32,
    /// The reachout timelock (§5.2): sends to chats whose customer never wrote are refused
    /// without calling the page, as the driver does.
    timelocked: bool,
    /// Chats whose customer wrote: their token lets a reply through a timelock.
    wrote: std::collections::HashSet<String>,
    /// The next sends WhatsApp's server refuses, and why (the message is made, then fails).
    refusing: Option<(usize, Refusal)>,
    /// Every send attempt refused for a limit, by chat.
    refused: Vec<String>,
}

/// Appends one line to `path`, synced: WhatsApp's servers remember it whatever happens
/// to the app.
fn append_line(path: &Path, line: &serde_json::Value) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all((line.to_string() + "\n").as_bytes())?;
    file.sync_data()
}

fn message_json(m: &WaMessage) -> serde_json::Value {
    serde_json::json!({ "id": m.id, "chat": m.chat, "from": m.from, "body": m.body, "timestamp": m.timestamp })
}

fn message_from(v: &serde_json::Value) -> Option<WaMessage> {
    Some(WaMessage {
        id: v["id"].as_str()?.into(),
        chat: v["chat"].as_str()?.into(),
        from: v["from"].as_str()?.into(),
        from_me: false,
        kind: MessageKind::Text,
        body: v["body"].as_str()?.into(),
        details: Default::default(),
        timestamp: v["timestamp"].as_i64()?,
        push_name: None,
        phone: None,
        username: None,
    })
}

impl State {
    fn random(&mut self, below: u64) -> u64 {
        self.random = self
            .random
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        if below == 0 {
            0
        } else {
            (self.random >> 33) % below
        }
    }

    fn between(&mut self, (low, high): (u64, u64)) -> Duration {
        Duration::from_millis(low + self.random(high.saturating_sub(low) + 1))
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        per_mille > 0 && self.random(1_000) < per_mille
    }

    fn now_s(&self) -> i64 {
        jiff::Timestamp::now().as_second() + self.realism.skew_s
    }

    /// The page's memory after a (re)start: each chat's latest messages only.
    fn forget(&mut self) {
        let keep = self.realism.loaded_per_chat;
        self.loaded_from = self
            .own
            .iter()
            .map(|(chat, all)| (chat.clone(), all.len().saturating_sub(keep)))
            .collect();
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Clone)]
pub struct MemoryWhatsApp {
    state: Arc<Mutex<State>>,
}

impl MemoryWhatsApp {
    /// A WhatsApp account `me` (e.g. `34600111222@c.us`).
    pub fn new(me: &str) -> MemoryWhatsApp {
        let state = State {
            me: me.to_string(),
            random: 1,
            ..State::default()
        };
        MemoryWhatsApp {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Message `id`'s file on WhatsApp's servers (its bytes), or why it can't be had.
    pub fn media(&self, id: &str, file: Result<Vec<u8>, DownloadFailure>) {
        lock(&self.state).media.insert(id.to_string(), file);
    }

    /// Each download takes `time` from now on.
    pub fn slow_downloads(&self, time: Duration) {
        lock(&self.state).download_time = time;
    }

    /// The ids whose files were asked for, in order.
    pub fn downloads(&self) -> Vec<String> {
        lock(&self.state).downloads.clone()
    }

    /// How imperfect it is from now on.
    pub fn set_realism(&self, realism: Realism) {
        let mut state = lock(&self.state);
        state.random = realism.seed.max(1);
        state.realism = realism;
        state.forget();
    }

    /// Every message sent through any session, in order (delivered or not).
    pub fn sent(&self) -> Vec<Sent> {
        lock(&self.state).sent.clone()
    }

    pub fn seen(&self) -> Vec<String> {
        lock(&self.state).seen.clone()
    }

    pub fn typing(&self) -> Vec<(String, bool)> {
        lock(&self.state).typing.clone()
    }

    /// The `since` of every `recent_own` call, in order.
    pub fn asked_since(&self) -> Vec<i64> {
        lock(&self.state).asked_since.clone()
    }

    /// The account's own WhatsApp id.
    pub fn me(&self) -> String {
        lock(&self.state).me.clone()
    }

    /// WhatsApp's clock now (the laptop's plus the skew), unix seconds.
    pub fn now_s(&self) -> i64 {
        lock(&self.state).now_s()
    }

    /// Records the moment of every send call into `times`.
    pub fn time_sends(&self, times: SendTimes) {
        lock(&self.state).send_times = Some(times);
    }

    /// The next `n` sends fail as a page error would, before going out.
    pub fn fail_sends(&self, n: usize) {
        lock(&self.state).failing_sends = n;
    }

    /// How many times a page logged this account out.
    pub fn logouts(&self) -> u32 {
        lock(&self.state).logouts
    }

    /// From now on, the echoes of sends wait until `release_echoes` (WhatsApp may deliver
    /// an echo long after the send, even after its error).
    pub fn hold_echoes(&self) {
        lock(&self.state).held_echoes.get_or_insert_with(Vec::new);
    }

    /// Delivers the echoes held so far to the page that sent them (an ended session gets
    /// none); the ones delivered.
    pub fn release_echoes(&self) -> Vec<WaMessage> {
        let mut state = lock(&self.state);
        let held = state
            .held_echoes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut released = Vec::new();
        for (session, echo) in held {
            if session != state.session {
                continue;
            }
            if let Some(events) = &state.events {
                if events.send(WaEvent::Message(echo.clone())).is_ok() {
                    released.push(echo);
                }
            }
        }
        released
    }

    /// WhatsApp sets (or lifts) the reachout timelock, told to the running page.
    pub fn timelock(&self, on: bool) {
        let events = {
            let mut state = lock(&self.state);
            state.timelocked = on;
            state.events.clone()
        };
        if let Some(events) = events {
            let _ = events.send(WaEvent::Limits(Limits {
                timelocked: on,
                timelock_ends_at: on.then(|| jiff::Timestamp::now().as_millisecond() + 86_400_000),
                capped: false,
            }));
        }
    }

    /// WhatsApp's server refuses the next `n` sends for `why`.
    pub fn refuse_sends(&self, n: usize, why: Refusal) {
        lock(&self.state).refusing = Some((n, why));
    }

    /// The chats of every send refused for a limit (before or by the server), in order.
    pub fn refused(&self) -> Vec<String> {
        lock(&self.state).refused.clone()
    }

    /// The next `n` sends go out (and echo) yet report an error.
    pub fn fail_after_sending(&self, n: usize) {
        lock(&self.state).failing_after_send = n;
    }

    /// The page reloads: it holds only each chat's latest messages again.
    pub fn forget(&self) {
        lock(&self.state).forget();
    }

    /// The connection drops for `gap` and comes back: Syncing, then Working again. Sends
    /// in between fail as not connected.
    pub async fn reconnect(&self, gap: Duration) {
        let (events, me) = {
            let mut state = lock(&self.state);
            state.online = false;
            (state.events.clone(), state.me.clone())
        };
        if let Some(events) = &events {
            let _ = events.send(WaEvent::State(AccountState::Syncing { percent: 0 }));
        }
        tokio::time::sleep(gap).await;
        lock(&self.state).online = true;
        if let Some(events) = &events {
            let _ = events.send(WaEvent::State(AccountState::Working { me }));
        }
    }

    /// Like `new`, with every accepted send appended to `journal` (and read back from it),
    /// so what was sent survives a killed process, as it does on WhatsApp's servers.
    pub fn with_journal(me: &str, journal: &Path) -> MemoryWhatsApp {
        let wa = MemoryWhatsApp::new(me);
        {
            let mut state = lock(&wa.state);
            state.journal = Some(journal.to_path_buf());
            let text = std::fs::read_to_string(journal).unwrap_or_default();
            // A line cut by a kill was never accepted: skipped.
            for line in text.lines() {
                let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                let (Some(chat), Some(body), Some(id), Some(timestamp)) = (
                    entry["chat"].as_str(),
                    entry["text"].as_str(),
                    entry["id"].as_str(),
                    entry["timestamp"].as_i64(),
                ) else {
                    continue;
                };
                state.sent.push(Sent {
                    chat: chat.into(),
                    text: body.into(),
                    id: id.into(),
                    delivered: entry["delivered"].as_bool().unwrap_or(true),
                });
                let delivered = entry["delivered"].as_bool().unwrap_or(true);
                state
                    .own
                    .entry(chat.to_string())
                    .or_default()
                    .push(OwnMessage {
                        id: id.into(),
                        body: body.into(),
                        timestamp,
                        // The server's last word on it: taken, or refused.
                        ack: Some(if delivered { 1 } else { -1 }),
                    });
                // A number past the journal's: ids stay unique across restarts.
                state.next_id += 1;
            }
            state.forget();
        }
        wa
    }

    /// Keeps WhatsApp's record of deliveries and seen marks in `world` (read back from it),
    /// so a killed process's page finds its unread chats as they were.
    pub fn with_world(self, world: &Path) -> MemoryWhatsApp {
        {
            let mut state = lock(&self.state);
            state.world = Some(world.to_path_buf());
            let text = std::fs::read_to_string(world).unwrap_or_default();
            for line in text.lines() {
                let Ok(entry) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(message) = message_from(&entry["delivered"]) {
                    state.delivered.insert(message.id.clone());
                    state.wrote.insert(message.chat.clone());
                    state
                        .unread
                        .entry(message.chat.clone())
                        .or_default()
                        .push(message);
                } else if let Some(chat) = entry["seen"].as_str() {
                    state.unread.remove(chat);
                }
            }
        }
        self
    }

    /// Whether a customer message with this id already reached a page.
    pub fn was_delivered(&self, id: &str) -> bool {
        lock(&self.state).delivered.contains(id)
    }

    /// A message arrives on the running session (dropped when none runs, like a phone
    /// offline; tests deliver while a session runs). A customer's stays unread in its chat
    /// until the chat is marked seen.
    pub fn deliver(&self, message: WaMessage) -> bool {
        let events = {
            let mut state = lock(&self.state);
            let Some(events) = state.events.clone().filter(|_| state.online) else {
                return false;
            };
            if !message.from_me {
                if let Some(world) = &state.world {
                    if append_line(
                        world,
                        &serde_json::json!({ "delivered": message_json(&message) }),
                    )
                    .is_err()
                    {
                        return false;
                    }
                }
                state.delivered.insert(message.id.clone());
                state.wrote.insert(message.chat.clone());
                state
                    .unread
                    .entry(message.chat.clone())
                    .or_default()
                    .push(message.clone());
            }
            events
        };
        events.send(WaEvent::Message(message)).is_ok()
    }
}

impl Driver for MemoryWhatsApp {
    fn start<'a>(
        &'a self,
        _profile: &'a Path,
        events: UnboundedSender<WaEvent>,
    ) -> BoxFuture<'a, Result<Box<dyn Session>, WaError>> {
        Box::pin(async move {
            let (me, session) = {
                let mut state = lock(&self.state);
                state.events = Some(events.clone());
                state.session += 1;
                state.online = true;
                // A new page: it holds only each chat's latest messages.
                state.forget();
                (state.me.clone(), state.session)
            };
            let _ = events.send(WaEvent::State(AccountState::Working { me }));
            Ok(Box::new(MemorySession {
                state: self.state.clone(),
                events,
                session,
            }) as Box<dyn Session>)
        })
    }
}

struct MemorySession {
    state: Arc<Mutex<State>>,
    events: UnboundedSender<WaEvent>,
    session: u64,
}

impl MemorySession {
    fn connected(&self) -> Result<(), WaError> {
        let state = lock(&self.state);
        if state.session == self.session && state.online {
            Ok(())
        } else {
            Err(WaError::NotConnected)
        }
    }

    /// After `delay` the server's `ack` of own message `id` (1 taken, -1 refused): the
    /// chat's record of it changes and the page running then hears of it (a page started
    /// since too: the receipt updates the message it loaded); `more` (the driver's word on
    /// its own send) only this session, if it still runs.
    fn acked(&self, delay: Duration, chat: &str, id: &str, ack: i8, more: Vec<WaEvent>) {
        let (state, session) = (self.state.clone(), self.session);
        let (chat, id) = (chat.to_string(), id.to_string());
        tokio::spawn(async move {
            leadline_core::clock::pause(delay).await;
            let mut state = lock(&state);
            if let Some(own) = state
                .own
                .get_mut(&chat)
                .and_then(|all| all.iter_mut().find(|m| m.id == id))
            {
                own.ack = Some(ack);
            }
            let Some(events) = state.events.clone().filter(|_| state.online) else {
                return;
            };
            let _ = events.send(WaEvent::Ack { id, ack });
            if state.session == session {
                for event in more {
                    let _ = events.send(event);
                }
            }
        });
    }

    /// Sends `event` after `delay` to this session, if it still runs then.
    fn later(&self, delay: Duration, event: WaEvent) {
        let (state, events, session) = (self.state.clone(), self.events.clone(), self.session);
        let send = move || {
            if lock(&state).session == session {
                let _ = events.send(event);
            }
        };
        if delay.is_zero() {
            send();
        } else {
            tokio::spawn(async move {
                leadline_core::clock::pause(delay).await;
                send();
            });
        }
    }
}

impl Session for MemorySession {
    fn send_text<'a>(
        &'a self,
        chat: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<String, WaError>> {
        Box::pin(async move {
            self.connected()?;
            let took = {
                let mut state = lock(&self.state);
                let range = state.realism.send_ms;
                state.between(range)
            };
            leadline_core::clock::pause(took).await;
            self.connected()?;
            let (id, me, timestamp, echo_in, ack_in, fate, error_after) = {
                let mut state = lock(&self.state);
                if let Some(times) = &state.send_times {
                    times
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((chat.to_string(), std::time::Instant::now()));
                }
                // A cold send while timelocked: refused before the page is asked.
                if state.timelocked && !state.wrote.contains(chat) {
                    state.refused.push(chat.to_string());
                    return Err(WaError::Limited {
                        id: None,
                        refusal: Refusal::Timelocked,
                    });
                }
                if let Some((left, why)) = state.refusing.filter(|(left, _)| *left > 0) {
                    state.refusing = Some((left - 1, why));
                    state.refused.push(chat.to_string());
                    state.next_id += 1;
                    return Err(WaError::Limited {
                        id: Some(format!("true_{chat}_REFUSED{:06}", state.next_id)),
                        refusal: why,
                    });
                }
                let before = state.realism.fail_before_send_per_mille;
                if state.failing_sends > 0 || state.chance(before) {
                    state.failing_sends = state.failing_sends.saturating_sub(1);
                    return Err(WaError::Page("sending failed in the page".into()));
                }
                state.next_id += 1;
                let id = format!(
                    "true_{chat}_MEM{:08}x{:06}",
                    state.random(100_000_000),
                    state.next_id
                );
                // Our sends carry the laptop's clock, customers' messages WhatsApp's: the
                // driver stamps a send with `Date.now()` and the page keeps the `t` given.
                let timestamp = jiff::Timestamp::now().as_second();
                let (never, late) = (
                    state.realism.undelivered_per_mille,
                    state.realism.late_ack_per_mille,
                );
                let fate = if state.chance(never) {
                    Fate::Never
                } else if state.chance(late) {
                    let range = state.realism.late_ack_ms;
                    Fate::Late(state.between(range))
                } else {
                    Fate::OnTime
                };
                let delivered = fate != Fate::Never;
                if let Some(journal) = &state.journal {
                    use std::io::Write;
                    let line = serde_json::json!({ "chat": chat, "text": text, "id": id, "timestamp": timestamp, "delivered": delivered }).to_string() + "\n";
                    let written = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(journal)
                        .and_then(|mut file| {
                            file.write_all(line.as_bytes())
                                .and_then(|()| file.sync_data())
                        });
                    if let Err(e) = written {
                        return Err(WaError::Page(format!(
                            "the journal could not be written: {e}"
                        )));
                    }
                }
                state.sent.push(Sent {
                    chat: chat.into(),
                    text: text.into(),
                    id: id.clone(),
                    delivered,
                });
                state
                    .own
                    .entry(chat.to_string())
                    .or_default()
                    .push(OwnMessage {
                        id: id.clone(),
                        body: text.into(),
                        timestamp,
                        // On the clock until the server's ack.
                        ack: Some(0),
                    });
                let after = state.realism.fail_after_send_per_mille;
                let error_after = if state.failing_after_send > 0 {
                    state.failing_after_send -= 1;
                    true
                } else {
                    state.chance(after)
                };
                let (echo, ack) = (state.realism.echo_ms, state.realism.ack_ms);
                let (echo_in, ack_in) = (state.between(echo), state.between(ack));
                (
                    id,
                    state.me.clone(),
                    timestamp,
                    echo_in,
                    ack_in,
                    fate,
                    error_after,
                )
            };
            // Like WhatsApp: what we send comes back as our own message.
            let echo = WaMessage {
                id: id.clone(),
                chat: chat.into(),
                from: me,
                from_me: true,
                kind: MessageKind::Text,
                body: text.into(),
                details: Default::default(),
                timestamp,
                push_name: None,
                phone: None,
                username: None,
            };
            let held = {
                let mut state = lock(&self.state);
                let session = self.session;
                match state.held_echoes.as_mut() {
                    Some(held) => {
                        held.push((session, echo.clone()));
                        true
                    }
                    None => false,
                }
            };
            if !held {
                self.later(echo_in, WaEvent::Message(echo));
            }
            let late = |reason| WaEvent::NotDelivered {
                id: id.clone(),
                reason,
            };
            match fate {
                Fate::OnTime => self.acked(ack_in, chat, &id, 1, Vec::new()),
                // The driver's bound passes first; the page delivers it all the same.
                Fate::Late(after) => {
                    self.later(ack_in, late(Undelivered::NoServerAck));
                    self.acked(ack_in + after, chat, &id, 1, Vec::new());
                }
                // The bound passes, then the page's error ack.
                Fate::Never => {
                    self.later(ack_in, late(Undelivered::NoServerAck));
                    let refused_in = {
                        let mut state = lock(&self.state);
                        let range = state.realism.error_ms;
                        state.between(range)
                    };
                    self.acked(
                        ack_in + refused_in,
                        chat,
                        &id,
                        -1,
                        vec![late(Undelivered::Refused)],
                    );
                }
            }
            if error_after {
                let took = {
                    let mut state = lock(&self.state);
                    let range = state.realism.error_ms;
                    state.between(range)
                };
                leadline_core::clock::pause(took).await;
                return Err(WaError::Page("the send timed out".into()));
            }
            Ok(id)
        })
    }
    fn mark_seen<'a>(&'a self, chat: &'a str) -> BoxFuture<'a, Result<(), WaError>> {
        Box::pin(async move {
            self.connected()?;
            let mut state = lock(&self.state);
            if let Some(world) = &state.world {
                append_line(world, &serde_json::json!({ "seen": chat }))
                    .map_err(|e| WaError::Page(e.to_string()))?;
            }
            state.unread.remove(chat);
            state.seen.push(chat.into());
            Ok(())
        })
    }
    fn catch_up(&self) -> BoxFuture<'_, Result<usize, WaError>> {
        Box::pin(async move {
            self.connected()?;
            let unread: Vec<WaMessage> = lock(&self.state)
                .unread
                .values()
                .flatten()
                .cloned()
                .collect();
            for message in &unread {
                let _ = self.events.send(WaEvent::Message(message.clone()));
            }
            Ok(unread.len())
        })
    }
    fn set_typing<'a>(&'a self, chat: &'a str, on: bool) -> BoxFuture<'a, Result<(), WaError>> {
        Box::pin(async move {
            self.connected()?;
            lock(&self.state).typing.push((chat.into(), on));
            Ok(())
        })
    }
    fn refresh_qr(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn recent_own<'a>(
        &'a self,
        chat: &'a str,
        since: i64,
    ) -> BoxFuture<'a, Result<Vec<OwnMessage>, WaError>> {
        Box::pin(async move {
            self.connected()?;
            let mut state = lock(&self.state);
            state.asked_since.push(since);
            let all = state.own.get(chat).cloned().unwrap_or_default();
            // Like the page: earlier messages are loaded, 20 at a time, until it holds
            // `since`; what it holds is all it can tell.
            let mut from = state
                .loaded_from
                .get(chat)
                .copied()
                .unwrap_or(0)
                .min(all.len());
            while from > 0 && all.get(from).is_none_or(|m| m.timestamp > since) {
                from = from.saturating_sub(20);
            }
            state.loaded_from.insert(chat.to_string(), from);
            Ok(all[from..]
                .iter()
                .filter(|m| m.timestamp >= since)
                .cloned()
                .collect())
        })
    }
    fn take_over(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn confirm_passkey_code(&self) -> BoxFuture<'_, Result<(), WaError>> {
        // This WhatsApp never asks for a passkey.
        Box::pin(async {
            Err(WaError::Page(
                "there is no verification code to confirm".into(),
            ))
        })
    }
    fn pairing_code<'a>(&'a self, _phone: &'a str) -> BoxFuture<'a, Result<String, WaError>> {
        Box::pin(async { Err(WaError::NotConnected) })
    }
    fn logout(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async move {
            self.connected()?;
            lock(&self.state).logouts += 1;
            Ok(())
        })
    }
    /// As strict as the page: a message it never reported has no file, a file over
    /// `max_bytes` is refused, and the bytes come with their own SHA-256.
    fn download<'a>(
        &'a self,
        id: &'a str,
        max_bytes: u64,
    ) -> BoxFuture<'a, Result<Downloaded, DownloadError>> {
        Box::pin(async move {
            let fail = |reason: DownloadFailure| DownloadError {
                reason,
                detail: reason.as_str().to_string(),
            };
            if self.connected().is_err() {
                return Err(fail(DownloadFailure::Failed));
            }
            let (file, time) = {
                let mut state = lock(&self.state);
                state.downloads.push(id.to_string());
                (state.media.get(id).cloned(), state.download_time)
            };
            tokio::time::sleep(time).await;
            match file {
                None => Err(fail(DownloadFailure::Failed)),
                Some(Err(reason)) => Err(fail(reason)),
                Some(Ok(bytes)) if bytes.len() as u64 > max_bytes => {
                    Err(fail(DownloadFailure::TooLarge))
                }
                Some(Ok(bytes)) => {
                    use sha2::Digest;
                    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
                    Ok(Downloaded { bytes, sha256 })
                }
            }
        })
    }
    fn ping(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn pid(&self) -> Option<u32> {
        None
    }
    fn stop(self: Box<Self>) -> BoxFuture<'static, ()> {
        let state = self.state.clone();
        let session = self.session;
        Box::pin(async move {
            let mut state = lock(&state);
            if state.session == session {
                // A stopped session's reports end with it.
                state.session += 1;
                state.events = None;
            }
        })
    }
}

/// One in-memory WhatsApp per number, picked by the profile folder's name (its id): a
/// driver for a runtime over several numbers.
pub struct ByProfile(pub HashMap<String, MemoryWhatsApp>);

impl Driver for ByProfile {
    fn start<'a>(
        &'a self,
        profile: &'a Path,
        events: UnboundedSender<WaEvent>,
    ) -> BoxFuture<'a, Result<Box<dyn Session>, WaError>> {
        Box::pin(async move {
            let id = profile
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            match self.0.get(&id) {
                Some(wa) => wa.start(profile, events).await,
                None => Err(WaError::Launch(format!("no number {id}"))),
            }
        })
    }
}
