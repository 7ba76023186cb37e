//! API keys in the operating system's keychain (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), one entry per AI provider. Never anywhere else: when no
//! keychain can be used, saving a key fails with what to do, and nothing falls back to a
//! file.

use crate::ai::secret::ApiKey;
use crate::text;
use crate::text::Text;

/// The keychain entries' service name; the account is the provider's id.
pub const SERVICE: &str = "Leadline AI provider";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No keychain can be reached: the message says what to install or unlock.
    #[error("{0}")]
    Unavailable(Text),
    /// The keychain answered, but with an error.
    #[error("{}", self.text())]
    Failed {
        action: KeychainAction,
        detail: String,
    },
}

/// What Leadline asked the keychain to do when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainAction {
    Open,
    Read,
    Save,
    Remove,
    /// The keychain call never came back (its thread failed).
    Answer,
}

impl SecretsError {
    /// The sentence the owner reads, by key with its values.
    pub fn text(&self) -> Text {
        match self {
            SecretsError::Unavailable(text) => text.clone(),
            SecretsError::Failed { action, detail } => match action {
                KeychainAction::Open => text!(
                    "keychain.open_failed_plain",
                    "The keychain could not open Leadline's entry. If it is locked, unlock it (your login keyring; Keychain Access on a Mac) and try again."
                ),
                KeychainAction::Read => text!(
                    "keychain.read_failed_plain",
                    "The keychain could not read the API key. If it is locked, unlock it (your login keyring; Keychain Access on a Mac) and try again."
                ),
                KeychainAction::Save => text!(
                    "keychain.save_failed_plain",
                    "The keychain could not save the API key, so nothing was changed. If it is locked, unlock it (your login keyring; Keychain Access on a Mac) and save again."
                ),
                KeychainAction::Remove => text!(
                    "keychain.remove_failed_plain",
                    "The keychain could not remove the API key. If it is locked, unlock it (your login keyring; Keychain Access on a Mac) and try again."
                ),
                KeychainAction::Answer => text!(
                    "keychain.no_answer_plain",
                    "The keychain did not answer: it may be locked. Unlock your login keyring (Keychain Access on a Mac); Leadline tries again by itself."
                ),
            }
            .with_detail(detail.clone()),
        }
    }
}

impl From<SecretsError> for crate::error::Error {
    fn from(e: SecretsError) -> Self {
        crate::error::Error::Unavailable(e.text())
    }
}

/// Where keys are kept: the real keychain in the app, the same in tests (a private
/// gnome-keyring), and an in-memory one for tests of other parts.
pub trait Keychain: Send + Sync {
    fn get(&self, provider: &str) -> Result<Option<ApiKey>, SecretsError>;
    fn set(&self, provider: &str, key: &ApiKey) -> Result<(), SecretsError>;
    /// Removing a key that isn't there is fine.
    fn delete(&self, provider: &str) -> Result<(), SecretsError>;
}

/// The operating system's keychain, through the `keyring` crate.
pub struct OsKeychain;

fn unavailable(detail: &str) -> SecretsError {
    SecretsError::Unavailable(if cfg!(target_os = "linux") {
        text!(
            "keychain.unavailable_linux",
            "Leadline keeps API keys only in your computer's keychain, and it can't reach one ({detail}). \
             Install and unlock a keyring (GNOME Keyring: `sudo apt install gnome-keyring`, or \
             KWallet), log out and back in, then try again.",
            detail = detail
        )
    } else {
        text!(
            "keychain.unavailable",
            "Leadline keeps API keys only in your computer's keychain, and it can't reach one ({detail}). \
             Make sure you are logged in to your computer normally, then try again.",
            detail = detail
        )
    })
}

fn map_error(action: KeychainAction, e: keyring::Error) -> SecretsError {
    match e {
        keyring::Error::NoDefaultStore => unavailable("no keychain service found"),
        keyring::Error::NoStorageAccess(detail) => unavailable(&format!(
            "the keychain is locked or refused access: {detail}"
        )),
        keyring::Error::PlatformFailure(detail) => unavailable(&detail.to_string()),
        other => SecretsError::Failed {
            action,
            detail: other.to_string(),
        },
    }
}

fn entry(provider: &str) -> Result<keyring::Entry, SecretsError> {
    if let Err(e) = keyring::Entry::store_status() {
        return Err(unavailable(&e.to_string()));
    }
    keyring::Entry::new(SERVICE, provider).map_err(|e| map_error(KeychainAction::Open, e))
}

impl Keychain for OsKeychain {
    fn get(&self, provider: &str) -> Result<Option<ApiKey>, SecretsError> {
        match entry(provider)?.get_password() {
            Ok(key) => Ok(Some(ApiKey::new(key))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(KeychainAction::Read, e)),
        }
    }

    fn set(&self, provider: &str, key: &ApiKey) -> Result<(), SecretsError> {
        entry(provider)?
            .set_password(key.expose())
            .map_err(|e| map_error(KeychainAction::Save, e))
    }

    fn delete(&self, provider: &str) -> Result<(), SecretsError> {
        match entry(provider)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(KeychainAction::Remove, e)),
        }
    }
}

/// Keys in memory, for tests of parts that only need some keychain.
#[derive(Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, ApiKey>>);

impl Keychain for MemoryKeychain {
    fn get(&self, provider: &str) -> Result<Option<ApiKey>, SecretsError> {
        let keys = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(keys.get(provider).cloned())
    }

    fn set(&self, provider: &str, key: &ApiKey) -> Result<(), SecretsError> {
        let mut keys = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.insert(provider.to_string(), key.clone());
        Ok(())
    }

    fn delete(&self, provider: &str) -> Result<(), SecretsError> {
        let mut keys = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.remove(provider);
        Ok(())
    }
}
