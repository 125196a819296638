//! Issue 13, finding 3: an outsider could lock municipal and operator staff out (five wrong
//! passwords without any certificate) and tell which staff IDs exist (unknown and office IDs
//! answered CLIENT_CERTIFICATE_REQUIRED, municipal ones LOGIN_FAILED). Now every bad credential
//! gets one answer, failures without the account's device certificate count against the source
//! only, and municipal and operator accounts need a staff certificate of their own.

use crate::page_browser::Browser;
use crate::support::{code, insured, Fixture, INSURER, OFFICE, OTHER_OFFICE, PASSWORD};
use kiban_crypto::IssuedCert;
use serde_json::{json, Value};

/// Status, content type and body bytes of a login attempt.
async fn attempt(fx: &Fixture, cert: Option<&IssuedCert>, body: &Value) -> (u16, String, Vec<u8>) {
    let response = fx
        .client(cert)
        .post(fx.url("/api/v1/staff/login"))
        .json(body)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, kind, response.bytes().await.unwrap().to_vec())
}

fn with_password(fx: &Fixture, staff_id: &str, password: &str) -> Value {
    json!({ "staff_id": staff_id, "password": password, "totp": fx.totp_code() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unknown_or_wrong_credential_gets_the_same_answer_byte_for_byte() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("city1", "municipal_staff", INSURER);
    fx.add_staff("ops1", "operator", "");
    let city_cert = fx.staff_cert("city1");
    let right = |id: &str| with_password(&fx, id, PASSWORD);
    let cases = [
        ("unknown ID", None, right("nobody")),
        ("office ID without a certificate", None, right("cm1")),
        (
            "office ID over another office",
            Some(fx.cert(OTHER_OFFICE)),
            right("cm1"),
        ),
        ("municipal ID without a certificate", None, right("city1")),
        (
            "municipal ID over an office",
            Some(fx.cert(OFFICE)),
            right("city1"),
        ),
        (
            "municipal ID over another's staff certificate",
            Some(fx.staff_cert("ops1")),
            right("city1"),
        ),
        ("operator ID without a certificate", None, right("ops1")),
        (
            "wrong password over the account's own certificate",
            Some(city_cert.clone()),
            with_password(&fx, "city1", "wrong"),
        ),
        (
            "unknown ID over a staff certificate",
            Some(fx.staff_cert("nobody")),
            right("nobody"),
        ),
    ];
    let mut answers = Vec::new();
    for (what, cert, body) in &cases {
        answers.push((what, attempt(&fx, cert.as_ref(), body).await));
    }
    let (first_case, first) = &answers[0];
    let parsed: Value = serde_json::from_slice(&first.2).unwrap();
    assert_eq!(
        (first.0, code(&parsed)),
        (401, "LOGIN_FAILED"),
        "{first_case}"
    );
    assert!(
        parsed["error"].get("detail").is_none(),
        "no detail to tell cases apart"
    );
    for (what, answer) in &answers {
        assert_eq!(
            answer,
            first,
            "{what} answers as {first_case} does: {}",
            String::from_utf8_lossy(&answer.2)
        );
    }
    let city = fx.db(|s| s.staff("city1").unwrap().unwrap());
    assert_eq!(
        city.failed_attempts, 1,
        "only the failure over its own certificate counts"
    );

    // The web login says the same for all of them too.
    let mut bare = Browser::new(&fx, None);
    let unknown = bare.login("nobody", PASSWORD, &fx.totp_code()).await;
    let municipal = bare.login("city1", PASSWORD, &fx.totp_code()).await;
    let office = bare.login("cm1", PASSWORD, &fx.totp_code()).await;
    for page in [&municipal, &office] {
        assert_eq!(page.status, unknown.status);
        assert!(page.body.contains("いずれかが違います"), "{}", page.body);
    }
}

/// A 資格確認 read by municipal staff (purpose 資格管理).
async fn read(fx: &Fixture, terminal: &reqwest::Client, token: &str) -> (u16, Value) {
    let response = terminal
        .get(fx.url(&format!(
            "/api/v1/persons/{INSURER}/{}/qualification",
            insured(1)
        )))
        .bearer_auth(token)
        .header("X-Kiban-Purpose", "qualification_admin")
        .send()
        .await
        .unwrap();
    crate::support::answer(response).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_failures_without_the_staff_certificate_lock_nobody_out_and_the_source_is_throttled()
{
    let mut fx = Fixture::postgres().await;
    fx.add_staff("city1", "municipal_staff", INSURER);
    let terminal = fx.staff_client("city1");
    let token = fx.login(&terminal, "city1").await;
    assert_eq!(read(&fx, &terminal, &token).await.1["ok"], true);

    let outsider = fx.client(None);
    let guess = with_password(&fx, "city1", "guessed password");
    let mut failed = 0;
    let mut throttled = Vec::new();
    for _ in 0..20 {
        let response = outsider
            .post(fx.url("/api/v1/staff/login"))
            .json(&guess)
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get("retry-after").cloned();
        let (status, body) = crate::support::answer(response).await;
        match (status, code(&body)) {
            (401, "LOGIN_FAILED") => failed += 1,
            (429, "LOGIN_THROTTLED") => {
                let seconds: u64 = retry_after
                    .expect("a throttled answer says when to come back")
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                throttled.push(seconds);
            }
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!(failed, 10, "ten free failures per source");
    assert_eq!(throttled.len(), 10, "then the source waits");
    assert!(
        throttled.iter().all(|&s| (1..=300).contains(&s)),
        "{throttled:?}"
    );

    let row = fx.db(|s| s.staff("city1").unwrap().unwrap());
    assert_eq!(
        (row.failed_attempts, row.locked_until_ms),
        (0, 0),
        "nothing counted against the account"
    );
    let (status, body) = read(&fx, &terminal, &token).await;
    assert_eq!(
        (status, body["ok"].as_bool()),
        (200, Some(true)),
        "the token lives: {body}"
    );
    // The holder, at the same address but presenting the device, is neither locked nor slowed.
    let again = json!({ "staff_id": "city1", "password": PASSWORD, "totp": fx.next_totp_code() });
    let (status, body) = fx
        .post(&terminal, "/api/v1/staff/login", None, &again)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn municipal_and_operator_logins_and_tokens_need_the_accounts_staff_certificate() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("city1", "municipal_staff", INSURER);
    fx.add_staff("ops1", "operator", "");
    let login = fx.login_body("city1");
    for (what, cert) in [
        ("no certificate", None),
        (
            "another account's staff certificate",
            Some(fx.staff_cert("ops1")),
        ),
        ("an office certificate", Some(fx.cert(OFFICE))),
    ] {
        let (status, body) = fx
            .post(
                &fx.client(cert.as_ref()),
                "/api/v1/staff/login",
                None,
                &login,
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (401, "LOGIN_FAILED"),
            "{what}: {body}"
        );
    }
    let own = fx.staff_client("city1");
    let token = fx.login(&own, "city1").await;
    let path = format!("/api/v1/persons/{INSURER}/{}/qualification", insured(1));
    let (status, body) = fx.get(&fx.client(None), &path, Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "CLIENT_CERTIFICATE_REQUIRED"),
        "{body}"
    );
    let (status, body) = fx.get(&fx.staff_client("ops1"), &path, Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (403, "CERTIFICATE_OFFICE_MISMATCH"),
        "{body}"
    );
    let (status, body) = fx.get(&own, &path, Some(&token)).await;
    assert_eq!(
        (status, code(&body)),
        (400, "PURPOSE_REQUIRED"),
        "authenticated: {body}"
    );

    // The operator the same way, and the portal's login page too.
    let ops = fx.staff_client("ops1");
    assert!(!fx.login(&ops, "ops1").await.is_empty());
    let mut bare = Browser::new(&fx, None);
    let page = bare.get("/municipal/login").await;
    let csrf = page.csrf();
    let refused = bare
        .post(
            "/municipal/login",
            &[
                ("csrf", csrf.as_str()),
                ("staff_id", "city1"),
                ("password", PASSWORD),
                ("totp", &fx.next_totp_code()),
            ],
        )
        .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(!refused.body.is_empty() && !bare.cookies.contains_key("__Host-kiban_session"));
}
