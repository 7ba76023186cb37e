//! The fake's side of the passkey step (WHATSAPP_WEB.md §5.1, §6): the options it hands the
//! page, and a strict check of the assertion the page's `navigator.credentials.get`
//! returns, as a relying party does: the client data (`webauthn.get`, the last challenge,
//! the page's origin), the authenticator data (the RP id's hash, user presence and
//! verification), a known credential, and its ECDSA P-256 signature. And test credentials:
//! a key pair whose private half a CDP virtual authenticator holds (`pkcs8`) and whose
//! public half the fake holds.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The relying party the fake is, reached as `http://localhost:<port>/`.
pub const RP_ID: &str = "localhost";

/// A passkey for tests: what the virtual authenticator holds and what the fake knows.
#[derive(Debug, Clone)]
pub struct TestPasskey {
    pub credential_id: Vec<u8>,
    /// The private key, PKCS#8 (what `WebAuthn.addCredential` takes).
    pub pkcs8: Vec<u8>,
    /// The public key, an uncompressed P-256 point.
    pub public_key: Vec<u8>,
}

impl TestPasskey {
    /// A fresh key pair and credential id.
    pub fn generate() -> TestPasskey {
        let random = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &random)
                .expect("a P-256 key pair")
                .as_ref()
                .to_vec();
        let pair =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, &random)
                .expect("the key pair just made");
        let mut credential_id = vec![0_u8; 16];
        random.fill(&mut credential_id).expect("random bytes");
        TestPasskey {
            credential_id,
            pkcs8,
            public_key: pair.public_key().as_ref().to_vec(),
        }
    }
}

/// What the fake's server knows of the step.
#[derive(Debug, Default)]
pub struct PasskeyServer {
    /// Credential id → public key.
    credentials: Vec<(Vec<u8>, Vec<u8>)>,
    /// The challenge handed out last.
    challenge: Option<Vec<u8>>,
}

impl PasskeyServer {
    pub fn register(&mut self, passkey: &TestPasskey) {
        self.credentials
            .push((passkey.credential_id.clone(), passkey.public_key.clone()));
    }

    /// The request options, as the server sends them (lib): a fresh challenge.
    pub fn options(&mut self, weird: bool) -> Value {
        let mut challenge = vec![0_u8; 32];
        let _ = SystemRandom::new().fill(&mut challenge);
        let encoded = URL_SAFE_NO_PAD.encode(&challenge);
        self.challenge = Some(challenge);
        let mut options = json!({
            "challenge": encoded,
            "timeout": 600000,
            "rpId": RP_ID,
            "allowCredentials": [],
            "userVerification": "required",
            "extensions": { "uvm": true },
        });
        if weird {
            // Values the page must not rely on: an unknown field, hints, a string timeout.
            options["timeout"] = json!("600000");
            options["hints"] = json!(["client-device"]);
            options["futureField"] = json!({ "x": 1 });
        }
        options
    }

    /// Checks an assertion (`id`, `clientDataJSON`, `authenticatorData`, `signature`, each
    /// base64url) against the last challenge and `origin`.
    pub fn check(&mut self, assertion: &Value, origin: &str) -> Result<(), String> {
        let field = |name: &str| -> Result<Vec<u8>, String> {
            let text = assertion[name].as_str().ok_or(format!("no {name}"))?;
            URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .or_else(|_| STANDARD.decode(text))
                .map_err(|e| format!("{name}: {e}"))
        };
        let (id, client_data, authenticator_data, signature_der) = (
            field("id")?,
            field("clientDataJSON")?,
            field("authenticatorData")?,
            field("signature")?,
        );
        let challenge = self.challenge.take().ok_or("no challenge handed out")?;
        let client: Value =
            serde_json::from_slice(&client_data).map_err(|e| format!("client data: {e}"))?;
        if client["type"] != "webauthn.get" {
            return Err(format!("client data type {}", client["type"]));
        }
        if client["challenge"].as_str() != Some(URL_SAFE_NO_PAD.encode(&challenge).as_str()) {
            return Err("another challenge".into());
        }
        if client["origin"].as_str() != Some(origin) {
            return Err(format!("origin {}", client["origin"]));
        }
        if authenticator_data.len() < 37 {
            return Err("authenticator data too short".into());
        }
        if authenticator_data[..32] != Sha256::digest(RP_ID.as_bytes())[..] {
            return Err("another RP id".into());
        }
        let flags = authenticator_data[32];
        if flags & 0x01 == 0 || flags & 0x04 == 0 {
            return Err(format!("user presence and verification flags {flags:#04x}"));
        }
        let public_key = self
            .credentials
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, key)| key.clone())
            .ok_or("an unknown credential")?;
        let mut signed = authenticator_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &public_key)
            .verify(&signed, &signature_der)
            .map_err(|_| "a bad signature".to_string())
    }
}
