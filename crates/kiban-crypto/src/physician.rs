//! Physician certificates, the stand-in for HPKI: a physician signs the 主治医意見書 with the
//! card's cryptography under a separate trust root, so a citizen's card can never sign an
//! opinion and a physician's certificate can never log a citizen in.
//!
//! Everything but the subject is the card's ([`crate::card`]): a P-256 key sealed under a
//! 4-digit PIN in a `kiban-card/2` file (so the portal's `card.js` can sign in the browser as
//! well), ECDSA signatures accepted DER-encoded or raw `r‖s`, and a single-level root whose X.509
//! CRL revokes by serial ([`crate::crl`]). Unlike a card certificate, a physician certificate
//! names its holder, because the opinion must say who wrote it:
//!
//! ```text
//! CN=physician:<医籍登録番号>, OU=physician, O=hospital:<医療機関コード>
//! ```
//!
//! The root is `CN=kiban physician root (HPKI stand-in)`; in production it would be the HPKI
//! root (which needs RSA verification as well). The signature is detached: the signer keeps the
//! opinion's canonical JSON and sends [`PhysicianSignature`] beside it.

use std::fmt;
use std::path::Path;

use kiban_domain::ids::MedicalInstitutionCode;
use rcgen::{DistinguishedName, DnType};
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use zeroize::Zeroizing;

use crate::ca::ClientSubject;
use crate::card::{self, CardAuthority, CardError, CardFile, CardKdf, CardSignature, Pin};
use crate::crl::{RevocationList, RevocationReason, SignedCrl};
use crate::pki::{
    first_attribute, parse_cert, pem_to_der, CertError, DnAttr, Fingerprint, Serial, TrustAnchor,
    Validity,
};
use crate::storage;

/// File names inside the physician root's directory (`<data-dir>/keys/physician-root`).
pub const ROOT_CERT_FILE: &str = "physician-root.pem";
pub const ROOT_KEY_FILE: &str = "physician-root-key.pem";
/// The root's signed revocation list, beside the root.
pub const CRL_FILE: &str = "crl.pem";
/// The common name of the development physician root.
pub const ROOT_NAME: &str = "kiban physician root (HPKI stand-in)";

/// The OU of every physician certificate, also the prefix of its CN.
const KIND: &str = "physician";

#[derive(Debug, thiserror::Error)]
pub enum PhysicianError {
    #[error("医師の証明書が信頼する医師用ルート（HPKI 代替）の発行ではありません / the certificate was not issued by the trusted physician root (HPKI stand-in)")]
    Foreign,
    #[error("医師の証明書の有効期限が切れています / the physician certificate has expired")]
    Expired,
    #[error("医師の証明書はまだ有効期間前です / the physician certificate is not yet valid")]
    NotYetValid,
    #[error("医師の証明書は失効しています（{reason}） / the physician certificate has been revoked ({reason})")]
    Revoked { reason: RevocationReason },
    #[error("署名が文書と一致しません（改ざんされたか、別の文書への署名です） / the signature does not match the document (tampered with, or made for another document)")]
    BadSignature,
    #[error(
        "医師の証明書または署名が不正です: {0} / malformed physician certificate or signature: {0}"
    )]
    Malformed(String),
    #[error(
        "医籍登録番号は1〜10桁の数字です / the physician id (医籍登録番号) must be 1 to 10 digits"
    )]
    PhysicianIdFormat,
    /// PIN, physician file, storage and root errors, shared with the card.
    #[error(transparent)]
    Card(CardError),
}

impl From<CardError> for PhysicianError {
    fn from(e: CardError) -> Self {
        match e {
            CardError::Certificate(CertError::Foreign) => Self::Foreign,
            CardError::Certificate(CertError::Expired) => Self::Expired,
            CardError::Certificate(CertError::NotYetValid) => Self::NotYetValid,
            CardError::Certificate(CertError::Revoked { reason }) => Self::Revoked { reason },
            CardError::Certificate(CertError::Malformed(why)) => Self::Malformed(why),
            CardError::Certificate(CertError::WrongPurpose(why)) => Self::Malformed(why.into()),
            CardError::UnsupportedKey => Self::Malformed("the key must be ECDSA P-256".into()),
            CardError::BadSignature => Self::BadSignature,
            other => Self::Card(other),
        }
    }
}

impl From<CertError> for PhysicianError {
    fn from(e: CertError) -> Self {
        CardError::from(e).into()
    }
}

impl From<storage::StorageError> for PhysicianError {
    fn from(e: storage::StorageError) -> Self {
        CardError::from(e).into()
    }
}

/// The physician's identifier in the certificate: a stand-in for the 医籍登録番号, 1 to 10
/// digits (leading zeros are kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhysicianId(String);

impl PhysicianId {
    pub fn parse(raw: &str) -> Result<Self, PhysicianError> {
        if (1..=10).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PhysicianError::PhysicianIdFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhysicianId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A detached signature over a document (the opinion's canonical JSON): the certificate and the
/// ECDSA signature, exactly as a card presents them, DER or raw `r‖s`.
pub type PhysicianSignature = CardSignature;

/// Who signed, as the verified certificate names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicianIdentity {
    pub institution_code: MedicalInstitutionCode,
    pub physician_id: PhysicianId,
    pub serial: Serial,
    pub fingerprint: Fingerprint,
    pub not_after: OffsetDateTime,
}

/// The physician's "card": a card file (`kiban-card/2`) whose certificate names a physician.
#[derive(Clone, PartialEq, Eq)]
pub struct PhysicianFile(CardFile);

impl fmt::Debug for PhysicianFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhysicianFile").field(&self.0).finish()
    }
}

impl PhysicianFile {
    /// Reads a physician file, refusing a card file whose certificate names no physician (a
    /// citizen's card).
    pub fn from_json(text: &str) -> Result<Self, PhysicianError> {
        let file = Self(CardFile::from_json(text)?);
        file.holder()?;
        Ok(file)
    }

    pub fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// Saves the file with owner-only permissions.
    pub fn save(&self, path: &Path) -> Result<(), PhysicianError> {
        Ok(self.0.save(path)?)
    }

    pub fn load(path: &Path) -> Result<Self, PhysicianError> {
        Self::from_json(&storage::read_secret(path)?)
    }

    pub fn certificate_pem(&self) -> &str {
        self.0.certificate_pem()
    }

    /// The certificate's serial, to revoke a lost file.
    pub fn serial(&self) -> Result<Serial, PhysicianError> {
        let der = pem_to_der(self.certificate_pem(), "CERTIFICATE")?;
        Ok(Serial::from_bytes(parse_cert(&der)?.raw_serial()))
    }

    /// The institution and physician the certificate names (unverified: what the file says).
    pub fn holder(&self) -> Result<(MedicalInstitutionCode, PhysicianId), PhysicianError> {
        let der = pem_to_der(self.certificate_pem(), "CERTIFICATE")?;
        holder(&parse_cert(&der)?)
    }

    /// Unseals the key with `pin` and signs `message` (ECDSA P-256/SHA-256, DER-encoded).
    pub fn sign(&self, pin: &Pin, message: &[u8]) -> Result<PhysicianSignature, PhysicianError> {
        Ok(self.0.sign_challenge(pin, message)?)
    }
}

/// A newly issued physician file and what its certificate says.
#[derive(Debug, Clone)]
pub struct IssuedPhysician {
    pub file: PhysicianFile,
    pub institution_code: MedicalInstitutionCode,
    pub physician_id: PhysicianId,
    pub serial: Serial,
    pub fingerprint: Fingerprint,
}

/// The physician root with its key: issues physician files and signs their revocation list.
/// Servers need only [`PhysicianAuthority::trust_root`].
pub struct PhysicianAuthority {
    root: CardAuthority,
}

impl fmt::Debug for PhysicianAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PhysicianAuthority")
            .field("root", self.trust_root())
            .field("key", &"[redacted]")
            .finish()
    }
}

impl PhysicianAuthority {
    /// Creates a development root `CN=kiban physician root (HPKI stand-in), O=kiban`, valid for
    /// 20 years. Never configure it as trusted in production.
    pub fn init_development(now: OffsetDateTime) -> Result<Self, PhysicianError> {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, ROOT_NAME);
        dn.push(DnType::OrganizationName, "kiban");
        Ok(Self {
            root: CardAuthority::init_with_subject(dn, now)?,
        })
    }

    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, PhysicianError> {
        Ok(Self {
            root: CardAuthority::from_pem(cert_pem, key_pem)?,
        })
    }

    /// The PBKDF2 cost for sealing new physician files under their PIN.
    pub fn with_kdf(self, params: CardKdf) -> Self {
        Self {
            root: self.root.with_kdf(params),
        }
    }

    pub fn trust_root(&self) -> &TrustAnchor {
        self.root.trust_root()
    }

    pub fn key_pem(&self) -> Zeroizing<String> {
        self.root.key_pem()
    }

    /// Writes `physician-root.pem` and `physician-root-key.pem` (0600) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), PhysicianError> {
        Ok(self.root.save_as(dir, ROOT_CERT_FILE, ROOT_KEY_FILE)?)
    }

    pub fn load(dir: &Path) -> Result<Self, PhysicianError> {
        Ok(Self {
            root: CardAuthority::load_from(dir, ROOT_CERT_FILE, ROOT_KEY_FILE)?,
        })
    }

    /// Loads the root from `dir`, or creates and saves a development root there (creating the
    /// directory) when it holds none. The flag says whether it was created.
    pub fn load_or_init(dir: &Path, now: OffsetDateTime) -> Result<(Self, bool), PhysicianError> {
        if dir.join(ROOT_CERT_FILE).exists() {
            return Ok((Self::load(dir)?, false));
        }
        std::fs::create_dir_all(dir).map_err(|source| storage::StorageError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let root = Self::init_development(now)?;
        root.save(dir)?;
        Ok((root, true))
    }

    /// Issues a physician file for `physician_id` at `institution_code`, its key sealed under
    /// `pin`.
    pub fn issue(
        &self,
        institution_code: MedicalInstitutionCode,
        physician_id: &PhysicianId,
        pin: &Pin,
        validity: Validity,
    ) -> Result<IssuedPhysician, PhysicianError> {
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, format!("{KIND}:{physician_id}"));
        subject.push(DnType::OrganizationalUnitName, KIND);
        subject.push(
            DnType::OrganizationName,
            ClientSubject::Hospital { institution_code }.common_name(),
        );
        let (file, serial, fingerprint) = self.root.issue_sealed(subject, pin, validity)?;
        Ok(IssuedPhysician {
            file: PhysicianFile(file),
            institution_code,
            physician_id: physician_id.clone(),
            serial,
            fingerprint,
        })
    }

    /// Signs `list` as the physician root's X.509 CRL.
    pub fn sign_crl(
        &self,
        list: &RevocationList,
        now: OffsetDateTime,
    ) -> Result<SignedCrl, PhysicianError> {
        Ok(self.root.sign_crl(list, now)?)
    }

    /// Adds `serial` to the CRL in `dir` ([`CRL_FILE`], created if absent) and re-signs it.
    /// Returns whether it was newly revoked (a second revocation keeps the first entry) and the
    /// list as written.
    pub fn revoke(
        &self,
        dir: &Path,
        serial: Serial,
        reason: RevocationReason,
        now: OffsetDateTime,
    ) -> Result<(bool, RevocationList), PhysicianError> {
        let mut list = load_revocations(dir, self.trust_root())?;
        let added = list.revoke(serial, reason, now);
        let crl = self.sign_crl(&list, now)?;
        storage::write_public(&dir.join(CRL_FILE), crl.pem.as_bytes())?;
        Ok((added, list))
    }
}

/// The physician CRL in `dir` ([`CRL_FILE`]), accepted only if `root` signed it; an empty list
/// when there is none yet.
pub fn load_revocations(dir: &Path, root: &TrustAnchor) -> Result<RevocationList, PhysicianError> {
    let path = dir.join(CRL_FILE);
    if !path.exists() {
        return Ok(RevocationList::new());
    }
    Ok(RevocationList::from_crl_pem(
        &storage::read_public(&path)?,
        root,
    )?)
}

/// Verifies a physician's detached signature over `message`: the certificate chains to `root`
/// (the physician root, never the card root), is within its validity and not in `revocations`,
/// names a physician and an institution, and the signature covers exactly `message`.
pub fn verify_physician_signature(
    root: &TrustAnchor,
    revocations: &RevocationList,
    message: &[u8],
    signature: &PhysicianSignature,
    now: OffsetDateTime,
) -> Result<PhysicianIdentity, PhysicianError> {
    let der = pem_to_der(&signature.cert_pem, "CERTIFICATE")?;
    let leaf = card::verify_signed(root, revocations, &der, &signature.signature, message, now)?;
    let (institution_code, physician_id) = holder(&leaf.cert)?;
    Ok(PhysicianIdentity {
        institution_code,
        physician_id,
        serial: leaf.serial,
        fingerprint: leaf.fingerprint,
        not_after: leaf.not_after,
    })
}

/// Reads `CN=physician:<id>, OU=physician, O=hospital:<医療機関コード>`.
fn holder(
    cert: &X509Certificate<'_>,
) -> Result<(MedicalInstitutionCode, PhysicianId), PhysicianError> {
    let not_physician = || PhysicianError::Malformed("not a physician certificate".into());
    if first_attribute(cert, DnAttr::OrganizationalUnit).as_deref() != Some(KIND) {
        return Err(not_physician());
    }
    let cn = first_attribute(cert, DnAttr::CommonName).ok_or_else(not_physician)?;
    let id = cn
        .strip_prefix(KIND)
        .and_then(|rest| rest.strip_prefix(':'))
        .ok_or_else(not_physician)?;
    let physician_id = PhysicianId::parse(id)?;
    let organization = first_attribute(cert, DnAttr::Organization).ok_or_else(not_physician)?;
    match ClientSubject::parse_common_name(&organization)? {
        ClientSubject::Hospital { institution_code } => Ok((institution_code, physician_id)),
        ClientSubject::Office { .. } | ClientSubject::Staff { .. } => Err(not_physician()),
    }
}
