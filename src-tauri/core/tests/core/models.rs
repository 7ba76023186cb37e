//! Speech models fetched as an owner's line delivers them: from a server on this computer
//! that speaks HTTP/1.1 ranges, cuts a transfer halfway, ignores a range, or refuses;
//! resumed from what came, checked against the pinned SHA-256, refused when it differs.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use leadline_core::models::download::{self, FetchError, Progress, Source};
use leadline_core::models::speech::Speech;
use sha2::Digest;

/// How the file server behaves.
#[derive(Clone, Default)]
struct Behaviour {
    /// The first response stops after this many body bytes (the line dropped).
    cut_first_after: Option<usize>,
    /// Answers 200 with the whole file whatever range was asked.
    ignore_range: bool,
    /// Answers this status with no body.
    status: Option<u16>,
}

/// A file server on 127.0.0.1, recording each request's Range header.
struct FileServer {
    url: String,
    ranges: Arc<Mutex<Vec<Option<String>>>>,
}

impl FileServer {
    fn start(body: Vec<u8>, behaviour: Behaviour) -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/ggml-model.bin", listener.local_addr().unwrap());
        let ranges: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let seen = ranges.clone();
        std::thread::spawn(move || {
            for (served, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut range = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
                        range = Some(value.trim().trim_end_matches('-').to_string());
                    }
                }
                seen.lock().unwrap().push(range.clone());
                if let Some(status) = behaviour.status {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} No\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    continue;
                }
                let from: usize = match (&range, behaviour.ignore_range) {
                    (Some(from), false) => from.parse().unwrap(),
                    _ => 0,
                };
                let head = if from > 0 {
                    format!(
                        "HTTP/1.1 206 Partial\r\ncontent-length: {}\r\ncontent-range: bytes {from}-{}/{}\r\nconnection: close\r\n\r\n",
                        body.len() - from,
                        body.len() - 1,
                        body.len()
                    )
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    )
                };
                let _ = stream.write_all(head.as_bytes());
                let rest = &body[from..];
                let sent = match behaviour.cut_first_after {
                    Some(cut) if served == 0 => &rest[..cut.min(rest.len())],
                    _ => rest,
                };
                let _ = stream.write_all(sent);
                let _ = stream.flush();
            }
        });
        FileServer { url, ranges }
    }
}

fn model_bytes() -> Vec<u8> {
    // A few MB, so a transfer takes several chunks.
    let mut bytes = 0x6767_6d6c_u32.to_le_bytes().to_vec();
    bytes.extend((0..3_000_000u32).map(|i| (i % 251) as u8));
    bytes
}

fn source_for(server: &FileServer, body: &[u8]) -> Source {
    Source {
        url: server.url.clone(),
        file: "ggml-model.bin".into(),
        sha256: hex::encode(sha2::Sha256::digest(body)),
        bytes: Some(body.len() as u64),
    }
}

async fn fetch_into(
    dir: &std::path::Path,
    source: &Source,
) -> (Result<std::path::PathBuf, FetchError>, Vec<Progress>) {
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let record = seen.clone();
    let progress = move |p: Progress| record.lock().unwrap().push(p);
    let fetched = download::fetch(
        &download::client(),
        source,
        dir,
        &progress,
        &AtomicBool::new(false),
    )
    .await;
    let seen = seen.lock().unwrap().clone();
    (fetched, seen)
}

#[tokio::test]
async fn a_model_comes_whole_with_its_progress_and_takes_its_name_only_once_checked() {
    let body = model_bytes();
    let server = FileServer::start(body.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let source = source_for(&server, &body);
    let (fetched, progress) = fetch_into(dir.path(), &source).await;
    let path = fetched.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), body);
    assert!(!dir.path().join("ggml-model.bin.part").exists());
    assert_eq!(progress.first().map(|p| p.done), Some(0));
    assert_eq!(
        progress.last().map(|p| (p.done, p.total)),
        Some((body.len() as u64, body.len() as u64))
    );
    assert!(
        progress.windows(2).all(|w| w[0].done <= w[1].done),
        "progress only grows"
    );
    // There already: checked and kept, nothing fetched again.
    let (again, _) = fetch_into(dir.path(), &source).await;
    assert_eq!(again.unwrap(), path);
    assert_eq!(server.ranges.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_dropped_line_is_resumed_from_what_came() {
    let body = model_bytes();
    let half = body.len() / 2;
    let server = FileServer::start(
        body.clone(),
        Behaviour {
            cut_first_after: Some(half),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let source = source_for(&server, &body);
    let (first, _) = fetch_into(dir.path(), &source).await;
    assert!(matches!(first, Err(FetchError::Network(_))), "{first:?}");
    let part = dir.path().join("ggml-model.bin.part");
    assert_eq!(
        std::fs::metadata(&part).unwrap().len(),
        half as u64,
        "what came is kept"
    );

    let (second, progress) = fetch_into(dir.path(), &source).await;
    assert_eq!(std::fs::read(second.unwrap()).unwrap(), body);
    assert_eq!(
        server.ranges.lock().unwrap().clone(),
        vec![None, Some(half.to_string())],
        "the second request asks for the rest only"
    );
    assert_eq!(
        progress.first().map(|p| p.done),
        Some(half as u64),
        "the bar starts where it stopped"
    );
}

/// A publisher's file whose size Leadline doesn't pin (the chat models): the server's
/// length is taken, shown on the bar, kept across a resume, and the SHA-256 still decides.
#[tokio::test]
async fn a_file_of_unpinned_size_is_fetched_at_the_servers_word_and_resumed() {
    let body = model_bytes();
    let half = body.len() / 2;
    let server = FileServer::start(
        body.clone(),
        Behaviour {
            cut_first_after: Some(half),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut source = source_for(&server, &body);
    source.bytes = None;
    let (first, progress) = fetch_into(dir.path(), &source).await;
    assert!(matches!(first, Err(FetchError::Network(_))), "{first:?}");
    assert_eq!(progress.first().map(|p| p.total), Some(body.len() as u64));
    let (second, progress) = fetch_into(dir.path(), &source).await;
    assert_eq!(std::fs::read(second.unwrap()).unwrap(), body);
    assert_eq!(
        progress.last().map(|p| (p.done, p.total)),
        Some((body.len() as u64, body.len() as u64)),
        "the resumed bar knows the whole length"
    );
    // Whole but not the pinned file: removed.
    std::fs::remove_file(dir.path().join("ggml-model.bin")).unwrap();
    source.sha256 = hex::encode(sha2::Sha256::digest(b"another file"));
    let (fetched, _) = fetch_into(dir.path(), &source).await;
    assert_eq!(fetched.unwrap_err(), FetchError::Damaged);
    assert!(!dir.path().join("ggml-model.bin").exists());
}

#[tokio::test]
async fn a_server_that_ignores_the_range_sends_it_all_again_and_it_still_fits() {
    let body = model_bytes();
    let server = FileServer::start(
        body.clone(),
        Behaviour {
            ignore_range: true,
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ggml-model.bin.part"), &body[..1000]).unwrap();
    let (fetched, _) = fetch_into(dir.path(), &source_for(&server, &body)).await;
    assert_eq!(std::fs::read(fetched.unwrap()).unwrap(), body);
}

#[tokio::test]
async fn a_file_that_is_not_the_pinned_one_is_removed_never_used() {
    let body = model_bytes();
    let server = FileServer::start(body.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let mut source = source_for(&server, &body);
    source.sha256 = hex::encode(sha2::Sha256::digest(b"another file"));
    let (fetched, _) = fetch_into(dir.path(), &source).await;
    assert_eq!(fetched.unwrap_err(), FetchError::Damaged);
    assert!(!dir.path().join("ggml-model.bin").exists());
    assert!(!dir.path().join("ggml-model.bin.part").exists());
    // Longer than announced: stopped and removed too.
    source = source_for(&server, &body);
    source.bytes = Some(body.len() as u64 - 10);
    let (fetched, _) = fetch_into(dir.path(), &source).await;
    assert_eq!(fetched.unwrap_err(), FetchError::Damaged);
    assert!(!dir.path().join("ggml-model.bin.part").exists());
}

#[tokio::test]
async fn a_refusal_or_an_address_that_is_not_https_is_said_plainly() {
    let body = model_bytes();
    let server = FileServer::start(
        body.clone(),
        Behaviour {
            status: Some(404),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (fetched, _) = fetch_into(dir.path(), &source_for(&server, &body)).await;
    assert_eq!(fetched.unwrap_err(), FetchError::Refused(404));
    let mut insecure = source_for(&server, &body);
    insecure.url = "http://models.example/ggml-model.bin".into();
    let (fetched, _) = fetch_into(dir.path(), &insecure).await;
    assert_eq!(fetched.unwrap_err(), FetchError::Insecure);
}

#[tokio::test]
async fn a_stopped_download_keeps_what_came() {
    let body = model_bytes();
    let server = FileServer::start(body.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let stop = AtomicBool::new(true);
    let fetched = download::fetch(
        &download::client(),
        &source_for(&server, &body),
        dir.path(),
        &|_| {},
        &stop,
    )
    .await;
    assert_eq!(fetched.unwrap_err(), FetchError::Cancelled);
    assert!(!dir.path().join("ggml-model.bin").exists());
}

#[tokio::test]
async fn the_model_in_use_is_checked_before_it_is_loaded() {
    let body = model_bytes();
    let server = FileServer::start(body.clone(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let loads = Arc::new(Mutex::new(0));
    let counted = loads.clone();
    let sha256 = hex::encode(sha2::Sha256::digest(&body));
    let speech = Speech::new(
        dir.path().to_path_buf(),
        Arc::new(move |_path: &std::path::Path| {
            *counted.lock().unwrap() += 1;
            Err("not a real model".to_string())
        }),
    )
    .with_source("whisper-base-q5_1", &server.url, &sha256, body.len() as u64);
    // Not downloaded yet: said so, nothing loaded.
    let before = speech.load("whisper-base-q5_1").await.err().unwrap();
    assert!(before.to_string().contains("download it first"), "{before}");
    let listed = speech.list(None);
    let base = listed
        .iter()
        .find(|m| m.file.id == "whisper-base-q5_1")
        .unwrap();
    assert!(!base.file.installed && base.file.partial_bytes == 0);

    let sink: leadline_core::events::EventSink = Arc::new(|_| {});
    speech.install("whisper-base-q5_1", &sink).await.unwrap();
    assert!(speech.list(Some("whisper-base-q5_1"))[0].file.installed);
    // The loader's failure, in words.
    let failed = speech.load("whisper-base-q5_1").await.err().unwrap();
    assert!(failed.to_string().contains("not a real model"), "{failed}");
    assert_eq!(*loads.lock().unwrap(), 1);
    // A file changed on disk is refused before loading, and removed.
    let file = dir.path().join("ggml-base-q5_1.bin");
    let mut changed = std::fs::read(&file).unwrap();
    changed[100] ^= 1;
    std::fs::write(&file, changed).unwrap();
    let damaged = speech.load("whisper-base-q5_1").await.err().unwrap();
    assert!(damaged.to_string().contains("damaged"), "{damaged}");
    assert!(!file.exists());
    assert_eq!(
        *loads.lock().unwrap(),
        1,
        "a damaged file never reaches the loader"
    );
    // Removing what is not there is fine; an unknown model is not.
    speech.remove("whisper-base-q5_1").unwrap();
    assert!(speech.remove("whisper-huge").is_err());
}
