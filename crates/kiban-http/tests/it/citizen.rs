//! The person's side over HTTP: card login (a replayed challenge refused), revoking a consent
//! refuses the office's very next read, and the access history shows it.

use crate::support::{code, insured, Fixture, OFFICE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_consent_refuses_the_next_read_and_the_history_shows_it() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.card_for(1);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    fx.enrol_with_card(&office, &token, &card, 1).await;
    let read = format!("/api/v1/persons/131011/{}/qualification", insured(1));
    let (_, body) = fx.get(&office, &read, Some(&token)).await;
    assert_eq!(body["ok"], true);

    let me = fx.client(None);
    let citizen = fx.citizen_login(&card).await;
    let (status, body) = fx.get(&me, "/api/v1/me/consents", Some(&citizen)).await;
    assert_eq!(status, 200, "{body}");
    let consents = body["data"].as_array().unwrap();
    assert_eq!(consents.len(), 5);
    let id_of = |category: &str| {
        consents.iter().find(|c| c["category"] == category).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    for category in ["care_plan", "qualification"] {
        let path = format!("/api/v1/me/consents/{}/revoke", id_of(category));
        let (status, body) = fx.post(&me, &path, Some(&citizen), &json!({})).await;
        assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");
    }

    let (status, body) = fx.get(&office, &read, Some(&token)).await;
    assert_eq!((status, code(&body)), (200, "CONSENT_REVOKED"), "{body}");

    let (status, body) = fx
        .get(&me, "/api/v1/me/history?limit=3", Some(&citizen))
        .await;
    assert_eq!(status, 200, "{body}");
    let lines = body["data"]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0]["reason"], "SELF",
        "newest first: this very read of the history"
    );
    assert_eq!(lines[0]["who"], "本人");
    assert_eq!(
        lines[1]["reason"], "CONSENT_REVOKED",
        "the office's refused read"
    );
    assert_eq!(lines[1]["allowed"], false);
    assert_eq!(lines[1]["who"], "さくら居宅介護支援事業所");
    assert_eq!(lines[1]["job"], "介護支援専門員");
    let next = body["data"]["next_before"].as_u64().expect("more pages");
    let (_, body) = fx
        .get(
            &me,
            &format!("/api/v1/me/history?before={next}&limit=500"),
            Some(&citizen),
        )
        .await;
    let rest = body["data"]["lines"].as_array().unwrap();
    assert!(rest.iter().all(|l| l["seq"].as_u64().unwrap() < next));
    assert!(body["data"]["next_before"].is_null(), "the last page");
    let (status, body) = fx
        .get(&me, "/api/v1/me/history?limit=0", Some(&citizen))
        .await;
    assert_eq!((status, code(&body)), (400, "INVALID_PARAMETER"));

    let (status, body) = fx.get(&me, "/api/v1/me/data", Some(&citizen)).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["insured"], insured(1));
    assert!(body["data"]["consents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| !c["revoked_at_ms"].is_null()));

    let (status, body) = fx.get(&me, &read, Some(&citizen)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHENTICATED"),
        "a citizen token is no staff token"
    );
    let (status, _) = fx
        .post(&me, "/api/v1/me/logout", Some(&citizen), &json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = fx.get(&me, "/api/v1/me/consents", Some(&citizen)).await;
    assert_eq!(
        (status, code(&body)),
        (401, "UNAUTHENTICATED"),
        "logged out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_or_unlinked_card_login_is_refused() {
    let mut fx = Fixture::sqlite().await;
    let card = fx.card_for(2);
    let client = fx.client(None);
    let (challenge_id, signature) = fx.card_sign(&client, &card).await;
    let body = json!({ "challenge_id": challenge_id, "signature": signature });
    let (status, first) = fx.post(&client, "/api/v1/card/login", None, &body).await;
    assert_eq!(status, 200, "{first}");
    let (status, replay) = fx.post(&client, "/api/v1/card/login", None, &body).await;
    assert_eq!(
        (status, code(&replay)),
        (401, "CHALLENGE_REJECTED"),
        "{replay}"
    );

    let unlinked = fx
        .cards
        .issue_card(
            kiban_domain::ids::InsuredNumber::parse(&insured(3)).unwrap(),
            &crate::support::pin(),
            kiban_crypto::Validity::days_from(crate::support::now(), 30),
        )
        .unwrap();
    let (challenge_id, signature) = fx.card_sign(&client, &unlinked).await;
    let body = json!({ "challenge_id": challenge_id, "signature": signature });
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &body).await;
    assert_eq!((status, code(&body)), (401, "CARD_NOT_LINKED"), "{body}");

    let (challenge_id, mut signature) = fx.card_sign(&client, &card).await;
    signature["signature"] = json!("AAAA");
    let body = json!({ "challenge_id": challenge_id, "signature": signature });
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &body).await;
    assert_eq!((status, code(&body)), (401, "CARD_REJECTED"), "{body}");
}
