//! TLS 1.3 (rustls, ring provider) with optional client certificates.
//!
//! Client certificates are optional at the TLS layer, so that citizens (who log in with the
//! card) and the bare health route work without one. A certificate that *is* presented must
//! chain to kiban's CA: rustls' WebPKI verifier refuses a foreign, expired or not-yet-valid one
//! in the handshake. After the handshake [`kiban_crypto::verify_client`] checks it again with
//! the revocation list and reads the office, institution or staff account it names; that
//! identity travels with every request of the connection as a [`ClientCert`] extension, and the
//! revocation and expiry are re-checked on every request, so revoking a certificate also cuts
//! its open connections (the list is kept current while serving: [`crate::revocation`]).

use std::sync::Arc;

use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{ClientIdentity, ClientSubject, TrustAnchor};
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::ServeError;

/// Builds the rustls configuration: TLS 1.3 only, ALPN h2 and http/1.1, client certificates
/// optional but verified against `client_ca` when presented.
pub fn server_config(
    cert_chain_pem: &str,
    key_pem: &str,
    client_ca: &TrustAnchor,
) -> Result<Arc<rustls::ServerConfig>, ServeError> {
    let tls = |what: &str, e: &dyn std::fmt::Display| ServeError::Tls(format!("{what}: {e}"));
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls("server certificate", &e))?;
    if chain.is_empty() {
        return Err(ServeError::Tls(
            "server certificate: no PEM certificate".into(),
        ));
    }
    let key =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| tls("server key", &e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(client_ca.der().to_vec()))
        .map_err(|e| tls("client CA", &e))?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(|e| tls("client verifier", &e))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| tls("protocol versions", &e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| tls("server certificate", &e))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The address of the connection a request arrived on (a request extension, like
/// [`ClientCert`]); login throttling counts failures per address.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub std::net::SocketAddr);

/// The client certificate of the connection a request arrived on.
#[derive(Debug, Clone, Default)]
pub enum ClientCert {
    /// None presented (citizens, the health route).
    #[default]
    Absent,
    Verified(ClientIdentity),
    /// Presented but refused by kiban's own checks (revoked, wrong subject …): every request
    /// on the connection is answered 401 `CLIENT_CERTIFICATE_REJECTED`.
    Rejected(String),
}

impl ClientCert {
    /// Checks the presented certificate (leaf first) after the handshake.
    pub(crate) fn of_connection(
        state: &AppState,
        presented: Option<&[CertificateDer<'_>]>,
    ) -> Self {
        let Some(leaf) = presented.and_then(|chain| chain.first()) else {
            return Self::Absent;
        };
        let revocations = state.client_revocations();
        match kiban_crypto::verify_client(
            &state.client_ca,
            leaf.as_ref(),
            OffsetDateTime::now_utc(),
            &revocations,
        ) {
            Ok(identity) => Self::Verified(identity),
            Err(e) => Self::Rejected(e.to_string()),
        }
    }

    /// The per-request re-check: still unrevoked and unexpired.
    pub(crate) fn recheck(&self, state: &AppState, now: OffsetDateTime) -> Result<(), ApiError> {
        match self {
            Self::Absent => Ok(()),
            Self::Rejected(why) => Err(ApiError::with_detail(
                ErrorCode::ClientCertificateRejected,
                why.clone(),
            )),
            Self::Verified(id) => {
                if let Some(r) = state.client_revocations().get(&id.serial) {
                    let why = kiban_crypto::CertError::Revoked { reason: r.reason };
                    return Err(ApiError::with_detail(
                        ErrorCode::ClientCertificateRejected,
                        why.to_string(),
                    ));
                }
                if now > id.not_after {
                    return Err(ApiError::with_detail(
                        ErrorCode::ClientCertificateRejected,
                        kiban_crypto::CertError::Expired.to_string(),
                    ));
                }
                Ok(())
            }
        }
    }

    pub fn subject(&self) -> Option<&ClientSubject> {
        self.identity().map(|id| &id.subject)
    }

    pub fn identity(&self) -> Option<&ClientIdentity> {
        match self {
            Self::Verified(id) => Some(id),
            _ => None,
        }
    }
}
