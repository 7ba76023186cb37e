//! API keys in a real Secret Service: a gnome-keyring this test starts, with a fresh data
//! folder, on the private D-Bus session `scripts/test.sh` provides (`dbus-run-session`),
//! stopped by its PID at the end. The no-keychain case runs in a child process of this
//! test binary with no session bus at all (the keychain choice is made once per process).

use std::process::Command;

use leadline_core::ai::secret::ApiKey;
use leadline_core::secrets::{Keychain, OsKeychain, SecretsError};

#[test]
fn keys_are_saved_read_replaced_and_removed_in_the_real_keychain() {
    let _keyring = leadline_tests::keyring::start();
    let keychain = OsKeychain;
    let provider = format!("test-openai-{}", std::process::id());
    assert_eq!(keychain.get(&provider).unwrap(), None, "nothing stored yet");

    let key = ApiKey::new("sk-proj-Üñíçødé-🔑-\u{200b}-1234");
    keychain.set(&provider, &key).unwrap();
    assert_eq!(
        keychain.get(&provider).unwrap(),
        Some(key.clone()),
        "odd characters survive"
    );

    let replaced = ApiKey::new("sk-second-key-5678");
    keychain.set(&provider, &replaced).unwrap();
    assert_eq!(
        keychain.get(&provider).unwrap(),
        Some(replaced),
        "one entry per provider"
    );

    let other = format!("test-groq-{}", std::process::id());
    keychain.set(&other, &ApiKey::new("gsk-other")).unwrap();
    keychain.delete(&provider).unwrap();
    assert_eq!(keychain.get(&provider).unwrap(), None);
    assert!(
        keychain.get(&other).unwrap().is_some(),
        "removing one key leaves the others"
    );
    keychain
        .delete(&provider)
        .expect("removing a missing key is fine");
    keychain.delete(&other).unwrap();

    // The secret-tool CLI sees the same store: the key is really in the Secret Service.
    keychain
        .set(&provider, &ApiKey::new("visible-to-secret-tool"))
        .unwrap();
    let looked_up = Command::new("secret-tool")
        .args(["search", "service", leadline_core::secrets::SERVICE])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
        })
        .unwrap_or_default();
    assert!(
        looked_up.contains(&provider),
        "secret-tool lists the entry: {looked_up}"
    );
    keychain.delete(&provider).unwrap();
}

#[test]
fn without_a_keychain_saving_fails_in_plain_words_and_nothing_is_written() {
    if std::env::var_os("LEADLINE_KEYCHAIN_CHILD").is_some() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "no_keychain_child",
            "--include-ignored",
            "--nocapture",
        ])
        .env("LEADLINE_KEYCHAIN_CHILD", "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/leadline-no-bus",
        )
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&child.stdout).into_owned()
        + &String::from_utf8_lossy(&child.stderr);
    assert!(
        child.status.success(),
        "the no-keychain child failed:\n{said}"
    );
    assert!(
        said.contains("1 passed"),
        "the child test really ran:\n{said}"
    );
    let left: Vec<_> = walk(home.path());
    assert!(
        left.is_empty(),
        "no plaintext fallback may be written: {left:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
#[ignore = "run by without_a_keychain_saving_fails_in_plain_words_and_nothing_is_written"]
fn no_keychain_child() {
    let keychain = OsKeychain;
    let error = keychain
        .set("openai", &ApiKey::new("sk-must-not-be-stored"))
        .unwrap_err();
    let SecretsError::Unavailable(text) = &error else {
        panic!("expected Unavailable, got {error:?}");
    };
    assert_eq!(text.key, "keychain.unavailable_linux");
    let message = &text.english;
    assert!(message.contains("keychain"), "{message}");
    assert!(
        message.contains("gnome-keyring") || message.contains("logged in"),
        "says what to do: {message}"
    );
    assert!(!message.contains("sk-must-not-be-stored"));
    assert!(
        keychain.get("openai").is_err(),
        "reading fails the same way"
    );
}
