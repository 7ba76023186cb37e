//! The browser driven over a pipe, never a port. With `--remote-debugging-port` any user of
//! the computer can attach to a number's browser on 127.0.0.1 (it lists its own address at
//! `/json/version`) and read or send its messages. With `--remote-debugging-pipe` Chromium
//! takes DevTools commands on its fd 3 and answers on its fd 4, NUL-separated JSON, and
//! listens on no port at all. chromiumoxide speaks only WebSocket, so a bridge of ours
//! carries each message between the two: it listens on 127.0.0.1 under a random path for
//! one connection (ours, moments later; anything else is refused), then stops listening.

use std::path::Path;

use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use async_tungstenite::tungstenite::protocol::WebSocketConfig;
use command_fds::{CommandFdExt, FdMapping};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::net::unix::pipe;
use tokio::task::JoinHandle;

use super::error::WaError;

/// How long the bridge waits for chromiumoxide to connect.
const CONNECT_WITHIN: std::time::Duration = std::time::Duration::from_secs(20);

/// A browser started with its DevTools on a pipe.
pub(super) struct PipedBrowser {
    pub pid: Option<u32>,
    /// Where chromiumoxide connects (the bridge, once).
    pub ws_url: String,
    /// Carries DevTools until either side ends, or the browser exits (its helpers may
    /// keep the pipe open after it died); it holds the browser's process and reaps it.
    pub bridge: JoinHandle<()>,
}

fn launch_error(what: &str, e: impl std::fmt::Display) -> WaError {
    WaError::Launch(format!("{what}: {e}"))
}

/// Starts `program` with `args` (the pipe's flag added) and the bridge to its pipe.
pub(super) async fn launch(
    program: &Path,
    args: &[String],
    envs: &[(String, String)],
) -> Result<PipedBrowser, WaError> {
    // Commands: we write, the browser reads on its fd 3. Answers: it writes on fd 4.
    let (commands, commands_in) = pipe::pipe().map_err(|e| launch_error("no pipe", e))?;
    let (answers_out, answers) = pipe::pipe().map_err(|e| launch_error("no pipe", e))?;
    let commands_in = commands_in
        .into_blocking_fd()
        .map_err(|e| launch_error("no pipe", e))?;
    let answers_out = answers_out
        .into_blocking_fd()
        .map_err(|e| launch_error("no pipe", e))?;
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .arg("--remote-debugging-pipe")
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
        .fd_mappings(vec![
            FdMapping {
                parent_fd: commands_in,
                child_fd: 3,
            },
            FdMapping {
                parent_fd: answers_out,
                child_fd: 4,
            },
        ])
        .map_err(|e| launch_error("the browser's pipe", e))?;
    let mut child = command
        .spawn()
        .map_err(|e| launch_error("the browser did not start", e))?;
    let pid = child.id();
    // The browser's ends went with it; ours close when the bridge ends.
    drop(command);

    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| launch_error("the DevTools bridge", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| launch_error("the DevTools bridge", e))?
        .port();
    let path = format!("/devtools/browser/{}", uuid::Uuid::new_v4().simple());
    let ws_url = format!("ws://127.0.0.1:{port}{path}");
    let bridge = tokio::spawn(async move {
        let serve = async {
            let Some(socket) = accept_ours(listener, &path).await else {
                tracing::warn!("the DevTools bridge was never connected to");
                return;
            };
            carry(socket, commands, answers).await;
        };
        tokio::select! {
            () = serve => {}
            _ = child.wait() => {}
        }
    });
    Ok(PipedBrowser {
        pid,
        ws_url,
        bridge,
    })
}

type Socket = async_tungstenite::WebSocketStream<
    async_tungstenite::tokio::TokioAdapter<tokio::net::TcpStream>,
>;

/// The first connection that asks for `path`; the listener closes with it (a connection
/// asking for anything else is refused and the wait goes on, up to `CONNECT_WITHIN`).
async fn accept_ours(listener: TcpListener, path: &str) -> Option<Socket> {
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let waited = tokio::time::timeout(CONNECT_WITHIN, async {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let check = only(path);
            if let Ok(socket) =
                async_tungstenite::tokio::accept_hdr_async_with_config(stream, check, Some(config))
                    .await
            {
                return socket;
            }
        }
    })
    .await;
    waited.ok()
}

/// The handshake check: the bridge's own path, anything else refused (404).
#[allow(
    clippy::result_large_err,
    reason = "the handshake callback's signature is tungstenite's"
)]
fn only(path: &str) -> impl FnOnce(&Request, Response) -> Result<Response, ErrorResponse> + '_ {
    move |request, response| {
        if request.uri().path() == path {
            Ok(response)
        } else {
            let mut refused = ErrorResponse::new(None);
            *refused.status_mut() = async_tungstenite::tungstenite::http::StatusCode::NOT_FOUND;
            Err(refused)
        }
    }
}

/// Carries messages both ways until either side ends: a WebSocket text is one command on
/// the pipe (NUL after it); the pipe's NUL-separated answers are WebSocket texts.
async fn carry(socket: Socket, mut commands: pipe::Sender, mut answers: pipe::Receiver) {
    let (mut to_client, mut from_client) = socket.split();
    let mut pending: Vec<u8> = Vec::new();
    let mut chunk = vec![0_u8; 64 * 1024];
    loop {
        tokio::select! {
            message = from_client.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let mut framed = text.as_bytes().to_vec();
                    framed.push(0);
                    if commands.write_all(&framed).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Binary(bytes))) => {
                    let mut framed = bytes.to_vec();
                    framed.push(0);
                    if commands.write_all(&framed).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            read = answers.read(&mut chunk) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    pending.extend_from_slice(&chunk[..n]);
                    while let Some(end) = pending.iter().position(|b| *b == 0) {
                        let answer: Vec<u8> = pending.drain(..=end).take(end).collect();
                        let text = String::from_utf8_lossy(&answer).into_owned();
                        if to_client.send(Message::text(text)).await.is_err() {
                            return;
                        }
                    }
                }
            },
        }
    }
    // Dropped, not closed with a Close frame: chromiumoxide ends its session on a
    // connection that breaks (as when a browser dies), not on a polite close.
    drop(to_client);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in browser that answers every command with itself: `cat` from fd 3 to fd 4.
    async fn echoing() -> PipedBrowser {
        let args = ["-c".to_string(), "cat <&3 >&4".to_string()];
        launch(Path::new("/bin/sh"), &args, &[]).await.unwrap()
    }

    #[tokio::test]
    async fn only_our_connection_is_taken_and_then_nobody_elses() {
        let piped = echoing().await;
        let port_url = piped
            .ws_url
            .rsplit_once("/devtools/")
            .unwrap()
            .0
            .to_string();
        let guessed = async_tungstenite::tokio::connect_async(format!(
            "{port_url}/devtools/browser/0123456789abcdef0123456789abcdef"
        ))
        .await;
        assert!(guessed.is_err(), "a guessed path is refused");

        let (mut ours, _) = async_tungstenite::tokio::connect_async(&piped.ws_url)
            .await
            .unwrap();
        ours.send(Message::text(r#"{"id":1,"method":"Browser.getVersion"}"#))
            .await
            .unwrap();
        ours.send(Message::text("ünïcode 😀")).await.unwrap();
        let mut answers = Vec::new();
        while answers.len() < 2 {
            match ours.next().await {
                Some(Ok(Message::Text(text))) => answers.push(text.to_string()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            answers,
            [r#"{"id":1,"method":"Browser.getVersion"}"#, "ünïcode 😀"],
            "each message crosses the pipe whole, NUL-separated"
        );
        let later = async_tungstenite::tokio::connect_async(&piped.ws_url).await;
        assert!(later.is_err(), "the bridge listens for one connection only");
        drop(ours);
        // The stand-in exits when its pipe closes; the bridge ends with it.
        tokio::time::timeout(std::time::Duration::from_secs(5), piped.bridge)
            .await
            .unwrap()
            .unwrap();
    }
}
