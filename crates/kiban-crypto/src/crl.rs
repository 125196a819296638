//! Revocation lists. The authoritative form is a standard X.509 v2 CRL signed by the authority
//! (DER, or PEM "X509 CRL"): rustls' client-certificate verifier can load it as it is, and a
//! CRL read back from disk is trusted only after its signature checks against the root. In
//! memory it is a set of serials with reason and time, looked up on every login.

use std::collections::BTreeMap;
use std::fmt;

use rcgen::{CertificateRevocationListParams, KeyIdMethod, RevokedCertParams, SerialNumber};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::pki::{der_to_pem, pem_to_der, Authority, CertError, Serial, TrustAnchor};

/// RFC 5280 §5.3.1 reason codes that kiban's operators have a use for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    Unspecified,
    /// The private key (client key file, card) is lost or stolen.
    KeyCompromise,
    /// The office closed, merged or changed its 事業所番号.
    AffiliationChanged,
    /// A new certificate or card replaces this one.
    Superseded,
    /// The office or institution stopped using the platform.
    CessationOfOperation,
    /// The authority withdrew the right to connect.
    PrivilegeWithdrawn,
}

impl RevocationReason {
    /// The RFC 5280 code, as stored beside a revocation recorded in the database.
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::PrivilegeWithdrawn => 9,
        }
    }

    fn to_rcgen(self) -> rcgen::RevocationReason {
        use rcgen::RevocationReason as R;
        match self {
            Self::Unspecified => R::Unspecified,
            Self::KeyCompromise => R::KeyCompromise,
            Self::AffiliationChanged => R::AffiliationChanged,
            Self::Superseded => R::Superseded,
            Self::CessationOfOperation => R::CessationOfOperation,
            Self::PrivilegeWithdrawn => R::PrivilegeWithdrawn,
        }
    }

    /// Codes kiban never writes (CA compromise, hold, …) still revoke: they read as unspecified.
    pub fn from_code(code: u8) -> Self {
        match code {
            1 => Self::KeyCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            9 => Self::PrivilegeWithdrawn,
            _ => Self::Unspecified,
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unspecified => "理由なし / unspecified",
            Self::KeyCompromise => "鍵の危殆化 / key compromise",
            Self::AffiliationChanged => "所属の変更 / affiliation changed",
            Self::Superseded => "再発行 / superseded",
            Self::CessationOfOperation => "利用終了 / cessation of operation",
            Self::PrivilegeWithdrawn => "権限の取消し / privilege withdrawn",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub revoked_at: OffsetDateTime,
    pub reason: RevocationReason,
}

/// The revoked serials of one authority.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevocationList {
    entries: BTreeMap<Serial, Revocation>,
    next_update: Option<OffsetDateTime>,
}

/// A CRL as signed by an authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCrl {
    pub der: Vec<u8>,
    pub pem: String,
}

/// How long a signed CRL says it stays current. kiban re-signs on every revocation; the period
/// only matters to relying parties that honour nextUpdate.
pub const CRL_LIFETIME: Duration = Duration::days(7);

impl RevocationList {
    pub fn new() -> Self {
        Self::default()
    }

    /// Revokes `serial`. Returns false, keeping the first entry, if it was already revoked:
    /// the original time and reason are the ones that matter in an investigation.
    pub fn revoke(&mut self, serial: Serial, reason: RevocationReason, at: OffsetDateTime) -> bool {
        if self.entries.contains_key(&serial) {
            return false;
        }
        self.entries.insert(
            serial,
            Revocation {
                revoked_at: at,
                reason,
            },
        );
        true
    }

    /// Adds every entry of `other` not already here (keeping the first time and reason, as
    /// [`Self::revoke`] does); returns the serials that were new. A server unites the CRL file
    /// with the revocations recorded in the database this way.
    pub fn merge(&mut self, other: &RevocationList) -> Vec<Serial> {
        other
            .iter()
            .filter(|(serial, r)| self.revoke((*serial).clone(), r.reason, r.revoked_at))
            .map(|(serial, _)| serial.clone())
            .collect()
    }

    pub fn get(&self, serial: &Serial) -> Option<&Revocation> {
        self.entries.get(serial)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Serial, &Revocation)> {
        self.entries.iter()
    }

    /// The nextUpdate of the CRL this list was read from, if any.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// True when the CRL this list came from is past its nextUpdate: the caller should fetch or
    /// re-sign a fresh one. Verification does not refuse on staleness by itself, because kiban's
    /// own CRLs live on the same machine and a stale one still lists every revocation it knew.
    pub fn is_stale(&self, now: OffsetDateTime) -> bool {
        self.next_update.is_some_and(|next| now > next)
    }

    pub fn from_crl_pem(pem: &str, issuer: &TrustAnchor) -> Result<Self, CertError> {
        Self::from_crl_der(&pem_to_der(pem, "X509 CRL")?, issuer)
    }

    /// Reads a CRL, accepting it only if `issuer` signed it.
    pub fn from_crl_der(der: &[u8], issuer: &TrustAnchor) -> Result<Self, CertError> {
        let crl = match CertificateRevocationList::from_der(der) {
            Ok(([], crl)) => crl,
            Ok(_) => return Err(CertError::InvalidCrl("trailing bytes".into())),
            Err(e) => return Err(CertError::InvalidCrl(e.to_string())),
        };
        let root = issuer.parsed();
        if crl.issuer().as_raw() != root.subject().as_raw()
            || crl.verify_signature(root.public_key()).is_err()
        {
            return Err(CertError::InvalidCrl(
                "not signed by the trusted authority".into(),
            ));
        }
        let mut list = Self {
            entries: BTreeMap::new(),
            next_update: crl.next_update().map(|t| t.to_datetime()),
        };
        for revoked in crl.iter_revoked_certificates() {
            let reason = revoked
                .reason_code()
                .map_or(RevocationReason::Unspecified, |(_, code)| {
                    RevocationReason::from_code(code.0)
                });
            list.revoke(
                Serial::from_bytes(revoked.raw_serial()),
                reason,
                revoked.revocation_date.to_datetime(),
            );
        }
        Ok(list)
    }
}

/// Signs `list` as a CRL. The CRL number is `now` in Unix seconds: it only has to increase
/// (RFC 5280 §5.2.3), and a clock needs no counter stored beside the CA.
pub(crate) fn sign(
    authority: &Authority,
    list: &RevocationList,
    now: OffsetDateTime,
) -> Result<SignedCrl, CertError> {
    let number = u64::try_from(now.unix_timestamp())
        .map_err(|_| CertError::Generate("clock before 1970".into()))?;
    let params = CertificateRevocationListParams {
        this_update: now,
        next_update: now + CRL_LIFETIME,
        crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
        issuing_distribution_point: None,
        revoked_certs: list
            .iter()
            .map(|(serial, revocation)| RevokedCertParams {
                serial_number: serial.to_rcgen(),
                revocation_time: revocation.revoked_at,
                reason_code: Some(revocation.reason.to_rcgen()),
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params.signed_by(authority.issuer())?;
    let der = crl.der().to_vec();
    let pem = der_to_pem(&der, "X509 CRL");
    Ok(SignedCrl { der, pem })
}
