//! The platform key: Ed25519, signing audit checkpoints so that an edited audit chain cannot be
//! re-hashed into a consistent-looking one by anyone without the key. Stored as a PKCS#8 PEM
//! file with mode 0600; the public key travels as hex (32 bytes) or SPKI PEM.

use std::fmt;
use std::path::Path;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand_core::OsRng;

use crate::storage::{self, StorageError};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("鍵の形式が不正です: {0} / malformed key: {0}")]
    Malformed(String),
    #[error("署名が検証できません / signature does not verify")]
    BadSignature,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub struct PlatformKey(SigningKey);

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PlatformPublicKey(VerifyingKey);

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PlatformSignature(pub [u8; 64]);

impl PlatformKey {
    pub fn generate() -> Self {
        Self(SigningKey::generate(&mut OsRng))
    }

    pub fn public(&self) -> PlatformPublicKey {
        PlatformPublicKey(self.0.verifying_key())
    }

    pub fn sign(&self, message: &[u8]) -> PlatformSignature {
        PlatformSignature(self.0.sign(message).to_bytes())
    }

    pub fn to_pem(&self) -> Result<zeroize::Zeroizing<String>, KeyError> {
        self.0
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Malformed(e.to_string()))
    }

    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(Self)
            .map_err(|e| KeyError::Malformed(e.to_string()))
    }

    /// Writes the key with owner-only permissions (0600).
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        Ok(storage::write_secret(path, self.to_pem()?.as_bytes())?)
    }

    /// Reads a key, refusing a file that group or others can read.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        Self::from_pem(&storage::read_secret(path)?)
    }
}

impl fmt::Debug for PlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PlatformKey(public {}, secret [redacted])",
            self.public()
        )
    }
}

impl PlatformPublicKey {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| KeyError::Malformed("expected 64 hex digits".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|e| KeyError::Malformed(e.to_string()))
    }

    pub fn to_pem(&self) -> String {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .expect("an Ed25519 public key always encodes")
    }

    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        VerifyingKey::from_public_key_pem(pem)
            .map(Self)
            .map_err(|e| KeyError::Malformed(e.to_string()))
    }

    /// Strict verification (RFC 8032 with canonical encodings), so a signature has exactly one
    /// valid form and cannot be malleated into a second "different" checkpoint signature.
    pub fn verify(&self, message: &[u8], signature: &PlatformSignature) -> Result<(), KeyError> {
        self.0
            .verify_strict(message, &Signature::from_bytes(&signature.0))
            .map_err(|_| KeyError::BadSignature)
    }
}

impl fmt::Display for PlatformPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PlatformPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlatformPublicKey({self})")
    }
}

impl PlatformSignature {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .map(Self)
            .ok_or_else(|| KeyError::Malformed("expected 128 hex digits".into()))
    }
}

impl fmt::Debug for PlatformSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlatformSignature({})", self.to_hex())
    }
}

/// Free-function form: verify `signature` over `message` with `public`.
pub fn verify(
    public: &PlatformPublicKey,
    message: &[u8],
    signature: &PlatformSignature,
) -> Result<(), KeyError> {
    public.verify(message, signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_tamper() {
        let key = PlatformKey::generate();
        let sig = key.sign(b"checkpoint 42");
        assert!(verify(&key.public(), b"checkpoint 42", &sig).is_ok());
        assert!(matches!(
            verify(&key.public(), b"checkpoint 43", &sig),
            Err(KeyError::BadSignature)
        ));
        let mut bent = sig;
        bent.0[0] ^= 1;
        assert!(key.public().verify(b"checkpoint 42", &bent).is_err());
        let other = PlatformKey::generate();
        assert!(other.public().verify(b"checkpoint 42", &sig).is_err());
    }

    #[test]
    fn save_load_and_text_forms_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("platform-key.pem");
        let key = PlatformKey::generate();
        key.save(&path).unwrap();
        let loaded = PlatformKey::load(&path).unwrap();
        assert_eq!(loaded.public(), key.public());

        let public = key.public();
        assert_eq!(
            PlatformPublicKey::from_hex(&public.to_hex()).unwrap(),
            public
        );
        assert_eq!(
            PlatformPublicKey::from_pem(&public.to_pem()).unwrap(),
            public
        );
        let sig = loaded.sign(b"m");
        assert_eq!(PlatformSignature::from_hex(&sig.to_hex()).unwrap(), sig);
        assert!(PlatformPublicKey::from_hex("abcd").is_err());
        assert!(
            PlatformKey::from_pem("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n")
                .is_err()
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = PlatformKey::generate();
        let pem = key.to_pem().unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains("[redacted]"));
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!shown.contains(&body));
    }
}
