//! ケアプラン and LIFE over the API, over real TLS: the care manager registers a generated month
//! as V4 files and as V5 JSON, a service office reads only what reached it and sends LIFE
//! feedback, the person answers a draft, municipal staff need a purpose for one person's plans
//! (and the read is in the person's history), and the municipal aggregates answer with small
//! cells suppressed.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::support::{add_office, code, insured, Fixture, INSURER};
use kiban_domain::careplan::YearMonth;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_interchange::careplan::{parse_file_name, read_unit, to_v5, UnitKind};
use kiban_interchange::generate::careplan::{month, CarePlanSpec, GeneratedMonth, GeneratedUnit};
use kiban_testkit::careplan::relate_pairs;

fn generated() -> GeneratedMonth {
    month(&CarePlanSpec {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        persons: 3,
        insured: (1..=3)
            .map(|n| InsuredNumber::parse(&insured(n)).unwrap())
            .collect(),
        month: YearMonth::parse("202609").unwrap(),
        care_offices: 1,
        service_offices: 5,
        seed: 11,
        created: "20260901090000".into(),
        deletions: false,
    })
}

fn files_json(unit: &GeneratedUnit) -> Vec<Value> {
    unit.files
        .iter()
        .map(|(name, bytes)| json!({ "name": name, "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes) }))
        .collect()
}

/// Registers every office of the month with a staff account, and every relationship.
fn setup(fx: &mut Fixture, g: &GeneratedMonth) {
    for (i, o) in g.offices.iter().enumerate() {
        let care = g.persons.iter().any(|p| p.care_office == o.number);
        let kind = if care {
            "home_care_support"
        } else {
            "home_service"
        };
        add_office(fx, &o.number.to_string(), &o.name, kind, &[o.kind.code()]);
        fx.add_staff(&format!("s{i}"), "office_staff", &o.number.to_string());
    }
    fx.add_staff("city1", "municipal_staff", INSURER);
    let relations = g.relations();
    let at = crate::support::now_ms() - 86_400_000;
    fx.db(|s| relate_pairs(s, &relations, &["care_plan", "life"], "20260401", at).unwrap());
}

fn staff_of(g: &GeneratedMonth, office: kiban_domain::ids::OfficeNumber) -> String {
    format!(
        "s{}",
        g.offices.iter().position(|o| o.number == office).unwrap()
    )
}

async fn municipal_get(
    fx: &Fixture,
    client: &reqwest::Client,
    token: &str,
    path: &str,
    purpose: Option<&str>,
) -> (u16, Value) {
    let mut request = client.get(fx.url(path)).bearer_auth(token);
    if let Some(p) = purpose {
        request = request.header("X-Kiban-Purpose", p);
    }
    crate::support::answer(request.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn care_plans_travel_through_the_api_under_the_policy() {
    let mut fx = Fixture::sqlite().await;
    let g = generated();
    setup(&mut fx, &g);
    let care_office = g.persons[0].care_office;
    let cm_client = fx.client(Some(&fx.cert(&care_office.to_string())));
    let cm = fx.login(&cm_client, &staff_of(&g, care_office)).await;

    // The plan unit sent to the first person's first service office, as V4 files: 交付用登録.
    let first_office = g.persons[0].service_offices[0];
    let plan = g
        .units
        .iter()
        .find(|u| {
            u.kind == UnitKind::Plan
                && kiban_interchange::careplan::parse_file_name(&u.files[0].0)
                    .is_ok_and(|n| n.receiver == first_office && n.sender == care_office)
        })
        .unwrap();
    let in_plan = read_unit(&plan.files).unwrap().persons.len();
    assert!(in_plan >= 1);
    let body = json!({ "registration": "issue", "files": files_json(plan) });
    let (status, report) = fx
        .post(&cm_client, "/api/v1/careplans/v4", Some(&cm), &body)
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["data"]["persons_registered"], in_plan, "{report}");
    // The 利用票 units as V5 JSON.
    for unit in g.units.iter().filter(|u| u.kind == UnitKind::ServiceUse) {
        let documents = to_v5(&read_unit(&unit.files).unwrap());
        let body = json!({ "registration": "issue", "documents": documents });
        let (_, report) = fx
            .post(&cm_client, "/api/v1/careplans/v5", Some(&cm), &body)
            .await;
        assert_eq!(report["data"]["persons_refused"], 0, "{report}");
    }
    // A file with a wrong name is reported, not registered.
    let bad = json!({ "registration": "issue", "files": [{ "name": "UP1KYO_1_x.CSV", "content_base64": "" }] });
    let (_, report) = fx
        .post(&cm_client, "/api/v1/careplans/v4", Some(&cm), &bad)
        .await;
    assert_eq!(
        report["data"]["issues"][0]["code"], "FILE_REFUSED",
        "{report}"
    );
    assert_eq!(report["data"]["persons_registered"], 0);

    // A service office reads the plan that names it and only its own 利用票.
    let p = &g.persons[0];
    let service = p.service_offices[0];
    let so_client = fx.client(Some(&fx.cert(&service.to_string())));
    let so = fx.login(&so_client, &staff_of(&g, service)).await;
    let folder_path = format!("/api/v1/persons/{INSURER}/{}/careplans", p.person.insured);
    let (_, folder) = fx.get(&so_client, &folder_path, Some(&so)).await;
    assert_eq!(
        folder["data"]["plans"].as_array().unwrap().len(),
        1,
        "{folder}"
    );
    let uses = folder["data"]["service_uses"].as_array().unwrap();
    assert!(
        !uses.is_empty() && uses.iter().all(|u| u["to_office"] == service.to_string()),
        "{folder}"
    );
    let (_, inbox) = fx
        .get(&so_client, "/api/v1/careplans/inbox", Some(&so))
        .await;
    assert!(
        inbox["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] == "service_use"),
        "{inbox}"
    );

    // LIFE: checked, stored, read by the person.
    let life_path = format!("/api/v1/persons/{INSURER}/{}/life", p.person.insured);
    let sheet = json!({ "period": "202609", "office": service.to_string(), "service_kind": "11",
        "measures": [{ "domain": "adl", "item": "barthel_total", "label": "Barthel Index 合計", "value": "70", "unit": "点" }] });
    let (_, stored) = fx.post(&so_client, &life_path, Some(&so), &sheet).await;
    assert_eq!(stored["data"]["result"], "stored", "{stored}");
    let mut broken = sheet.clone();
    broken["measures"][0]["value"] = "七十".into();
    let (_, invalid) = fx.post(&so_client, &life_path, Some(&so), &broken).await;
    assert_eq!(
        invalid["data"]["problems"][0]["path"], "measures[0].value",
        "{invalid}"
    );

    // 同意・確認用登録: the person answers the draft.
    let body = json!({ "registration": "confirm", "files": files_json(plan) });
    fx.post(&cm_client, "/api/v1/careplans/v4", Some(&cm), &body)
        .await;
    let n = 1;
    let card = fx.card_for(n);
    let citizen = fx.citizen_login(&card).await;
    let me = fx.client(None);
    let (_, mine) = fx.get(&me, "/api/v1/me/careplans", Some(&citizen)).await;
    let draft = &mine["data"]["plans"][0];
    assert_eq!(draft["status"], "draft", "{mine}");
    let answer = format!("/api/v1/me/careplans/{}/answer", draft["id"]);
    let (_, answered) = fx
        .post(
            &me,
            &answer,
            Some(&citizen),
            &json!({ "decision": "confirm" }),
        )
        .await;
    assert_eq!(answered["data"]["status"], "confirmed", "{answered}");
    let (_, again) = fx
        .post(
            &me,
            &answer,
            Some(&citizen),
            &json!({ "decision": "confirm" }),
        )
        .await;
    assert_eq!(code(&again), "NOT_AWAITING_ANSWER");
    let (_, life) = fx.get(&me, "/api/v1/me/life", Some(&citizen)).await;
    assert_eq!(
        life["data"][0]["sheet"]["measures"][0]["value"], "70",
        "{life}"
    );

    // Municipal staff: one person's plans only with a stated purpose, and the person sees it.
    let city_client = fx.staff_client("city1");
    let city = fx.login(&city_client, "city1").await;
    let (status, refused) = municipal_get(&fx, &city_client, &city, &folder_path, None).await;
    assert_eq!((status, code(&refused)), (400, "PURPOSE_REQUIRED"));
    let (_, read) = municipal_get(&fx, &city_client, &city, &folder_path, Some("review")).await;
    assert_eq!(read["ok"], true, "{read}");
    let (_, history) = fx.get(&me, "/api/v1/me/history", Some(&citizen)).await;
    let municipal_read = history["data"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| {
            l["category"] == "ケアプラン"
                && l["action"] == "read"
                && l["who"].as_str().unwrap_or("").contains("保険者")
        });
    assert!(municipal_read, "{history}");

    // Aggregates: small cells suppressed (3 persons), refused under 認定事務.
    let (_, stats) = municipal_get(
        &fx,
        &city_client,
        &city,
        "/api/v1/municipal/careplans/statistics?month=202609",
        Some("review"),
    )
    .await;
    let cells = stats["data"]["table"]["cells"].as_array().unwrap();
    assert!(
        cells
            .iter()
            .flat_map(|r| r.as_array().unwrap())
            .all(Value::is_null),
        "{stats}"
    );
    let (_, report) = municipal_get(
        &fx,
        &city_client,
        &city,
        "/api/v1/municipal/careplans/concentration?period=2026-2",
        Some("review"),
    )
    .await;
    assert_eq!(
        report["data"]["offices"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    assert_eq!(report["data"]["filing_deadline"], "20270315");
    let (_, refused) = municipal_get(
        &fx,
        &city_client,
        &city,
        "/api/v1/municipal/careplans/caseload?month=202609",
        Some("certification_affairs"),
    )
    .await;
    assert_eq!(code(&refused), "CATEGORY_NOT_PERMITTED_FOR_PURPOSE");
    let staffing =
        json!({ "office": care_office.to_string(), "month": "202609", "care_managers": 1.0 });
    let filed = city_client
        .post(fx.url("/api/v1/municipal/careplans/staffing"))
        .bearer_auth(&city)
        .header("X-Kiban-Purpose", "review")
        .json(&staffing)
        .send()
        .await
        .unwrap();
    assert_eq!(crate::support::answer(filed).await.1["data"]["filed"], true);
    let (_, load) = municipal_get(
        &fx,
        &city_client,
        &city,
        "/api/v1/municipal/careplans/caseload?month=202609",
        Some("review"),
    )
    .await;
    assert_eq!(
        load["data"]["offices"][0]["caseload"]["limit"], 44,
        "{load}"
    );
    assert_eq!(
        parse_file_name(&plan.files[0].0).unwrap().sender,
        care_office
    );
}
