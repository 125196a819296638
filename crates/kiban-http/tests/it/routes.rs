//! The router as a whole: every route of the table exists, unknown routes answer in the API's
//! envelope, the OpenAPI document is served, and one end-to-end flow runs on PostgreSQL.

use crate::support::{code, Fixture, OFFICE};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_exists_and_the_openapi_document_lists_it() {
    let fx = Fixture::sqlite().await;
    let client = fx.client(None);
    for (method, path) in kiban_http::routes::ROUTES {
        let concrete = path
            .replace("{insurer}", "131011")
            .replace("{insured}", "0000100001")
            .replace("{id}", "1");
        let (status, body) = match *method {
            "get" => fx.get(&client, &concrete, None).await,
            _ => fx.post(&client, &concrete, None, &json!({})).await,
        };
        assert_ne!(
            code(&body),
            "NOT_FOUND",
            "{method} {path} is routed ({status})"
        );
    }
    let (status, doc) = fx.get(&client, "/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for (method, path) in kiban_http::routes::ROUTES {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let (status, body) = fx.get(&client, "/api/v1/nothing", None).await;
    assert_eq!((status, code(&body)), (404, "NOT_FOUND"));
    assert_eq!(body["ok"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_enrol_and_read_on_postgres() {
    let mut fx = Fixture::postgres().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.card_for(1);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    let read = "/api/v1/persons/131011/0000100001/qualification";
    let (_, body) = fx.get(&office, read, Some(&token)).await;
    assert_eq!(code(&body), "NOT_SERVING");
    let (challenge_id, signature) = fx.card_sign(&office, &card).await;
    let request = json!({ "identity": { "method": "card", "challenge_id": challenge_id, "signature": signature } });
    let (_, body) = fx
        .post(
            &office,
            "/api/v1/persons/131011/0000100001/enrolment",
            Some(&token),
            &request,
        )
        .await;
    assert_eq!(body["ok"], true, "{body}");
    let (_, body) = fx.get(&office, read, Some(&token)).await;
    assert_eq!(body["ok"], true, "{body}");
    let citizen = fx.citizen_login(&card).await;
    let (_, body) = fx
        .get(&fx.client(None), "/api/v1/me/history", Some(&citizen))
        .await;
    let reasons: Vec<&str> = body["data"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["SELF", "CONSENTED", "IDENTITY_VERIFIED", "NOT_SERVING"],
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_stops_when_shutdown_completes() {
    let db = kiban_testkit::TestDb::sqlite();
    let ca = kiban_crypto::CertificateAuthority::init("ca", crate::support::now()).unwrap();
    let cards =
        kiban_crypto::CardAuthority::init_development("cards", crate::support::now()).unwrap();
    let server = ca
        .issue_server(
            &["localhost"],
            kiban_crypto::Validity::days_from(crate::support::now(), 1),
        )
        .unwrap();
    let config = kiban_http::ServerConfig::new(
        kiban_http::StoreSource::Url(db.url.clone()),
        server.cert_pem.clone(),
        server.key_pem.to_string(),
        ca.anchor().clone(),
        cards.trust_root().clone(),
    );
    assert!(
        !format!("{config:?}").contains("PRIVATE KEY"),
        "the key is redacted"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(kiban_http::serve(listener, config, async {
        let _ = rx.await;
    }));
    tx.send(()).unwrap();
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(5), running).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "serve returns Ok after shutdown"
    );

    let bad = kiban_http::ServerConfig::new(
        kiban_http::StoreSource::Url(db.url.clone()),
        "not a certificate".into(),
        String::new(),
        ca.anchor().clone(),
        cards.trust_root().clone(),
    );
    assert!(matches!(
        kiban_http::Server::new(bad).await,
        Err(kiban_http::ServeError::Tls(_))
    ));
}
