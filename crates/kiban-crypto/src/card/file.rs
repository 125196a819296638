//! The card file: what the physical card's chip holds, as JSON.
//!
//! ```json
//! { "format": "kiban-card/2",
//!   "certificate": "-----BEGIN CERTIFICATE-----…",
//!   "key": { "kdf": "pbkdf2-hmac-sha256", "iterations": 600000, "salt": "<b64url>",
//!            "cipher": "aes-256-gcm", "nonce": "<b64url>",
//!            "ciphertext": "<b64url of the sealed PKCS#8 key, GCM tag appended>" },
//!   "pin_failures": 0 }
//! ```
//!
//! `pin_failures` is the card's PIN retry counter: wrong PINs in a row, kept in the file as the
//! real card keeps it in its chip. At [`PIN_RETRY_LIMIT`] (3, as the real 利用者証明用電子証明書)
//! the card is locked: the readers that keep the counter ([`CardFile::sign_file`], `kiban card
//! sign`, the browser's `card.js`) refuse it with `CARD_LOCKED`, the right PIN included. A right
//! PIN before the limit resets it. Files written before the counter existed read as 0.
//!
//! The private key is sealed with AES-256-GCM under a key derived from the 4-digit PIN by
//! PBKDF2-HMAC-SHA256, with the SHA-256 fingerprint of the certificate's DER as associated data
//! so a sealed key cannot be moved into another card's file. Both primitives are in WebCrypto,
//! so the portal's `card.js` unseals the file in the browser and the PIN never leaves it
//! (format 1 used argon2id + ChaCha20-Poly1305, which browsers cannot run natively).
//!
//! Without the PIN the file cannot sign. This is weaker than the real card, and the counter does
//! not change that: the chip enforces its counter itself and never lets the sealed key out,
//! whereas a file can be copied (with any counter value) and read by a program that ignores the
//! counter, so ten thousand PINs can be tried offline against a copy: ten thousand PBKDF2 runs
//! (figures in docs/card-stand-in.md). The stand-in is for synthetic people and demos; real
//! citizens use JPKI cards.

use std::fmt;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{CardError, CardSignature};
use crate::pki::{pem_to_der, Fingerprint};
use crate::storage;

const FORMAT: &str = "kiban-card/2";
const KDF: &str = "pbkdf2-hmac-sha256";
const CIPHER: &str = "aes-256-gcm";

/// PBKDF2 cost for sealing a card under its PIN. The count is stored in each file, so raising
/// the default later leaves existing cards readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardKdf {
    pub iterations: u32,
}

impl CardKdf {
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256: about a quarter second in a browser.
    pub const DEFAULT: Self = Self {
        iterations: 600_000,
    };

    /// For tests only: it protects nothing.
    pub const INSECURE_FAST_FOR_TESTS: Self = Self { iterations: 1_000 };

    /// Files claiming fewer rounds are refused (a tampered file must not make us derive weakly
    /// for nothing), as are absurd counts that would stall the reader.
    const MIN_ITERATIONS: u32 = 1_000;
    const MAX_ITERATIONS: u32 = 10_000_000;
}

impl Default for CardKdf {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The card's 利用者証明用電子証明書 PIN: exactly four digits, as on the real card.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    pub fn parse(raw: &str) -> Result<Self, CardError> {
        if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(Zeroizing::new(raw.to_owned())))
        } else {
            Err(CardError::PinFormat)
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SealedKey {
    kdf: String,
    iterations: u32,
    #[serde(with = "crate::encoding::b64_serde")]
    salt: Vec<u8>,
    cipher: String,
    #[serde(with = "crate::encoding::b64_serde")]
    nonce: Vec<u8>,
    #[serde(with = "crate::encoding::b64_serde")]
    ciphertext: Vec<u8>,
}

/// A card: its certificate and its PIN-sealed private key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardFile {
    format: String,
    certificate: String,
    key: SealedKey,
    /// Wrong PINs in a row (the retry counter).
    #[serde(default)]
    pin_failures: u32,
}

/// Wrong PINs in a row after which the card is locked, as the real card's 利用者証明用電子証明書
/// (its 署名用 certificate allows 5).
pub const PIN_RETRY_LIMIT: u32 = 3;

impl fmt::Debug for CardFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The sealed key is PIN-protected, but a 4-digit PIN is guessable: keep it out of logs.
        f.debug_struct("CardFile")
            .field("format", &self.format)
            .field("key", &"[sealed]")
            .finish_non_exhaustive()
    }
}

impl CardFile {
    /// Seals `key` under `pin` and bundles it with its certificate.
    pub(crate) fn seal(
        certificate_pem: String,
        key: &SigningKey,
        pin: &Pin,
        kdf: &CardKdf,
    ) -> Result<Self, CardError> {
        let aad = cert_fingerprint(&certificate_pem)?;
        let mut salt = vec![0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = vec![0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let pkcs8 = key
            .to_pkcs8_der()
            .map_err(|e| CardError::CardFile(e.to_string()))?;
        let cipher = cipher_for(pin, &salt, kdf.iterations);
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: pkcs8.as_bytes(),
                    aad: &aad.0,
                },
            )
            .map_err(|_| CardError::CardFile("encryption failed".into()))?;
        Ok(Self {
            format: FORMAT.into(),
            certificate: certificate_pem,
            key: SealedKey {
                kdf: KDF.into(),
                iterations: kdf.iterations,
                salt,
                cipher: CIPHER.into(),
                nonce,
                ciphertext,
            },
            pin_failures: 0,
        })
    }

    /// Wrong PINs left before the card locks (0: locked).
    pub fn pin_tries_left(&self) -> u32 {
        PIN_RETRY_LIMIT.saturating_sub(self.pin_failures)
    }

    pub fn is_locked(&self) -> bool {
        self.pin_failures >= PIN_RETRY_LIMIT
    }

    /// Unseals with the retry counter, as the chip does: refused once locked (even with the
    /// right PIN); a wrong PIN counts, a right one resets the count. The caller saves the file
    /// afterwards, whatever the result, so the count is kept.
    fn unseal_counted(&mut self, pin: &Pin) -> Result<SigningKey, CardError> {
        if self.is_locked() {
            return Err(CardError::Locked);
        }
        match self.unseal(pin) {
            Ok(key) => {
                self.pin_failures = 0;
                Ok(key)
            }
            Err(CardError::WrongPin) => {
                self.pin_failures += 1;
                if self.is_locked() {
                    Err(CardError::Locked)
                } else {
                    Err(CardError::WrongPinTriesLeft(self.pin_tries_left()))
                }
            }
            Err(e) => Err(e),
        }
    }

    /// [`Self::sign_challenge`] counting the PIN on this copy of the card.
    pub fn sign_challenge_counted(
        &mut self,
        pin: &Pin,
        message: &[u8],
    ) -> Result<CardSignature, CardError> {
        let key = self.unseal_counted(pin)?;
        Ok(self.signature_of(&key, message))
    }

    /// Plays the card reader on the card file at `path`: loads it, checks the PIN with the
    /// retry counter, writes the counter back, and signs. What `kiban card sign` does.
    pub fn sign_file(path: &Path, pin: &Pin, message: &[u8]) -> Result<CardSignature, CardError> {
        let mut card = Self::load(path)?;
        let before = card.pin_failures;
        let signed = card.sign_challenge_counted(pin, message);
        if card.pin_failures != before {
            card.save(path)?;
        }
        signed
    }

    pub fn certificate_pem(&self) -> &str {
        &self.certificate
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a card file always serialises")
    }

    pub fn from_json(text: &str) -> Result<Self, CardError> {
        let card: Self =
            serde_json::from_str(text).map_err(|e| CardError::CardFile(e.to_string()))?;
        if card.format != FORMAT || card.key.kdf != KDF || card.key.cipher != CIPHER {
            return Err(CardError::CardFile(format!(
                "unsupported format {} / {} / {}",
                card.format, card.key.kdf, card.key.cipher
            )));
        }
        if !(CardKdf::MIN_ITERATIONS..=CardKdf::MAX_ITERATIONS).contains(&card.key.iterations) {
            return Err(CardError::CardFile(format!(
                "iterations {} out of range",
                card.key.iterations
            )));
        }
        if card.key.nonce.len() != 12 {
            return Err(CardError::CardFile("nonce must be 12 bytes".into()));
        }
        Ok(card)
    }

    /// Saves the card with owner-only permissions.
    pub fn save(&self, path: &Path) -> Result<(), CardError> {
        Ok(storage::write_secret(path, self.to_json().as_bytes())?)
    }

    pub fn load(path: &Path) -> Result<Self, CardError> {
        Self::from_json(&storage::read_secret(path)?)
    }

    /// Plays the card reader: unseals the key with `pin` and signs `message` (ECDSA P-256 with
    /// SHA-256, DER-encoded). For a login, `message` is [`crate::Challenge::message`].
    /// A locked card is refused; this copy's counter is not changed (see
    /// [`Self::sign_challenge_counted`] and [`Self::sign_file`]).
    pub fn sign_challenge(&self, pin: &Pin, message: &[u8]) -> Result<CardSignature, CardError> {
        if self.is_locked() {
            return Err(CardError::Locked);
        }
        let key = self.unseal(pin)?;
        Ok(self.signature_of(&key, message))
    }

    fn signature_of(&self, key: &SigningKey, message: &[u8]) -> CardSignature {
        let signature: DerSignature = key.sign(message);
        CardSignature {
            cert_pem: self.certificate.clone(),
            signature: signature.as_bytes().to_vec(),
        }
    }

    fn unseal(&self, pin: &Pin) -> Result<SigningKey, CardError> {
        let aad = cert_fingerprint(&self.certificate)?;
        let cipher = cipher_for(pin, &self.key.salt, self.key.iterations);
        // An authentication failure is a wrong PIN (or a tampered file; both mean no signing).
        let pkcs8 = Zeroizing::new(
            cipher
                .decrypt(
                    Nonce::from_slice(&self.key.nonce),
                    Payload {
                        msg: &self.key.ciphertext,
                        aad: &aad.0,
                    },
                )
                .map_err(|_| CardError::WrongPin)?,
        );
        SigningKey::from_pkcs8_der(&pkcs8).map_err(|e| CardError::CardFile(e.to_string()))
    }
}

fn cert_fingerprint(pem: &str) -> Result<Fingerprint, CardError> {
    Ok(Fingerprint::of_der(&pem_to_der(pem, "CERTIFICATE")?))
}

fn cipher_for(pin: &Pin, salt: &[u8], iterations: u32) -> Aes256Gcm {
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pin.as_bytes(), salt, iterations, key.as_mut());
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key.as_ref()))
}
