//! The local fake of WhatsApp Web, served on loopback and reached as `http://localhost:<port>/`
//! (an IP can't be a WebAuthn RP id; WHATSAPP_WEB.md §6). Tests only.
//!
//! The page (`page.js`) copies what the driver touches on the real site; this server plays
//! WhatsApp's side: it pushes scans, messages, acks and state changes into the page over
//! SSE, queues messages while no page is connected, and records what the page reports
//! (the current QR string, sends, seen, typing) so tests can assert on them. The driver
//! never calls `/__fake/*`; only the harness does.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::Stream;
use serde_json::{Value, json};
use tokio::sync::broadcast;

mod media;
pub mod passkey;

use passkey::{PasskeyServer, TestPasskey};

const PAGE_JS: &str = include_str!("page.js");

/// The build the fake says it is (`Debug.VERSION`): the current one of the contract.
pub const VERSION: &str = "2.3000.1045818043";

/// Timings of the fake login, scaled down for tests, and the build it claims to be.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    pub debug_delay_ms: u64,
    /// After `Debug.VERSION`, when the second wave of modules registers.
    pub second_wave_ms: u64,
    /// The same, with the `late_modules` fault.
    pub late_modules_ms: u64,
    pub first_ref_ms: u64,
    pub ref_ms: u64,
    pub refs_per_batch: u32,
    pub reload_after_scan_ms: u64,
    pub sync_step_ms: u64,
    pub decrypt_ms: u64,
    /// How long the server takes to answer a send (its result and server ack).
    pub ack_ms: u64,
    pub offline_count: u32,
    /// How many messages a chat holds in memory; older ones need loading.
    pub loaded_per_chat: u32,
    /// How long each stage of the passkey step may last before it times out (the page:
    /// 120 s), and how long the server takes to move it on.
    pub shortcake_stage_ms: u64,
    pub shortcake_step_ms: u64,
    pub version: String,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            debug_delay_ms: 300,
            second_wave_ms: 150,
            late_modules_ms: 3_000,
            first_ref_ms: 6_000,
            ref_ms: 2_000,
            refs_per_batch: 6,
            reload_after_scan_ms: 100,
            sync_step_ms: 100,
            decrypt_ms: 200,
            ack_ms: 20,
            offline_count: 3,
            loaded_per_chat: 50,
            shortcake_stage_ms: 120_000,
            shortcake_step_ms: 300,
            version: VERSION.to_string(),
        }
    }
}

/// What the page reported, for tests to assert on.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    /// The QR string the page shows now (`None` between batches or once linked).
    pub qr: Option<String>,
    /// Every QR string the page has shown, in order.
    pub qr_history: Vec<String>,
    pub sent: Vec<Value>,
    pub seen: Vec<Value>,
    pub typing: Vec<Value>,
    pub events: Vec<Value>,
    /// How many times a page was served (a reload counts).
    pub page_loads: u32,
}

struct Shared {
    timings: Timings,
    faults: Mutex<BTreeSet<String>>,
    recorded: Mutex<Recorded>,
    pushes: broadcast::Sender<Value>,
    /// Pushes the page has not confirmed yet, oldest first. Like WhatsApp's servers, the
    /// fake keeps them until a page says it handled them, and replays them to every page
    /// that connects: a browser that died or was away gets them on its next start.
    unconfirmed: Mutex<Vec<Value>>,
    next_seq: Mutex<u64>,
    /// The passkey step's relying party.
    passkey: Mutex<PasskeyServer>,
    /// This fake's own origin (`http://localhost:<port>`), what the client data must name.
    origin: Mutex<String>,
    /// The media files on the fake's CDN.
    cdn: media::Cdn,
}

/// The linked id the fake gives an account whose phone id is `me`.
pub fn lid_of(me: &str) -> String {
    let digits: String = me.chars().filter(char::is_ascii_digit).collect();
    format!("8{digits}@lid")
}

/// A running fake. Dropping it stops the server.
pub struct FakeWhatsApp {
    addr: SocketAddr,
    /// The HTTPS front (a self-signed certificate), when started with `start_https`.
    https: Option<SocketAddr>,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
    front: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeWhatsApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(front) = &self.front {
            front.abort();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FakeWhatsApp {
    /// Starts the fake on a free loopback port.
    pub async fn start(timings: Timings) -> FakeWhatsApp {
        let (pushes, _) = broadcast::channel(256);
        let shared = Arc::new(Shared {
            timings,
            faults: Mutex::new(BTreeSet::new()),
            recorded: Mutex::new(Recorded::default()),
            pushes,
            unconfirmed: Mutex::new(Vec::new()),
            next_seq: Mutex::new(0),
            passkey: Mutex::new(PasskeyServer::default()),
            origin: Mutex::new(String::new()),
            cdn: Mutex::default(),
        });
        let app = Router::new()
            .route("/", get(page))
            .route("/config.js", get(config_js))
            .route("/app.js", get(app_js))
            .route("/media.js", get(media::media_js))
            .route("/__fake/mms/{*path}", get(media::cdn))
            .route("/frame", get(frame))
            .route("/sw.js", get(service_worker))
            .route("/__fake/events", get(events))
            .route("/__fake/report/{kind}", post(report))
            .route("/__fake/passkey/options", get(passkey_options))
            .route("/__fake/passkey/assertion", post(passkey_assertion))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the fake binds a loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        *lock(&shared.origin) = format!("http://localhost:{}", addr.port());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeWhatsApp {
            addr,
            https: None,
            shared,
            server,
            front: None,
        }
    }

    /// Starts the fake behind HTTPS with a self-signed certificate for 127.0.0.1, as a
    /// network that intercepts secure connections would serve it: `url()` is then the
    /// HTTPS one. A driver must refuse it.
    pub async fn start_https(timings: Timings) -> FakeWhatsApp {
        let mut fake = FakeWhatsApp::start(timings).await;
        let (addr, front) = tls_front(fake.addr).await;
        fake.https = Some(addr);
        fake.front = Some(front);
        fake
    }

    /// The base URL to give the driver instead of https://web.whatsapp.com/.
    pub fn url(&self) -> String {
        match self.https {
            Some(addr) => format!("https://{addr}/"),
            None => format!("http://localhost:{}/", self.addr.port()),
        }
    }

    fn push(&self, mut push: Value) {
        let seq = {
            let mut next = lock(&self.shared.next_seq);
            *next += 1;
            *next
        };
        push["seq"] = json!(seq);
        lock(&self.shared.unconfirmed).push(push.clone());
        // No page listening is fine: the push waits in `unconfirmed`.
        let _ = self.shared.pushes.send(push);
    }

    /// The phone scans the QR the page shows now; the page reloads and links as `me` (a
    /// phone id, `…@c.us`), whose linked id is `lid_of(me)`.
    pub fn scan(&self, me: &str) {
        self.push(json!({ "type": "scan", "me": me, "lid": lid_of(me) }));
    }

    /// The phone scans `qr`, the string the driver showed: refused (an event
    /// `scan_refused`) when it is not the page's current ref or its ADV secret is stale,
    /// as a real phone's scan would fail.
    pub fn scan_shown(&self, me: &str, qr: &str) {
        self.push(json!({ "type": "scan", "me": me, "lid": lid_of(me), "qr": qr }));
    }

    /// The page learns the phone number behind a linked id (`…@lid` → `…@c.us`).
    pub fn map_lid(&self, lid: &str, phone: &str) {
        self.push(json!({ "type": "lid", "lid": lid, "phone": phone }));
    }

    /// A message arrives from WhatsApp's servers. `message` has `id`, `from`, `body` and
    /// optionally `type`, `author`, `notifyName`, `isNewMsg`, `fromMe`, `chat`, `t`,
    /// `ephemeral` (the chat's disappearing time, s), `lidPhone` (the phone behind an `@lid`
    /// chat, known from then on), `username` (the sender's, without "@"), and for `type: "ciphertext"` `decrypt`: `auto` (readable
    /// after a moment), `resend` (only after a resend request) or `never`.
    ///
    /// A media message (`type` image, ptt, document…) takes its fields in `media`, as the
    /// page's parser sets them (`caption`, `mimetype`, `size`, `duration`, `filename`…);
    /// `media.bytes` (base64) is its file, put on the fake's CDN with its keys.
    pub fn incoming(&self, mut message: Value) {
        media::prepare(&self.shared, &mut message);
        self.push(json!({ "type": "incoming", "message": message }));
    }

    /// The sender edits message `id` (its short id): its text, or a media message's caption.
    pub fn edit(&self, id: &str, text: &str) {
        self.push(json!({ "type": "edit", "id": id, "text": text }));
    }

    /// The sender deletes message `id` (its short id) for everyone.
    pub fn revoke(&self, id: &str) {
        self.push(json!({ "type": "revoke", "id": id }));
    }

    /// `from` reacts to message `id` of `chat` (`from_me`: one of ours) with `emoji` (empty:
    /// taken back); `history`: an old one, from history sync.
    pub fn react(
        &self,
        chat: &str,
        id: &str,
        from_me: bool,
        from: &str,
        emoji: &str,
        history: bool,
    ) {
        self.push(json!({
            "type": "reaction", "chat": chat, "id": id, "fromMe": from_me, "from": from,
            "emoji": emoji, "history": history,
        }));
    }

    pub fn ack(&self, id: &str, ack: i32) {
        self.push(json!({ "type": "ack", "id": id, "ack": ack }));
    }

    /// The phone removes this linked device.
    pub fn logout_from_phone(&self) {
        self.push(json!({ "type": "logout" }));
    }

    /// Forces the socket into a state, e.g. `CONFLICT` or `TOS_BLOCK`.
    pub fn set_state(&self, state: &str) {
        self.push(json!({ "type": "state", "state": state }));
    }

    /// The credential whose signature the passkey step accepts (its private half goes to
    /// the test's virtual authenticator).
    pub fn register_passkey(&self, passkey: &TestPasskey) {
        lock(&self.shared.passkey).register(passkey);
    }

    /// The owner presses Continue on the passkey screen (recorded with whether the window
    /// was visible and focused then).
    pub fn press_continue(&self) {
        self.push(json!({ "type": "passkey_continue" }));
    }

    /// The owner presses Cancel on the passkey screen.
    pub fn cancel_passkey(&self) {
        self.push(json!({ "type": "passkey_cancel" }));
    }

    /// A link-device event from WhatsApp's server (`primary_hello_received`: the phone typed
    /// the code; `refresh_alt_linking_code`; `force_manual_refresh`).
    pub fn link_event(&self, name: &str) {
        self.push(json!({ "type": "link_event", "name": name }));
    }

    /// The phone types the pairing code the page showed last.
    pub fn enter_code(&self, me: &str) {
        self.push(json!({ "type": "code_entered", "me": me, "lid": lid_of(me) }));
    }

    /// WhatsApp's server sets (or lifts) the reachout timelock (§5.2): `ends_ms` is when it
    /// ends (unix ms; `None`: not given, which the page reads as a minute from now).
    pub fn timelock(&self, active: bool, ends_ms: Option<i64>) {
        self.push(json!({ "type": "timelock", "active": active, "ends": ends_ms }));
    }

    /// WhatsApp's server caps (or uncaps) this account's new chats for the month.
    pub fn cap_new_chats(&self, capped: bool) {
        self.push(json!({ "type": "capped", "capped": capped }));
    }

    /// A contact's profile changes: its username (without "@"; `Some("")` removes it) or
    /// its saved name.
    pub fn contact(&self, id: &str, username: Option<&str>, name: Option<&str>) {
        self.push(json!({ "type": "contact", "id": id, "username": username, "name": name }));
    }

    /// Turns a fault on for pages served from now on (see page.js and `page`).
    pub fn fault(&self, name: &str) {
        lock(&self.shared.faults).insert(name.to_string());
    }

    pub fn recorded(&self) -> Recorded {
        lock(&self.shared.recorded).clone()
    }

    /// Waits until `check` holds for what the page reported, or panics with `what`.
    pub async fn wait_for(
        &self,
        what: &str,
        deadline: Duration,
        check: impl Fn(&Recorded) -> bool,
    ) -> Recorded {
        let until = Instant::now() + deadline;
        loop {
            let recorded = self.recorded();
            if check(&recorded) {
                return recorded;
            }
            assert!(
                Instant::now() < until,
                "the fake never saw: {what} (after {deadline:?}); it saw {recorded:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn page(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    lock(&shared.recorded).page_loads += 1;
    let faults = lock(&shared.faults).clone();
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if faults.contains("headless_update_page") && agent.contains("HeadlessChrome") {
        return Html("<!doctype html><title>WhatsApp</title><h1>WhatsApp works with Google Chrome 85 and newer</h1><p>To use WhatsApp, update Chrome.</p>").into_response();
    }
    let frame = if faults.contains("iframe_navigation") {
        r#"<iframe src="/frame"></iframe>"#
    } else {
        ""
    };
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>WhatsApp</title>\
         <script src=\"/config.js\"></script><script src=\"/media.js\"></script>\
         <script src=\"/app.js\"></script></head>\
         <body>{frame}</body></html>"
    );
    let mut response = Html(html).into_response();
    if faults.contains("strict_csp") {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; script-src 'self'; object-src 'none'"),
        );
    }
    response
}

/// WhatsApp Web's service worker fetches on its own, outside any page: it reports the
/// user agent it runs with (a per-page override would not reach it).
async fn service_worker() -> Response {
    // waitUntil: a worker with nothing pending may be stopped before its fetch is sent.
    let body = "self.addEventListener('install', (event) => event.waitUntil(fetch('/__fake/report/event', { \
                method: 'POST', headers: { 'content-type': 'application/json' }, \
                body: JSON.stringify({ kind: 'sw_agent', ua: self.navigator.userAgent }) })));";
    ([(header::CONTENT_TYPE, "text/javascript")], body).into_response()
}

/// A frame that keeps navigating, as WhatsApp's own iframes do.
async fn frame() -> Html<&'static str> {
    Html("<!doctype html><script>setTimeout(() => location.reload(), 300)</script>")
}

async fn config_js(State(shared): State<Arc<Shared>>) -> Response {
    let faults: Vec<String> = lock(&shared.faults).iter().cloned().collect();
    let mut config = serde_json::to_value(&shared.timings).unwrap_or_else(|_| json!({}));
    config["faults"] = json!(faults);
    let body = format!("window.__fakeConfig = {config};");
    ([(header::CONTENT_TYPE, "text/javascript")], body).into_response()
}

async fn app_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript")], PAGE_JS).into_response()
}

fn seq_of(push: &Value) -> u64 {
    push["seq"].as_u64().unwrap_or(0)
}

async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the backlog, so nothing pushed in between is missed; the
    // sequence numbers drop what the backlog already had.
    let receiver = shared.pushes.subscribe();
    let backlog: Vec<Value> = lock(&shared.unconfirmed).clone();
    let replayed = backlog.last().map(seq_of).unwrap_or(0);
    let stream = futures::stream::unfold(
        (backlog.into_iter(), receiver),
        move |(mut backlog, mut receiver)| async move {
            let next = match backlog.next() {
                Some(push) => push,
                None => loop {
                    match receiver.recv().await {
                        Ok(push) if seq_of(&push) > replayed => break push,
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                },
            };
            Some((
                Ok(Event::default().data(next.to_string())),
                (backlog, receiver),
            ))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The passkey request options, as JSON text (the page parses them).
async fn passkey_options(State(shared): State<Arc<Shared>>) -> String {
    let weird = lock(&shared.faults).contains("passkey_options_weird");
    lock(&shared.passkey).options(weird).to_string()
}

/// The page's assertion, checked as a relying party does; the outcome recorded.
async fn passkey_assertion(
    State(shared): State<Arc<Shared>>,
    Json(assertion): Json<Value>,
) -> Json<Value> {
    let origin = lock(&shared.origin).clone();
    let mut checked = lock(&shared.passkey).check(&assertion, &origin);
    if checked.is_ok() && lock(&shared.faults).contains("assertion_rejected_by_server") {
        checked = Err("refused by the server (fault)".into());
    }
    let outcome = match &checked {
        Ok(()) => json!({ "ok": true }),
        Err(why) => json!({ "ok": false, "why": why }),
    };
    let mut event = outcome.clone();
    event["kind"] = json!("passkey_assertion");
    lock(&shared.recorded).events.push(event);
    Json(outcome)
}

async fn report(
    State(shared): State<Arc<Shared>>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> &'static str {
    if kind == "delivered" {
        let seq = body["seq"].as_u64().unwrap_or(0);
        lock(&shared.unconfirmed).retain(|push| seq_of(push) != seq);
        return "ok";
    }
    // When the page reported it, so tests can check the order and spacing (pacing).
    let mut body = body;
    if let Value::Object(fields) = &mut body {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        fields.insert("fakeAtMs".into(), json!(now_ms));
        let agent = headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        fields.insert("uaHeader".into(), json!(agent));
    }
    let mut recorded = lock(&shared.recorded);
    match kind.as_str() {
        "qr" => {
            let qr = body["qr"].as_str().map(str::to_string);
            if let Some(qr) = &qr {
                recorded.qr_history.push(qr.clone());
            }
            recorded.qr = qr;
        }
        "sent" => recorded.sent.push(body),
        "seen" => recorded.seen.push(body),
        "typing" => recorded.typing.push(body),
        _ => recorded.events.push(body),
    }
    "ok"
}

/// A TLS front on a free loopback port with a fresh self-signed certificate, passing each
/// connection's bytes to the plain fake at `backend`.
async fn tls_front(backend: SocketAddr) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    use tokio_rustls::rustls;
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("a self-signed certificate is generated");
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .expect("the certificate and key match");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the TLS front binds a loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A browser that refuses the certificate ends the handshake: nothing to do.
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (addr, task)
}
