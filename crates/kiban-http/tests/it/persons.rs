//! 資格確認 over HTTP: refused as a business error (HTTP 200, ok=false) before enrolment,
//! served after a card enrolment; a replayed challenge or a card of another person proves
//! nothing; a witnessed paper consent works.

use crate::support::{code, insured, Fixture, OFFICE, OTHER_OFFICE};
use serde_json::json;

fn qualification(n: u64) -> String {
    format!("/api/v1/persons/131011/{}/qualification", insured(n))
}

fn enrolment(n: u64) -> String {
    format!("/api/v1/persons/131011/{}/enrolment", insured(n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qualification_is_refused_before_and_served_after_card_enrolment() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.card_for(1);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;

    let (status, body) = fx.get(&office, &qualification(1), Some(&token)).await;
    assert_eq!(status, 200, "business errors are HTTP 200");
    assert_eq!(body["ok"], false);
    assert_eq!(code(&body), "NOT_SERVING");
    assert!(body["error"]["message_ja"]
        .as_str()
        .unwrap()
        .contains("担当"));
    assert!(body["data"].is_null());

    let (challenge_id, signature) = fx.card_sign(&office, &card).await;
    let request = json!({
        "identity": { "method": "card", "challenge_id": challenge_id, "signature": signature },
        "opted_out": ["life"],
    });
    let (status, body) = fx
        .post(&office, &enrolment(1), Some(&token), &request)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["data"]["consent_ids"].as_array().unwrap().len(), 4);

    let (status, body) = fx.get(&office, &qualification(1), Some(&token)).await;
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");
    assert!(body["data"]["insured_card"].is_object(), "{body}");
    assert!(body["data"]["equipment_allowance_left"].as_u64().unwrap() <= 100_000);

    let (status, body) = fx
        .post(&office, &enrolment(1), Some(&token), &request)
        .await;
    assert_eq!(
        (status, code(&body)),
        (200, "IDENTITY_NOT_VERIFIED"),
        "replayed challenge"
    );
    assert!(body["error"]["detail"]
        .as_str()
        .unwrap()
        .starts_with("CHALLENGE_REJECTED"));

    let (challenge_id, signature) = fx.card_sign(&office, &card).await;
    let request = json!({
        "identity": { "method": "card", "challenge_id": challenge_id, "signature": signature },
    });
    let (status, body) = fx
        .post(&office, &enrolment(2), Some(&token), &request)
        .await;
    assert_eq!(
        (status, code(&body)),
        (200, "IDENTITY_NOT_VERIFIED"),
        "another person's card"
    );
    assert!(body["error"]["detail"]
        .as_str()
        .unwrap()
        .starts_with("CARD_PERSON_MISMATCH"));

    let audit = fx.db(|s| {
        s.audit_for_person(crate::support::INSURER, &insured(2), None, 10)
            .unwrap()
    });
    assert_eq!(audit.len(), 1, "the refused enrolment is audited");
    assert_eq!(audit[0].entry.reason, "IDENTITY_NOT_VERIFIED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paper_consent_is_witnessed_and_other_offices_still_see_nothing() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("cm2", "office_staff", OTHER_OFFICE);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    let request = json!({
        "identity": { "method": "paper", "reason": "no_card" },
        "valid_until": "2099-03-31",
    });
    let (status, body) = fx
        .post(&office, &enrolment(3), Some(&token), &request)
        .await;
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");
    let consents = fx.db(|s| {
        s.consents(crate::support::INSURER, &insured(3), None)
            .unwrap()
    });
    assert_eq!(consents.len(), 5);
    assert!(consents.iter().all(|c| matches!(
        &c.method,
        kiban_domain::access::ConsentMethod::Paper { witness, .. } if witness == "cm1"
    ) && c.valid_until.map(|d| d.yyyymmdd()).as_deref()
        == Some("20990331")));

    let other = fx.client(Some(&fx.cert(OTHER_OFFICE)));
    let other_token = fx.login(&other, "cm2").await;
    let (status, body) = fx.get(&other, &qualification(3), Some(&other_token)).await;
    assert_eq!((status, code(&body)), (200, "NOT_SERVING"));

    let (status, body) = fx
        .get(
            &office,
            "/api/v1/persons/131011/12/qualification",
            Some(&token),
        )
        .await;
    assert_eq!((status, code(&body)), (400, "INVALID_PERSON"));
    let bad =
        json!({ "identity": { "method": "paper", "reason": "no_card" }, "valid_until": "someday" });
    let (status, body) = fx.post(&office, &enrolment(3), Some(&token), &bad).await;
    assert_eq!((status, code(&body)), (400, "INVALID_PARAMETER"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn municipal_staff_state_a_purpose_and_the_operator_reads_nothing() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("city1", "municipal_staff", crate::support::INSURER);
    fx.add_staff("ops1", "operator", "");
    let lgwan = fx.staff_client("city1");
    let city = fx.login(&lgwan, "city1").await;
    let (status, body) = fx.get(&lgwan, &qualification(1), Some(&city)).await;
    assert_eq!((status, code(&body)), (400, "PURPOSE_REQUIRED"), "{body}");
    let response = lgwan
        .get(fx.url(&qualification(1)))
        .bearer_auth(&city)
        .header("X-Kiban-Purpose", "qualification_admin")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::answer(response).await;
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");

    let ops_terminal = fx.staff_client("ops1");
    let ops = fx.login(&ops_terminal, "ops1").await;
    let (status, body) = fx.get(&ops_terminal, &qualification(1), Some(&ops)).await;
    assert_eq!(
        (status, code(&body)),
        (200, "OPERATOR_NO_PERSONAL_DATA"),
        "{body}"
    );
    let audit = fx.db(|s| {
        s.audit_for_person(crate::support::INSURER, &insured(1), None, 10)
            .unwrap()
    });
    let reasons: Vec<&str> = audit.iter().map(|e| e.entry.reason.as_str()).collect();
    assert_eq!(
        reasons,
        ["OPERATOR_NO_PERSONAL_DATA", "MUNICIPAL_DUTY"],
        "both audited"
    );
}
