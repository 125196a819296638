//! `kiban physician …` end to end: the root, a physician file and a signed document written by
//! the binary are what the crypto library verifies, and revoking by file makes it refuse.

use super::{kiban, ok};
use kiban_crypto::physician::{load_revocations, ROOT_CERT_FILE};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    verify_physician_signature, PhysicianError, PhysicianSignature, RevocationList, TrustAnchor,
};

/// Physician commands never open the database.
const NO_DATABASE: &str = "sqlite://./unused.db";

#[test]
fn a_physician_file_signs_an_opinion_that_verifies_until_it_is_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", data.to_str().unwrap()];
        all.extend_from_slice(args);
        kiban(NO_DATABASE, &all, data)
    };

    let created = ok(run(&["physician", "init"]));
    assert!(created.contains("created the physician root"), "{created}");
    let again = ok(run(&["physician", "init"]));
    assert!(again.contains("exists"), "{again}");
    let root_dir = data.join("keys/physician-root");
    let root =
        TrustAnchor::from_pem(&std::fs::read_to_string(root_dir.join(ROOT_CERT_FILE)).unwrap())
            .unwrap();

    let file = data.join("doctor.physician.json");
    let issued = ok(run(&[
        "physician",
        "issue",
        "--institution",
        "1310000017",
        "--physician",
        "123456",
        "--pin",
        "4321",
        "--out",
        file.to_str().unwrap(),
    ]));
    assert!(
        !issued.contains("PRIVATE KEY") && !issued.contains("--pin"),
        "{issued}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let bad = run(&[
        "physician",
        "issue",
        "--institution",
        "1320000017",
        "--physician",
        "1",
        "--pin",
        "4321",
    ]);
    assert!(!bad.status.success());

    let opinion = data.join("opinion.json");
    std::fs::write(&opinion, r#"{"opinion":"主治医意見書","care_level":"21"}"#).unwrap();
    let sign = |pin: &str| {
        run(&[
            "physician",
            "sign",
            "--file",
            file.to_str().unwrap(),
            "--pin",
            pin,
            "--message-file",
            opinion.to_str().unwrap(),
        ])
    };
    let signature: PhysicianSignature = serde_json::from_str(&ok(sign("4321"))).unwrap();
    assert!(!sign("0000").status.success());

    let message = std::fs::read(&opinion).unwrap();
    let now = OffsetDateTime::now_utc();
    let id = verify_physician_signature(&root, &RevocationList::new(), &message, &signature, now)
        .unwrap();
    assert_eq!(id.institution_code.to_string(), "1310000017");
    assert_eq!(id.physician_id.as_str(), "123456");

    ok(run(&[
        "physician",
        "revoke",
        "--file",
        file.to_str().unwrap(),
        "--reason",
        "key-compromise",
    ]));
    let revocations = load_revocations(&root_dir, &root).unwrap();
    assert!(matches!(
        verify_physician_signature(&root, &revocations, &message, &signature, now),
        Err(PhysicianError::Revoked { .. })
    ));
}
