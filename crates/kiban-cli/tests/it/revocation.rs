//! Issue 13, finding 1, end to end with the binary: `kiban ca revoke` while `kiban serve` runs.
//! The CRL file alone (`--crl-only`) reaches the running server within seconds; with the
//! database the command itself ends the tokens issued over the certificate. Each wait is a
//! bounded poll (10 s), never a timing assertion.

use std::path::Path;
use std::time::{Duration, Instant};

use super::ok;
use crate::running::Server;
use kiban_crypto::{Argon2Params, TotpSecret};
use kiban_testkit::store::{OfficeRow, StaffRow};
use kiban_testkit::TestDb;

const OFFICE: &str = "1370000001";
const PASSWORD: &str = "correct horse battery staple";
const BOUND: Duration = Duration::from_secs(10);

fn kiban_in(db: &TestDb, data: &Path, args: &[&str]) -> String {
    let mut all = vec!["--data-dir", data.to_str().unwrap()];
    all.extend_from_slice(args);
    ok(super::kiban(&db.url, &all, data))
}

/// `kiban serve` on a free port: the process and `https://localhost:<port>`.
fn serve(db: &TestDb, data: &Path) -> (Server, String) {
    let server = Server::start(&db.url, data);
    let base = format!("https://localhost:{}", server.port);
    (server, base)
}

/// A client trusting the data directory's CA and presenting the certificate `<stem>.pem` of
/// `dir`.
fn client(data: &Path, dir: &Path, stem: &str) -> reqwest::blocking::Client {
    let ca = std::fs::read(data.join("keys/ca/ca.pem")).unwrap();
    let mut pem = std::fs::read(dir.join(format!("{stem}.pem"))).unwrap();
    pem.extend(std::fs::read(dir.join(format!("{stem}-key.pem"))).unwrap());
    reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .identity(reqwest::Identity::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// (status, error code or "") of a request.
fn call(request: reqwest::blocking::RequestBuilder) -> (u16, String, serde_json::Value) {
    let response = request.send().expect("answered");
    let status = response.status().as_u16();
    let body: serde_json::Value = serde_json::from_str(&response.text().unwrap()).unwrap();
    let code = body["error"]["code"].as_str().unwrap_or("").to_string();
    (status, code, body)
}

fn login(client: &reqwest::blocking::Client, base: &str, totp: &str) -> String {
    let body = serde_json::json!({ "staff_id": "cm01", "password": PASSWORD, "totp": totp });
    let (status, _, body) = call(
        client
            .post(format!("{base}/api/v1/staff/login"))
            .header("content-type", "application/json")
            .body(body.to_string()),
    );
    assert_eq!(status, 200, "{body}");
    body["data"]["access_token"].as_str().unwrap().to_string()
}

fn until_refused(client: &reqwest::blocking::Client, base: &str) {
    let started = Instant::now();
    loop {
        let (status, code, body) = call(client.get(format!("{base}/api/v1/health")));
        if (status, code.as_str()) == (401, "CLIENT_CERTIFICATE_REJECTED") {
            return;
        }
        assert_eq!(status, 200, "{body}");
        assert!(
            started.elapsed() < BOUND,
            "the revocation did not reach the server"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn serial_of(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split_once("serial: ").map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| panic!("no serial in {stdout}"))
}

#[test]
fn ca_revoke_reaches_a_running_server_and_ends_the_tokens_of_the_certificate() {
    let mut db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let totp = TotpSecret::random();
    let code = |ahead: u64| {
        let now = kiban_crypto::time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        kiban_crypto::totp::generate(&totp, now + ahead)
    };
    let office = kiban_domain::ids::OfficeNumber::parse(OFFICE).unwrap();
    db.store()
        .put_office(&OfficeRow {
            office_number: kiban_domain::access::Party::Office(office),
            name: "さくら居宅介護支援事業所".into(),
            office_kind: kiban_domain::access::OfficeKind::from_code("home_care_support").unwrap(),
            service_kinds: vec![kiban_domain::codes::ServiceKind::from_code("43").unwrap()],
            active: true,
            created_at_ms: 0,
        })
        .unwrap();
    db.store()
        .insert_staff(&StaffRow {
            staff_id: "cm01".into(),
            workplace: kiban_domain::access::Workplace::Office(office),
            job: kiban_domain::access::Job::CareManager,
            display_name: "介護支援専門員".into(),
            password_hash: kiban_crypto::hash_password(
                PASSWORD,
                &Argon2Params::INSECURE_FAST_FOR_TESTS,
            )
            .unwrap(),
            totp_secret: totp.to_base32().to_string(),
            totp_last_step: 0,
            failed_attempts: 0,
            locked_until_ms: 0,
            last_failure_ms: 0,
            active: true,
        })
        .unwrap();
    kiban_in(&db, data, &["ca", "init"]);
    let certs = data.join("certs");
    let first = serial_of(&kiban_in(&db, data, &["ca", "issue", "office", OFFICE]));
    let spare = data.join("spare");
    let second = serial_of(&kiban_in(
        &db,
        data,
        &[
            "ca",
            "issue",
            "office",
            OFFICE,
            "--out",
            spare.to_str().unwrap(),
        ],
    ));
    let (_server, base) = serve(&db, data);
    let qualification = format!("{base}/api/v1/persons/131011/0000100001/qualification");

    let office = client(data, &certs, OFFICE);
    let token = login(&office, &base, &code(0));
    let (status, _, body) = call(office.get(&qualification).bearer_auth(&token));
    assert_eq!(status, 200, "{body}");

    // The CRL file alone: the running server reads it.
    let out = kiban_in(&db, data, &["ca", "revoke", &first, "--crl-only"]);
    assert!(out.contains("--crl-only"), "{out}");
    until_refused(&office, &base);
    let renewed = client(data, &spare, OFFICE);
    let (status, code_, body) = call(renewed.get(&qualification).bearer_auth(&token));
    assert_eq!(
        (status, code_.as_str()),
        (401, "UNAUTHENTICATED"),
        "the old token over the office's other certificate: {body}"
    );

    // With the database: the command ends the sessions itself, before any server polls.
    let token = login(&renewed, &base, &code(30));
    let out = kiban_in(
        &db,
        data,
        &["ca", "revoke", &second, "--reason", "key-compromise"],
    );
    assert!(out.contains("ended 1 sessions"), "{out}");
    let hash = kiban_crypto::hash_token(&token).to_hex();
    let session = db.store().session_by_access(&hash).unwrap().unwrap();
    assert!(
        session.revoked,
        "ended by `kiban ca revoke` in the database"
    );
    let recorded = db.store().client_revocations_after(0).unwrap();
    assert_eq!(
        recorded
            .iter()
            .map(|r| r.serial.as_str())
            .collect::<Vec<_>>(),
        [second.as_str()],
        "only the second was recorded in the database"
    );
    until_refused(&renewed, &base);
}
