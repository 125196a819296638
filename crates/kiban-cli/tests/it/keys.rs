//! `kiban ca …` and `kiban card …` end to end: what the binary writes is what the crypto
//! library accepts, keys and PINs never reach stdout, and cards are only issued to people in
//! the registry.

use super::{kiban, ok};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    verify_card_login, CardSignature, CertificateAuthority, Challenges, RevocationList,
    RevocationReason, Serial, TrustAnchor,
};
use kiban_testkit::TestDb;
use std::path::Path;
use std::process::Output;

/// Runs kiban with `--data-dir <data>` in front of `args`.
fn kiban_in(db: &TestDb, data: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--data-dir", data.to_str().unwrap()];
    all.extend_from_slice(args);
    kiban(&db.url, &all, data)
}

fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "kiban should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The value printed after `label:` on its own line.
fn field(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split_once(&format!("{label}: ")).map(|(_, v)| v.trim()))
        .unwrap_or_else(|| panic!("no {label} in {stdout}"))
        .to_string()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_ca_issues_office_and_hospital_certificates_and_revokes_them_into_a_signed_crl() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    ok(kiban_in(&db, data, &["ca", "init"]));
    let again = failed(kiban_in(&db, data, &["ca", "init"]));
    assert!(
        again.contains("--force") && again.contains("already exists"),
        "{again}"
    );
    ok(kiban_in(&db, data, &["ca", "init", "--force"]));

    let office = ok(kiban_in(
        &db,
        data,
        &["ca", "issue", "office", "1370000001"],
    ));
    assert!(!office.contains("PRIVATE KEY"), "{office}");
    let (cert, key) = (
        data.join("certs/1370000001.pem"),
        data.join("certs/1370000001-key.pem"),
    );
    assert!(std::fs::read_to_string(&cert)
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    assert!(std::fs::read_to_string(&key)
        .unwrap()
        .contains("PRIVATE KEY"));
    #[cfg(unix)]
    assert_eq!(mode(&key), 0o600);
    let office_serial = field(&office, "serial");
    assert_eq!(field(&office, "fingerprint").len(), 64, "{office}");
    // Issuing again over the same files needs --force.
    failed(kiban_in(
        &db,
        data,
        &["ca", "issue", "office", "1370000001"],
    ));

    let out = data.join("elsewhere");
    let hospital = ok(kiban_in(
        &db,
        data,
        &[
            "ca",
            "issue",
            "hospital",
            "1310000017",
            "--days",
            "30",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    assert!(!hospital.contains("PRIVATE KEY"), "{hospital}");
    assert!(out.join("1310000017.pem").exists() && out.join("1310000017-key.pem").exists());
    let hospital_serial = field(&hospital, "serial");

    let bad = failed(kiban_in(
        &db,
        data,
        &["ca", "issue", "hospital", "1320000017"],
    ));
    assert!(bad.contains("医療機関コード"), "{bad}");

    ok(kiban_in(
        &db,
        data,
        &["ca", "revoke", &office_serial, "--reason", "key-compromise"],
    ));
    ok(kiban_in(
        &db,
        data,
        &["ca", "revoke", &hospital_serial, "--reason", "superseded"],
    ));
    let ca = CertificateAuthority::load(&data.join("keys/ca")).unwrap();
    let pem = std::fs::read_to_string(data.join("keys/ca/crl.pem")).unwrap();
    let list = RevocationList::from_crl_pem(&pem, ca.anchor()).unwrap();
    assert_eq!(list.len(), 2);
    let reason = |serial: &str| list.get(&Serial::from_hex(serial).unwrap()).unwrap().reason;
    assert_eq!(reason(&office_serial), RevocationReason::KeyCompromise);
    assert_eq!(reason(&hospital_serial), RevocationReason::Superseded);

    failed(kiban_in(&db, data, &["ca", "revoke", "not-hex"]));
}

#[test]
fn commands_that_need_a_ca_say_so_when_there_is_none() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let err = failed(kiban_in(
        &db,
        dir.path(),
        &["ca", "issue", "office", "1370000001"],
    ));
    assert!(err.contains("kiban ca init"), "{err}");
}

#[test]
fn cards_are_issued_to_registered_people_linked_and_sign_login_challenges() {
    let mut db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    const PIN: &str = "4821";

    // Nobody is registered yet.
    let err = failed(kiban_in(
        &db,
        data,
        &["card", "issue", "0000100001", "--pin", PIN],
    ));
    assert!(
        err.contains("被保険者が登録されていません") && err.contains("in the registry"),
        "{err}"
    );
    assert!(!data.join("cards/0000100001.card.json").exists());

    let gen = data.join("gen");
    ok(kiban_in(
        &db,
        data,
        &[
            "generate",
            "--persons",
            "50",
            "--out",
            gen.to_str().unwrap(),
        ],
    ));
    let mut import = vec!["import".to_string()];
    import.extend(
        super::sorted_files(&gen)
            .iter()
            .map(|p| p.display().to_string()),
    );
    let import: Vec<&str> = import.iter().map(String::as_str).collect();
    ok(kiban_in(&db, data, &import));

    let bad_pin = failed(kiban_in(
        &db,
        data,
        &["card", "issue", "0000100001", "--pin", "12"],
    ));
    assert!(bad_pin.contains("PIN"), "{bad_pin}");

    let issued = ok(kiban_in(
        &db,
        data,
        &["card", "issue", "0000100001", "--pin", PIN],
    ));
    let fingerprint = field(&issued, "fingerprint");
    let serial = field(&issued, "serial");
    assert!(
        !issued
            .replace(&fingerprint, "")
            .replace(&serial, "")
            .contains(PIN),
        "{issued}"
    );
    assert!(!issued.contains("PRIVATE KEY"), "{issued}");
    let card = data.join("cards/0000100001.card.json");
    assert!(card.exists());
    #[cfg(unix)]
    assert_eq!(mode(&card), 0o600);
    let link = db.store().card_link(&fingerprint).unwrap().expect("linked");
    assert_eq!(
        (
            link.insurer.to_string().as_str(),
            link.insured.to_string().as_str(),
            link.linked_by.as_str()
        ),
        ("131011", "0000100001", "cli")
    );
    // The card file is not overwritten by accident.
    failed(kiban_in(
        &db,
        data,
        &["card", "issue", "0000100001", "--pin", PIN],
    ));

    // The card signs a server challenge; the login verifies against the development root.
    let now = OffsetDateTime::now_utc();
    let mut challenges = Challenges::default();
    let challenge = challenges.issue(now).unwrap();
    let message: String = challenge
        .message()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let card_arg = card.to_str().unwrap();
    let signed = ok(kiban_in(
        &db,
        data,
        &[
            "card",
            "sign",
            "--card",
            card_arg,
            "--pin",
            PIN,
            "--message",
            &message,
        ],
    ));
    let signature: CardSignature = serde_json::from_str(&signed).unwrap();
    let root_pem = std::fs::read_to_string(data.join("keys/card-root/card-root.pem")).unwrap();
    let root = TrustAnchor::from_pem(&root_pem).unwrap();
    let challenge = challenges.consume(&challenge.id, now).unwrap();
    let identity =
        verify_card_login(&root, &RevocationList::new(), &challenge, &signature, now).unwrap();
    assert_eq!(identity.fingerprint.to_string(), fingerprint);

    let wrong = kiban_in(
        &db,
        data,
        &[
            "card",
            "sign",
            "--card",
            card_arg,
            "--pin",
            "0000",
            "--message",
            &message,
        ],
    );
    assert_ne!(wrong.status.code(), Some(0));
    assert!(wrong.stdout.is_empty());
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(err.contains("wrong PIN"), "{err}");

    // A second card for another person chains to the same root, created only once.
    let second = ok(kiban_in(
        &db,
        data,
        &[
            "card",
            "issue",
            "0000100002",
            "--pin",
            PIN,
            "--out",
            "other.card.json",
        ],
    ));
    assert!(
        !second.contains("created the development card root"),
        "{second}"
    );
    assert!(data.join("other.card.json").exists());
}
