//! The TLS layer: TLS 1.3 only, client certificates optional but checked when presented —
//! foreign, expired and revoked ones are refused (at the handshake or with 401), and revoking
//! a certificate cuts its open connection on the next request.

use crate::support::{code, expired, now, office_subject, Fixture, OFFICE};
use kiban_crypto::{CertificateAuthority, RevocationList, RevocationReason, Validity};

/// A refusal of a client certificate: the handshake fails ("TLS: …"), or every request on the
/// connection is a 401 (its code).
async fn refused(fx: &Fixture, client: &reqwest::Client) -> String {
    match client.get(fx.url("/api/v1/health")).send().await {
        Err(e) => format!("TLS: {e}"),
        Ok(response) => {
            let (status, body) = crate::support::answer(response).await;
            assert_eq!(status, 401, "{body}");
            code(&body).to_string()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_needs_no_client_certificate_and_tls_1_2_is_refused() {
    let fx = Fixture::sqlite().await;
    let (status, body) = fx.get(&fx.client(None), "/api/v1/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({ "ok": true, "data": { "status": "ok" } })
    );
    let (status, _) = fx
        .get(&fx.client(Some(&fx.cert(OFFICE))), "/api/v1/health", None)
        .await;
    assert_eq!(
        status, 200,
        "a valid client certificate is welcome everywhere"
    );

    let tls12 = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(fx.ca.cert_pem().as_bytes()).unwrap())
        .resolve("localhost", fx.addr)
        .max_tls_version(reqwest::tls::Version::TLS_1_2)
        .build()
        .unwrap();
    assert!(
        tls12.get(fx.url("/api/v1/health")).send().await.is_err(),
        "TLS 1.3 only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_expired_and_revoked_certificates_are_refused() {
    let fx = Fixture::sqlite().await;
    let foreign_ca = CertificateAuthority::init("another CA", now()).unwrap();
    let foreign = foreign_ca
        .issue_client(&office_subject(OFFICE), Validity::days_from(now(), 30))
        .unwrap();
    let why = refused(&fx, &fx.client(Some(&foreign))).await;
    assert!(why.starts_with("TLS"), "refused in the handshake: {why}");

    let old = fx
        .ca
        .issue_client(&office_subject(OFFICE), expired())
        .unwrap();
    let why = refused(&fx, &fx.client(Some(&old))).await;
    assert!(why.starts_with("TLS"), "refused in the handshake: {why}");

    let revoked = fx.cert(OFFICE);
    let mut list = RevocationList::new();
    list.revoke(
        revoked.serial.clone(),
        RevocationReason::KeyCompromise,
        now(),
    );
    fx.state.set_client_revocations(list);
    let why = refused(&fx, &fx.client(Some(&revoked))).await;
    assert_eq!(why, "CLIENT_CERTIFICATE_REJECTED");

    let (status, _) = fx
        .get(&fx.client(Some(&fx.cert(OFFICE))), "/api/v1/health", None)
        .await;
    assert_eq!(
        status, 200,
        "other certificates of the same office still work"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_certificate_cuts_its_open_connection() {
    let fx = Fixture::sqlite().await;
    let cert = fx.cert(OFFICE);
    let client = fx.client(Some(&cert));
    let (status, _) = fx.get(&client, "/api/v1/health", None).await;
    assert_eq!(status, 200);
    let mut list = RevocationList::new();
    list.revoke(cert.serial.clone(), RevocationReason::Superseded, now());
    fx.state.set_client_revocations(list);
    let (status, body) = fx.get(&client, "/api/v1/health", None).await;
    assert_eq!(
        (status, code(&body)),
        (401, "CLIENT_CERTIFICATE_REJECTED"),
        "{body}"
    );
    assert!(body["error"]["detail"]
        .as_str()
        .unwrap()
        .contains("revoked"));
}
