//! Staff login over the office's client certificate, bearer tokens (forged, expired, revoked,
//! presented over the wrong certificate), refresh once, logout.

use crate::support::{code, Fixture, OFFICE, OTHER_OFFICE, PASSWORD};
use kiban_testkit::store::SessionRow;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_needs_the_certificate_of_the_accounts_own_office() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let own = fx.client(Some(&fx.cert(OFFICE)));
    let other = fx.client(Some(&fx.cert(OTHER_OFFICE)));
    let bare = fx.client(None);

    // Without the device factor the right credentials get the answer of wrong ones (issue
    // 13: the answers CLIENT_CERTIFICATE_REQUIRED and CERTIFICATE_OFFICE_MISMATCH told an
    // outsider which IDs exist).
    let login = fx.login_body("cm1");
    let (status, body) = fx.post(&bare, "/api/v1/staff/login", None, &login).await;
    assert_eq!((status, code(&body)), (401, "LOGIN_FAILED"), "{body}");
    let (status, body) = fx.post(&other, "/api/v1/staff/login", None, &login).await;
    assert_eq!((status, code(&body)), (401, "LOGIN_FAILED"), "{body}");
    let wrong = json!({ "staff_id": "cm1", "password": "wrong", "totp": fx.totp_code() });
    let (status, body) = fx.post(&own, "/api/v1/staff/login", None, &wrong).await;
    assert_eq!((status, code(&body)), (401, "LOGIN_FAILED"), "{body}");
    let unknown = json!({ "staff_id": "nobody", "password": PASSWORD, "totp": fx.totp_code() });
    let (status, body) = fx.post(&own, "/api/v1/staff/login", None, &unknown).await;
    assert_eq!((status, code(&body)), (401, "LOGIN_FAILED"), "{body}");
    let (status, body) = fx
        .post(&own, "/api/v1/staff/login", None, &json!({ "staff_id": 1 }))
        .await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");

    let (status, body) = fx.post(&own, "/api/v1/staff/login", None, &login).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ok"], true);
    let data = &body["data"];
    assert_eq!(data["token_type"], "Bearer");
    assert_eq!(data["access_token"].as_str().unwrap().len(), 43);
    let lifetime = data["access_expires_at_ms"].as_i64().unwrap()
        - (crate::support::now().unix_timestamp_nanos() / 1_000_000) as i64;
    assert!((3_590_000..=3_600_000).contains(&lifetime), "60 minutes");
    let (status, body) = fx.post(&own, "/api/v1/staff/login", None, &login).await;
    assert_eq!(
        (status, code(&body)),
        (401, "LOGIN_FAILED"),
        "a TOTP code works once: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_forged_expired_or_over_another_certificate_are_refused() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let own = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&own, "cm1").await;
    let path = format!(
        "/api/v1/persons/131011/{}/qualification",
        crate::support::insured(1)
    );

    let (status, body) = fx.get(&own, &path, Some(&token)).await;
    assert_eq!(
        (status, body["ok"].as_bool()),
        (200, Some(false)),
        "authenticated: {body}"
    );
    let (status, body) = fx.get(&own, &path, None).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));
    let forged = kiban_crypto::BearerToken::random();
    let (status, body) = fx.get(&own, &path, Some(forged.expose())).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"));

    let stale = kiban_crypto::BearerToken::random();
    let session = SessionRow {
        access_hash: stale.hash().to_hex(),
        refresh_hash: kiban_crypto::BearerToken::random().hash().to_hex(),
        staff_id: "cm1".into(),
        access_expires_ms: 1_000,
        refresh_expires_ms: 2_000,
        revoked: false,
        client_serial: None,
    };
    fx.db(|store| store.insert_session(&session).unwrap());
    let (status, body) = fx.get(&own, &path, Some(stale.expose())).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHENTICATED"),
        "expired token"
    );

    let (status, body) = fx.get(&fx.client(None), &path, Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "CLIENT_CERTIFICATE_REQUIRED"),
        "{body}"
    );
    let other = fx.client(Some(&fx.cert(OTHER_OFFICE)));
    let (status, body) = fx.get(&other, &path, Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (403, "CERTIFICATE_OFFICE_MISMATCH"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_works_once_and_logout_ends_the_session() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let own = fx.client(Some(&fx.cert(OFFICE)));
    let (status, body) = fx
        .post(&own, "/api/v1/staff/login", None, &fx.login_body("cm1"))
        .await;
    assert_eq!(status, 200);
    let refresh = json!({ "refresh_token": body["data"]["refresh_token"] });
    let old_access = body["data"]["access_token"].as_str().unwrap().to_string();
    let person = "/api/v1/persons/131011/0000100001/qualification";
    let (status, _) = fx.get(&own, person, Some(&old_access)).await;
    assert_eq!(
        status, 200,
        "the token works (and the server remembers the check)"
    );

    let other = fx.client(Some(&fx.cert(OTHER_OFFICE)));
    let (status, body) = fx
        .post(&other, "/api/v1/staff/refresh", None, &refresh)
        .await;
    assert_eq!(
        (status, code(&body)),
        (403, "CERTIFICATE_OFFICE_MISMATCH"),
        "{body}"
    );
    let (status, _) = fx.get(&own, person, Some(&old_access)).await;
    assert_eq!(status, 401, "the refresh revoked the old pair at once");
    let (status, body) = fx.post(&own, "/api/v1/staff/refresh", None, &refresh).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHENTICATED"),
        "the refresh token was spent: {body}"
    );

    let (status, body) = fx
        .post(&own, "/api/v1/staff/logout", Some(&old_access), &json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = fx
        .get(
            &own,
            "/api/v1/persons/131011/0000100001/qualification",
            Some(&old_access),
        )
        .await;
    assert_eq!(status, 401, "revoked on refresh");

    fx.add_staff("cm2", "office_staff", OFFICE);
    let (_, body) = fx
        .post(&own, "/api/v1/staff/login", None, &fx.login_body("cm2"))
        .await;
    let refresh = json!({ "refresh_token": body["data"]["refresh_token"] });
    let (status, body) = fx.post(&own, "/api/v1/staff/refresh", None, &refresh).await;
    assert_eq!(status, 200, "{body}");
    let access = body["data"]["access_token"].as_str().unwrap().to_string();
    let path = "/api/v1/persons/131011/0000100001/qualification";
    let (status, _) = fx.get(&own, path, Some(&access)).await;
    assert_eq!(status, 200);
    let (status, _) = fx
        .post(&own, "/api/v1/staff/logout", Some(&access), &json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = fx.get(&own, path, Some(&access)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHENTICATED"),
        "logged out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_loses_its_working_token_at_once() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let own = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&own, "cm1").await;
    let path = "/api/v1/persons/131011/0000100001/qualification";
    let (status, _) = fx.get(&own, path, Some(&token)).await;
    assert_eq!(status, 200);
    // One failure short of the lock, as if made over this office's certificate long ago.
    let policy = kiban_app::auth::LoginPolicy::default();
    fx.db(|store| {
        store
            .update_staff_login("cm1", policy.max_failures - 1, 0, 0, 0)
            .unwrap()
    });
    let wrong = json!({ "staff_id": "cm1", "password": "wrong password", "totp": "000000" });
    let (status, body) = fx.post(&own, "/api/v1/staff/login", None, &wrong).await;
    assert_eq!((status, code(&body)), (401, "ACCOUNT_LOCKED"), "{body}");
    let (status, body) = fx.get(&own, path, Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHENTICATED"),
        "locked by the failure: {body}"
    );
}
