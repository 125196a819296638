//! The platform's key material under the data directory (`kiban-data/keys/`):
//!
//! - `platform.pem` — the Ed25519 platform key that signs audit checkpoints (mode 0600);
//! - `ca/` — kiban's client-certificate authority for offices and medical institutions;
//! - `card-root/` — the development trust root of the My Number card stand-in.
//!
//! Production replaces `card-root` by JPKI's root and keeps the CA key offline; the layout is
//! the same.

use crate::audit::{SignatureCheck, Signer};
use kiban_crypto::{PlatformKey, PlatformPublicKey, PlatformSignature};
use std::path::{Path, PathBuf};

pub fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

pub fn platform_key_path(data_dir: &Path) -> PathBuf {
    keys_dir(data_dir).join("platform.pem")
}

/// Loads the platform key, creating it on first use.
pub fn load_or_create_platform_key(data_dir: &Path) -> Result<PlatformKey, kiban_crypto::KeyError> {
    let path = platform_key_path(data_dir);
    if path.exists() {
        return PlatformKey::load(&path);
    }
    let _ = std::fs::create_dir_all(keys_dir(data_dir));
    let key = PlatformKey::generate();
    key.save(&path)?;
    Ok(key)
}

impl Signer for PlatformKey {
    fn public_key(&self) -> Vec<u8> {
        decode_hex(&self.public().to_hex())
    }
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        PlatformKey::sign(self, message).0.to_vec()
    }
}

/// Ed25519 verification of checkpoint signatures.
pub struct Ed25519;

impl SignatureCheck for Ed25519 {
    fn verify(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let Ok(public) = PlatformPublicKey::from_hex(&hex::encode(public_key)) else {
            return false;
        };
        let Ok(signature) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        public
            .verify(message, &PlatformSignature(signature))
            .is_ok()
    }
}

fn decode_hex(text: &str) -> Vec<u8> {
    hex::decode(text).expect("the crypto crate prints valid hex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_signatures_verify_only_with_the_right_key() {
        let key = PlatformKey::generate();
        let other = PlatformKey::generate();
        let sig = Signer::sign(&key, b"head");
        assert!(Ed25519.verify(&key.public_key(), b"head", &sig));
        assert!(!Ed25519.verify(&other.public_key(), b"head", &sig));
        assert!(!Ed25519.verify(&key.public_key(), b"tail", &sig));
        assert!(!Ed25519.verify(&key.public_key(), b"head", &sig[..10]));
    }
}
