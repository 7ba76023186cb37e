//! One llama.cpp `llama-server` process: started on 127.0.0.1 at a free port with a fresh
//! random key (in its environment, not on its command line, where other users of the
//! computer could read it), ready once `/health` answers, and stopped by its own handle.
//! Its output stays in memory (the last lines, for the reason when it can't start): it
//! may hold what customers wrote, which never goes to a file.

use std::collections::VecDeque;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a model may take to load before the start counts as failed (a 3B model from a
/// slow disk takes tens of seconds).
pub const READY_WITHIN: Duration = Duration::from_secs(180);

/// The context each answer gets: the assistant's prompt, the history it is given and the
/// reply fit in it.
const CONTEXT_TOKENS: &str = "4096";

/// A started server.
pub struct Started {
    pub child: Child,
    pub pid: Option<u32>,
    pub port: u16,
    pub key: String,
    /// Its last lines of output.
    pub output: Arc<Mutex<VecDeque<String>>>,
}

/// Why a server did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// The program could not be run at all.
    Spawn(String),
    /// It stopped before it was ready (its last line of output).
    Exited(String),
    /// It was not ready in time.
    Slow,
}

fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()
        .map(|a| a.port())
}

/// Threads for answering: every core but one for the app and the browsers, 1 to 8.
fn threads() -> String {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.saturating_sub(1).clamp(1, 8).to_string()
}

/// Starts `binary` on `model` (named `alias` to the API) and waits until it answers.
pub async fn start(
    binary: &Path,
    model: &Path,
    alias: &str,
    client: &reqwest::Client,
) -> Result<Started, StartError> {
    let port = free_port().map_err(|e| StartError::Spawn(e.to_string()))?;
    let key = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let threads = threads();
    let mut command = Command::new(binary);
    command
        .arg("-m")
        .arg(model)
        .args(["--alias", alias, "--host", "127.0.0.1"])
        .args(["--port", &port.to_string()])
        .args(["-c", CONTEXT_TOKENS, "-np", "1"])
        .args(["-t", &threads, "-tb", &threads])
        .args(["--no-webui", "--no-slots"])
        .env("LLAMA_ARG_API_KEY", &key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(windows)]
    {
        // No console window flashing up beside the app.
        command.creation_flags(0x0800_0000);
    }
    let mut child = command
        .spawn()
        .map_err(|e| StartError::Spawn(e.to_string()))?;
    #[cfg(windows)]
    if let Some(handle) = child.raw_handle() {
        // Dies with the app, a crash included.
        crate::whatsapp::job::keep_with_app(handle as isize);
    }
    let output: Arc<Mutex<VecDeque<String>>> = Arc::default();
    if let Some(stderr) = child.stderr.take() {
        let lines = output.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let mut kept = lines
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if kept.len() == 20 {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
    }
    let pid = child.id();
    let health = format!("http://127.0.0.1:{port}/health");
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            // Let the reader take its last lines.
            tokio::time::sleep(Duration::from_millis(50)).await;
            return Err(StartError::Exited(last_line(&output)));
        }
        let ready = client
            .get(&health)
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            return Ok(Started {
                child,
                pid,
                port,
                key,
                output,
            });
        }
        if Instant::now() >= deadline {
            let _ = child.kill().await;
            return Err(StartError::Slow);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Records the running server's process id in `pid_file`, so a server left behind by an
/// app that crashed can be stopped at the next start.
pub fn record(pid_file: &Path, pid: Option<u32>) {
    let written = match pid {
        Some(pid) => std::fs::write(pid_file, pid.to_string()),
        None => std::fs::remove_file(pid_file).or(Ok(())),
    };
    if let Err(e) = written {
        tracing::debug!(error = %e, "the server's process id was not recorded");
    }
}

/// Stops the server a crashed app left running: the process `pid_file` names, only if it
/// is still `binary` (a process id can be reused), by its id.
pub fn stop_leftover(pid_file: &Path, binary: &Path) {
    let Some(pid) = std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok())
    else {
        return;
    };
    let pid = sysinfo::Pid::from_u32(pid);
    let mut system = sysinfo::System::new();
    system.refresh_processes(sysinfo::ProcessesToUpdate::Some(&[pid]), true);
    let ours = |exe: &Path| {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        canonical(exe) == canonical(binary)
    };
    if let Some(process) = system.process(pid).filter(|p| p.exe().is_some_and(ours)) {
        let stopped = process.kill();
        tracing::info!(
            stopped,
            "a local AI server left by an earlier run was stopped"
        );
    }
    let _ = std::fs::remove_file(pid_file);
}

/// The server's last line of output that says something.
pub fn last_line(output: &Mutex<VecDeque<String>>) -> String {
    output
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .cloned()
        .unwrap_or_default()
}
