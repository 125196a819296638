//! TLS to PostgreSQL, with rustls (ring), following libpq's `sslmode`:
//!
//! - `disable`, `prefer` (the default) and no `sslmode`: no TLS, as before (a `prefer` that
//!   silently falls back is no protection; say `require` or better to get one).
//! - `require`: encrypted, the server's certificate not checked (libpq's meaning; it stops a
//!   passive listener, not an impostor).
//! - `verify-ca`: encrypted, the certificate chained to `sslrootcert`, any host name.
//! - `verify-full`: as `verify-ca`, and the certificate names the host connected to (a DNS
//!   name, or an IP address in its subject alternative names).
//!
//! `sslmode` and `sslrootcert` are taken out of the URL here: the `postgres` crate knows only
//! `disable`, `prefer` and `require`, and no root certificate.

use crate::{Result, StoreError};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error as TlsError, SignatureScheme};
use std::sync::Arc;

/// `sslmode`, as libpq spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The URL without `sslmode` and `sslrootcert`, and what they said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    pub url: String,
    pub mode: SslMode,
    pub root: Option<String>,
}

fn url_error(what: &str) -> StoreError {
    StoreError::Url(what.to_string())
}

/// Splits the TLS settings out of a `postgres://` URL (key=value connection strings keep
/// theirs: the `postgres` crate reads `sslmode=disable|prefer|require` there).
pub fn split(url: &str) -> Result<TlsSettings> {
    let mut settings = TlsSettings {
        url: url.to_string(),
        mode: SslMode::Prefer,
        root: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return Ok(settings);
    };
    if !(base.starts_with("postgres://") || base.starts_with("postgresql://")) {
        return Ok(settings);
    }
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", mode)) => {
                settings.mode = match mode {
                    "disable" => SslMode::Disable,
                    "prefer" | "allow" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    _ => {
                        return Err(url_error(
                            "sslmode は disable, prefer, require, verify-ca, verify-full のいずれかです / sslmode is one of disable, prefer, require, verify-ca, verify-full",
                        ))
                    }
                }
            }
            Some(("sslrootcert", path)) => {
                settings.root = Some(
                    percent_encoding::percent_decode_str(path)
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            }
            _ => kept.push(pair),
        }
    }
    settings.url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok(settings)
}

/// The rustls connector for `settings`; `None` when the connection is not to use TLS.
pub fn connector(
    settings: &TlsSettings,
) -> Result<Option<tokio_postgres_rustls::MakeRustlsConnect>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| url_error(&format!("TLS: {e}")))?;
    let verifier: Arc<dyn ServerCertVerifier> = match settings.mode {
        SslMode::Disable | SslMode::Prefer => return Ok(None),
        SslMode::Require => Arc::new(EncryptOnly(provider)),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let path = settings.root.as_deref().ok_or_else(|| {
                url_error("sslmode=verify-ca / verify-full には sslrootcert（CA証明書のPEMファイル）が必要です / sslmode=verify-ca and verify-full need sslrootcert (the CA certificate's PEM file)")
            })?;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path)
                .map_err(|e| url_error(&format!("sslrootcert {path}: {e}")))?
            {
                let cert = cert.map_err(|e| url_error(&format!("sslrootcert {path}: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| url_error(&format!("sslrootcert {path}: {e}")))?;
            }
            let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| url_error(&format!("sslrootcert {path}: {e}")))?;
            if settings.mode == SslMode::VerifyFull {
                chain
            } else {
                Arc::new(AnyName(chain))
            }
        }
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(tokio_postgres_rustls::MakeRustlsConnect::new(config)))
}

/// `verify-ca`: the chain is checked, the name is not.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, TlsError> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `require`: any certificate; the handshake's signatures are still checked, so the session
/// key belongs to whoever holds the presented certificate's key.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, TlsError> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, TlsError> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tls_settings_leave_the_url() {
        let s = split("postgres://u@h:5432/db?options=-csearch_path%3Dx&sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem").unwrap();
        assert_eq!(s.url, "postgres://u@h:5432/db?options=-csearch_path%3Dx");
        assert_eq!(s.mode, SslMode::VerifyFull);
        assert_eq!(s.root.as_deref(), Some("/tmp/ca.pem"));
        let plain = split("postgres://u@h/db").unwrap();
        assert_eq!(
            (plain.mode, plain.url.as_str()),
            (SslMode::Prefer, "postgres://u@h/db")
        );
        assert!(split("postgres://u@h/db?sslmode=maybe").is_err());
        let only = split("postgres://u@h/db?sslmode=require").unwrap();
        assert_eq!(
            (only.mode, only.url.as_str()),
            (SslMode::Require, "postgres://u@h/db")
        );
    }

    #[test]
    fn verifying_needs_a_root() {
        let s = split("postgres://u@h/db?sslmode=verify-ca").unwrap();
        let err = connector(&s).err().unwrap().to_string();
        assert!(err.contains("sslrootcert"), "{err}");
    }
}
