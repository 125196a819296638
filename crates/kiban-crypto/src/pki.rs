//! X.509 machinery shared by the client-certificate CA ([`crate::ca`]) and the card authority
//! ([`crate::card`]): serials, fingerprints, trust anchors and the checks every presented
//! certificate goes through. Both authorities are single-level: a self-signed root signs
//! end-entity certificates directly (JPKI's 利用者証明用 CA is such a root too).

use std::fmt;

use rand_core::{OsRng, RngCore};
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, SerialNumber, PKCS_ECDSA_P256_SHA256,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use zeroize::Zeroizing;

use crate::crl::{RevocationList, RevocationReason};
use crate::storage::StorageError;

/// Why a certificate (or a CRL, or an authority's files) was refused.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("証明書を解析できません: {0} / malformed certificate: {0}")]
    Malformed(String),
    #[error("信頼する認証局が発行した証明書ではありません / certificate was not issued by the trusted authority")]
    Foreign,
    #[error("証明書の有効期限が切れています / certificate has expired")]
    Expired,
    #[error("証明書はまだ有効期間前です / certificate is not yet valid")]
    NotYetValid,
    #[error("証明書は失効しています（{reason}） / certificate has been revoked ({reason})")]
    Revoked { reason: RevocationReason },
    #[error("証明書の用途が違います: {0} / certificate is not meant for this use: {0}")]
    WrongPurpose(&'static str),
    #[error("秘密鍵が証明書と一致しません / private key does not match the certificate")]
    KeyMismatch,
    #[error("失効リストが不正です: {0} / invalid revocation list: {0}")]
    InvalidCrl(String),
    #[error("証明書を作成できません: {0} / cannot create certificate: {0}")]
    Generate(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<rcgen::Error> for CertError {
    fn from(e: rcgen::Error) -> Self {
        CertError::Generate(e.to_string())
    }
}

/// A certificate serial number: big-endian bytes without leading zeros, printed as lowercase hex.
/// Serials kiban issues are 16 random bytes, so they also serve as unguessable identifiers.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Serial(Vec<u8>);

impl Serial {
    pub(crate) fn random() -> Self {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        // Positive and without a leading zero, so the DER INTEGER is exactly these 16 bytes.
        bytes[0] = (bytes[0] & 0x7f).max(1);
        Self(bytes.to_vec())
    }

    pub fn from_bytes(bytes: &[u8]) -> Self {
        let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
        Self(bytes[start..].to_vec())
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let serial = Self::from_bytes(&hex::decode(text.trim()).ok()?);
        (!serial.0.is_empty()).then_some(serial)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn to_rcgen(&self) -> SerialNumber {
        SerialNumber::from_slice(&self.0)
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(&self.0))
    }
}

impl fmt::Debug for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Serial({self})")
    }
}

/// SHA-256 of a certificate's DER encoding: what the platform stores to recognise a certificate
/// (for a card, the municipality links this to a 被保険者).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of_der(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

macro_rules! serde_as_hex {
    ($t:ty) => {
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <$t>::from_hex(&text).ok_or_else(|| serde::de::Error::custom("invalid hex"))
            }
        }
    };
}
serde_as_hex!(Serial);
serde_as_hex!(Fingerprint);

/// A certificate's validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// Clock skew between kiban and a client's machine that is tolerated at the start.
    pub const BACKDATE: Duration = Duration::minutes(5);

    /// `days` days from `now`, starting [`Self::BACKDATE`] early so that a certificate issued
    /// now is accepted by a server whose clock is a little behind.
    pub fn days_from(now: OffsetDateTime, days: u32) -> Self {
        Self {
            not_before: now - Self::BACKDATE,
            not_after: now + Duration::days(i64::from(days)),
        }
    }
}

/// A root certificate that presented certificates must chain to (kiban's CA, the development
/// card root, or in production JPKI's root). Holds no key: servers verify with this alone.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    der: Vec<u8>,
    fingerprint: Fingerprint,
}

impl TrustAnchor {
    pub fn from_pem(pem: &str) -> Result<Self, CertError> {
        Self::from_der(&pem_to_der(pem, "CERTIFICATE")?)
    }

    /// Accepts only a self-signed CA certificate, so a leaf cannot be configured as a root by
    /// mistake.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let cert = parse_cert(der)?;
        if !cert.is_ca() {
            return Err(CertError::WrongPurpose("root must be a CA certificate"));
        }
        if cert.subject().as_raw() != cert.issuer().as_raw() || cert.verify_signature(None).is_err()
        {
            return Err(CertError::WrongPurpose("root must be self-signed"));
        }
        Ok(Self {
            der: der.to_vec(),
            fingerprint: Fingerprint::of_der(der),
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn pem(&self) -> String {
        der_to_pem(&self.der, "CERTIFICATE")
    }

    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    pub(crate) fn parsed(&self) -> X509Certificate<'_> {
        parse_cert(&self.der).expect("anchor was parsed when it was built")
    }
}

impl fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustAnchor({})", self.fingerprint)
    }
}

/// A root with its signing key. Its key is ECDSA P-256: small, fast, and what the card's key is.
pub(crate) struct Authority {
    issuer: Issuer<'static, KeyPair>,
    anchor: TrustAnchor,
}

impl Authority {
    /// Creates a self-signed root valid for 20 years from a day before `now`.
    pub(crate) fn init(subject: DistinguishedName, now: OffsetDateTime) -> Result<Self, CertError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params.distinguished_name = subject;
        params.serial_number = Some(Serial::random().to_rcgen());
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(20 * 365);
        // Path length 0: the root signs end-entity certificates only, never another CA.
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key)?;
        Self::from_parts(cert.der(), key)
    }

    pub(crate) fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, CertError> {
        let der = pem_to_der(cert_pem, "CERTIFICATE")?;
        let key = KeyPair::from_pem(key_pem).map_err(|e| CertError::Malformed(e.to_string()))?;
        Self::from_parts(&der, key)
    }

    // Init and load take the same path, so the issuer name written into issued certificates is
    // always re-encoded the same way from the stored root.
    fn from_parts(der: &[u8], key: KeyPair) -> Result<Self, CertError> {
        let anchor = TrustAnchor::from_der(der)?;
        if anchor.parsed().public_key().subject_public_key.as_ref() != key.public_key_raw() {
            return Err(CertError::KeyMismatch);
        }
        let issuer = Issuer::from_ca_cert_der(&der.to_vec().into(), key)?;
        Ok(Self { issuer, anchor })
    }

    pub(crate) fn anchor(&self) -> &TrustAnchor {
        &self.anchor
    }

    pub(crate) fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }

    pub(crate) fn key_pem(&self) -> Zeroizing<String> {
        Zeroizing::new(self.issuer.key().serialize_pem())
    }

    /// Signs an end-entity certificate for `public_key`.
    pub(crate) fn sign_leaf(
        &self,
        mut params: CertificateParams,
        public_key: &impl PublicKeyData,
        validity: Validity,
    ) -> Result<(Certificate, Serial), CertError> {
        let serial = Serial::random();
        params.serial_number = Some(serial.to_rcgen());
        params.not_before = validity.not_before;
        params.not_after = validity.not_after;
        params.is_ca = IsCa::ExplicitNoCa;
        params.use_authority_key_identifier_extension = true;
        Ok((params.signed_by(public_key, &self.issuer)?, serial))
    }
}

/// What the common checks established about a presented end-entity certificate.
pub(crate) struct CheckedLeaf<'a> {
    pub cert: X509Certificate<'a>,
    pub serial: Serial,
    pub fingerprint: Fingerprint,
    pub not_after: OffsetDateTime,
}

/// The checks every presented certificate goes through, in the order RFC 5280 path validation
/// uses: signed by the anchor, within its validity period (and the anchor within its own), not
/// revoked, and not itself a CA.
pub(crate) fn check_leaf<'a>(
    anchor: &TrustAnchor,
    der: &'a [u8],
    now: OffsetDateTime,
    revocations: &RevocationList,
) -> Result<CheckedLeaf<'a>, CertError> {
    let cert = parse_cert(der)?;
    let root = anchor.parsed();
    if !issued_by(&root, &cert) {
        return Err(CertError::Foreign);
    }
    let at = now.unix_timestamp();
    for validity in [cert.validity(), root.validity()] {
        if at < validity.not_before.timestamp() {
            return Err(CertError::NotYetValid);
        }
        if at > validity.not_after.timestamp() {
            return Err(CertError::Expired);
        }
    }
    let serial = Serial::from_bytes(cert.raw_serial());
    if let Some(revocation) = revocations.get(&serial) {
        return Err(CertError::Revoked {
            reason: revocation.reason,
        });
    }
    if cert.is_ca() {
        return Err(CertError::WrongPurpose("a CA certificate cannot log in"));
    }
    let not_after = cert.validity().not_after.to_datetime();
    Ok(CheckedLeaf {
        cert,
        serial,
        fingerprint: Fingerprint::of_der(der),
        not_after,
    })
}

/// The chain check alone: `cert` names `root` as its issuer and carries its signature.
pub(crate) fn issued_by(root: &X509Certificate<'_>, cert: &X509Certificate<'_>) -> bool {
    cert.issuer().as_raw() == root.subject().as_raw()
        && cert.verify_signature(Some(root.public_key())).is_ok()
}

pub(crate) fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>, CertError> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => Err(CertError::Malformed("trailing bytes".into())),
        Err(e) => Err(CertError::Malformed(e.to_string())),
    }
}

/// Decodes one PEM block and checks its label, so a key is never mistaken for a certificate.
pub(crate) fn pem_to_der(pem: &str, label: &str) -> Result<Vec<u8>, CertError> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .map_err(|e| CertError::Malformed(format!("PEM: {e}")))?;
    if block.label != label {
        return Err(CertError::Malformed(format!(
            "expected PEM {label}, found {}",
            block.label
        )));
    }
    Ok(block.contents)
}

pub(crate) fn der_to_pem(der: &[u8], label: &str) -> String {
    let body = data_encoding::BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ascii"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A subject attribute that kiban's certificates use to name their holder.
pub(crate) enum DnAttr {
    CommonName,
    OrganizationalUnit,
    Organization,
}

/// The first value of `attr` in the subject of `cert`, if it is a string.
pub(crate) fn first_attribute(cert: &X509Certificate<'_>, attr: DnAttr) -> Option<String> {
    let subject = cert.subject();
    let value = match attr {
        DnAttr::CommonName => subject.iter_common_name().next(),
        DnAttr::OrganizationalUnit => subject.iter_organizational_unit().next(),
        DnAttr::Organization => subject.iter_organization().next(),
    }?;
    value.as_str().ok().map(str::to_owned)
}
