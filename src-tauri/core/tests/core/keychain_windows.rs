//! API keys in Windows Credential Manager, through the same `OsKeychain` the app uses
//! (Linux's Secret Service has its own tests with a real gnome-keyring). Under Wine the
//! credentials go to the test prefix's registry; on a real Windows to the user's vault,
//! under names no one else uses, removed at the end.

use leadline_core::ai::secret::ApiKey;
use leadline_core::secrets::{Keychain, OsKeychain};

#[test]
fn a_key_is_saved_read_replaced_and_removed_in_credential_manager() {
    let keychain = OsKeychain;
    let provider = format!("leadline-test-{}", std::process::id());
    let other = format!("{provider}-other");
    assert!(keychain.get(&provider).unwrap().is_none(), "no key before");

    keychain
        .set(&provider, &ApiKey::new("sk-first-0123456789"))
        .unwrap();
    keychain
        .set(&other, &ApiKey::new("sk-other-9876543210"))
        .unwrap();
    assert_eq!(
        keychain.get(&provider).unwrap().unwrap().expose(),
        "sk-first-0123456789"
    );

    // Saving again replaces the key, and leaves the other provider's alone.
    let long = format!("sk-ant-{}", "x".repeat(200));
    keychain.set(&provider, &ApiKey::new(long.clone())).unwrap();
    assert_eq!(keychain.get(&provider).unwrap().unwrap().expose(), long);
    assert_eq!(
        keychain.get(&other).unwrap().unwrap().expose(),
        "sk-other-9876543210"
    );

    // Removing twice is fine; the key is gone, the other one stays until removed.
    keychain.delete(&provider).unwrap();
    keychain.delete(&provider).unwrap();
    assert!(
        keychain.get(&provider).unwrap().is_none(),
        "the key is gone"
    );
    assert!(keychain.get(&other).unwrap().is_some());
    keychain.delete(&other).unwrap();
    assert!(keychain.get(&other).unwrap().is_none());
}
