//! Staff login: device certificate + password + TOTP, failures that slow an account down and
//! then lock it (only those presenting the account's device), token lifetimes, refresh once,
//! and sessions bound to the certificate they were issued over.

use kiban_app::auth::{
    authenticate, authenticate_session, device_vouches_for, login, logout,
    record_client_revocation, refresh, LoginPolicy, LoginRefusal,
};
use kiban_crypto::time::OffsetDateTime;
use kiban_crypto::{
    hash_password, Argon2Params, CertificateAuthority, ClientIdentity, ClientSubject,
    RevocationList, RevocationReason, StaffId, TotpSecret, Validity,
};
use kiban_domain::ids::{MedicalInstitutionCode, OfficeNumber};
use kiban_store::StaffRow;
use kiban_testkit::{on_both_engines, TestDb};

const NOW: i64 = 1_793_581_200_000;
const MINUTE: i64 = 60_000;
const SECOND: i64 = 1_000;

fn account(db: &mut TestDb, id: &str, kind: &str, office: &str) -> TotpSecret {
    let secret = TotpSecret::random();
    db.store()
        .insert_staff(&StaffRow {
            staff_id: id.into(),
            workplace: kiban_domain::access::Workplace::parse(
                kiban_domain::access::StaffKind::from_code(kind).unwrap(),
                office,
            )
            .unwrap(),
            job: kiban_domain::access::Job::CareManager,
            display_name: "試験　花子".into(),
            password_hash: hash_password("correct horse", &Argon2Params::INSECURE_FAST_FOR_TESTS)
                .unwrap(),
            totp_secret: secret.to_base32().to_string(),
            totp_last_step: 0,
            failed_attempts: 0,
            locked_until_ms: 0,
            last_failure_ms: 0,
            active: true,
        })
        .unwrap();
    secret
}

fn staff(db: &mut TestDb) -> TotpSecret {
    account(db, "cm01", "office_staff", "1370000001")
}

/// A verified client certificate naming `subject`, as the TLS layer hands it over.
fn device(subject: ClientSubject) -> ClientIdentity {
    let now = OffsetDateTime::now_utc();
    let ca = CertificateAuthority::init("test CA", now).unwrap();
    let issued = ca
        .issue_client(&subject, Validity::days_from(now, 1))
        .unwrap();
    ca.verify_client(&issued.cert_der, now, &RevocationList::new())
        .unwrap()
}

fn office_device(number: &str) -> ClientIdentity {
    device(ClientSubject::Office {
        office_number: OfficeNumber::parse(number).unwrap(),
    })
}

fn staff_device(id: &str) -> ClientIdentity {
    device(ClientSubject::Staff {
        staff_id: StaffId::parse(id).unwrap(),
    })
}

fn code(secret: &TotpSecret, ms: i64) -> String {
    kiban_crypto::totp::generate(secret, (ms / 1000) as u64)
}

fn policy() -> LoginPolicy {
    LoginPolicy {
        free_failures: 2,
        first_delay_ms: 10 * SECOND,
        max_failures: 4,
        lock_ms: 15 * MINUTE,
    }
}

fn good_login_issues_tokens_with_the_national_lifetimes(db: &mut TestDb) {
    let secret = staff(db);
    let own = office_device("1370000001");
    let tokens = login(
        db.conn(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, NOW),
        Some(&own),
        NOW,
    )
    .unwrap()
    .unwrap();
    assert_eq!(tokens.access_expires_ms - NOW, 60 * MINUTE);
    assert_eq!(tokens.refresh_expires_ms - NOW, 8 * 60 * MINUTE);
    let session = authenticate_session(db.conn(), tokens.access.expose(), NOW + 59 * MINUTE)
        .unwrap()
        .unwrap();
    assert_eq!(session.staff.staff_id, "cm01");
    assert_eq!(
        session.client_serial,
        Some(own.serial.to_string()),
        "the session remembers the certificate it was issued over"
    );
    assert!(
        authenticate(db.conn(), tokens.access.expose(), NOW + 60 * MINUTE)
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        authenticate(db.conn(), "forged-token", NOW)
            .unwrap()
            .is_none(),
        "forged"
    );
    let renewed = refresh(db.conn(), tokens.refresh.expose(), None, NOW + 70 * MINUTE)
        .unwrap()
        .expect("refresh works once");
    assert!(
        refresh(db.conn(), tokens.refresh.expose(), None, NOW + 71 * MINUTE)
            .unwrap()
            .is_none(),
        "and only once"
    );
    let renewed_session =
        authenticate_session(db.conn(), renewed.access.expose(), NOW + 71 * MINUTE)
            .unwrap()
            .unwrap();
    assert_eq!(
        renewed_session.client_serial,
        Some(own.serial.to_string()),
        "a refresh without a certificate keeps the old binding"
    );
    logout(db.conn(), renewed.access.expose()).unwrap();
    assert!(
        authenticate(db.conn(), renewed.access.expose(), NOW + 72 * MINUTE)
            .unwrap()
            .is_none(),
        "logged out"
    );
}

fn a_totp_code_works_once(db: &mut TestDb) {
    let secret = staff(db);
    let own = office_device("1370000001");
    let c = code(&secret, NOW);
    assert!(login(
        db.conn(),
        policy(),
        "cm01",
        "correct horse",
        &c,
        Some(&own),
        NOW
    )
    .unwrap()
    .is_ok());
    let again = login(
        db.conn(),
        policy(),
        "cm01",
        "correct horse",
        &c,
        Some(&own),
        NOW + 1000,
    )
    .unwrap();
    assert_eq!(again.unwrap_err(), LoginRefusal::BadCredentials);
}

fn failures_with_the_device_slow_the_account_down_then_lock_it(db: &mut TestDb) {
    let secret = staff(db);
    let own = office_device("1370000001");
    let attempt = |db: &mut TestDb, password: &str, at: i64| {
        login(
            db.conn(),
            policy(),
            "cm01",
            password,
            &code(&secret, at),
            Some(&own),
            at,
        )
        .unwrap()
    };
    // Two free failures.
    assert_eq!(
        attempt(db, "wrong", NOW).unwrap_err(),
        LoginRefusal::BadCredentials
    );
    assert_eq!(
        attempt(db, "wrong", NOW + 1).unwrap_err(),
        LoginRefusal::BadCredentials
    );
    // The next attempt waits 10 s after the last failure, even with the right password.
    assert_eq!(
        attempt(db, "correct horse", NOW + 2).unwrap_err(),
        LoginRefusal::Throttled {
            retry_at_ms: NOW + 1 + 10 * SECOND
        }
    );
    assert_eq!(
        db.store().staff("cm01").unwrap().unwrap().failed_attempts,
        2,
        "a throttled attempt is not checked, so not counted"
    );
    let t = NOW + 1 + 10 * SECOND;
    assert_eq!(
        attempt(db, "wrong", t).unwrap_err(),
        LoginRefusal::BadCredentials
    );
    // Then 20 s.
    assert!(matches!(
        attempt(db, "wrong", t + 19 * SECOND),
        Err(LoginRefusal::Throttled { retry_at_ms }) if retry_at_ms == t + 20 * SECOND
    ));
    let t = t + 20 * SECOND;
    assert_eq!(
        attempt(db, "wrong", t).unwrap_err(),
        LoginRefusal::Locked {
            until_ms: t + 15 * MINUTE
        },
        "the 4th counted failure locks"
    );
    assert!(
        matches!(
            attempt(db, "correct horse", t + MINUTE),
            Err(LoginRefusal::Locked { .. })
        ),
        "even the right password waits"
    );
    let after = t + 16 * MINUTE;
    assert!(attempt(db, "correct horse", after).is_ok());
    let row = db.store().staff("cm01").unwrap().unwrap();
    assert_eq!(
        (
            row.failed_attempts,
            row.locked_until_ms,
            row.last_failure_ms
        ),
        (0, 0, 0)
    );
}

fn without_the_device_every_refusal_is_the_same_and_nothing_is_counted(db: &mut TestDb) {
    let cm = staff(db);
    let city = account(db, "city01", "municipal_staff", "131011");
    let ops = account(db, "ops01", "operator", "");
    account(db, "dr01", "medical_staff", "1310000017");
    let good = |secret: &TotpSecret| code(secret, NOW);
    let hospital = device(ClientSubject::Hospital {
        institution_code: MedicalInstitutionCode::parse("1310000017").unwrap(),
    });
    let cases: Vec<(&str, String, Option<ClientIdentity>)> = vec![
        ("cm01", good(&cm), None),
        ("cm01", good(&cm), Some(office_device("1370000002"))),
        ("cm01", good(&cm), Some(staff_device("cm01"))),
        ("cm01", good(&cm), Some(hospital.clone())),
        ("city01", good(&city), None),
        ("city01", good(&city), Some(staff_device("ops01"))),
        ("city01", good(&city), Some(office_device("1370000001"))),
        ("ops01", good(&ops), None),
        ("ops01", good(&ops), Some(staff_device("city01"))),
        ("dr01", good(&city), Some(office_device("1370000001"))),
        ("nobody", "000000".into(), None),
        ("nobody", "000000".into(), Some(staff_device("nobody"))),
    ];
    for (id, totp, device) in &cases {
        // Twenty tries without any certificate, far beyond the lock had they counted; one try
        // for each other pairing (each costs a real argon2id verification).
        let tries = if device.is_none() { 20 } else { 1 };
        for i in 0..tries {
            let r = login(
                db.conn(),
                policy(),
                id,
                "correct horse",
                totp,
                device.as_ref(),
                NOW + i,
            )
            .unwrap();
            assert_eq!(
                r.unwrap_err(),
                LoginRefusal::BadCredentials,
                "{id} {device:?}"
            );
        }
    }
    for id in ["cm01", "city01", "ops01", "dr01"] {
        let row = db.store().staff(id).unwrap().unwrap();
        assert_eq!((row.failed_attempts, row.locked_until_ms), (0, 0), "{id}");
    }
    for (id, secret, own) in [
        ("cm01", &cm, office_device("1370000001")),
        ("city01", &city, staff_device("city01")),
        ("ops01", &ops, staff_device("ops01")),
    ] {
        let r = login(
            db.conn(),
            policy(),
            id,
            "correct horse",
            &code(secret, NOW + 60 * SECOND),
            Some(&own),
            NOW + 60 * SECOND,
        )
        .unwrap();
        assert!(r.is_ok(), "the holder of the device still logs in: {id}");
    }
}

fn the_device_rule_pairs_each_kind_with_its_own_certificate(db: &mut TestDb) {
    let mut row = |id: &str, kind: &str, office: &str| {
        account(db, id, kind, office);
        db.store().staff(id).unwrap().unwrap()
    };
    let city = row("city01", "municipal_staff", "131011");
    let cm = row("cm01", "office_staff", "1370000001");
    assert!(device_vouches_for(&staff_device("city01").subject, &city));
    assert!(!device_vouches_for(&staff_device("city02").subject, &city));
    assert!(!device_vouches_for(
        &office_device("1370000001").subject,
        &city
    ));
    assert!(device_vouches_for(
        &office_device("1370000001").subject,
        &cm
    ));
    assert!(
        !device_vouches_for(&staff_device("cm01").subject, &cm),
        "office staff need their office's certificate, not one of their own"
    );
}

fn revoking_a_certificate_ends_the_sessions_issued_over_it(db: &mut TestDb) {
    let secret = staff(db);
    let own = office_device("1370000001");
    let other = office_device("1370000001");
    let first = login(
        db.conn(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, NOW),
        Some(&own),
        NOW,
    )
    .unwrap()
    .unwrap();
    let second = login(
        db.conn(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, NOW + 30 * SECOND),
        Some(&other),
        NOW + 30 * SECOND,
    )
    .unwrap()
    .unwrap();
    let (added, ended) =
        record_client_revocation(db.conn(), &own.serial, RevocationReason::KeyCompromise, NOW)
            .unwrap();
    assert_eq!((added, ended), (true, 1));
    let later = NOW + MINUTE;
    assert!(authenticate(db.conn(), first.access.expose(), later)
        .unwrap()
        .is_none());
    assert!(
        refresh(db.conn(), first.refresh.expose(), None, later)
            .unwrap()
            .is_none(),
        "the refresh token ends with it"
    );
    assert!(
        authenticate(db.conn(), second.access.expose(), later)
            .unwrap()
            .is_some(),
        "a session over another certificate of the same office lives on"
    );
    let (added, ended) =
        record_client_revocation(db.conn(), &own.serial, RevocationReason::Superseded, NOW)
            .unwrap();
    assert_eq!((added, ended), (false, 0));
}

on_both_engines!(
    good_login_issues_tokens_with_the_national_lifetimes,
    a_totp_code_works_once,
    failures_with_the_device_slow_the_account_down_then_lock_it,
    without_the_device_every_refusal_is_the_same_and_nothing_is_counted,
    the_device_rule_pairs_each_kind_with_its_own_certificate,
    revoking_a_certificate_ends_the_sessions_issued_over_it,
);
