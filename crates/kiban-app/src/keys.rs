//! The platform's key material under the data directory (`kiban-data/keys/`):
//!
//! - `platform.pem` — the Ed25519 platform key that signs audit checkpoints (mode 0600);
//! - `ca/` — kiban's client-certificate authority for offices, medical institutions and
//!   municipal/operator staff devices, with its signed revocation list `crl.pem`;
//! - `card-root/` — the development trust root of the My Number card stand-in.
//!
//! Production replaces `card-root` by JPKI's root and keeps the CA key offline; the layout is
//! the same.

use crate::audit::{SignatureCheck, Signer};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    CertError, CertificateAuthority, PlatformKey, PlatformPublicKey, PlatformSignature,
    RevocationList, RevocationReason, Serial,
};
use std::path::{Path, PathBuf};

pub fn keys_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("keys")
}

/// The client CA's directory, `<data-dir>/keys/ca`.
pub fn ca_dir(data_dir: &Path) -> PathBuf {
    keys_dir(data_dir).join("ca")
}

/// The client CA's signed revocation list, `<data-dir>/keys/ca/crl.pem`: `kiban serve` watches it.
pub fn crl_path(data_dir: &Path) -> PathBuf {
    ca_dir(data_dir).join("crl.pem")
}

/// Reads a CRL file, trusting it only if `ca` signed it; a missing file is the empty list.
pub fn read_crl(ca: &CertificateAuthority, path: &Path) -> Result<RevocationList, CertError> {
    if !path.exists() {
        return Ok(RevocationList::new());
    }
    let pem = kiban_crypto::storage::read_public(path)?;
    RevocationList::from_crl_pem(&pem, ca.anchor())
}

/// Adds `serial` to the CA's CRL file and re-signs it (what `kiban ca revoke` does to the file;
/// running servers pick the new file up within seconds). The file is replaced whole, never
/// half-written. Returns the new list and whether the serial was new to it.
pub fn revoke_in_crl(
    ca: &CertificateAuthority,
    path: &Path,
    serial: &Serial,
    reason: RevocationReason,
    now: OffsetDateTime,
) -> Result<(RevocationList, bool), CertError> {
    let mut list = read_crl(ca, path)?;
    let added = list.revoke(serial.clone(), reason, now);
    let crl = ca.sign_crl(&list, now)?;
    // A server polling the file must never read half of it: write beside it, then rename.
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    kiban_crypto::storage::write_public(&partial, crl.pem.as_bytes())?;
    std::fs::rename(&partial, path).map_err(|e| {
        CertError::Storage(kiban_crypto::StorageError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    })?;
    Ok((list, added))
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

/// The key of the web pages' form tokens, the same for every server of the database: made at
/// random by the first server that asks, kept in `platform_secrets`.
pub fn form_key(conn: &mut crate::Connection) -> crate::Result<kiban_crypto::FormKey> {
    let candidate = kiban_crypto::FormKey::random_secret();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let stored = conn.store().shared_secret("form_key", &candidate, now_ms)?;
    let secret: [u8; 32] = stored
        .try_into()
        .map_err(|_| kiban_store::StoreError::Corrupt("platform_secrets form_key length".into()))?;
    Ok(kiban_crypto::FormKey::from_secret(&secret))
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
