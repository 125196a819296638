//! kiban's own certificate authority for mutual TLS. Offices and medical institutions present
//! a client certificate whose subject names them:
//!
//! ```text
//! CN=office:1370000001, OU=office, O=kiban        (事業所番号)
//! CN=hospital:1310000017, OU=hospital, O=kiban    (医療機関コード)
//! CN=staff:city01, OU=staff, O=kiban              (職員ID of a municipal or operator account)
//! ```
//!
//! The CN carries the identifier with its kind so that it is unambiguous on its own (an office
//! number and an institution code are both ten digits); the OU repeats the kind for tools that
//! filter on it, and verification refuses a certificate where the two disagree.
//!
//! An office certificate stands for every terminal of the office; a staff certificate is the
//! device factor of one municipal or operator account (docs/staff-login.md), which has no office
//! whose certificate could vouch for it.

use std::fmt;
use std::path::Path;

use kiban_domain::ids::{MedicalInstitutionCode, OfficeNumber};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::crl::{self, RevocationList, SignedCrl};
use crate::pki::{
    check_leaf, first_attribute, Authority, CertError, DnAttr, Fingerprint, Serial, TrustAnchor,
    Validity,
};
use crate::storage;

/// File names inside a CA directory (`kiban ca init` writes them).
pub const CA_CERT_FILE: &str = "ca.pem";
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// A staff account's 職員ID as a staff certificate names it: 1 to 64 ASCII letters, digits,
/// `.`, `_` or `-`, so that it cannot smuggle a separator into the subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaffId(String);

impl StaffId {
    pub fn parse(raw: &str) -> Result<Self, CertError> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
        if (1..=64).contains(&raw.len()) && raw.bytes().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(CertError::Malformed(format!(
                "職員IDは1〜64文字の英数字と . _ - です: {raw:?} / a staff ID is 1 to 64 ASCII letters, digits, '.', '_' or '-': {raw:?}"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StaffId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who a client certificate is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientSubject {
    /// A 介護サービス事業所, by 事業所番号.
    Office { office_number: OfficeNumber },
    /// A 医療機関, by 医療機関コード.
    Hospital {
        institution_code: MedicalInstitutionCode,
    },
    /// One municipal or operator staff account's device, by 職員ID.
    Staff { staff_id: StaffId },
}

impl ClientSubject {
    /// The OU value, also the prefix of the CN.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Office { .. } => "office",
            Self::Hospital { .. } => "hospital",
            Self::Staff { .. } => "staff",
        }
    }

    /// `office:1370000001` or `hospital:1310000017`.
    pub fn common_name(&self) -> String {
        match self {
            Self::Office { office_number } => format!("office:{office_number}"),
            Self::Hospital { institution_code } => format!("hospital:{institution_code}"),
            Self::Staff { staff_id } => format!("staff:{staff_id}"),
        }
    }

    /// Parses a common name back, validating the identifier as the domain does.
    pub fn parse_common_name(cn: &str) -> Result<Self, CertError> {
        let malformed = |why: String| CertError::Malformed(format!("subject CN {cn:?}: {why}"));
        match cn.split_once(':') {
            Some(("office", number)) => Ok(Self::Office {
                office_number: OfficeNumber::parse(number).map_err(|e| malformed(e.to_string()))?,
            }),
            Some(("hospital", code)) => Ok(Self::Hospital {
                institution_code: MedicalInstitutionCode::parse(code)
                    .map_err(|e| malformed(e.to_string()))?,
            }),
            Some(("staff", id)) => Ok(Self::Staff {
                staff_id: StaffId::parse(id).map_err(|e| malformed(e.to_string()))?,
            }),
            _ => Err(malformed(
                "expected office:<事業所番号>, hospital:<医療機関コード> or staff:<職員ID>".into(),
            )),
        }
    }
}

impl fmt::Display for ClientSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.common_name())
    }
}

/// A freshly issued certificate with its private key, to hand to the office once.
#[derive(Clone)]
pub struct IssuedCert {
    pub cert_pem: String,
    pub cert_der: Vec<u8>,
    /// PKCS#8 PEM. Written to a 0600 file or handed over; never logged.
    pub key_pem: Zeroizing<String>,
    pub serial: Serial,
    pub fingerprint: Fingerprint,
    pub not_after: OffsetDateTime,
}

impl fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedCert")
            .field("serial", &self.serial)
            .field("fingerprint", &self.fingerprint)
            .field("not_after", &self.not_after)
            .field("key_pem", &"[redacted]")
            .finish()
    }
}

/// Who a verified client certificate belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    pub subject: ClientSubject,
    pub serial: Serial,
    pub fingerprint: Fingerprint,
    pub not_after: OffsetDateTime,
}

/// The CA: its root certificate and signing key.
pub struct CertificateAuthority {
    authority: Authority,
}

impl fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("root", self.authority.anchor())
            .field("key", &"[redacted]")
            .finish()
    }
}

impl CertificateAuthority {
    /// Creates a new root `CN=<name>, O=kiban`, valid for 20 years.
    pub fn init(name: &str, now: OffsetDateTime) -> Result<Self, CertError> {
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationName, "kiban");
        Ok(Self {
            authority: Authority::init(dn, now)?,
        })
    }

    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, CertError> {
        Ok(Self {
            authority: Authority::from_pem(cert_pem, key_pem)?,
        })
    }

    pub fn cert_pem(&self) -> String {
        self.authority.anchor().pem()
    }

    pub fn key_pem(&self) -> Zeroizing<String> {
        self.authority.key_pem()
    }

    /// Writes `ca.pem` (public) and `ca-key.pem` (0600) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<(), CertError> {
        storage::write_public(&dir.join(CA_CERT_FILE), self.cert_pem().as_bytes())?;
        storage::write_secret(&dir.join(CA_KEY_FILE), self.key_pem().as_bytes())?;
        Ok(())
    }

    pub fn load(dir: &Path) -> Result<Self, CertError> {
        let cert = storage::read_public(&dir.join(CA_CERT_FILE))?;
        let key = storage::read_secret(&dir.join(CA_KEY_FILE))?;
        Self::from_pem(&cert, &key)
    }

    /// The root certificate alone, which is all a server needs to verify clients.
    pub fn anchor(&self) -> &TrustAnchor {
        self.authority.anchor()
    }

    /// Issues a client certificate (TLS client authentication only) with a new P-256 key.
    pub fn issue_client(
        &self,
        subject: &ClientSubject,
        validity: Validity,
    ) -> Result<IssuedCert, CertError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, subject.common_name());
        params
            .distinguished_name
            .push(DnType::OrganizationalUnitName, subject.kind());
        params
            .distinguished_name
            .push(DnType::OrganizationName, "kiban");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params, validity)
    }

    /// Issues the server certificate for `kiban serve`, so that clients can pin this same root.
    /// `names` are DNS names or IP addresses.
    pub fn issue_server(
        &self,
        names: &[&str],
        validity: Validity,
    ) -> Result<IssuedCert, CertError> {
        let first = names.first().ok_or(CertError::Generate(
            "a server certificate needs a name".into(),
        ))?;
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
        params.distinguished_name = DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, *first);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params, validity)
    }

    fn issue(
        &self,
        params: CertificateParams,
        validity: Validity,
    ) -> Result<IssuedCert, CertError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let (cert, serial) = self.authority.sign_leaf(params, &key, validity)?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: Zeroizing::new(key.serialize_pem()),
            fingerprint: Fingerprint::of_der(cert.der()),
            serial,
            not_after: validity.not_after,
        })
    }

    /// Signs the current revocation list as an X.509 CRL (see [`crate::crl`]).
    pub fn sign_crl(
        &self,
        list: &RevocationList,
        now: OffsetDateTime,
    ) -> Result<SignedCrl, CertError> {
        crl::sign(&self.authority, list, now)
    }

    pub fn verify_client(
        &self,
        cert_der: &[u8],
        now: OffsetDateTime,
        revocations: &RevocationList,
    ) -> Result<ClientIdentity, CertError> {
        verify_client(self.anchor(), cert_der, now, revocations)
    }
}

/// Checks a presented client certificate and says who it belongs to: chained to `anchor`,
/// within its validity period, not revoked, meant for client authentication, and naming an
/// office, institution or staff account whose identifier parses.
pub fn verify_client(
    anchor: &TrustAnchor,
    cert_der: &[u8],
    now: OffsetDateTime,
    revocations: &RevocationList,
) -> Result<ClientIdentity, CertError> {
    let leaf = check_leaf(anchor, cert_der, now, revocations)?;
    let client_auth = leaf
        .cert
        .extended_key_usage()
        .map_err(|e| CertError::Malformed(e.to_string()))?
        .is_some_and(|eku| eku.value.client_auth);
    if !client_auth {
        return Err(CertError::WrongPurpose("not a client certificate"));
    }
    let cn = first_attribute(&leaf.cert, DnAttr::CommonName)
        .ok_or_else(|| CertError::Malformed("subject has no CN".into()))?;
    let subject = ClientSubject::parse_common_name(&cn)?;
    if first_attribute(&leaf.cert, DnAttr::OrganizationalUnit).as_deref() != Some(subject.kind()) {
        return Err(CertError::Malformed(
            "subject OU does not match its CN".into(),
        ));
    }
    Ok(ClientIdentity {
        subject,
        serial: leaf.serial,
        fingerprint: leaf.fingerprint,
        not_after: leaf.not_after,
    })
}
