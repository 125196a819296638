//! Staff login: password + TOTP + certified office, lockout, token lifetimes, refresh once.

use kiban_app::auth::{authenticate, login, logout, refresh, LoginPolicy, LoginRefusal};
use kiban_crypto::{hash_password, Argon2Params, TotpSecret};
use kiban_store::StaffRow;
use kiban_testkit::{on_both_engines, TestDb};

const NOW: i64 = 1_793_581_200_000;
const MINUTE: i64 = 60_000;

fn staff(db: &mut TestDb) -> TotpSecret {
    let secret = TotpSecret::random();
    db.store()
        .insert_staff(&StaffRow {
            staff_id: "cm01".into(),
            office_number: "1370000001".into(),
            actor_kind: "office_staff".into(),
            job: "care_manager".into(),
            display_name: "試験　花子".into(),
            password_hash: hash_password("correct horse", &Argon2Params::INSECURE_FAST_FOR_TESTS)
                .unwrap(),
            totp_secret: secret.to_base32().to_string(),
            totp_last_step: 0,
            failed_attempts: 0,
            locked_until_ms: 0,
            active: true,
        })
        .unwrap();
    secret
}

fn code(secret: &TotpSecret, ms: i64) -> String {
    kiban_crypto::totp::generate(secret, (ms / 1000) as u64)
}

fn policy() -> LoginPolicy {
    LoginPolicy {
        max_failures: 3,
        lock_ms: 15 * MINUTE,
    }
}

fn good_login_issues_tokens_with_the_national_lifetimes(db: &mut TestDb) {
    let secret = staff(db);
    let tokens = login(
        db.store(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, NOW),
        Some("1370000001"),
        NOW,
    )
    .unwrap()
    .unwrap();
    assert_eq!(tokens.access_expires_ms - NOW, 60 * MINUTE);
    assert_eq!(tokens.refresh_expires_ms - NOW, 8 * 60 * MINUTE);
    let who = authenticate(db.store(), tokens.access.expose(), NOW + 59 * MINUTE)
        .unwrap()
        .unwrap();
    assert_eq!(who.staff_id, "cm01");
    assert!(
        authenticate(db.store(), tokens.access.expose(), NOW + 60 * MINUTE)
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        authenticate(db.store(), "forged-token", NOW)
            .unwrap()
            .is_none(),
        "forged"
    );
    let renewed = refresh(db.store(), tokens.refresh.expose(), NOW + 70 * MINUTE)
        .unwrap()
        .expect("refresh works once");
    assert!(
        refresh(db.store(), tokens.refresh.expose(), NOW + 71 * MINUTE)
            .unwrap()
            .is_none(),
        "and only once"
    );
    assert!(
        authenticate(db.store(), renewed.access.expose(), NOW + 71 * MINUTE)
            .unwrap()
            .is_some()
    );
    logout(db.store(), renewed.access.expose()).unwrap();
    assert!(
        authenticate(db.store(), renewed.access.expose(), NOW + 72 * MINUTE)
            .unwrap()
            .is_none(),
        "logged out"
    );
}

fn a_totp_code_works_once(db: &mut TestDb) {
    let secret = staff(db);
    let c = code(&secret, NOW);
    assert!(
        login(db.store(), policy(), "cm01", "correct horse", &c, None, NOW)
            .unwrap()
            .is_ok()
    );
    let again = login(
        db.store(),
        policy(),
        "cm01",
        "correct horse",
        &c,
        None,
        NOW + 1000,
    )
    .unwrap();
    assert_eq!(again.unwrap_err(), LoginRefusal::BadCredentials);
}

fn repeated_failures_lock_the_account(db: &mut TestDb) {
    let secret = staff(db);
    for i in 0..2 {
        let r = login(
            db.store(),
            policy(),
            "cm01",
            "wrong",
            &code(&secret, NOW),
            None,
            NOW + i,
        )
        .unwrap();
        assert_eq!(r.unwrap_err(), LoginRefusal::BadCredentials);
    }
    let third = login(
        db.store(),
        policy(),
        "cm01",
        "wrong",
        &code(&secret, NOW),
        None,
        NOW + 2,
    )
    .unwrap();
    assert_eq!(
        third.unwrap_err(),
        LoginRefusal::Locked {
            until_ms: NOW + 2 + 15 * MINUTE
        }
    );
    let during = login(
        db.store(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, NOW + MINUTE),
        None,
        NOW + MINUTE,
    )
    .unwrap();
    assert!(
        matches!(during, Err(LoginRefusal::Locked { .. })),
        "even the right password waits"
    );
    let after = NOW + 16 * MINUTE;
    assert!(login(
        db.store(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, after),
        None,
        after
    )
    .unwrap()
    .is_ok());
}

fn a_certificate_of_another_office_is_refused(db: &mut TestDb) {
    let secret = staff(db);
    let r = login(
        db.store(),
        policy(),
        "cm01",
        "correct horse",
        &code(&secret, NOW),
        Some("1370000002"),
        NOW,
    )
    .unwrap();
    assert_eq!(r.unwrap_err(), LoginRefusal::WrongOffice);
    let unknown = login(db.store(), policy(), "nobody", "x", "000000", None, NOW).unwrap();
    assert_eq!(unknown.unwrap_err(), LoginRefusal::BadCredentials);
}

on_both_engines!(
    good_login_issues_tokens_with_the_national_lifetimes,
    a_totp_code_works_once,
    repeated_failures_lock_the_account,
    a_certificate_of_another_office_is_refused,
);
