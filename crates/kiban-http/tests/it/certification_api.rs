//! 要介護認定 over the API, over real TLS: the 保険者 files and records each step (purpose
//! 認定事務), the hospital's physician submits the signed opinion over the hospital's client
//! certificate, the decision writes the next card, the registered care manager's office receives
//! the notice on its event stream (no personal data in it) and reads the progress, another
//! office is refused, and the person sees the result.

use serde_json::{json, Value};

use crate::medical_pages::{hospital_with_staff, HOSPITAL};
use crate::support::{code, insured, Fixture, INSURER, OFFICE, OTHER_OFFICE};
use kiban_app::access::Caller;
use kiban_crypto::{PhysicianId, Pin, Validity};
use kiban_domain::access::{
    Actor, ConsentCategory, ConsentMethod, Job, OfficeKind, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::codes::CareLevel;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_testkit::certification as samples;

const APPS: &str = "/api/v1/certification/applications";

/// A municipal request with the purpose 認定事務.
async fn municipal(
    fx: &Fixture,
    client: &reqwest::Client,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let request = match &body {
        Some(b) => client.post(fx.url(path)).json(b),
        None => client.get(fx.url(path)),
    };
    let response = request
        .bearer_auth(token)
        .header("X-Kiban-Purpose", "certification_affairs")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::answer(response).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

pub(crate) fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        insured: InsuredNumber::parse(&insured(n)).unwrap(),
    }
}

/// The care manager's contract without 要介護認定情報: the application consent brings it.
pub(crate) fn contract(fx: &mut Fixture, n: u64) {
    let caller = Caller {
        actor: Actor::OfficeStaff {
            office: OfficeNumber::parse(OFFICE).unwrap(),
            kind: OfficeKind::HomeCareSupport,
            job: Job::CareManager,
        },
        account: "cm1".into(),
    };
    let paper = ConsentMethod::Paper {
        reason: PaperReason::NoCard,
        witness: "cm1".into(),
    };
    let at = Timestamp::from_millis(crate::support::now_ms());
    let out = [ConsentCategory::Certification];
    fx.conn(|s| {
        kiban_app::qualification::enrol(s, &caller, person(n), &paper, &out, None, at).unwrap()
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_runs_to_a_decision_that_the_care_manager_is_told_about() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("city1", "municipal_staff", INSURER);
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("cm2", "office_staff", OTHER_OFFICE);
    hospital_with_staff(&mut fx, "dr1");
    contract(&mut fx, 1);
    let lgwan = fx.staff_client("city1");
    let city = fx.login(&lgwan, "city1").await;
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let cm = fx.login(&office, "cm1").await;
    let other = fx.client(Some(&fx.cert(OTHER_OFFICE)));
    let cm2 = fx.login(&other, "cm2").await;
    let hospital = fx.client(Some(&fx.hospital_cert(HOSPITAL)));
    let dr = fx.login(&hospital, "dr1").await;

    // The office listens before anything happens.
    let listener = fx.client_with(Some(&fx.cert(OFFICE)), None);
    let mut stream = listener
        .get(fx.url("/api/v1/certification/events"))
        .bearer_auth(&cm)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));

    let today = Timestamp::from_millis(crate::support::now_ms()).jst_date();
    let filed = municipal(
        &fx,
        &lgwan,
        &city,
        APPS,
        Some(json!({
        "insurer": INSURER, "insured": insured(1), "kind": "new", "applicant": "office",
        "proxy_office": OFFICE, "applied_on": today.yyyymmdd(), "share_with_care_manager": true,
        "care_plan_office": OFFICE, "care_plan_office_name": "さくら居宅介護支援事業所" })),
    )
    .await;
    assert_eq!(filed["ok"], true, "{filed}");
    let id = filed["data"]["id"].as_i64().unwrap();
    let app = format!("{APPS}/{id}");

    for step in [
        json!({ "step": "request_survey" }),
        json!({ "step": "request_opinion", "institution": HOSPITAL }),
    ] {
        let done = municipal(&fx, &lgwan, &city, &format!("{app}/steps"), Some(step)).await;
        assert_eq!(done["ok"], true, "{done}");
    }
    let survey = serde_json::to_value(samples::survey(today)).unwrap();
    let done = municipal(&fx, &lgwan, &city, &format!("{app}/survey"), Some(survey)).await;
    assert_eq!(done["data"]["status"], "survey_done", "{done}");

    let issued = fx
        .physicians
        .issue(
            MedicalInstitutionCode::parse(HOSPITAL).unwrap(),
            &PhysicianId::parse("123456").unwrap(),
            &Pin::parse("1234").unwrap(),
            Validity::days_from(crate::support::now(), 30),
        )
        .unwrap();
    let signature = issued
        .file
        .sign(&Pin::parse("1234").unwrap(), samples::OPINION.as_bytes())
        .unwrap();
    let opinion = json!({ "body": samples::OPINION, "signature": signature });
    let (_, done) = fx
        .post(&hospital, &format!("{app}/opinion"), Some(&dr), &opinion)
        .await;
    assert_eq!(done["data"]["status"], "materials_complete", "{done}");
    // The same signature over another body: refused, nothing recorded.
    let forged =
        json!({ "body": samples::OPINION.replace("脳梗塞", "骨折"), "signature": signature });
    let (_, refused) = fx
        .post(&hospital, &format!("{app}/opinion"), Some(&dr), &forged)
        .await;
    assert_eq!(code(&refused), "OPINION_SIGNATURE_REJECTED", "{refused}");

    // Past opinions: the registered care manager reads them on the application consent;
    // the hospital writes under its 作成依頼 but reads only with the person's consent (matrix
    // cell CO); another office is refused.
    let (_, versions) = fx.get(&office, &format!("{app}/opinions"), Some(&cm)).await;
    assert_eq!(
        versions["data"].as_array().map(Vec::len),
        Some(1),
        "{versions}"
    );
    assert_eq!(versions["data"][0]["body"], samples::OPINION);
    let (_, refused) = fx
        .get(&hospital, &format!("{app}/opinions"), Some(&dr))
        .await;
    // A refusal on an application named by id answers as an unknown id (so ids cannot be
    // probed); the audit log keeps the policy's reason (CONSENT_MISSING, NOT_SERVING).
    let (_, unknown) = fx
        .get(
            &hospital,
            "/api/v1/certification/applications/999999/opinions",
            Some(&dr),
        )
        .await;
    assert_eq!(code(&refused), "APPLICATION_NOT_FOUND", "{refused}");
    assert_eq!(refused, unknown);
    let (_, refused) = fx.get(&other, &format!("{app}/opinions"), Some(&cm2)).await;
    assert_eq!(code(&refused), "APPLICATION_NOT_FOUND", "{refused}");
    let reasons: Vec<String> = fx.db(|s| {
        s.audit_for_person(
            crate::support::INSURER,
            &crate::support::insured(1),
            None,
            20,
        )
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.actor_id == "cm2" || e.entry.actor_id == "dr1")
        .map(|e| e.entry.reason)
        .collect()
    });
    assert!(
        reasons.iter().any(|r| r == "NOT_SERVING")
            && reasons.iter().any(|r| r == "CONSENT_MISSING"),
        "{reasons:?}"
    );
    let (_, documents) = fx.get(&office, &format!("{app}/survey"), Some(&cm)).await;
    assert_eq!(
        documents["data"]["survey"]["answers"]["2-3"], "1",
        "{documents}"
    );

    let judgment = serde_json::to_value(samples::primary_judgment()).unwrap();
    let done = municipal(
        &fx,
        &lgwan,
        &city,
        &format!("{app}/primary-judgment"),
        Some(judgment),
    )
    .await;
    assert_eq!(done["data"]["status"], "primary_judged", "{done}");
    let assign = json!({ "step": "assign_committee", "committee_on": today.yyyymmdd() });
    municipal(&fx, &lgwan, &city, &format!("{app}/steps"), Some(assign)).await;
    let result = serde_json::to_value(samples::committee_result(today, CareLevel::Care2)).unwrap();
    let decided = municipal(&fx, &lgwan, &city, &format!("{app}/decision"), Some(result)).await;
    assert_eq!(
        decided["data"]["application"]["status"], "certified",
        "{decided}"
    );
    assert!(
        decided["data"]["card_history"].as_i64().is_some(),
        "{decided}"
    );

    // The notices: one per change, the last one the decision; no personal data in any.
    let mut text = String::new();
    while !text.contains("\"certified\"") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.chunk())
            .await
            .expect("a notice arrives within 10 s")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("event: certification"), "{text}");
    assert!(text.contains(&format!("\"application_id\":{id}")), "{text}");
    assert!(
        !text.contains(&insured(1)),
        "no 被保険者番号 in the stream: {text}"
    );

    // The care manager reads the progress; another office is refused; the person sees it.
    let (_, seen) = fx.get(&office, &app, Some(&cm)).await;
    assert_eq!(seen["data"]["status"], "certified", "{seen}");
    let (_, refused) = fx.get(&other, &app, Some(&cm2)).await;
    let (_, unknown) = fx.get(&other, &format!("{APPS}/999999"), Some(&cm2)).await;
    assert_eq!(code(&refused), "APPLICATION_NOT_FOUND", "{refused}");
    assert_eq!(
        refused, unknown,
        "an id that exists answers as one that does not"
    );
    let card = fx.card_for(1);
    let me = fx.citizen_login(&card).await;
    let (_, mine) = fx
        .get(&fx.client(None), "/api/v1/me/applications", Some(&me))
        .await;
    assert_eq!(mine["data"][0]["status"], "certified", "{mine}");
    let (_, summary) = fx
        .get(
            &office,
            &format!("/api/v1/persons/{INSURER}/{}/qualification", insured(1)),
            Some(&cm),
        )
        .await;
    assert_eq!(
        summary["data"]["insured_card"]["body"]["body"]["certification"]["level"], "22",
        "{summary}"
    );

    // The decision closed the hospital's 作成依頼: its view of the person ended with it.
    let (_, closed) = fx
        .get(&hospital, &format!("{app}/opinions"), Some(&dr))
        .await;
    assert_eq!(code(&closed), "APPLICATION_NOT_FOUND", "{closed}");
    let last = fx.db(|s| {
        s.audit_for_person(INSURER, &insured(1), None, 1)
            .unwrap()
            .remove(0)
    });
    assert_eq!(
        (last.entry.actor_id.as_str(), last.entry.reason.as_str()),
        ("dr1", "NO_OPINION_REQUEST"),
        "the audit log keeps the policy's reason"
    );

    // Only offices have a stream.
    let (status, body) = fx
        .get(&lgwan, "/api/v1/certification/events", Some(&city))
        .await;
    assert_eq!((status, code(&body)), (400, "PURPOSE_REQUIRED"), "{body}");
}
