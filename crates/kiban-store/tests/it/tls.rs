//! TLS to the real PostgreSQL server (switched on by scripts/ensure-postgres-tls with a test CA
//! whose server certificate names 127.0.0.1 and no DNS name): each `sslmode` does what libpq's
//! does, and the connection is encrypted when it says so.

use kiban_store::PostgresStore;
use kiban_testkit::postgres_url;

fn ca() -> String {
    let path = std::env::var("KIBAN_TEST_POSTGRES_CA")
        .unwrap_or_else(|_| "/var/lib/postgresql/kiban-test-tls/ca.pem".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "the test CA {path} is missing: run scripts/ensure-postgres-tls"
    );
    path
}

/// The test server's URL with `host` in place of its host and `params` added.
fn url(host: &str, params: &str) -> String {
    let base = postgres_url();
    let base = base.replace("127.0.0.1", host);
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{params}")
}

/// Whether this connection is encrypted, as the server sees it.
fn encrypted(store: &mut PostgresStore) -> bool {
    store
        .client()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

#[test]
fn verify_full_connects_to_the_named_host_encrypted() {
    let mut store = PostgresStore::connect(&url(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={}", ca()),
    ))
    .expect("verify-full to the host the certificate names");
    assert!(encrypted(&mut store));
}

#[test]
fn verify_full_refuses_a_host_name_the_certificate_does_not_name() {
    let err = PostgresStore::connect(&url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", ca()),
    ))
    .err()
    .expect("refused: the certificate names 127.0.0.1, not localhost");
    let text = err.to_string();
    assert!(text.contains("PostgreSQL"), "{text}");
}

#[test]
fn verify_ca_checks_the_chain_but_not_the_name() {
    let mut store = PostgresStore::connect(&url(
        "localhost",
        &format!("sslmode=verify-ca&sslrootcert={}", ca()),
    ))
    .expect("verify-ca to another name of the host");
    assert!(encrypted(&mut store));
    // Another CA (the system's bundle does not hold the test CA): refused.
    assert!(PostgresStore::connect(&url(
        "127.0.0.1",
        "sslmode=verify-ca&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
    ))
    .is_err());
}

#[test]
fn require_encrypts_and_no_sslmode_does_not() {
    let mut store = PostgresStore::connect(&url("127.0.0.1", "sslmode=require")).unwrap();
    assert!(encrypted(&mut store));
    let mut plain = PostgresStore::connect(&postgres_url()).unwrap();
    assert!(!encrypted(&mut plain));
}
