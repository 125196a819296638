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
    fx.enrol_with_card(&office, &token, &card, 1).await;
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

/// The codes the OpenAPI document lists for `ErrorBody.code`.
fn documented_codes(doc: &serde_json::Value) -> Vec<String> {
    doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// (status, content type, Allow header, body) of an answer that must be the API's JSON error.
async fn error_answer(
    response: reqwest::Response,
    what: &str,
    codes: &[String],
) -> (u16, String, String) {
    let status = response.status().as_u16();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (content_type, allow) = (
        header(reqwest::header::CONTENT_TYPE),
        header(reqwest::header::ALLOW),
    );
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {status} {content_type} {text}"
    );
    let body: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
    assert_eq!(body["ok"], false, "{what}: {body}");
    let code = code(&body).to_string();
    assert!(
        codes.contains(&code),
        "{what}: {code} is not in the OpenAPI enum"
    );
    assert!(
        body["error"]["message_ja"].is_string() && body["error"]["message_en"].is_string(),
        "{what}"
    );
    (status, code, allow)
}

/// The finding: a path parameter that is not a number or not UTF-8 answered text/plain without
/// a code, and TRACE answered 404. Every route of the table, with each parameter malformed
/// (with and without credentials of the route's kind) and with methods it does not take,
/// answers the JSON error body with a documented code: 400 INVALID_PATH_PARAMETER, 405 with an
/// Allow header naming the route's methods.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_malformed_parameters_and_wrong_methods_in_json() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.card_for(1);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let staff = fx.login(&office, "cm1").await;
    let citizen = fx.citizen_login(&card).await;
    let (_, doc) = fx.get(&office, "/api/v1/openapi.json", None).await;
    let codes = documented_codes(&doc);
    let mut methods_of: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (method, path) in kiban_http::routes::ROUTES {
        methods_of.entry(path).or_default().push(method);
    }
    let mut malformed_checked = 0;
    for (method, path) in kiban_http::routes::ROUTES {
        let security = doc["paths"][path][method]["security"].to_string();
        let token = if security.contains("citizenBearer") {
            Some(citizen.as_str())
        } else if security.contains("staffBearer") {
            Some(staff.as_str())
        } else {
            None
        };
        let params: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for param in &params {
            let bad_values: &[&str] = if *param == "id" {
                &["1%20OR%201=1", "%FF", "abc", "99999999999999999999999"]
            } else {
                &["%FF%FE"]
            };
            for bad in bad_values {
                let concrete = params.iter().fold(path.to_string(), |p, name| {
                    let value = if name == param {
                        bad
                    } else {
                        match *name {
                            "insurer" => "131011",
                            "insured" => "0000100001",
                            "office" => OFFICE,
                            _ => "1",
                        }
                    };
                    p.replace(&format!("{{{name}}}"), value)
                });
                for with_token in [false, true] {
                    let mut request = match *method {
                        "get" => office.get(fx.url(&concrete)),
                        _ => office.post(fx.url(&concrete)).json(&json!({})),
                    };
                    if let (true, Some(token)) = (with_token, token) {
                        request = request.bearer_auth(token);
                    }
                    let what = format!("{method} {concrete} (token: {with_token})");
                    let (status, code, _) =
                        error_answer(request.send().await.unwrap(), &what, &codes).await;
                    if with_token && token.is_some() {
                        assert_eq!(
                            (status, code.as_str()),
                            (400, "INVALID_PATH_PARAMETER"),
                            "{what}"
                        );
                        malformed_checked += 1;
                    } else if token.is_some() {
                        assert_eq!(status, 401, "{what}");
                    }
                }
            }
        }
        // Methods the path does not take, TRACE among them.
        let concrete = path
            .replace("{insurer}", "131011")
            .replace("{insured}", "0000100001")
            .replace("{office}", OFFICE)
            .replace("{id}", "1");
        let takes = &methods_of[path];
        for other in ["TRACE", "PUT", "DELETE", "PATCH", "POST", "GET"] {
            if takes.contains(&other.to_lowercase().as_str()) {
                continue;
            }
            let request = office
                .request(
                    reqwest::Method::from_bytes(other.as_bytes()).unwrap(),
                    fx.url(&concrete),
                )
                .bearer_auth(&staff);
            let what = format!("{other} {concrete}");
            let (status, code, allow) =
                error_answer(request.send().await.unwrap(), &what, &codes).await;
            assert_eq!(
                (status, code.as_str()),
                (405, "METHOD_NOT_ALLOWED"),
                "{what}"
            );
            for m in takes {
                assert!(allow.contains(&m.to_uppercase()), "{what}: Allow: {allow}");
            }
        }
    }
    assert!(
        malformed_checked >= 20,
        "{malformed_checked} malformed parameters checked"
    );
    // Malformed query strings and credentials, unknown routes.
    for (path, token, expected) in [
        (
            "/api/v1/me/history?limit=abc",
            Some(citizen.as_str()),
            (400, "INVALID_PARAMETER"),
        ),
        (
            "/api/v1/careplans/inbox?limit=1%20OR%201",
            Some(staff.as_str()),
            (400, "INVALID_PARAMETER"),
        ),
        (
            "/api/v1/me/history",
            Some("\u{ff}"),
            (401, "UNAUTHENTICATED"),
        ),
        ("/api/v1/nothing/here", None, (404, "NOT_FOUND")),
        (
            "/api/v1/persons/131011/0000100001/nothing",
            None,
            (404, "NOT_FOUND"),
        ),
    ] {
        let mut request = office.get(fx.url(path));
        if let Some(token) = token {
            // Latin-1 bytes as they come off the wire (not UTF-8).
            let bytes: Vec<u8> = format!("Bearer {token}").chars().map(|c| c as u8).collect();
            let value = reqwest::header::HeaderValue::from_bytes(&bytes).unwrap();
            request = request.header("authorization", value);
        }
        let (status, code, _) = error_answer(request.send().await.unwrap(), path, &codes).await;
        assert_eq!((status, code.as_str()), expected, "{path}");
    }
}
