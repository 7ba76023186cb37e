//! A model's file over HTTP on 127.0.0.1, served as its publisher's file servers do: the
//! whole file (200 with its length) or the rest after a `Range` (206 with
//! `Content-Range`). It can drop the line partway through its first answer, so a test sees
//! a download resume. Every request's range is recorded.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

pub struct ModelServer {
    pub url: String,
    /// The start of each request's range (`None`: the whole file was asked for).
    pub ranges: Arc<Mutex<Vec<Option<u64>>>>,
}

impl ModelServer {
    /// Serves `body` as `/<name>`; the first answer stops after `cut_first_after` bytes.
    pub fn start(name: &str, body: Arc<Vec<u8>>, cut_first_after: Option<usize>) -> ModelServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let url = format!(
            "http://{}/{name}",
            listener.local_addr().expect("its address")
        );
        let ranges: Arc<Mutex<Vec<Option<u64>>>> = Arc::default();
        let seen = ranges.clone();
        std::thread::spawn(move || {
            for (served, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let Ok(read_half) = stream.try_clone() else {
                    continue;
                };
                let mut reader = BufReader::new(read_half);
                let mut from = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                        from = value.trim().trim_end_matches('-').parse::<u64>().ok();
                    }
                }
                seen.lock().unwrap_or_else(|p| p.into_inner()).push(from);
                let start = from.unwrap_or(0).min(body.len() as u64) as usize;
                let head = if start > 0 {
                    format!(
                        "HTTP/1.1 206 Partial Content\r\ncontent-length: {}\r\ncontent-range: bytes {start}-{}/{}\r\nconnection: close\r\n\r\n",
                        body.len() - start,
                        body.len() - 1,
                        body.len()
                    )
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    )
                };
                let rest = &body[start..];
                let sent = match cut_first_after {
                    Some(cut) if served == 0 => &rest[..cut.min(rest.len())],
                    _ => rest,
                };
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(sent);
                let _ = stream.flush();
            }
        });
        ModelServer { url, ranges }
    }
}
