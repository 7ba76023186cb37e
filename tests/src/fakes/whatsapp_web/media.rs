//! The fake's media: a test's file becomes a message's media keys (its SHA-256 as
//! `filehash`, a `directPath` on the fake's CDN), and the CDN serves it back, with
//! WhatsApp's expiry and error statuses when a fault asks for them (WHATSAPP_WEB_MEDIA.md §5).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Shared, lock};

const MEDIA_JS: &str = include_str!("media.js");

/// Files on the fake's CDN, by path.
pub(super) type Cdn = std::sync::Mutex<HashMap<String, Vec<u8>>>;

pub(super) async fn media_js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript")], MEDIA_JS).into_response()
}

/// A test's `media.bytes` (base64) become the keys the page would have for them, and the
/// file goes on the CDN (also at its re-uploaded path, which no expiry fault touches).
pub(super) fn prepare(shared: &Shared, message: &mut Value) {
    let id = message["id"].as_str().unwrap_or("media").to_string();
    let Some(media) = message.get_mut("media").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(bytes) = media
        .remove("bytes")
        .and_then(|b| b.as_str().map(str::to_string))
        .and_then(|b| STANDARD.decode(b).ok())
    else {
        return;
    };
    let hash = STANDARD.encode(Sha256::digest(&bytes));
    let path = format!("/v/t62.7118-24/{id}.enc");
    media.entry("filehash").or_insert(json!(hash));
    media.entry("encFilehash").or_insert(json!(hash));
    media.insert(
        "mediaKey".into(),
        json!(STANDARD.encode(format!("key-{id}"))),
    );
    media.insert("mediaKeyTimestamp".into(), json!(1_765_000_000));
    media.insert("directPath".into(), json!(path));
    // A file of gigabytes (`huge_file`), unless the test says how large it claims to be.
    let size = if lock(&shared.faults).contains("huge_file") {
        json!(HUGE_BYTES)
    } else {
        json!(bytes.len())
    };
    media.entry("size").or_insert(size);
    let mut cdn = lock(&shared.cdn);
    cdn.insert(format!("{path}.reuploaded"), bytes.clone());
    cdn.insert(path, bytes);
}

/// What a huge file claims to be: 5 GiB.
const HUGE_BYTES: u64 = 5 << 30;

/// Slow bytes that never end (`huge_file`), 64 KiB every 50 ms; when the page stops
/// reading (its fetch aborted by `signal`), the fake records `cdn_aborted`.
fn endless(shared: Arc<Shared>) -> Response {
    /// Records the end of the stream, however it ends.
    struct Aborted(Arc<Shared>);
    impl Drop for Aborted {
        fn drop(&mut self) {
            lock(&self.0.recorded)
                .events
                .push(json!({ "kind": "cdn_aborted" }));
        }
    }
    let chunks = futures::stream::unfold(Aborted(shared), |guard| async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let chunk = axum::body::Bytes::from(vec![0u8; 64 * 1024]);
        Some((Ok::<_, std::io::Error>(chunk), guard))
    });
    (
        [(header::CONTENT_TYPE, "application/octet-stream")],
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}

/// The CDN: the file, or the status a fault asks for (expired as 404, 410 or a signed URL's
/// 403; a server error; throttling).
pub(super) async fn cdn(State(shared): State<Arc<Shared>>, Path(path): Path<String>) -> Response {
    let path = format!("/{path}");
    let faults = lock(&shared.faults).clone();
    if !path.ends_with(".reuploaded") && faults.contains("huge_file") {
        return endless(shared);
    }
    if !path.ends_with(".reuploaded") {
        let status = [
            ("expired_404", StatusCode::NOT_FOUND, ""),
            ("expired_410", StatusCode::GONE, ""),
            (
                "expired_signature_403",
                StatusCode::FORBIDDEN,
                "URL signature expired",
            ),
            ("http_500", StatusCode::INTERNAL_SERVER_ERROR, ""),
            ("throttled", StatusCode::INSUFFICIENT_STORAGE, ""),
        ]
        .into_iter()
        .find(|(fault, _, _)| faults.contains(*fault));
        if let Some((_, status, body)) = status {
            return (status, body).into_response();
        }
    }
    match lock(&shared.cdn).get(&path) {
        Some(bytes) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
