//! `kiban serve` on a fresh data directory: creates its keys, listens on TLS, answers the
//! health route and serves the OpenAPI document.

use crate::running::Server;

#[test]
fn serve_creates_its_keys_and_answers_over_tls() {
    let db = kiban_testkit::TestDb::sqlite();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(&db.url, data.path());
    let port = server.port;
    let ca = std::fs::read(data.path().join("keys/ca/ca.pem")).expect("the CA was created");
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let health = client
        .get(format!("https://localhost:{port}/api/v1/health"))
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.text().unwrap().contains("\"ok\":true"));
    let openapi = client
        .get(format!("https://localhost:{port}/api/v1/openapi.json"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        openapi.contains("/persons/{insurer}/{insured}/qualification"),
        "{openapi}"
    );
    let key = data.path().join("keys/server-key.pem");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    drop(server);
}

#[test]
fn demo_loads_seeds_every_role_and_writes_the_logins() {
    let mut db = kiban_testkit::TestDb::sqlite();
    let data = tempfile::tempdir().unwrap();
    let stdout = crate::running::demo(&db.url, data.path());
    for id in ["cm01", "hv01", "dr01", "city01", "ops01"] {
        assert!(
            stdout.contains(&format!("ID {id}")),
            "{id} missing: {stdout}"
        );
        assert!(db.store().staff(id).unwrap().is_some());
    }
    let logins = data.path().join("demo/logins.txt");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&logins).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(data.path().join("certs/1370000001-key.pem").exists());
    // Municipal and operator logins need a staff certificate of their own (issue 13): the
    // demo issues them and says where they are.
    for stem in ["staff-city01", "staff-ops01"] {
        assert!(
            data.path().join(format!("certs/{stem}.pem")).exists(),
            "{stem}"
        );
        assert!(data.path().join(format!("certs/{stem}-key.pem")).exists());
        assert!(
            stdout.contains(&format!("{stem}.pem")),
            "{stem} not in {stdout}"
        );
    }
    let written = std::fs::read_to_string(&logins).unwrap();
    let city = written.lines().find(|l| l.contains("ID city01")).unwrap();
    assert!(
        city.contains("staff-city01.pem") && city.contains("staff-city01-key.pem"),
        "{city}"
    );
    assert!(data.path().join("cards/0000100001.card.json").exists());
    assert!(db.store().office("1310000009").unwrap().is_some());
}
