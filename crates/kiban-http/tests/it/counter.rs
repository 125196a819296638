//! At the counter over HTTP: identifying a person without a card (never a guess) and ending
//! the serving relationship, which closes the office's view at once.

use crate::support::{code, insured, Fixture, INSURER, OFFICE};
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{current_as_of, RecordBody, RecordKind};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_is_identified_without_a_card_only_on_a_full_match() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.db(|store| {
        let h = store
            .person_history(
                RecordKind::InsuredCard,
                InsurerNumber::parse(INSURER).unwrap(),
                InsuredNumber::parse(&insured(1)).unwrap(),
            )
            .unwrap();
        let today =
            kiban_domain::access::Timestamp::from_millis(crate::support::now_ms()).jst_date();
        match &current_as_of(&h.versions, &h.withdrawn, today)
            .unwrap()
            .body
        {
            RecordBody::InsuredCard(c) => c.clone(),
            _ => unreachable!(),
        }
    });
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    let path = "/api/v1/persons/131011/confirm";
    let birth = card.birth_date.to_string();

    let by_number = json!({ "insured": insured(1), "birth_date": birth });
    let (status, body) = fx.post(&office, path, Some(&token), &by_number).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!({ "insurer": INSURER, "insured": insured(1) }),
        "{body}"
    );

    let four = json!({ "name": card.name, "birth_date": birth, "sex": card.sex.code(), "address": card.address });
    let (_, body) = fx.post(&office, path, Some(&token), &four).await;
    assert_eq!(body["data"]["insured"], insured(1), "{body}");

    let moved = json!({ "name": card.name, "birth_date": birth, "sex": card.sex.code(), "address": "北海道札幌市" });
    let (status, body) = fx.post(&office, path, Some(&token), &moved).await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], false, "a partial match names nobody: {body}");
    assert!(code(&body).starts_with("MATCH_"), "{body}");
    assert!(body["data"].is_null());

    let (status, body) = fx
        .post(&office, path, Some(&token), &json!({ "birth_date": birth }))
        .await;
    assert_eq!((status, code(&body)), (400, "INVALID_PARAMETER"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_or_the_person_ends_the_serving_relationship() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.card_for(1);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    for n in [1, 2] {
        let request = json!({ "identity": { "method": "paper", "reason": "card_not_at_hand" } });
        let path = format!("/api/v1/persons/131011/{}/enrolment", insured(n));
        let (_, body) = fx.post(&office, &path, Some(&token), &request).await;
        assert_eq!(body["ok"], true, "{body}");
    }
    let end = format!("/api/v1/persons/131011/{}/serving/end", insured(2));
    let (status, body) = fx.post(&office, &end, Some(&token), &json!({})).await;
    assert_eq!(
        (status, &body["data"]),
        (200, &json!({ "ended": 1 })),
        "{body}"
    );
    let ended_by = |fx: &mut Fixture, n: u64| {
        fx.db(|store| store.serving(OFFICE, INSURER, &insured(n)).unwrap())
            .into_iter()
            .map(|r| r.ended_by.map(|by| by.code().to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ended_by(&mut fx, 2), [Some("office".to_string())]);
    assert_eq!(
        ended_by(&mut fx, 1),
        [None],
        "only that person's relationship"
    );

    let citizen = fx.citizen_login(&card).await;
    let path = format!("/api/v1/me/servings/{OFFICE}/end");
    let (status, body) = fx
        .post(&fx.client(None), &path, Some(&citizen), &json!({}))
        .await;
    assert_eq!(
        (status, &body["data"]),
        (200, &json!({ "ended": 1 })),
        "{body}"
    );
    assert_eq!(ended_by(&mut fx, 1), [Some("person".to_string())]);
    // The end date is inclusive (JST days), so the office's view closes from tomorrow; the
    // domain and application tests cover that day boundary.
}
