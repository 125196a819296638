//! Failed card logins over HTTP: a replayed challenge and a revoked card each leave a deny
//! event that the card's person sees in their access history, on both engines.

use crate::support::{code, now, Fixture};
use kiban_crypto::{RevocationList, RevocationReason};
use serde_json::{json, Value};

async fn failed_logins_show_in_the_persons_history(fx: Fixture) {
    // A lost card, and the replacement the municipality links to the same person.
    let mut fx = fx;
    let lost = fx.card_for(4);
    let new = fx.card_for(4);
    let client = fx.client(None);

    // Someone captured a login and sends it again.
    let (challenge_id, signature) = fx.card_sign(&client, &lost).await;
    let login = json!({ "challenge_id": challenge_id, "signature": signature });
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &login).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &login).await;
    assert_eq!((status, code(&body)), (401, "CHALLENGE_REJECTED"), "{body}");

    // The card is reported lost and revoked; someone still tries it.
    let mut crl = RevocationList::new();
    crl.revoke(
        lost.link.serial.clone(),
        RevocationReason::KeyCompromise,
        now(),
    );
    fx.state.set_card_revocations(crl);
    let (challenge_id, signature) = fx.card_sign(&client, &lost).await;
    let login = json!({ "challenge_id": challenge_id, "signature": signature });
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &login).await;
    assert_eq!((status, code(&body)), (401, "CARD_REJECTED"), "{body}");
    let detail = body.to_string();
    assert!(!detail.contains("BEGIN CERTIFICATE"), "{detail}");

    let token = fx.citizen_login(&new).await;
    let (status, body) = fx
        .get(&client, "/api/v1/me/history?limit=10", Some(&token))
        .await;
    assert_eq!(status, 200, "{body}");
    let lines = body["data"]["lines"].as_array().unwrap();
    let field = |l: &Value, f: &str| l[f].clone();
    let seen: Vec<(Value, Value, Value)> = lines
        .iter()
        .map(|l| (field(l, "reason"), field(l, "allowed"), field(l, "who")))
        .collect();
    assert_eq!(
        seen,
        [
            (json!("SELF"), json!(true), json!("本人")),
            (json!("CARD_REVOKED"), json!(false), json!("本人")),
            (json!("CHALLENGE_REPLAYED"), json!(false), json!("本人")),
        ],
        "newest first: this view, the revoked card, the replay"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_card_logins_are_in_the_history_on_sqlite() {
    failed_logins_show_in_the_persons_history(Fixture::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_card_logins_are_in_the_history_on_postgres() {
    failed_logins_show_in_the_persons_history(Fixture::postgres().await).await;
}
