//! Issue 13, finding 1: a revoked office certificate kept working until the server restarted.
//! Now `kiban ca revoke`'s two writes — the CRL file of the data directory and the record in the
//! database — each reach a running server within seconds: the certificate's next request is
//! refused, and the tokens (API and page session) obtained with it end, whatever connection
//! presents them later. Every wait below is a bounded poll, never a timing assertion.

use std::time::{Duration, Instant};

use kiban_crypto::{IssuedCert, RevocationReason};
use serde_json::json;

use crate::page_browser::Browser;
use crate::support::{code, insured, now, now_ms, Fixture, OFFICE};

/// How long a revocation may take to arrive before the test fails (the servers poll every
/// second).
const BOUND: Duration = Duration::from_secs(10);

/// Polls `client` (over its open connection) until it is refused as revoked; fails after
/// [`BOUND`].
async fn until_refused(base: &str, client: &reqwest::Client) {
    let started = Instant::now();
    loop {
        let response = client
            .get(format!("{base}/api/v1/health"))
            .send()
            .await
            .expect("answered");
        let (status, body) = crate::support::answer(response).await;
        if (status, code(&body)) == (401, "CLIENT_CERTIFICATE_REJECTED") {
            assert!(
                body["error"]["detail"]
                    .as_str()
                    .unwrap()
                    .contains("revoked"),
                "{body}"
            );
            return;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < BOUND,
            "the revocation did not arrive within {BOUND:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls the store until the session of `token` is ended; fails after [`BOUND`].
async fn until_session_ended(fx: &mut Fixture, token: &str) {
    let hash = kiban_crypto::hash_token(token).to_hex();
    let started = Instant::now();
    loop {
        let session = fx.db(|s| s.session_by_access(&hash).unwrap().unwrap());
        if session.revoked {
            return;
        }
        assert!(started.elapsed() < BOUND, "the session was not ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn qualification() -> String {
    format!("/api/v1/persons/131011/{}/qualification", insured(1))
}

/// Logs cm1 in over `cert`: (client, access token, refresh token).
async fn log_in(fx: &Fixture, cert: &IssuedCert) -> (reqwest::Client, String, String) {
    let client = fx.client(Some(cert));
    let (status, body) = fx
        .post(&client, "/api/v1/staff/login", None, &fx.login_body("cm1"))
        .await;
    assert_eq!(status, 200, "{body}");
    let token = |k: &str| body["data"][k].as_str().unwrap().to_string();
    (client, token("access_token"), token("refresh_token"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crl_rewritten_as_ca_revoke_does_cuts_the_certificate_and_ends_its_tokens() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let cert = fx.cert(OFFICE);
    let (client, token, refresh) = log_in(&fx, &cert).await;
    let (status, _) = fx.get(&client, &qualification(), Some(&token)).await;
    assert_eq!(status, 200);
    // A page session over the same certificate: its cookie carries an API token of its own.
    let mut office = Browser::presenting(&fx, Some(&cert));
    let entered = office
        .login("cm1", crate::support::PASSWORD, &fx.next_totp_code())
        .await;
    assert_eq!(entered.status, 303, "{}", entered.body);
    assert_eq!(office.get("/office").await.status, 200);
    let cookie = office.cookies["__Host-kiban_session"].clone();

    // What `kiban ca revoke <serial>` does to the data directory.
    let (_, added) = kiban_app::keys::revoke_in_crl(
        &fx.ca,
        &fx.crl_path,
        &cert.serial,
        RevocationReason::KeyCompromise,
        now(),
    )
    .unwrap();
    assert!(added);
    until_refused(&fx.url(""), &client).await;
    let (status, body) = fx.get(&client, &qualification(), Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "CLIENT_CERTIFICATE_REJECTED"),
        "{body}"
    );

    // A new certificate of the same office: the office works, the old tokens do not.
    let renewed = fx.cert(OFFICE);
    let fresh = fx.client(Some(&renewed));
    let (status, body) = fx.get(&fresh, &qualification(), Some(&token)).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    let (status, body) = fx
        .post(
            &fresh,
            "/api/v1/staff/refresh",
            None,
            &json!({ "refresh_token": refresh }),
        )
        .await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    let mut moved = Browser::presenting(&fx, Some(&renewed));
    moved
        .cookies
        .insert("__Host-kiban_session".into(), cookie.clone());
    let page = moved.get("/office").await;
    assert_eq!(
        (page.status, page.location()),
        (303, "/office/login"),
        "the page session ended with the certificate"
    );
    until_session_ended(&mut fx, &token).await;
    until_session_ended(&mut fx, &cookie).await;
    let (status, body) = fx.get(&fresh, "/api/v1/health", None).await;
    assert_eq!(status, 200, "{body}");
}

/// A CRL that does not verify never replaces the list in force, and is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crl_signed_by_another_ca_is_refused_and_the_revocations_in_force_stay() {
    let fx = Fixture::sqlite().await;
    let revoked = fx.cert(OFFICE);
    let client = fx.client(Some(&revoked));
    kiban_app::keys::revoke_in_crl(
        &fx.ca,
        &fx.crl_path,
        &revoked.serial,
        RevocationReason::Superseded,
        now(),
    )
    .unwrap();
    until_refused(&fx.url(""), &client).await;

    // An empty CRL from a foreign CA, then a good one revoking a second certificate: had the
    // foreign file been taken, the first certificate would work again in between; the second
    // revocation arriving shows the watcher kept reading.
    let foreign = kiban_crypto::CertificateAuthority::init("foreign", now()).unwrap();
    let empty = foreign
        .sign_crl(&kiban_crypto::RevocationList::new(), now())
        .unwrap();
    std::fs::write(&fx.crl_path, empty.pem).unwrap();
    let second = fx.cert(OFFICE);
    let second_client = fx.client(Some(&second));
    let mut list = kiban_crypto::RevocationList::new();
    list.revoke(revoked.serial.clone(), RevocationReason::Superseded, now());
    list.revoke(second.serial.clone(), RevocationReason::Superseded, now());
    let (status, _) = fx.get(&second_client, "/api/v1/health", None).await;
    assert_eq!(status, 200);
    for _ in 0..15 {
        // Across more than one poll of the foreign file.
        let (status, body) = fx.get(&client, "/api/v1/health", None).await;
        assert_eq!(
            (status, code(&body)),
            (401, "CLIENT_CERTIFICATE_REJECTED"),
            "{body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    std::fs::write(&fx.crl_path, fx.ca.sign_crl(&list, now()).unwrap().pem).unwrap();
    until_refused(&fx.url(""), &second_client).await;
}

/// `kiban ca revoke --database …` records the revocation in the database; every server sharing
/// it (each with its own data directory, whose CRL file is never touched) refuses the
/// certificate and the tokens obtained with it.
async fn a_revocation_in_the_database_reaches_every_server(mut fx: Fixture) {
    fx.add_staff("cm1", "office_staff", OFFICE);
    let second = fx.second_server().await;
    let cert = fx.cert(OFFICE);
    let (client, token, _) = log_in(&fx, &cert).await;
    let at_second = fx.client_of(second.addr, Some(&cert));
    let second_base = second.base();
    let response = at_second
        .get(format!("{second_base}{}", qualification()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the token works on both servers");

    let (added, ended) = fx.conn(|s| {
        kiban_app::auth::record_client_revocation(
            s,
            &cert.serial,
            RevocationReason::AffiliationChanged,
            now_ms(),
        )
        .unwrap()
    });
    assert_eq!((added, ended), (true, 1));
    until_refused(&fx.url(""), &client).await;
    until_refused(&second_base, &at_second).await;
    let renewed = fx.cert(OFFICE);
    let response = fx
        .client_of(second.addr, Some(&renewed))
        .get(format!("{second_base}{}", qualification()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::answer(response).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
    assert!(!fx.crl_path.exists(), "the file played no part");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_in_the_database_reaches_every_server_on_sqlite() {
    a_revocation_in_the_database_reaches_every_server(Fixture::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_in_the_database_reaches_every_server_on_postgres() {
    a_revocation_in_the_database_reaches_every_server(Fixture::postgres().await).await;
}
