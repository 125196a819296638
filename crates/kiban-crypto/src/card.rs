//! The My Number card stand-in, with the real card's cryptography: a P-256 key pair and an
//! X.509 certificate chained to a configurable trust root. Login is the card signing a one-time
//! server challenge ([`crate::challenge`]); the server checks chain, validity, revocation and the
//! signature over exactly that challenge.
//!
//! What the certificate says: like the real 利用者証明用電子証明書, nothing about the person. No
//! My Number, no 被保険者番号, no name: the subject is `CN=<random card id>, OU=card`. The
//! platform identifies a card by its certificate's fingerprint and serial ([`CardIdentity`]),
//! and the municipality links that to a 被保険者 ([`CardLink`], returned at issue time for
//! the link table). A My Number is never an input here and never logged.
//!
//! In production the trust root is JPKI's 利用者証明用 root; [`CardAuthority::init_development`]
//! makes a development root for synthetic people.

mod file;

use std::fmt;
use std::path::Path;

use kiban_domain::ids::InsuredNumber;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePublicKey, EncodePublicKey};
use rand_core::{OsRng, RngCore};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyUsagePurpose, SubjectPublicKeyInfo};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

pub use file::{CardFile, CardKdf, Pin, PIN_RETRY_LIMIT};

use crate::challenge::Challenge;
use crate::crl::{self, RevocationList, SignedCrl};
use crate::pki::{
    check_leaf, issued_by, parse_cert, pem_to_der, Authority, CertError, CheckedLeaf, Fingerprint,
    Serial, TrustAnchor, Validity,
};
use crate::storage::{self, StorageError};

pub const ROOT_CERT_FILE: &str = "card-root.pem";
pub const ROOT_KEY_FILE: &str = "card-root-key.pem";

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error(transparent)]
    Certificate(#[from] CertError),
    #[error("暗証番号は数字4桁です / the PIN must be four digits")]
    PinFormat,
    #[error("暗証番号が違います / wrong PIN")]
    WrongPin,
    #[error("暗証番号が違います（あと{0}回間違えるとカードがロックされます）/ wrong PIN ({0} tries left before the card locks)")]
    WrongPinTriesLeft(u32),
    #[error("CARD_LOCKED: 暗証番号を続けて間違えたため、カードがロックされています。市区町村の窓口で解除してください / CARD_LOCKED: the card is locked after repeated wrong PINs; the municipality's counter unlocks it")]
    Locked,
    #[error("署名が検証できません / signature does not verify")]
    BadSignature,
    #[error("チャレンジの有効期限が切れています / the challenge has expired")]
    ChallengeExpired,
    #[error("カードの鍵は P-256 でなければなりません / the card key must be ECDSA P-256")]
    UnsupportedKey,
    #[error("カードファイルが不正です: {0} / invalid card file: {0}")]
    CardFile(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What the card presents at login: its certificate and its signature over the challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSignature {
    pub cert_pem: String,
    /// ECDSA P-256/SHA-256, DER-encoded (what `kiban card sign` prints) or raw `r‖s` in 64
    /// bytes (what WebCrypto's `sign` returns, so the browser sends it unconverted); the
    /// verifier accepts both.
    #[serde(with = "crate::encoding::b64_serde")]
    pub signature: Vec<u8>,
}

/// Who logged in: the certificate, not the person. Look the fingerprint up in the
/// municipality's link table to find the 被保険者.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardIdentity {
    pub serial: Serial,
    pub fingerprint: Fingerprint,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

/// The link the municipality records when it hands a card to a 被保険者. Lives in the
/// platform's store, never in the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardLink {
    pub insured_number: InsuredNumber,
    pub serial: Serial,
    pub fingerprint: Fingerprint,
}

#[derive(Debug, Clone)]
pub struct IssuedCard {
    pub card: CardFile,
    pub link: CardLink,
}

/// Issues cards. Holds the root's key, so only the issuing tool loads it; servers need only
/// [`CardAuthority::trust_root`].
pub struct CardAuthority {
    authority: Authority,
    kdf: CardKdf,
}

impl fmt::Debug for CardAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardAuthority")
            .field("root", self.authority.anchor())
            .field("kdf", &self.kdf)
            .field("key", &"[redacted]")
            .finish()
    }
}

impl CardAuthority {
    /// Creates a development root, `CN=<name>, O=kiban development card root`. Never configure
    /// it as trusted in production.
    pub fn init_development(name: &str, now: OffsetDateTime) -> Result<Self, CardError> {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationName, "kiban development card root");
        Self::init_with_subject(dn, now)
    }

    /// A new root with its own key under `subject`: the card root, or another root with the
    /// card's cryptography (the physician root, [`crate::physician`]).
    pub(crate) fn init_with_subject(
        subject: DistinguishedName,
        now: OffsetDateTime,
    ) -> Result<Self, CardError> {
        Ok(Self {
            authority: Authority::init(subject, now)?,
            kdf: CardKdf::default(),
        })
    }

    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, CardError> {
        Ok(Self {
            authority: Authority::from_pem(cert_pem, key_pem)?,
            kdf: CardKdf::default(),
        })
    }

    /// The PBKDF2 cost for sealing new cards under their PIN.
    pub fn with_kdf(mut self, params: CardKdf) -> Self {
        self.kdf = params;
        self
    }

    pub fn trust_root(&self) -> &TrustAnchor {
        self.authority.anchor()
    }

    pub fn key_pem(&self) -> Zeroizing<String> {
        self.authority.key_pem()
    }

    /// Writes `card-root.pem` and `card-root-key.pem` (0600) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), CardError> {
        self.save_as(dir, ROOT_CERT_FILE, ROOT_KEY_FILE)
    }

    pub fn load(dir: &Path) -> Result<Self, CardError> {
        Self::load_from(dir, ROOT_CERT_FILE, ROOT_KEY_FILE)
    }

    /// Writes the root certificate as `cert_file` and its key as `key_file` (0600) into `dir`.
    pub(crate) fn save_as(
        &self,
        dir: &Path,
        cert_file: &str,
        key_file: &str,
    ) -> Result<(), CardError> {
        storage::write_public(&dir.join(cert_file), self.trust_root().pem().as_bytes())?;
        storage::write_secret(&dir.join(key_file), self.key_pem().as_bytes())?;
        Ok(())
    }

    pub(crate) fn load_from(
        dir: &Path,
        cert_file: &str,
        key_file: &str,
    ) -> Result<Self, CardError> {
        let cert = storage::read_public(&dir.join(cert_file))?;
        let key = storage::read_secret(&dir.join(key_file))?;
        Self::from_pem(&cert, &key)
    }

    /// Makes a card for `insured_number`, its key sealed under `pin`. The number goes into the
    /// returned [`CardLink`] only, not into the certificate or the card file.
    pub fn issue_card(
        &self,
        insured_number: InsuredNumber,
        pin: &Pin,
        validity: Validity,
    ) -> Result<IssuedCard, CardError> {
        let mut card_id = [0u8; 16];
        OsRng.fill_bytes(&mut card_id);
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, hex::encode(card_id));
        subject.push(DnType::OrganizationalUnitName, "card");
        let (card, serial, fingerprint) = self.issue_sealed(subject, pin, validity)?;
        Ok(IssuedCard {
            card,
            link: CardLink {
                insured_number,
                serial,
                fingerprint,
            },
        })
    }

    /// Makes a new P-256 key, certifies it under `subject` (digital signature only) and seals it
    /// under `pin` in a card file: the card, or any other holder of the card's cryptography.
    pub(crate) fn issue_sealed(
        &self,
        subject: DistinguishedName,
        pin: &Pin,
        validity: Validity,
    ) -> Result<(CardFile, Serial, Fingerprint), CardError> {
        let key = SigningKey::random(&mut OsRng);
        let spki_der = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|e| CardError::CardFile(e.to_string()))?;
        let public = SubjectPublicKeyInfo::from_der(spki_der.as_bytes())
            .map_err(|e| CardError::CardFile(e.to_string()))?;

        let mut params = CertificateParams::default();
        params.distinguished_name = subject;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let (cert, serial) = self.authority.sign_leaf(params, &public, validity)?;

        let fingerprint = Fingerprint::of_der(cert.der());
        let card = CardFile::seal(cert.pem(), &key, pin, &self.kdf)?;
        Ok((card, serial, fingerprint))
    }

    /// Signs the card revocation list (a lost card is revoked by serial).
    pub fn sign_crl(
        &self,
        list: &RevocationList,
        now: OffsetDateTime,
    ) -> Result<SignedCrl, CardError> {
        Ok(crl::sign(&self.authority, list, now)?)
    }
}

/// Verifies a card login: the certificate chains to `trust_root`, is within its validity and
/// not revoked, the challenge has not expired, and the signature covers exactly
/// `challenge.message()`. The caller must have taken `challenge` out of its
/// [`crate::Challenges`] store with `consume`, which is what makes a replay fail.
pub fn verify_card_login(
    trust_root: &TrustAnchor,
    revocations: &RevocationList,
    challenge: &Challenge,
    signature: &CardSignature,
    now: OffsetDateTime,
) -> Result<CardIdentity, CardError> {
    if now > challenge.expires_at {
        return Err(CardError::ChallengeExpired);
    }
    let der = pem_to_der(&signature.cert_pem, "CERTIFICATE")?;
    let leaf = verify_signed(
        trust_root,
        revocations,
        &der,
        &signature.signature,
        &challenge.message(),
        now,
    )?;
    Ok(CardIdentity {
        serial: leaf.serial,
        fingerprint: leaf.fingerprint,
        not_after: leaf.not_after,
    })
}

/// The checks of a card signature whatever it signed: the certificate `cert_der` passes
/// [`check_leaf`] against `trust_root`, and `signature` (DER or raw `r‖s`) is its key's ECDSA
/// P-256/SHA-256 signature over exactly `message`.
pub(crate) fn verify_signed<'a>(
    trust_root: &TrustAnchor,
    revocations: &RevocationList,
    cert_der: &'a [u8],
    signature: &[u8],
    message: &[u8],
    now: OffsetDateTime,
) -> Result<CheckedLeaf<'a>, CardError> {
    let leaf = check_leaf(trust_root, cert_der, now, revocations)?;
    let key = VerifyingKey::from_public_key_der(leaf.cert.public_key().raw)
        .map_err(|_| CardError::UnsupportedKey)?;
    // A DER signature of P-256 is at least 70 bytes, so 64 bytes can only be raw r‖s.
    let sig = if signature.len() == 64 {
        Signature::from_slice(signature).map_err(|_| CardError::BadSignature)?
    } else {
        DerSignature::from_bytes(signature)
            .and_then(Signature::try_from)
            .map_err(|_| CardError::BadSignature)?
    };
    key.verify(message, &sig)
        .map_err(|_| CardError::BadSignature)?;
    Ok(leaf)
}

/// The fingerprint of a presented card certificate issued under `trust_root`, whatever its
/// validity or revocation status, so that a failed login (replayed, revoked, expired, bad
/// signature) can be attributed to the person the card is linked to. `None` when the PEM does
/// not parse or the root did not sign it: such a certificate names no card of this platform.
pub fn card_fingerprint(trust_root: &TrustAnchor, cert_pem: &str) -> Option<Fingerprint> {
    let der = pem_to_der(cert_pem, "CERTIFICATE").ok()?;
    let cert = parse_cert(&der).ok()?;
    issued_by(&trust_root.parsed(), &cert).then(|| Fingerprint::of_der(&der))
}
