//! An in-memory WhatsApp behind the driver seam, for tests of the runtime and the bot
//! pipeline without a browser. It behaves like WhatsApp where the pipeline can tell: a
//! linked session reports Working, a send returns an id and comes back as an own message
//! (the echo), and the chat's own messages outlive a session (they are WhatsApp's, not the
//! browser's), so crash reconciliation can read them after a restart.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use leadline_core::whatsapp::{
    AccountState, Driver, OwnMessage, Session, WaError, WaEvent, WaMessage,
};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub chat: String,
    pub text: String,
    pub id: String,
}

/// When each send call reached WhatsApp, by chat (for benchmarks).
pub type SendTimes = Arc<Mutex<Vec<(String, std::time::Instant)>>>;

#[derive(Default)]
struct State {
    /// Where accepted sends are written (WhatsApp's servers, which outlive the app).
    journal: Option<std::path::PathBuf>,
    me: String,
    sent: Vec<Sent>,
    seen: Vec<String>,
    typing: Vec<(String, bool)>,
    own: HashMap<String, Vec<OwnMessage>>,
    events: Option<UnboundedSender<WaEvent>>,
    failing_sends: usize,
    next_id: u64,
    send_times: Option<SendTimes>,
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
            ..State::default()
        };
        MemoryWhatsApp {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Every message sent through any session, in order.
    pub fn sent(&self) -> Vec<Sent> {
        lock(&self.state).sent.clone()
    }

    pub fn seen(&self) -> Vec<String> {
        lock(&self.state).seen.clone()
    }

    pub fn typing(&self) -> Vec<(String, bool)> {
        lock(&self.state).typing.clone()
    }

    /// Records the moment of every send call into `times`.
    pub fn time_sends(&self, times: SendTimes) {
        lock(&self.state).send_times = Some(times);
    }

    /// The next `n` sends fail as a page error would.
    pub fn fail_sends(&self, n: usize) {
        lock(&self.state).failing_sends = n;
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
                });
                state
                    .own
                    .entry(chat.to_string())
                    .or_default()
                    .push(OwnMessage {
                        id: id.into(),
                        body: body.into(),
                        timestamp,
                    });
            }
        }
        wa
    }

    /// A message arrives on the running session (dropped when none runs, like a phone
    /// offline; tests deliver while a session runs).
    pub fn deliver(&self, message: WaMessage) -> bool {
        let events = lock(&self.state).events.clone();
        events.is_some_and(|tx| tx.send(WaEvent::Message(message)).is_ok())
    }
}

impl Driver for MemoryWhatsApp {
    fn start<'a>(
        &'a self,
        _profile: &'a Path,
        events: UnboundedSender<WaEvent>,
    ) -> BoxFuture<'a, Result<Box<dyn Session>, WaError>> {
        Box::pin(async move {
            let me = {
                let mut state = lock(&self.state);
                state.events = Some(events.clone());
                state.me.clone()
            };
            let _ = events.send(WaEvent::State(AccountState::Working { me }));
            Ok(Box::new(MemorySession {
                state: self.state.clone(),
                events,
            }) as Box<dyn Session>)
        })
    }
}

struct MemorySession {
    state: Arc<Mutex<State>>,
    events: UnboundedSender<WaEvent>,
}

impl Session for MemorySession {
    fn send_text<'a>(
        &'a self,
        chat: &'a str,
        text: &'a str,
    ) -> BoxFuture<'a, Result<String, WaError>> {
        Box::pin(async move {
            let (id, me, timestamp) = {
                let mut state = lock(&self.state);
                if let Some(times) = &state.send_times {
                    times
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((chat.to_string(), std::time::Instant::now()));
                }
                if state.failing_sends > 0 {
                    state.failing_sends -= 1;
                    return Err(WaError::Page("sending failed in the page".into()));
                }
                state.next_id += 1;
                let id = format!("true_{chat}_MEM{}x{:06}", std::process::id(), state.next_id);
                let timestamp = jiff::Timestamp::now().as_second();
                if let Some(journal) = &state.journal {
                    use std::io::Write;
                    let line = serde_json::json!({ "chat": chat, "text": text, "id": id, "timestamp": timestamp }).to_string() + "\n";
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
                });
                state
                    .own
                    .entry(chat.to_string())
                    .or_default()
                    .push(OwnMessage {
                        id: id.clone(),
                        body: text.into(),
                        timestamp,
                    });
                (id, state.me.clone(), timestamp)
            };
            // Like WhatsApp: what we send comes back as our own message.
            let _ = self.events.send(WaEvent::Message(WaMessage {
                id: id.clone(),
                chat: chat.into(),
                from: me,
                from_me: true,
                body: text.into(),
                timestamp,
                push_name: None,
                phone: None,
            }));
            Ok(id)
        })
    }
    fn mark_seen<'a>(&'a self, chat: &'a str) -> BoxFuture<'a, Result<(), WaError>> {
        Box::pin(async move {
            lock(&self.state).seen.push(chat.into());
            Ok(())
        })
    }
    fn set_typing<'a>(&'a self, chat: &'a str, on: bool) -> BoxFuture<'a, Result<(), WaError>> {
        Box::pin(async move {
            lock(&self.state).typing.push((chat.into(), on));
            Ok(())
        })
    }
    fn refresh_qr(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn recent_own<'a>(&'a self, chat: &'a str) -> BoxFuture<'a, Result<Vec<OwnMessage>, WaError>> {
        Box::pin(async move { Ok(lock(&self.state).own.get(chat).cloned().unwrap_or_default()) })
    }
    fn take_over(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn pairing_code<'a>(&'a self, _phone: &'a str) -> BoxFuture<'a, Result<String, WaError>> {
        Box::pin(async { Err(WaError::NotConnected) })
    }
    fn logout(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn ping(&self) -> BoxFuture<'_, Result<(), WaError>> {
        Box::pin(async { Ok(()) })
    }
    fn pid(&self) -> Option<u32> {
        None
    }
    fn stop(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}
