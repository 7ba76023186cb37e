//! The content security policy: the webview loads only what the app ships.

const CONFIG: &str = include_str!("../../../tauri.conf.json");

/// Sources a directive may name: the app itself, nothing, inline images, and Tauri's IPC.
const ALLOWED: &[&str] = &["'self'", "'none'", "data:", "ipc:", "http://ipc.localhost"];

#[test]
fn the_csp_allows_no_remote_or_inline_code() {
    let config: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
    let csp = config["app"]["security"]["csp"]
        .as_object()
        .expect("a CSP must be configured");
    for required in [
        "default-src",
        "script-src",
        "style-src",
        "connect-src",
        "object-src",
        "base-uri",
    ] {
        assert!(csp.contains_key(required), "the CSP must set {required}");
    }
    for (directive, sources) in csp {
        for source in sources.as_str().unwrap_or_default().split_whitespace() {
            assert!(
                ALLOWED.contains(&source),
                "{directive} must not allow {source}"
            );
        }
    }
    assert_eq!(
        config["app"]["withGlobalTauri"], false,
        "the Tauri API must not be a global"
    );
    let dangerous = &config["app"]["security"]["dangerousDisableAssetCspModification"];
    assert!(
        dangerous.is_null(),
        "Tauri must keep adding its nonces to the CSP"
    );
}
