//! A release server on loopback for the update test: `latest.json` announcing a version
//! and the bundle it points at, signed by the test with a throwaway key (made with the
//! Tauri CLI's `signer`, as a release is). The signature served can be swapped for one of
//! other bytes, which is what a tampered bundle looks like to the app.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

/// A throwaway signing key pair, in a folder of its own.
pub struct SigningKey {
    dir: tempfile::TempDir,
    /// The public key as tauri.conf.json holds it (base64 of the minisign `.pub` file).
    pub public: String,
}

fn tauri_cli() -> PathBuf {
    let cli = crate::repo_root().join("ui/node_modules/.bin/tauri");
    assert!(
        cli.is_file(),
        "the Tauri CLI is missing: run scripts/setup.sh"
    );
    cli
}

impl SigningKey {
    pub fn generate() -> SigningKey {
        let dir = tempfile::tempdir().expect("a temp folder");
        let key = dir.path().join("release.key");
        let made = Command::new(tauri_cli())
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(&key)
            .output()
            .expect("the Tauri CLI runs");
        assert!(
            made.status.success(),
            "a key pair: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        let public =
            std::fs::read_to_string(dir.path().join("release.key.pub")).expect("the public key");
        SigningKey {
            dir,
            public: public.trim().to_string(),
        }
    }

    /// The signature of `file` (what the bundler writes to `<file>.sig`).
    pub fn sign(&self, file: &Path) -> String {
        let private =
            std::fs::read_to_string(self.dir.path().join("release.key")).expect("the private key");
        let signed = Command::new(tauri_cli())
            .args(["signer", "sign", "-p", "", "-k", private.trim()])
            .arg(file)
            .output()
            .expect("the Tauri CLI runs");
        assert!(
            signed.status.success(),
            "signed: {}",
            String::from_utf8_lossy(&signed.stderr)
        );
        let mut sig = file.as_os_str().to_owned();
        sig.push(".sig");
        std::fs::read_to_string(PathBuf::from(sig))
            .expect("the signature file")
            .trim()
            .to_string()
    }
}

struct Release {
    /// `http://127.0.0.1:<port>`.
    base: String,
    version: String,
    bundle: Vec<u8>,
    signature: String,
}

#[derive(Clone)]
struct Shared(Arc<Mutex<Release>>);

/// The server; stops when dropped.
pub struct UpdateServer {
    shared: Shared,
    addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for UpdateServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn latest(State(shared): State<Shared>) -> impl IntoResponse {
    let release = shared.0.lock().unwrap_or_else(|p| p.into_inner());
    let url = format!("{}/Leadline.AppImage", release.base);
    axum::Json(json!({
        "version": release.version,
        "notes": "Faster replies and a new report.",
        "pub_date": "2026-11-20T10:00:00Z",
        "platforms": {
            "linux-x86_64": { "signature": release.signature, "url": url },
            "linux-aarch64": { "signature": release.signature, "url": url },
        }
    }))
}

async fn serve_bundle(State(shared): State<Shared>) -> impl IntoResponse {
    let bytes = shared
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .bundle
        .clone();
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes)
}

impl UpdateServer {
    /// Serves `version` with `bundle` and `signature`, on 127.0.0.1.
    pub async fn start(version: &str, bundle: Vec<u8>, signature: String) -> UpdateServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let shared = Shared(Arc::new(Mutex::new(Release {
            base: format!("http://{addr}"),
            version: version.to_string(),
            bundle,
            signature,
        })));
        let app = Router::new()
            .route("/latest.json", get(latest))
            .route("/Leadline.AppImage", get(serve_bundle))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        UpdateServer { shared, addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/latest.json", self.addr)
    }

    /// Serves another signature from now on.
    pub fn set_signature(&self, signature: String) {
        self.shared
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .signature = signature;
    }
}
