use kiban_crypto::ca::CA_KEY_FILE;
use kiban_crypto::time::Duration;
use kiban_crypto::{
    CertError, CertificateAuthority, ClientSubject, RevocationList, RevocationReason, Serial,
    StaffId, Validity,
};
use kiban_domain::ids::{MedicalInstitutionCode, OfficeNumber};

use crate::now;

fn office() -> ClientSubject {
    ClientSubject::Office {
        office_number: OfficeNumber::parse("1370000001").unwrap(),
    }
}

fn hospital() -> ClientSubject {
    ClientSubject::Hospital {
        institution_code: MedicalInstitutionCode::parse("1310000017").unwrap(),
    }
}

fn staff() -> ClientSubject {
    ClientSubject::Staff {
        staff_id: StaffId::parse("city01").unwrap(),
    }
}

fn ca() -> CertificateAuthority {
    CertificateAuthority::init("kiban test CA", now()).unwrap()
}

#[test]
fn issued_client_certificates_verify_with_their_identity() {
    let ca = ca();
    let none = RevocationList::new();
    for subject in [office(), hospital(), staff()] {
        let issued = ca
            .issue_client(&subject, Validity::days_from(now(), 365))
            .unwrap();
        let id = ca.verify_client(&issued.cert_der, now(), &none).unwrap();
        assert_eq!(id.subject, subject);
        assert_eq!(id.serial, issued.serial);
        assert_eq!(id.fingerprint, issued.fingerprint);
        assert!(issued.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(issued.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    }
    assert_eq!(office().common_name(), "office:1370000001");
    assert_eq!(hospital().common_name(), "hospital:1310000017");
    assert_eq!(staff().common_name(), "staff:city01");
}

#[test]
fn certificate_from_another_ca_is_foreign() {
    let ours = ca();
    let theirs = ca();
    let issued = theirs
        .issue_client(&office(), Validity::days_from(now(), 30))
        .unwrap();
    assert!(matches!(
        ours.verify_client(&issued.cert_der, now(), &RevocationList::new()),
        Err(CertError::Foreign)
    ));
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    let ca = ca();
    let none = RevocationList::new();
    let past = Validity {
        not_before: now() - Duration::days(30),
        not_after: now() - Duration::days(1),
    };
    let future = Validity {
        not_before: now() + Duration::days(1),
        not_after: now() + Duration::days(30),
    };
    let expired = ca.issue_client(&office(), past).unwrap();
    let early = ca.issue_client(&office(), future).unwrap();
    assert!(matches!(
        ca.verify_client(&expired.cert_der, now(), &none),
        Err(CertError::Expired)
    ));
    assert!(matches!(
        ca.verify_client(&early.cert_der, now(), &none),
        Err(CertError::NotYetValid)
    ));
    // The same certificate is fine inside its period.
    let inside = now() + Duration::days(2);
    assert!(ca.verify_client(&early.cert_der, inside, &none).is_ok());
}

#[test]
fn revoked_certificate_is_refused_through_a_signed_crl() {
    let ca = ca();
    let revoked = ca
        .issue_client(&office(), Validity::days_from(now(), 30))
        .unwrap();
    let kept = ca
        .issue_client(&hospital(), Validity::days_from(now(), 30))
        .unwrap();

    let mut list = RevocationList::new();
    assert!(list.revoke(
        revoked.serial.clone(),
        RevocationReason::KeyCompromise,
        now()
    ));
    assert!(!list.revoke(revoked.serial.clone(), RevocationReason::Superseded, now()));
    let crl = ca.sign_crl(&list, now()).unwrap();
    assert!(crl.pem.starts_with("-----BEGIN X509 CRL-----"));

    // What the server loads: the CRL file, trusted only because the CA signed it.
    let loaded = RevocationList::from_crl_pem(&crl.pem, ca.anchor()).unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(
        loaded.get(&revoked.serial).unwrap().reason,
        RevocationReason::KeyCompromise
    );
    assert!(!loaded.is_stale(now()));
    assert!(loaded.is_stale(now() + Duration::days(8)));
    assert!(matches!(
        ca.verify_client(&revoked.cert_der, now(), &loaded),
        Err(CertError::Revoked {
            reason: RevocationReason::KeyCompromise
        })
    ));
    assert!(ca.verify_client(&kept.cert_der, now(), &loaded).is_ok());
}

#[test]
fn crl_signed_by_another_ca_is_refused() {
    let ours = ca();
    let theirs = ca();
    let crl = theirs.sign_crl(&RevocationList::new(), now()).unwrap();
    assert!(matches!(
        RevocationList::from_crl_der(&crl.der, ours.anchor()),
        Err(CertError::InvalidCrl(_))
    ));
    let mut bent = ours.sign_crl(&RevocationList::new(), now()).unwrap().der;
    let last = bent.len() - 1;
    bent[last] ^= 1;
    assert!(RevocationList::from_crl_der(&bent, ours.anchor()).is_err());
}

#[test]
fn malformed_wrong_purpose_and_ca_certificates_are_refused() {
    let ca = ca();
    let none = RevocationList::new();
    assert!(matches!(
        ca.verify_client(b"not a certificate", now(), &none),
        Err(CertError::Malformed(_))
    ));
    let server = ca
        .issue_server(&["localhost", "127.0.0.1"], Validity::days_from(now(), 30))
        .unwrap();
    assert!(matches!(
        ca.verify_client(&server.cert_der, now(), &none),
        Err(CertError::WrongPurpose(_))
    ));
    assert!(matches!(
        ca.verify_client(ca.anchor().der(), now(), &none),
        Err(CertError::WrongPurpose(_))
    ));
}

#[test]
fn ca_survives_save_and_load_and_keeps_its_key_private() {
    let dir = tempfile::tempdir().unwrap();
    let original = ca();
    let before = original
        .issue_client(&office(), Validity::days_from(now(), 30))
        .unwrap();
    original.save(dir.path()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(CA_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let loaded = CertificateAuthority::load(dir.path()).unwrap();
    assert_eq!(loaded.anchor(), original.anchor());
    let after = loaded
        .issue_client(&hospital(), Validity::days_from(now(), 30))
        .unwrap();
    let none = RevocationList::new();
    // Both verify against either copy: same root, same key, same issuer name.
    for cert in [&before.cert_der, &after.cert_der] {
        assert!(original.verify_client(cert, now(), &none).is_ok());
        assert!(loaded.verify_client(cert, now(), &none).is_ok());
    }
    // A CRL from the loaded CA is accepted by the original's anchor.
    let crl = loaded.sign_crl(&none, now()).unwrap();
    assert!(RevocationList::from_crl_der(&crl.der, original.anchor()).is_ok());
}

#[test]
fn ca_refuses_a_key_that_is_not_its_own() {
    let a = ca();
    let b = ca();
    assert!(matches!(
        CertificateAuthority::from_pem(&a.cert_pem(), &b.key_pem()),
        Err(CertError::KeyMismatch)
    ));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let ca = ca();
    let issued = ca
        .issue_client(&office(), Validity::days_from(now(), 30))
        .unwrap();
    let key_body: String = issued
        .key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!format!("{issued:?}").contains(&key_body));
    let ca_body: String = ca
        .key_pem()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!format!("{ca:?}").contains(&ca_body));
}

#[test]
fn subject_common_names_parse_back_and_reject_nonsense() {
    assert_eq!(
        ClientSubject::parse_common_name("office:1370000001").unwrap(),
        office()
    );
    assert_eq!(
        ClientSubject::parse_common_name("hospital:1310000017").unwrap(),
        hospital()
    );
    assert_eq!(
        ClientSubject::parse_common_name("staff:city01").unwrap(),
        staff()
    );
    for bad in [
        "office:137",
        "clinic:1370000001",
        "1370000001",
        "hospital:1320000017",
        "staff:",
        "staff:city 01",
        "staff:city01,OU=office",
        "staff:市役所",
    ] {
        assert!(ClientSubject::parse_common_name(bad).is_err(), "{bad}");
    }
    assert_eq!(Serial::from_hex("00ab").unwrap().to_string(), "ab");
}

#[test]
fn merging_revocation_lists_keeps_the_first_entry_and_names_what_was_new() {
    let (a, b) = (
        Serial::from_hex("0a").unwrap(),
        Serial::from_hex("0b").unwrap(),
    );
    let mut file = RevocationList::new();
    file.revoke(a.clone(), RevocationReason::KeyCompromise, now());
    let mut database = RevocationList::new();
    database.revoke(a.clone(), RevocationReason::Superseded, now());
    database.revoke(b.clone(), RevocationReason::Unspecified, now());
    assert_eq!(file.merge(&database), vec![b.clone()]);
    assert_eq!(
        file.get(&a).unwrap().reason,
        RevocationReason::KeyCompromise
    );
    assert!(file.get(&b).is_some());
    assert!(
        file.merge(&database).is_empty(),
        "nothing new the second time"
    );
    for reason in [
        RevocationReason::Unspecified,
        RevocationReason::KeyCompromise,
        RevocationReason::AffiliationChanged,
        RevocationReason::Superseded,
        RevocationReason::CessationOfOperation,
        RevocationReason::PrivilegeWithdrawn,
    ] {
        assert_eq!(RevocationReason::from_code(reason.code()), reason);
    }
}

#[test]
fn a_staff_certificate_names_its_account_and_an_office_ou_cannot_pass_for_it() {
    let ca = ca();
    let issued = ca
        .issue_client(&staff(), Validity::days_from(now(), 30))
        .unwrap();
    let id = ca
        .verify_client(&issued.cert_der, now(), &RevocationList::new())
        .unwrap();
    assert_eq!(
        id.subject,
        ClientSubject::Staff {
            staff_id: StaffId::parse("city01").unwrap()
        }
    );
    assert!(StaffId::parse(&"a".repeat(65)).is_err());
    assert!(StaffId::parse("ops-01.a_b").is_ok());
}
