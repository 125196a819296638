//! The 要介護認定 pages over the real TLS server, with a browser without JavaScript: the person
//! sees their applications and each step; the care manager named in the 計画作成依頼届出 sees
//! the application on /office/applications and its progress, another office neither; the
//! municipal survey form marks a missing answer next to its item and stores nothing, then
//! records a complete survey (status 調査完了); the overdue list names an application past its
//! due day. Applications are filed and steps recorded through `kiban_app`, as the API does.

use kiban_app::access::{Caller, Outcome};
use kiban_app::certification::{self as cert, NewApplication, Step};
use kiban_domain::access::{Actor, Purpose, Timestamp};
use kiban_domain::certification::{Applicant, ApplicationKind, ITEMS};
use kiban_domain::date::{wareki, Date};
use kiban_domain::ids::{InsurerNumber, OfficeNumber};

use crate::certification_api::{contract, person};
use crate::page_browser::{citizen_login, Answer, Browser};
use crate::support::{insured, now_ms, Fixture, INSURER, OFFICE, OTHER_OFFICE, PASSWORD};

fn at() -> Timestamp {
    Timestamp::from_millis(now_ms())
}

fn today() -> Date {
    at().jst_date()
}

/// The 保険者's own caller under 認定事務 (the filing side is not what these tests are about).
fn city() -> Caller {
    Caller {
        actor: Actor::MunicipalStaff {
            insurer: InsurerNumber::parse(INSURER).unwrap(),
            purpose: Purpose::CertificationAffairs,
        },
        account: "city0".into(),
    }
}

/// Files a 新規 application of person `n` received on `applied_on`; with `care_manager`, the
/// 計画作成依頼届出 names [`OFFICE`] and the person agrees to share with it (申請時同意).
fn file(fx: &mut Fixture, n: u64, applied_on: Date, care_manager: bool) -> i64 {
    let new = NewApplication {
        person: person(n),
        kind: ApplicationKind::New,
        applicant: Applicant::Person,
        proxy_office: None,
        applied_on,
        share_with_care_manager: care_manager,
        care_plan_office: care_manager.then(|| {
            (
                OfficeNumber::parse(OFFICE).unwrap(),
                "さくら居宅介護支援事業所".to_string(),
            )
        }),
    };
    match fx.conn(|s| cert::file(s, &city(), new, at()).unwrap()) {
        Outcome::Allowed(view) => view.id,
        Outcome::Denied(d) => panic!("filing refused: {}", d.reason),
    }
}

fn request_survey(fx: &mut Fixture, id: i64) {
    let done = fx.conn(|s| cert::record_step(s, &city(), id, Step::RequestSurvey, at()).unwrap());
    assert!(matches!(done, Outcome::Allowed(_)));
}

/// Logs in through a login page (`/municipal/login` or `/office/login`).
async fn staff_login(fx: &Fixture, browser: &mut Browser, path: &str, staff_id: &str) {
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let totp = fx.totp_code();
    let form = [
        ("csrf", csrf.as_str()),
        ("staff_id", staff_id),
        ("password", PASSWORD),
        ("totp", totp.as_str()),
    ];
    let done = browser.post(path, &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_person_sees_their_application_and_its_steps() {
    let mut fx = Fixture::sqlite().await;
    let id = file(&mut fx, 1, today(), false);
    request_survey(&mut fx, id);

    let mut browser = citizen_login(&mut fx, 1).await;
    let home = browser.get("/me").await;
    assert!(home
        .body
        .contains(r#"<a href="/me/applications">要介護認定の申請</a>"#));
    let page = browser.get("/me/applications").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        format!("申請番号 {id}（新規）"),
        format!("<td>{}</td>", wareki::format_kanji(today())),
        format!("<td>{}</td>", wareki::format_kanji(today().add_days(30))),
        "<td>調査・意見書依頼済</td>".to_string(),
        "申請受付（このあとの状況：申請受付）".to_string(),
        "認定調査依頼（このあとの状況：調査・意見書依頼済）".to_string(),
    ] {
        assert!(page.body.contains(&text), "{text}: {}", page.body);
    }
    // Another person's applications are not theirs to see.
    let other = file(&mut fx, 2, today(), false);
    let page = browser.get("/me/applications").await;
    assert!(!page.body.contains(&format!("申請番号 {other}（")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_care_manager_follows_the_application_and_another_office_is_refused() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    fx.add_staff("cm2", "office_staff", OTHER_OFFICE);
    contract(&mut fx, 1);
    let id = file(&mut fx, 1, today(), true);
    request_survey(&mut fx, id);
    let link = format!(r#"<a href="/office/applications/{id}">"#);

    let mut cm = Browser::new(&fx, Some(OFFICE));
    staff_login(&fx, &mut cm, "/office/login", "cm1").await;
    let home = cm.get("/office").await;
    assert!(home.body.contains(r#"<a href="/office/applications">"#));
    let unlisted = audited_reads(&mut fx, "cm1");
    let list = cm.get("/office/applications").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&link), "{}", list.body);
    assert!(list.body.contains(&insured(1)) && list.body.contains("<td>調査・意見書依頼済</td>"));
    let before = audited_reads(&mut fx, "cm1");
    assert_eq!(
        before,
        unlisted + 1,
        "listing the person is a read, audited"
    );
    let progress = cm.get(&format!("/office/applications/{id}")).await;
    assert_eq!(progress.status, 200, "{}", progress.body);
    assert!(
        progress
            .body
            .contains("認定調査依頼（このあとの状況：調査・意見書依頼済）"),
        "{}",
        progress.body
    );
    assert_eq!(
        audited_reads(&mut fx, "cm1"),
        before + 1,
        "the view is audited"
    );

    let mut cm2 = Browser::new(&fx, Some(OTHER_OFFICE));
    staff_login(&fx, &mut cm2, "/office/login", "cm2").await;
    let list = cm2.get("/office/applications").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(!list.body.contains(&link), "{}", list.body);
    assert!(list.body.contains("該当する申請はありません。"));
    let refused = cm2.get(&format!("/office/applications/{id}")).await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert!(
        refused.body.contains("この申請の進捗は表示できません")
            && refused.body.contains("理由コード：APPLICATION_NOT_FOUND"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains(&insured(1)), "{}", refused.body);
    let audit = fx.db(|s| s.audit_for_person(INSURER, &insured(1), None, 100).unwrap());
    assert!(
        audit
            .iter()
            .any(|e| e.entry.actor_id == "cm2" && e.entry.decision.code() != "allow"),
        "the refusal is audited"
    );
}

fn audited_reads(fx: &mut Fixture, actor: &str) -> usize {
    fx.db(|s| s.audit_for_person(INSURER, &insured(1), None, 100).unwrap())
        .iter()
        .filter(|e| e.entry.actor_id == actor && e.entry.action == "read")
        .count()
}

/// A filled survey form: every item answered "1" except `skip`, with a 特記事項 for 第2群.
fn survey_form(csrf: &str, skip: Option<&str>) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf),
        ("purpose", "certification_affairs"),
        ("surveyed_on", &today().yyyymmdd()),
        ("surveyor_name", "調査 一郎"),
        ("affiliation", "千代田区"),
        ("place_kind", "at_home"),
        ("place_detail", ""),
        ("environment", "独居（合成データ）"),
        ("physical", "A1"),
        ("dementia", "IIa"),
        ("n_2", "むせることがある"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for item in ITEMS {
        let answer = if Some(item.code) == skip { "" } else { "1" };
        form.push((format!("q_{}", item.code), answer.to_string()));
    }
    form
}

async fn post_pairs(browser: &mut Browser, path: &str, form: &[(String, String)]) -> Answer {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    browser.post(path, &pairs).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_form_marks_a_missing_answer_and_records_a_complete_survey() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("city1", "municipal_staff", INSURER);
    let id = file(&mut fx, 1, today(), false);
    request_survey(&mut fx, id);
    let path = format!("/municipal/applications/{id}/survey");

    let mut browser = Browser::staff(&fx, "city1");
    staff_login(&fx, &mut browser, "/municipal/login", "city1").await;
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body.matches(r#"<select id="q_"#).count(), 74);
    assert_eq!(page.body.matches(r#"<label for="q_"#).count(), 74);
    assert!(page
        .body
        .contains("<legend>基本調査 第1群 身体機能・起居動作</legend>"));
    assert!(page.body.contains("<legend>基本調査 特別な医療</legend>"));
    let csrf = page.csrf();

    // One answer missing: the form comes back with that item marked, everything else kept.
    let form = survey_form(&csrf, Some("2-3"));
    let missing = post_pairs(&mut browser, &path, &form).await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(
        missing.body.contains(
            r#"<select id="q_2-3" name="q_2-3" aria-invalid="true" aria-describedby="q_2-3-error">"#
        ),
        "{}",
        missing.body
    );
    assert!(missing
        .body
        .contains(r#"<p class="error" id="q_2-3-error">基本調査2-3「えん下」が未回答です"#));
    assert_eq!(missing.body.matches(r#"aria-invalid="true""#).count(), 1);
    assert!(missing.body.contains("理由コード：INVALID_SURVEY"));
    assert!(
        missing.body.contains(r#"value="調査 一郎""#),
        "the entries are kept"
    );
    assert!(missing.body.contains(r#"<option value="IIa" selected>"#));
    assert!(missing.body.contains(">むせることがある</textarea>"));
    assert_eq!(
        missing
            .body
            .matches(r#"<option value="1" selected>"#)
            .count(),
        73
    );
    assert!(fx.db(|s| s.survey(id).unwrap()).is_none(), "nothing stored");
    let row = fx.db(|s| s.application(id).unwrap()).unwrap();
    assert_eq!(row.status.code(), "requested");

    // Without a purpose nothing is sent, and the item problem is still shown.
    let mut unsaid = survey_form(&csrf, Some("6-12"));
    unsaid.retain(|(k, _)| k != "purpose");
    let unsaid = post_pairs(&mut browser, &path, &unsaid).await;
    assert_eq!(unsaid.status, 422, "{}", unsaid.body);
    assert!(unsaid
        .body
        .contains(r#"id="purpose-error">利用目的を選んでください。"#));
    assert!(unsaid.body.contains(r#"id="q_6-12-error""#));

    // Complete: recorded, and the browser goes on to the progress page.
    let form = survey_form(&csrf, None);
    let done = post_pairs(&mut browser, &path, &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location(),
        format!("/municipal/applications/{id}?purpose=certification_affairs&done=survey")
    );
    let progress = browser.get(done.location()).await;
    assert_eq!(progress.status, 200, "{}", progress.body);
    assert!(progress.body.contains("認定調査票を登録しました。"));
    assert!(
        progress.body.contains("<td>調査完了</td>"),
        "{}",
        progress.body
    );
    assert!(progress
        .body
        .contains("認定調査完了（このあとの状況：調査完了）"));
    let row = fx.db(|s| s.application(id).unwrap()).unwrap();
    assert_eq!(row.status.code(), "survey_done");
    let stored = fx.db(|s| s.survey(id).unwrap()).expect("the survey");
    let body: serde_json::Value = serde_json::from_str(&stored.body_json).unwrap();
    assert_eq!(body["special_notes"]["2-1"], "むせることがある", "{body}");
    assert_eq!(body["dementia_independence"], "IIa", "{body}");
    assert_eq!(body["surveyor"]["name"], "調査 一郎", "{body}");

    // The progress page asks for a purpose before reading anything.
    let ask = browser.get(&format!("/municipal/applications/{id}")).await;
    assert_eq!(ask.status, 200, "{}", ask.body);
    assert!(ask
        .body
        .contains("進捗を表示するには、利用目的を選んでください。"));
    assert!(!ask.body.contains(&insured(1)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overdue_list_names_an_application_past_its_due_day() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("city2", "municipal_staff", INSURER);
    let late = file(&mut fx, 2, today().add_days(-40), false);
    let fresh = file(&mut fx, 3, today(), false);

    let mut browser = Browser::staff(&fx, "city2");
    staff_login(&fx, &mut browser, "/municipal/login", "city2").await;
    let home = browser.get("/municipal").await;
    assert!(home
        .body
        .contains(r#"<a href="/municipal/applications/overdue">"#));
    let form = browser.get("/municipal/applications/overdue").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        !form.body.contains(&insured(2)),
        "nothing read without a purpose"
    );

    let list = browser
        .get("/municipal/applications/overdue?purpose=certification_affairs")
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains(&format!("被保険者番号 {}", insured(2))),
        "{}",
        list.body
    );
    assert!(list.body.contains(&format!("申請番号 {late}（新規）")));
    assert!(list.body.contains(&format!(
        "<td>{}</td>",
        wareki::format_kanji(today().add_days(-10))
    )));
    assert!(!list.body.contains(&format!("申請番号 {fresh}（")));
    assert!(!list.body.contains(&insured(3)));
    let audit = fx.db(|s| s.audit_for_person(INSURER, &insured(2), None, 50).unwrap());
    let read = audit
        .iter()
        .find(|e| e.entry.actor_id == "city2" && e.entry.action == "read")
        .expect("the listed person's read is audited");
    assert_eq!(read.entry.purpose, "certification_affairs");
}
