//! The OpenAPI document says what the server really takes (scripts/schemathesis checks it
//! with generated requests; these are the findings of those runs, kept as tests): a request
//! the document allows is not refused for its form, one it forbids is not taken.

use crate::support::{answer, code, insured, Fixture, INSURER, OFFICE};
use serde_json::{json, Value};

async fn document(fx: &Fixture) -> Value {
    let (status, doc) = fx.get(&fx.client(None), "/api/v1/openapi.json", None).await;
    assert_eq!(status, 200);
    doc
}

fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> Option<&'a Value> {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
}

/// The finding: `X-Kiban-Purpose: {}` was taken silently wherever the server did not need a
/// purpose (office staff, and routes such as staff/logout that read no header at all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purpose_header_naming_no_purpose_is_refused_for_every_staff_caller() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("city1", "municipal_staff", INSURER);
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    let read = format!("/api/v1/persons/{INSURER}/{}/qualification", insured(1));
    let with_purpose = |client: &reqwest::Client, token: &str, purpose: &str| {
        client
            .get(fx.url(&read))
            .bearer_auth(token)
            .header("X-Kiban-Purpose", purpose)
    };

    for bad in ["{}", "review ", "REVIEW", "x"] {
        let (status, body) = answer(with_purpose(&office, &token, bad).send().await.unwrap()).await;
        if bad == "review " {
            // Surrounding blanks are not part of a header's value (RFC 9110 §5.5).
            assert_eq!((status, body["ok"].as_bool()), (200, Some(false)), "{body}");
            assert_eq!(code(&body), "NOT_SERVING");
            continue;
        }
        assert_eq!(
            (status, code(&body)),
            (400, "PURPOSE_INVALID"),
            "{bad}: {body}"
        );
        assert!(body["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("X-Kiban-Purpose"));
    }
    // A valid purpose from office staff is not needed and does no harm.
    let (status, body) = answer(
        with_purpose(&office, &token, "review")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code(&body)), (200, "NOT_SERVING"), "{body}");
    let upload = office
        .post(fx.url("/api/v1/careplans/v4"))
        .bearer_auth(&token)
        .header("X-Kiban-Purpose", "{}")
        .json(&json!({ "registration": "issue", "files": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(&answer(upload).await.1), "PURPOSE_INVALID");

    // Municipal staff: a wrong purpose is told apart from a missing one.
    let lgwan = fx.staff_client("city1");
    let city = fx.login(&lgwan, "city1").await;
    let (status, body) = answer(
        with_purpose(&lgwan, &city, "snooping")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "PURPOSE_INVALID"), "{body}");
    let (status, body) = fx.get(&lgwan, &read, Some(&city)).await;
    assert_eq!((status, code(&body)), (400, "PURPOSE_REQUIRED"), "{body}");

    // Logout reads no purpose, so the document does not offer the header there.
    let doc = document(&fx).await;
    assert!(parameter(&doc, "post", "/api/v1/staff/logout", "X-Kiban-Purpose").is_none());
    let header = parameter(
        &doc,
        "get",
        "/api/v1/persons/{insurer}/{insured}/qualification",
        "X-Kiban-Purpose",
    )
    .expect("declared where it is read");
    assert!(header["schema"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("review")));
    let listed =
        doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"].to_string();
    assert!(listed.contains("\"PURPOSE_INVALID\""));
}

/// The finding: identifiers, dates and codes were plain strings in the document, so a
/// generated "" or "0" was schema-valid and yet answered 400 INVALID_PERSON / INVALID_PARAMETER.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_states_the_forms_the_server_parses() {
    let fx = Fixture::sqlite().await;
    let doc = document(&fx).await;
    let schemas = &doc["components"]["schemas"];
    let person = "/api/v1/persons/{insurer}/{insured}/qualification";
    assert_eq!(
        parameter(&doc, "get", person, "insurer").unwrap()["schema"]["pattern"],
        "^[0-9]{6}$"
    );
    assert_eq!(
        parameter(&doc, "get", person, "insured").unwrap()["schema"]["pattern"],
        "^[0-9]{10}$"
    );
    let confirm = parameter(&doc, "post", "/api/v1/persons/{insurer}/confirm", "insurer").unwrap();
    assert_eq!(confirm["schema"]["pattern"], "^[0-9]{6}$");

    let file = &schemas["FileApplication"]["properties"];
    assert_eq!(file["insurer"]["pattern"], "^[0-9]{6}$");
    assert_eq!(file["insured"]["pattern"], "^[0-9]{10}$");
    assert_eq!(file["care_plan_office"]["pattern"], "^[0-9]{10}$");
    assert_eq!(file["care_plan_office"]["type"], json!(["string", "null"]));
    let date = file["applied_on"]["pattern"].as_str().unwrap();
    assert!(
        date.starts_with('^') && date.ends_with('$') && date.contains("02-29"),
        "{date}"
    );
    for name in ["Exclusion", "Staffing"] {
        assert_eq!(
            schemas[name]["properties"]["office"]["pattern"], "^[0-9]{10}$",
            "{name}"
        );
    }
    assert!(schemas["Exclusion"]["properties"]["service_kind"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("43")));
    assert_eq!(
        schemas["Staffing"]["properties"]["care_managers"]["minimum"],
        0.01
    );
    assert!(
        schemas["CardSignature"]["properties"]["signature"]["pattern"]
            .as_str()
            .unwrap()
            .contains("[A-Za-z0-9_-]")
    );
    assert_eq!(schemas["StepRequest"]["oneOf"].as_array().unwrap().len(), 3);
    assert!(schemas["ConfirmRequest"]["anyOf"].is_array());
    // The V5 route reports a document of the wrong type in `issues` (V5_REFUSED) and registers
    // the others, so its items are any JSON value.
    assert_eq!(
        schemas["V5Registration"]["properties"]["documents"]["items"].get("type"),
        None
    );
    for (path, name) in [
        ("/api/v1/municipal/careplans/caseload", "month"),
        ("/api/v1/municipal/careplans/concentration", "period"),
        ("/api/v1/certification/overdue", "insurer"),
    ] {
        let p = parameter(&doc, "get", path, name).unwrap_or_else(|| panic!("{path} {name}"));
        assert_eq!(p["required"], true, "{path} {name}");
        assert!(p["schema"]["pattern"].is_string(), "{path} {name}");
    }
    let limit = parameter(&doc, "get", "/api/v1/me/history", "limit").unwrap();
    assert_eq!(
        (&limit["schema"]["minimum"], &limit["schema"]["maximum"]),
        (&json!(1), &json!(500))
    );
}

/// The finding's counterpart: a value the document allows is taken — card signatures in
/// unpadded base64url, a V5 document list of any JSON values, and nothing the document
/// refuses slips through (a staffing of 0.007 rounded up to 0.01 used to be filed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_the_document_refuses_are_refused_and_the_others_taken() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("city1", "municipal_staff", INSURER);
    let lgwan = fx.staff_client("city1");
    let city = fx.login(&lgwan, "city1").await;
    let staffing = |care_managers: f64| {
        lgwan
            .post(fx.url("/api/v1/municipal/careplans/staffing"))
            .bearer_auth(&city)
            .header("X-Kiban-Purpose", "review")
            .json(&json!({ "office": OFFICE, "month": "202609", "care_managers": care_managers }))
    };
    for refused in [0.0, 0.007, 1000.004, -1.0] {
        let (status, body) = answer(staffing(refused).send().await.unwrap()).await;
        assert_eq!(
            (status, code(&body)),
            (400, "INVALID_PARAMETER"),
            "{refused}: {body}"
        );
        assert_eq!(body["error"]["detail"], "care_managers");
    }
    for taken in [0.01, 2.5, 1000.0] {
        let (status, body) = answer(staffing(taken).send().await.unwrap()).await;
        assert_eq!(status, 200, "{taken}: {body}");
        assert_ne!(code(&body), "INVALID_PARAMETER");
    }

    // JSON has one number type: 1.0 is the integer 1 (as JSON Schema counts it), 1.5 is not.
    let exclusion = |reason: Value, months: Value| {
        lgwan
            .post(fx.url("/api/v1/municipal/careplans/concentration/exclusions"))
            .bearer_auth(&city)
            .header("X-Kiban-Purpose", "review")
            .json(
                &json!({ "office": OFFICE, "period": "2026-1", "service_kind": "11",
                "reason": reason, "excluded_plan_months": months }),
            )
    };
    let (status, body) = answer(exclusion(json!(1.0), json!(3.0)).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    for (reason, months) in [
        (json!(1.5), json!(3)),
        (json!(1), json!(-3.0)),
        (json!(1), json!(2.5)),
    ] {
        let (status, body) = answer(exclusion(reason, months).send().await.unwrap()).await;
        assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");
    }

    // A schema-valid card signature (canonical base64url, not a signature of anything) gets
    // past the body's form to the card check.
    let client = fx.client(None);
    let login = json!({ "challenge_id": "", "signature": { "cert_pem": "", "signature": "AA" } });
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &login).await;
    assert_eq!(status, 401, "{body}");
    assert_ne!(code(&body), "BAD_REQUEST");
    let bad = json!({ "challenge_id": "", "signature": { "cert_pem": "", "signature": "2s|5" } });
    let (status, body) = fx.post(&client, "/api/v1/card/login", None, &bad).await;
    assert_eq!((status, code(&body)), (400, "BAD_REQUEST"), "{body}");

    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    let v5 = json!({ "registration": "issue", "documents": [[null, null], 1, "x"] });
    let (status, body) = fx
        .post(&office, "/api/v1/careplans/v5", Some(&token), &v5)
        .await;
    assert_eq!(status, 200, "{body}");
    // Reported, with the JSON path of the first wrong document, and nothing registered.
    let issue = &body["data"]["issues"][0];
    assert_eq!(
        (
            issue["code"].as_str(),
            body["data"]["documents_registered"].as_i64()
        ),
        (Some("V5_REFUSED"), Some(0)),
        "{body}"
    );
    assert!(
        issue["message_en"].as_str().unwrap().starts_with("$[0]"),
        "{body}"
    );
}
