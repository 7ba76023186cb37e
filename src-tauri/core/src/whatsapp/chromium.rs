//! One WhatsApp Web session in a headless Chromium, with its own persistent profile.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::browser::Browser;
#[cfg(not(unix))]
use chromiumoxide::browser::BrowserConfig;
use chromiumoxide::cdp::browser_protocol::network::{EventLoadingFailed, ResourceType};
use chromiumoxide::cdp::browser_protocol::target::SetAutoAttachParams;
use chromiumoxide::cdp::js_protocol::runtime::{AddBindingParams, EventBindingCalled};
use chromiumoxide::page::Page;
use futures::StreamExt;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::account::AccountState;
use super::driver::{self, Driver};
use super::error::WaError;
use super::limits::Refusal;
use super::message::{OwnMessage, WaEvent};
use super::page_event::{PageEvent, StateTracker};
use super::{browser, delivery, media, private, process, window};
use crate::clock::Clock;
use crate::text;

/// The CDP binding the page reports through.
const BINDING: &str = "__leadlineEmit";
const INJECT_JS: &str = include_str!("inject.js");

/// How a session is started: which browser, which site.
#[derive(Debug, Clone)]
pub struct ChromiumDriver {
    pub browser: PathBuf,
    /// WhatsApp Web, or the local fake in tests.
    pub url: String,
    /// How long the page may take to become ready for injection.
    pub ready_timeout: Duration,
    /// How long a module may take to register before its feature counts as missing.
    pub module_wait: Duration,
    /// How long a send waits for the server's answer before it is reported as sent but
    /// unconfirmed (its delivery is then watched up to `delivery_timeout`).
    pub send_result_wait: Duration,
    /// How long after a send its server ack may take before it is reported not delivered.
    pub delivery_timeout: Duration,
    /// How long a message may stay encrypted before a resend is asked for, and before it is
    /// given up on as unreadable (whatsapp-web.js: 5 s and 15 s).
    pub resend_after: Duration,
    /// The pairing code's own cycle (§2): a new code this long after each, this long after
    /// the phone typed one, at most this many times.
    pub pairing_code_life: Duration,
    pub pairing_code_after_hello: Duration,
    pub pairing_code_renewals: u32,
    pub give_up_after: Duration,
    /// Chromium's command-line flags (names without dashes); `browser::FLAGS` by default.
    pub flags: Vec<String>,
    /// Where a number that isn't linked yet links in a visible window (the passkey step
    /// needs one); `None`: no screen or no full browser, links stay headless.
    pub visible: Option<window::Visible>,
}

impl ChromiumDriver {
    pub fn new(browser: PathBuf, url: impl Into<String>) -> ChromiumDriver {
        ChromiumDriver {
            browser,
            url: url.into(),
            ready_timeout: Duration::from_secs(30),
            module_wait: Duration::from_secs(15),
            send_result_wait: Duration::from_secs(10),
            delivery_timeout: DELIVERY_TIMEOUT,
            resend_after: Duration::from_secs(5),
            pairing_code_life: Duration::from_secs(195),
            pairing_code_after_hello: Duration::from_secs(60),
            pairing_code_renewals: 5,
            give_up_after: Duration::from_secs(15),
            flags: browser::FLAGS.iter().map(|f| f.to_string()).collect(),
            visible: None,
        }
    }

    /// The injected script with this driver's settings.
    fn script(&self) -> String {
        let config = serde_json::json!({
            "binding": BINDING,
            "readyTimeoutMs": self.ready_timeout.as_millis() as u64,
            "pollMs": 200,
            "moduleWaitMs": self.module_wait.as_millis() as u64,
            "sendResultWaitMs": self.send_result_wait.as_millis() as u64,
            "resendAfterMs": self.resend_after.as_millis() as u64,
            "giveUpAfterMs": self.give_up_after.as_millis() as u64,
            "pairingCodeLifeMs": self.pairing_code_life.as_millis() as u64,
            "pairingCodeAfterHelloMs": self.pairing_code_after_hello.as_millis() as u64,
            "pairingCodeRenewals": self.pairing_code_renewals,
        });
        INJECT_JS.replacen("/*LEADLINE_CONFIG*/ {}", &config.to_string(), 1)
    }

    /// Starts Chromium on `profile` and opens WhatsApp Web. What the page reports arrives on
    /// `events`; the session ends when it is stopped or the browser dies (then `events`
    /// closes).
    pub async fn start(
        &self,
        profile: &Path,
        events: mpsc::UnboundedSender<WaEvent>,
        clock: Arc<dyn Clock>,
    ) -> Result<Session, WaError> {
        std::fs::create_dir_all(profile).map_err(|e| {
            WaError::Launch(format!(
                "the browser profile {} can't be created: {e}",
                profile.display()
            ))
        })?;
        // The profile holds the WhatsApp login and the DevTools port: the owner's only.
        private::make_private(profile);
        process::remove_stale_locks(profile);

        // A number not linked yet links in a visible window where there is a screen.
        let visible = self
            .visible
            .clone()
            .filter(|_| !window::linked_before(profile));
        let program = visible
            .as_ref()
            .map_or_else(|| self.browser.clone(), |v| v.browser.clone());
        // The desktop user agent for the whole browser (service workers included), not
        // per page: a headless agent gets WhatsApp's "update your browser" page.
        // `--version` runs the browser once (then cached): not on the async threads.
        let asked = program.clone();
        let agent = tokio::task::spawn_blocking(move || browser::desktop_user_agent_for(&asked))
            .await
            .unwrap_or(None);
        let Opened {
            browser,
            mut handler,
            pid,
            bridge,
        } = self
            .open_browser(profile, &program, visible.as_ref(), agent.as_deref())
            .await?;
        let handler_task = tokio::spawn(async move {
            while let Some(step) = handler.next().await {
                if step.is_err() {
                    break;
                }
            }
        });

        let (sends_tx, sends) = mpsc::unbounded_channel();
        let mut session = Session {
            browser,
            page: None,
            pid,
            profile: profile.to_path_buf(),
            tasks: [Some(handler_task), bridge].into_iter().flatten().collect(),
            sends: sends_tx,
            clock: clock.clone(),
            url: self.url.clone(),
        };
        let opened = session
            .open(
                self,
                agent.is_none(),
                visible.is_some(),
                events,
                sends,
                clock,
            )
            .await;
        if let Err(e) = opened {
            session.stop().await;
            return Err(e);
        }
        Ok(session)
    }
}

/// A browser started and connected to, with what stopping it needs.
struct Opened {
    browser: Browser,
    handler: chromiumoxide::Handler,
    pid: Option<u32>,
    /// The task carrying DevTools between the pipe and chromiumoxide (it holds the
    /// browser's process).
    bridge: Option<JoinHandle<()>>,
}

impl ChromiumDriver {
    /// The browser's command line (names with their dashes), as chromiumoxide would build
    /// it for the flags, the profile, headless, the sandbox and the user agent. (Windows
    /// lets chromiumoxide build it.)
    #[cfg(unix)]
    fn command_line(&self, profile: &Path, visible: bool, agent: Option<&str>) -> Vec<String> {
        let mut args: Vec<String> = self
            .flags
            .iter()
            .map(|flag| format!("--{}", flag.trim_start_matches('-')))
            .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        if visible {
            args.extend(browser::VISIBLE_FLAGS.iter().map(|f| format!("--{f}")));
        } else {
            args.extend(["--headless", "--hide-scrollbars", "--mute-audio"].map(String::from));
        }
        if browser::needs_no_sandbox() {
            args.extend(["--no-sandbox", "--disable-setuid-sandbox"].map(String::from));
        }
        if let Some(agent) = agent {
            args.push(format!("--user-agent={agent}"));
        }
        args
    }

    /// Starts the browser with its DevTools on a pipe (no port for other users to attach
    /// to) and connects to it through the bridge.
    #[cfg(unix)]
    async fn open_browser(
        &self,
        profile: &Path,
        program: &Path,
        visible: Option<&window::Visible>,
        agent: Option<&str>,
    ) -> Result<Opened, WaError> {
        let mut envs = vec![(
            process::PROFILE_ENV.to_string(),
            profile.display().to_string(),
        )];
        if let Some(display) = visible.and_then(|v| v.display.clone()) {
            envs.push(("DISPLAY".to_string(), display));
        }
        let args = self.command_line(profile, visible.is_some(), agent);
        let piped = super::devtools_pipe::launch(program, &args, &envs).await?;
        let pid = piped.pid;
        let config = chromiumoxide::handler::HandlerConfig {
            // Certificate errors are never ignored.
            ignore_https_errors: false,
            viewport: Some(Default::default()),
            request_timeout: Duration::from_secs(30),
            ..Default::default()
        };
        let connected = tokio::time::timeout(
            Duration::from_secs(20),
            Browser::connect_with_config(piped.ws_url.clone(), config),
        )
        .await;
        match connected {
            Ok(Ok((browser, handler))) => Ok(Opened {
                browser,
                handler,
                pid,
                bridge: Some(piped.bridge),
            }),
            failed => {
                if let Some(pid) = pid {
                    process::kill_tree(pid);
                }
                // The bridge ends with the browser, and reaps it.
                let _ = tokio::time::timeout(Duration::from_secs(3), piped.bridge).await;
                Err(WaError::Launch(match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => "the browser did not answer over its pipe within 20 s".into(),
                }))
            }
        }
    }

    /// Starts the browser with chromiumoxide, DevTools on a port of 127.0.0.1 (Windows:
    /// a pipe needs handles passed to the child, which Rust's standard library can't yet).
    #[cfg(not(unix))]
    async fn open_browser(
        &self,
        profile: &Path,
        program: &Path,
        visible: Option<&window::Visible>,
        agent: Option<&str>,
    ) -> Result<Opened, WaError> {
        let mut builder = BrowserConfig::builder()
            .chrome_executable(program)
            .user_data_dir(profile)
            .env(process::PROFILE_ENV, profile.display().to_string())
            // Headless is chromiumoxide's default (`--headless`).
            .disable_default_args()
            .args(self.flags.iter().map(String::as_str))
            // chromiumoxide ignores certificate errors unless told otherwise.
            .respect_https_errors()
            .launch_timeout(Duration::from_secs(20))
            .request_timeout(Duration::from_secs(30));
        if let Some(agent) = agent {
            builder = builder.arg(format!("user-agent={agent}"));
        }
        if browser::needs_no_sandbox() {
            builder = builder.no_sandbox();
        }
        if visible.is_some() {
            builder = builder
                .with_head()
                .args(browser::VISIBLE_FLAGS.iter().copied());
        }
        let config = builder.build().map_err(WaError::Launch)?;
        let (mut browser, handler) = Browser::launch(config)
            .await
            .map_err(|e| WaError::Launch(e.to_string()))?;
        private::make_private_file(&profile.join("DevToolsActivePort"));
        // Dies with the app, a crash included.
        if let Some(handle) = browser.get_mut_child().and_then(|c| c.inner.raw_handle()) {
            super::job::keep_with_app(handle as isize);
        }
        let pid = browser.get_mut_child().and_then(|c| c.inner.id());
        Ok(Opened {
            browser,
            handler,
            pid,
            bridge: None,
        })
    }
}

/// How long a sent message may wait for its server ack before it counts as not delivered.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running browser with WhatsApp Web open. Stop it with `stop`; dropping it kills the
/// browser too.
pub struct Session {
    browser: Browser,
    page: Option<Page>,
    pid: Option<u32>,
    profile: PathBuf,
    tasks: Vec<JoinHandle<()>>,
    /// Sends whose delivery the reports task watches.
    sends: mpsc::UnboundedSender<delivery::Watch>,
    clock: Arc<dyn Clock>,
    /// The WhatsApp address the page was opened on.
    url: String,
}

/// How long stopping waits for every browser process to be gone.
const STOP_DEADLINE: Duration = Duration::from_secs(5);

/// What an evaluation's failure means: a missing feature of the page, or the page itself.
fn page_error(e: impl std::fmt::Display) -> WaError {
    let text = e.to_string();
    match text.find("WhatsApp Web changed: ") {
        Some(at) => {
            let detail = text[at + "WhatsApp Web changed: ".len()..]
                .lines()
                .next()
                .unwrap_or_default();
            WaError::Unsupported(detail.to_string())
        }
        None => WaError::Page(text),
    }
}

/// What a navigation error means for the owner: a certificate problem (the page must never
/// load), a network that doesn't reach WhatsApp, a proxy in the way, or the page itself.
/// The browser's own code goes to the log, never into the sentence.
fn navigation_error(e: impl std::fmt::Display) -> WaError {
    let text = e.to_string();
    let error = if is_certificate_error(&text) {
        WaError::Insecure(text.clone())
    } else if is_proxy_error(&text) {
        WaError::Proxy(text.clone())
    } else if is_network_error(&text) {
        WaError::Unreachable(text.clone())
    } else {
        WaError::PageNotOpened(text.clone())
    };
    tracing::warn!(error = %text, "WhatsApp Web did not load");
    error
}

/// Chromium's codes for a network that doesn't reach the address (net_error_list.h).
fn is_network_error(text: &str) -> bool {
    [
        "ERR_INTERNET_DISCONNECTED",
        "ERR_NAME_NOT_RESOLVED",
        "ERR_NAME_RESOLUTION_FAILED",
        "ERR_ADDRESS_UNREACHABLE",
        "ERR_NETWORK_CHANGED",
        "ERR_NETWORK_ACCESS_DENIED",
        "ERR_CONNECTION_REFUSED",
        "ERR_CONNECTION_RESET",
        "ERR_CONNECTION_CLOSED",
        "ERR_CONNECTION_TIMED_OUT",
        "ERR_CONNECTION_FAILED",
        "ERR_TIMED_OUT",
        "ERR_EMPTY_RESPONSE",
    ]
    .iter()
    .any(|code| text.contains(code))
}

/// Chromium's codes for a proxy that failed or refused.
fn is_proxy_error(text: &str) -> bool {
    text.contains("ERR_PROXY")
        || text.contains("ERR_TUNNEL_CONNECTION_FAILED")
        || text.contains("ERR_MANDATORY_PROXY_CONFIGURATION_FAILED")
}

fn is_certificate_error(text: &str) -> bool {
    text.contains("ERR_CERT")
        || text.contains("ERR_SSL")
        || text.contains("ERR_BAD_SSL")
        || text.contains("ERR_INSECURE")
}

/// What the reports task needs besides the streams.
struct Reporting {
    page: Page,
    /// The browser runs in a visible window (a number linking).
    visible: bool,
    profile: PathBuf,
    delivery_timeout: Duration,
}

/// What a state means for the window and the session: the passkey step brings a visible
/// window forward (without one it can't be done: the link fails with why); Working marks
/// the profile linked and, from a visible window, asks for a headless start.
async fn on_state(reporting: &Reporting, state: AccountState, out: &mut Vec<WaEvent>) {
    match state {
        AccountState::Passkey { .. } if !reporting.visible => {
            out.push(WaEvent::State(AccountState::failed(
                super::account::passkey_needs_display(),
            )));
        }
        AccountState::Passkey { .. } => {
            if let Err(e) = window::show(&reporting.page).await {
                tracing::warn!(error = %e, "the WhatsApp window could not be brought forward");
            }
            out.push(WaEvent::State(state));
        }
        AccountState::Working { .. } => {
            if !window::linked_before(&reporting.profile) {
                window::mark_linked(&reporting.profile);
            }
            out.push(WaEvent::State(state));
            if reporting.visible {
                out.push(WaEvent::Relaunch);
            }
        }
        other => out.push(WaEvent::State(other)),
    }
}

/// Reads what the page reports, folds it into states, and watches the delivery of sends;
/// ends when the page's reports end (the browser is gone) or nobody listens any more.
async fn report_task(
    reporting: Reporting,
    mut reports: impl futures::Stream<Item = Arc<EventBindingCalled>> + Unpin,
    mut failures: impl futures::Stream<Item = Arc<EventLoadingFailed>> + Unpin,
    mut sends: mpsc::UnboundedReceiver<delivery::Watch>,
    events: mpsc::UnboundedSender<WaEvent>,
    clock: Arc<dyn Clock>,
) {
    let delivery_timeout = reporting.delivery_timeout;
    let mut tracker = StateTracker::default();
    let mut book = delivery::Deliveries::new(delivery_timeout);
    let mut sends_open = true;
    let mut failures_open = true;
    loop {
        // Woken for the next send whose server ack is due, if any waits.
        let next_deadline = book.next_deadline_ms();
        let wait = Duration::from_millis(
            next_deadline.map_or(0, |at| at.saturating_sub(clock.now_ms()).max(0) as u64),
        );
        let out: Vec<WaEvent> = tokio::select! {
            call = reports.next() => {
                let Some(call) = call else { return };
                if call.name != BINDING {
                    continue;
                }
                let event = match PageEvent::parse(&call.payload) {
                    Ok(event) => event,
                    Err(unreadable) => {
                        // Its kind and why only: the report may carry a customer's words.
                        tracing::warn!(kind = unreadable.kind, error = %unreadable.why, "an unreadable report from the page was left out");
                        continue;
                    }
                };
                match &event {
                    PageEvent::Warning { message } => tracing::warn!("WhatsApp Web: {message}"),
                    PageEvent::Failed { reason } => tracing::error!("WhatsApp Web: {reason}"),
                    // What the page said, only while the owner asked for detailed logs.
                    other if crate::logging::detailed() => {
                        tracing::debug!(target: crate::logging::DETAILED, event = ?other, "page")
                    }
                    other => tracing::trace!(kind = other.kind(), "page"),
                }
                let mut out = tracker.apply(event, clock.now_ms());
                let acks: Vec<(String, i8)> = out
                    .iter()
                    .filter_map(|e| match e {
                        WaEvent::Ack { id, ack } => Some((id.clone(), *ack)),
                        _ => None,
                    })
                    .collect();
                for (id, ack) in acks {
                    out.extend(book.ack(&id, ack));
                }
                out
            }
            failure = failures.next(), if failures_open => match failure {
                Some(failure)
                    if failure.r#type == ResourceType::Document
                        && is_certificate_error(&failure.error_text) =>
                {
                    tracing::error!(error = %failure.error_text, "WhatsApp Web failed its certificate check");
                    vec![WaEvent::State(AccountState::failed(
                        WaError::Insecure(failure.error_text.clone()).text(),
                    ))]
                }
                Some(_) => continue,
                None => {
                    failures_open = false;
                    continue;
                }
            },
            watch = sends.recv(), if sends_open => match watch {
                Some(watch) => book.sent(watch, clock.now_ms()),
                None => {
                    sends_open = false;
                    continue;
                }
            },
            _ = tokio::time::sleep(wait), if next_deadline.is_some() => book.expired(clock.now_ms()),
        };
        let mut told = Vec::with_capacity(out.len());
        for event in out {
            match event {
                WaEvent::State(state) => on_state(&reporting, state, &mut told).await,
                other => told.push(other),
            }
        }
        for event in told {
            if events.send(event).is_err() {
                return;
            }
        }
    }
}

/// What the page answers a send with (inject.js `send`).
#[derive(Debug, serde::Deserialize)]
struct SendAnswer {
    id: Option<String>,
    result: String,
    detail: Option<String>,
    /// Why WhatsApp's limits refused it, with `result` "REFUSED" (§5.2).
    #[serde(default)]
    refused: Option<String>,
}

impl Session {
    async fn open(
        &mut self,
        driver: &ChromiumDriver,
        agent_per_page: bool,
        visible: bool,
        events: mpsc::UnboundedSender<WaEvent>,
        sends: mpsc::UnboundedReceiver<delivery::Watch>,
        clock: Arc<dyn Clock>,
    ) -> Result<(), WaError> {
        // The browser's first task: one that can't even open a blank tab didn't start (a
        // program that exits at once still lets the pipe's bridge connect first).
        let page = self
            .browser
            .new_page("about:blank")
            .await
            .map_err(|e| WaError::Launch(e.to_string()))?;
        // Chromium opens a blank tab at start; left open it keeps a renderer alive for nothing.
        if let Ok(pages) = self.browser.pages().await {
            for other in pages
                .into_iter()
                .filter(|p| p.target_id() != page.target_id())
            {
                let _ = other.close().await;
            }
        }
        // chromiumoxide attaches to every worker the page starts and holds it until told to
        // run; WhatsApp Web's service worker then never installs. The driver needs none of
        // them (the bridge runs in the page itself), so they start on their own.
        page.execute(
            SetAutoAttachParams::builder()
                .auto_attach(false)
                .wait_for_debugger_on_start(false)
                .flatten(true)
                .build()
                .map_err(WaError::Page)?,
        )
        .await
        .map_err(page_error)?;
        if agent_per_page {
            // The browser's version was unknown before launch: the page's own override.
            let agent = self.browser.user_agent().await.map_err(page_error)?;
            page.set_user_agent(browser::desktop_user_agent(&agent))
                .await
                .map_err(page_error)?;
        }

        let reports = page
            .event_listener::<EventBindingCalled>()
            .await
            .map_err(page_error)?;
        let failures = page
            .event_listener::<EventLoadingFailed>()
            .await
            .map_err(page_error)?;
        if visible {
            // Out of the way while the app shows the QR; forward on the passkey step.
            if let Err(e) = window::hide(&page).await {
                tracing::warn!(error = %e, "the linking window could not be minimized");
            }
        }
        let delivery_timeout = driver.delivery_timeout;
        self.tasks.push(tokio::spawn(report_task(
            Reporting {
                page: page.clone(),
                visible,
                profile: self.profile.clone(),
                delivery_timeout,
            },
            reports,
            failures,
            sends,
            events,
            clock,
        )));

        page.execute(AddBindingParams::new(BINDING))
            .await
            .map_err(page_error)?;
        page.evaluate_on_new_document(driver.script())
            .await
            .map_err(page_error)?;
        page.goto(driver.url.as_str())
            .await
            .map_err(navigation_error)?;
        self.page = Some(page);
        Ok(())
    }

    /// The browser's process id, for supervision and cleanup.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    async fn call<T: DeserializeOwned>(&self, expression: String) -> Result<T, WaError> {
        let page = self.page.as_ref().ok_or(WaError::NotConnected)?;
        let result = page.evaluate(expression).await.map_err(page_error)?;
        result.into_value::<T>().map_err(page_error)
    }

    fn json(value: &str) -> String {
        serde_json::Value::String(value.to_string()).to_string()
    }

    /// Sends `text` to `chat`; returns WhatsApp's id for the new message once the page
    /// took it. A send the page refused is an error; one the server hasn't confirmed yet is
    /// watched, and reported as `WaEvent::NotDelivered` if its server ack never comes.
    pub async fn send_text(&self, chat: &str, text: &str) -> Result<String, WaError> {
        let started = self.clock.now_ms();
        let expression = format!(
            "window.__leadline.send({}, {})",
            Self::json(chat),
            Self::json(text)
        );
        let answer: SendAnswer = self.call(expression).await?;
        if answer.result == "REFUSED" {
            let refusal = Refusal::from_page(answer.refused.as_deref());
            // The page's own error code, when it gave one: logged, never relied on.
            tracing::info!(
                refusal = refusal.as_str(),
                code = answer.detail.as_deref().unwrap_or(""),
                attempted = answer.id.is_some(),
                "WhatsApp's limits kept a message from going out"
            );
            return Err(WaError::Limited {
                id: answer.id.filter(|id| !id.is_empty()),
                refusal,
            });
        }
        let id = answer.id.filter(|id| !id.is_empty()).ok_or_else(|| {
            WaError::Page("the page sent a message without telling its id".into())
        })?;
        match answer.result.as_str() {
            "OK" | "PENDING" => {
                let _ = self.sends.send(delivery::Watch {
                    id: id.clone(),
                    sent_at_ms: started,
                    server_acked: answer.result == "OK",
                });
                Ok(id)
            }
            other => Err(WaError::SendRefused {
                id,
                detail: answer.detail.unwrap_or_else(|| other.to_string()),
            }),
        }
    }

    /// A media message's file (`id` as reported), fetched through the page: expired media
    /// is asked of the phone again, which has `reupload_wait_ms` to answer
    /// (`media::REUPLOAD_WAIT_MS` in the app). Never larger than `max_bytes`; the bytes are
    /// checked against the hash WhatsApp announced.
    pub async fn download(
        &self,
        id: &str,
        max_bytes: u64,
        reupload_wait_ms: u64,
    ) -> Result<media::Downloaded, media::DownloadError> {
        self.download_within(id, max_bytes, reupload_wait_ms, media::FILE_WAIT_MS)
            .await
    }

    /// `download`, the file's own fetch given `file_wait_ms` beside the phone's upload:
    /// past both, the page's fetch is stopped and the download is a timeout. The page is
    /// asked a while at a time (`media::DOWNLOAD_POLL_MS`), as a phone's upload outlasts
    /// any one call into the page.
    pub async fn download_within(
        &self,
        id: &str,
        max_bytes: u64,
        reupload_wait_ms: u64,
        file_wait_ms: u64,
    ) -> Result<media::Downloaded, media::DownloadError> {
        let failed = |e: WaError| media::DownloadError {
            reason: media::DownloadFailure::Failed,
            detail: e.to_string(),
        };
        let deadline = tokio::time::Instant::now()
            + Duration::from_millis(reupload_wait_ms.saturating_add(file_wait_ms));
        let wait_ms = |deadline: tokio::time::Instant| {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            u64::try_from(left.as_millis())
                .unwrap_or(u64::MAX)
                .min(media::DOWNLOAD_POLL_MS)
        };
        // A file that comes at once is answered by this first call.
        let mut answer: media::PageDownload = self
            .call(format!(
                "window.__leadline.downloadStart({}, {max_bytes}, {reupload_wait_ms}, {})",
                Self::json(id),
                wait_ms(deadline),
            ))
            .await
            .map_err(failed)?;
        loop {
            if !answer.pending {
                return media::downloaded(answer, max_bytes);
            }
            let Some(ticket) = answer.ticket else {
                return Err(media::DownloadError {
                    reason: media::DownloadFailure::Failed,
                    detail: "the page lost track of the download".into(),
                });
            };
            if wait_ms(deadline) == 0 {
                // Best effort: a page that can't be reached has stopped fetching anyway.
                let _ = self
                    .call::<bool>(format!("window.__leadline.downloadStop({ticket})"))
                    .await;
                return Err(media::DownloadError {
                    reason: media::DownloadFailure::Timeout,
                    detail: format!(
                        "the file did not come within {} s",
                        (reupload_wait_ms + file_wait_ms) / 1000
                    ),
                });
            }
            answer = self
                .call(format!(
                    "window.__leadline.downloadWait({ticket}, {})",
                    wait_ms(deadline)
                ))
                .await
                .map_err(failed)?;
        }
    }

    /// Marks `chat` as read.
    pub async fn mark_seen(&self, chat: &str) -> Result<(), WaError> {
        let expression = format!(
            "window.__leadline.seen({}).then(() => true)",
            Self::json(chat)
        );
        self.call::<bool>(expression).await.map(|_| ())
    }

    /// Shows or hides "typing…" in `chat`.
    pub async fn set_typing(&self, chat: &str, on: bool) -> Result<(), WaError> {
        let expression = format!(
            "window.__leadline.typing({}, {on}).then(() => true)",
            Self::json(chat)
        );
        self.call::<bool>(expression).await.map(|_| ())
    }

    /// Starts a new batch of QR codes after the last one expired.
    /// The owner compared the passkey step's verification code with the phone's: it is
    /// confirmed to WhatsApp (§5.1; never before the owner did).
    pub async fn confirm_passkey_code(&self) -> Result<(), WaError> {
        self.call::<bool>("window.__leadline.confirmPasskeyCode().then(() => true)".into())
            .await
            .map(|_| ())
    }

    /// Tests only: gives the page a CDP virtual authenticator holding one credential
    /// (`pkcs8`, an ECDSA P-256 key; resident, user-verifying, presence automatic), so a
    /// scripted check can complete the passkey step on the local fake. Refused unless the
    /// WhatsApp address is on this computer: on the real site it would replace the owner's
    /// own authenticators with one that can't hold their passkey (§5.1).
    pub async fn attach_test_authenticator(
        &self,
        credential_id: Vec<u8>,
        pkcs8: Vec<u8>,
    ) -> Result<(), WaError> {
        use base64::Engine;
        use base64::engine::general_purpose::STANDARD;
        use chromiumoxide::cdp::browser_protocol::web_authn::{
            AddCredentialParams, AddVirtualAuthenticatorParams, AuthenticatorProtocol,
            AuthenticatorTransport, Credential, EnableParams, VirtualAuthenticatorOptions,
        };
        let local =
            reqwest::Url::parse(&self.url).is_ok_and(|url| crate::net::on_this_computer(&url));
        if !local {
            return Err(WaError::Page(
                "a test authenticator is only for WhatsApp on this computer (the local fake)"
                    .into(),
            ));
        }
        let page = self.page.as_ref().ok_or(WaError::NotConnected)?;
        let cdp = |e: chromiumoxide::error::CdpError| WaError::Page(format!("WebAuthn: {e}"));
        page.execute(EnableParams::default()).await.map_err(cdp)?;
        let options = VirtualAuthenticatorOptions::builder()
            .protocol(AuthenticatorProtocol::Ctap2)
            .transport(AuthenticatorTransport::Internal)
            .has_resident_key(true)
            .has_user_verification(true)
            .is_user_verified(true)
            .automatic_presence_simulation(true)
            .build()
            .map_err(WaError::Page)?;
        let add = AddVirtualAuthenticatorParams::new(options);
        let authenticator = page.execute(add).await.map_err(cdp)?;
        let credential = Credential::builder()
            .credential_id(chromiumoxide::Binary::from(STANDARD.encode(&credential_id)))
            .is_resident_credential(true)
            .rp_id("localhost")
            .private_key(chromiumoxide::Binary::from(STANDARD.encode(&pkcs8)))
            // A resident credential needs a user handle; the fake checks none.
            .user_handle(chromiumoxide::Binary::from(
                STANDARD.encode(b"leadline-test"),
            ))
            .sign_count(0)
            .build()
            .map_err(WaError::Page)?;
        page.execute(AddCredentialParams::new(
            authenticator.result.authenticator_id.clone(),
            credential,
        ))
        .await
        .map_err(cdp)?;
        Ok(())
    }

    pub async fn refresh_qr(&self) -> Result<(), WaError> {
        self.call::<bool>("(window.__leadline.refreshQr(), true)".into())
            .await
            .map(|_| ())
    }

    /// The own messages in `chat` from `since` (unix seconds) on, oldest first; the page
    /// loads earlier messages of the chat until it holds that far back.
    pub async fn recent_own(&self, chat: &str, since: i64) -> Result<Vec<OwnMessage>, WaError> {
        self.call(format!(
            "window.__leadline.recentOwn({}, {since})",
            Self::json(chat)
        ))
        .await
    }

    /// Takes WhatsApp back from another computer or browser (the page's "Use here").
    pub async fn take_over(&self) -> Result<(), WaError> {
        self.call::<bool>("(window.__leadline.takeover(), true)".into())
            .await
            .map(|_| ())
    }

    /// Unlinks this device from WhatsApp (the session then reports `LoggedOut`).
    pub async fn logout(&self) -> Result<(), WaError> {
        self.call::<bool>("window.__leadline.logout().then(() => true)".into())
            .await
            .map(|_| ())
    }

    /// Asks WhatsApp for an 8-character code to type on the phone instead of scanning.
    pub async fn pairing_code(&self, phone: &str) -> Result<String, WaError> {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < 7 {
            return Err(WaError::InvalidPhone(text!(
                "wa.invalid_phone",
                "“{phone}” is not a phone number with its country code, e.g. +34 600 123 456.",
                phone = phone
            )));
        }
        self.call(format!(
            "window.__leadline.pairingCode({})",
            Self::json(&digits)
        ))
        .await
    }

    /// Answers when the page is alive and responsive.
    pub async fn ping(&self) -> Result<(), WaError> {
        self.call::<bool>("!!window.__leadline".into())
            .await
            .map(|_| ())
    }

    /// Reports unread chats' customer messages again (see `Session::catch_up`).
    pub async fn catch_up(&self) -> Result<usize, WaError> {
        self.call("window.__leadline.catchUp()".into()).await
    }

    /// Closes the browser and makes sure none of its processes outlive it.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    async fn shut_down(&mut self) {
        // Collected first: once the browser exits, its helpers can't be found from its PID.
        let pids = self.pid.take().map(process::tree).unwrap_or_default();
        let recorded = process::record(&pids);
        if let Some(page) = self.page.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), page.close()).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(3), self.browser.close()).await;
        let _ = tokio::time::timeout(Duration::from_secs(3), self.browser.wait()).await;
        process::kill(&pids);
        // Anything still naming this profile (a helper outside the tree) goes too, and
        // `stop` returns only once nothing is left.
        let deadline = tokio::time::Instant::now() + STOP_DEADLINE;
        loop {
            let mut left = process::using_profile(&self.profile);
            left.extend(
                recorded
                    .iter()
                    .filter(|r| process::still_running(r))
                    .map(|r| r.pid),
            );
            if left.is_empty() {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::error!(?left, "browser processes did not stop");
                break;
            }
            process::kill(&left);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Without an async context here, kill outright; `stop` is the graceful path.
        if let Some(pid) = self.pid.take() {
            process::kill_tree(pid);
            process::kill(&process::using_profile(&self.profile));
        }
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

/// Which browser runs WhatsApp Web, and where WhatsApp Web is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserChoice {
    /// The browser chosen in Settings, if any (else `browser::find` looks).
    pub browser: Option<PathBuf>,
    pub url: String,
}

/// Chromium sessions behind the runtime's seam. The browser is looked up at each start,
/// so an owner who installs one after seeing "no browser", or changes it in Settings,
/// doesn't have to restart Leadline.
pub struct ChromiumSessions {
    choice: std::sync::RwLock<BrowserChoice>,
    pub ready_timeout: Duration,
    pub clock: Arc<dyn Clock>,
    /// Tests only: a passkey (credential id, PKCS#8 key) each page gets in a CDP virtual
    /// authenticator, so the app's own end-to-end test can complete the fake's passkey
    /// step. Only ever given to a page whose WhatsApp address is on this computer.
    pub test_passkey: Option<(Vec<u8>, Vec<u8>)>,
}

/// The variable a test sets to give the app's pages a test passkey
/// (`<credential id>.<PKCS#8 key>`, both base64url): honoured only for a WhatsApp address
/// on this computer (the local fake), never for WhatsApp itself.
pub const TEST_PASSKEY_ENV: &str = "LEADLINE_TEST_PASSKEY";

/// The test passkey in `TEST_PASSKEY_ENV`, when set, readable, and the WhatsApp address
/// `url` is on this computer.
pub fn test_passkey_from_env(url: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let value = std::env::var(TEST_PASSKEY_ENV).ok()?;
    let local = reqwest::Url::parse(url).is_ok_and(|url| crate::net::on_this_computer(&url));
    if !local {
        tracing::warn!("a test passkey is only for WhatsApp on this computer; ignored");
        return None;
    }
    let (id, key) = value.split_once('.')?;
    Some((
        URL_SAFE_NO_PAD.decode(id).ok()?,
        URL_SAFE_NO_PAD.decode(key).ok()?,
    ))
}

impl ChromiumSessions {
    pub fn new(url: impl Into<String>, clock: Arc<dyn Clock>) -> ChromiumSessions {
        ChromiumSessions {
            choice: std::sync::RwLock::new(BrowserChoice {
                browser: None,
                url: url.into(),
            }),
            ready_timeout: Duration::from_secs(30),
            clock,
            test_passkey: None,
        }
    }

    /// Applies the owner's choice to every browser started from now on.
    pub fn configure(&self, choice: BrowserChoice) {
        // A poisoned lock only means a panic elsewhere mid-write of a plain value.
        let mut current = self
            .choice
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = choice;
    }

    pub fn choice(&self) -> BrowserChoice {
        self.choice
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Driver for ChromiumSessions {
    fn start<'a>(
        &'a self,
        profile: &'a Path,
        events: mpsc::UnboundedSender<WaEvent>,
    ) -> futures::future::BoxFuture<'a, Result<Box<dyn driver::Session>, WaError>> {
        Box::pin(async move {
            let choice = self.choice();
            let chrome = browser::find(choice.browser.as_deref())?;
            let mut driver = ChromiumDriver::new(chrome, choice.url);
            driver.ready_timeout = self.ready_timeout;
            driver.visible = window::visible_links(choice.browser.as_deref());
            let session = driver.start(profile, events, self.clock.clone()).await?;
            if let Some((credential_id, pkcs8)) = self.test_passkey.clone() {
                // Refused by the session itself unless the address is on this computer.
                if let Err(e) = session
                    .attach_test_authenticator(credential_id, pkcs8)
                    .await
                {
                    tracing::warn!(error = %e, "the test passkey was not given to the page");
                }
            }
            Ok(Box::new(session) as Box<dyn driver::Session>)
        })
    }
}

impl driver::Session for Session {
    fn send_text<'a>(
        &'a self,
        chat: &'a str,
        text: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<String, WaError>> {
        Box::pin(Session::send_text(self, chat, text))
    }
    fn mark_seen<'a>(
        &'a self,
        chat: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<(), WaError>> {
        Box::pin(Session::mark_seen(self, chat))
    }
    fn set_typing<'a>(
        &'a self,
        chat: &'a str,
        on: bool,
    ) -> futures::future::BoxFuture<'a, Result<(), WaError>> {
        Box::pin(Session::set_typing(self, chat, on))
    }
    fn refresh_qr(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>> {
        Box::pin(Session::refresh_qr(self))
    }
    fn take_over(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>> {
        Box::pin(Session::take_over(self))
    }
    fn confirm_passkey_code(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>> {
        Box::pin(Session::confirm_passkey_code(self))
    }
    fn recent_own<'a>(
        &'a self,
        chat: &'a str,
        since: i64,
    ) -> futures::future::BoxFuture<'a, Result<Vec<OwnMessage>, WaError>> {
        Box::pin(Session::recent_own(self, chat, since))
    }
    fn pairing_code<'a>(
        &'a self,
        phone: &'a str,
    ) -> futures::future::BoxFuture<'a, Result<String, WaError>> {
        Box::pin(Session::pairing_code(self, phone))
    }
    fn logout(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>> {
        Box::pin(Session::logout(self))
    }
    fn download<'a>(
        &'a self,
        id: &'a str,
        max_bytes: u64,
    ) -> futures::future::BoxFuture<'a, Result<media::Downloaded, media::DownloadError>> {
        Box::pin(Session::download(
            self,
            id,
            max_bytes,
            media::REUPLOAD_WAIT_MS,
        ))
    }
    fn ping(&self) -> futures::future::BoxFuture<'_, Result<(), WaError>> {
        Box::pin(Session::ping(self))
    }
    fn catch_up(&self) -> futures::future::BoxFuture<'_, Result<usize, WaError>> {
        Box::pin(Session::catch_up(self))
    }
    fn pid(&self) -> Option<u32> {
        self.pid
    }
    fn stop(self: Box<Self>) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(Session::stop(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_navigation_error_is_said_as_what_it_means_for_the_owner() {
        let said = |e: &str| navigation_error(e).text();
        for offline in [
            "net::ERR_NAME_NOT_RESOLVED",
            "net::ERR_INTERNET_DISCONNECTED",
            "net::ERR_CONNECTION_REFUSED",
            "net::ERR_TIMED_OUT",
        ] {
            let text = said(offline);
            assert_eq!(text.key, "wa.unreachable", "{offline}");
            assert!(
                !text.english.contains("ERR_"),
                "no browser code: {}",
                text.english
            );
            assert_eq!(
                text.detail.as_deref(),
                Some(offline),
                "the code is in Details"
            );
        }
        assert_eq!(said("net::ERR_PROXY_CONNECTION_FAILED").key, "wa.proxy");
        assert_eq!(said("net::ERR_TUNNEL_CONNECTION_FAILED").key, "wa.proxy");
        // A Wi-Fi's sign-in page fails the certificate check too: the sentence names it.
        assert_eq!(
            said("net::ERR_CERT_AUTHORITY_INVALID").key,
            "wa.insecure_network"
        );
        assert_eq!(said("net::ERR_ABORTED").key, "wa.page_not_opened");
    }
}
