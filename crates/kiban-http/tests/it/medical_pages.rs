//! 主治医意見書作成依頼 over the real TLS server: the hospital's list of open requests (its
//! own only), each linking to the person's page behind the access policy; office staff told the
//! list is for medical institutions; and the 保険者ポータル's form, with its field errors, whose
//! request then reaches the hospital's list.

use kiban_app::access::Caller;
use kiban_domain::access::{Actor, PersonRef, Purpose, Timestamp};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use kiban_testkit::store::ConsentRow;

use crate::page_browser::{Answer, Browser};
use crate::support::{insured, now_ms, office_row, Fixture, INSURER, OFFICE, PASSWORD};

pub(crate) const HOSPITAL: &str = "1310000009";
const CLINIC: &str = "1310000002";

/// Registers the hospital (an institution must be registered for its staff to act) and one
/// physician's account there.
pub(crate) fn hospital_with_staff(fx: &mut Fixture, staff_id: &str) {
    fx.db(|store| {
        store
            .put_office(&office_row(
                HOSPITAL,
                "千代田みなと病院",
                "medical_institution",
                &[],
            ))
            .unwrap()
    });
    fx.add_staff(staff_id, "medical_staff", HOSPITAL);
}

/// A browser presenting the hospital's client certificate (the shared helper issues office
/// certificates only).
pub(crate) fn hospital_browser(fx: &Fixture) -> Browser {
    let cert = fx.hospital_cert(HOSPITAL);
    let pem = format!("{}{}", cert.cert_pem, cert.key_pem.as_str());
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(fx.ca.cert_pem().as_bytes()).unwrap())
        .resolve("localhost", fx.addr)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    Browser {
        client,
        cookies: Default::default(),
        base: fx.url(""),
    }
}

/// Opens a login page (`/municipal/login` or `/office/login`), submits it and expects to be let in.
async fn log_in(browser: &mut Browser, fx: &Fixture, path: &str, staff_id: &str) {
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
    let entered = browser.post(path, &form).await;
    assert_eq!(entered.status, 303, "{}", entered.body);
}

fn person(n: u64) -> PersonRef {
    PersonRef {
        insurer: InsurerNumber::parse(INSURER).unwrap(),
        insured: InsuredNumber::parse(&insured(n)).unwrap(),
    }
}

/// The municipal clerk's request, through the same use case as the portal.
fn request(fx: &mut Fixture, n: u64, institution: &str) {
    let clerk = Caller {
        actor: Actor::MunicipalStaff {
            insurer: InsurerNumber::parse(INSURER).unwrap(),
            purpose: Purpose::CertificationAffairs,
        },
        account: "muni-seed".into(),
    };
    let code = MedicalInstitutionCode::parse(institution).unwrap();
    let sent = fx.conn(|conn| {
        kiban_app::opinion::request_opinion(
            conn,
            &clerk,
            person(n),
            code,
            Timestamp::from_millis(now_ms()),
        )
        .unwrap()
    });
    assert!(sent.allowed().is_some());
}

fn consent_to_hospital(fx: &mut Fixture, n: u64) {
    fx.db(|store| {
        store
            .insert_consent(&ConsentRow {
                id: 0,
                office_number: OfficeNumber::parse(HOSPITAL).unwrap(),
                insurer: InsurerNumber::parse(INSURER).unwrap(),
                insured: InsuredNumber::parse(&insured(n)).unwrap(),
                category: kiban_domain::access::ConsentCategory::Qualification,
                granted_at_ms: now_ms() - 60_000,
                method: kiban_domain::access::ConsentMethod::Card,
                valid_until: None,
                revoked_at_ms: None,
            })
            .unwrap()
    });
}

fn person_link(n: u64) -> String {
    format!("/office/persons/{INSURER}/{}", insured(n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn medical_staff_see_the_requested_person_and_open_their_page() {
    let mut fx = Fixture::sqlite().await;
    hospital_with_staff(&mut fx, "dr1");
    request(&mut fx, 1, HOSPITAL);
    request(&mut fx, 3, CLINIC);
    // Both persons consented to the hospital; only the request tells them apart.
    consent_to_hospital(&mut fx, 1);
    consent_to_hospital(&mut fx, 2);

    let mut dr = hospital_browser(&fx);
    log_in(&mut dr, &fx, "/office/login", "dr1").await;
    let home = dr.get("/office").await;
    assert!(
        home.body.contains(r#"<a href="/office/requests">"#),
        "{}",
        home.body
    );

    let list = dr.get("/office/requests").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&person_link(1)), "{}", list.body);
    assert!(list.body.contains("令和"), "依頼日 in 和暦: {}", list.body);
    assert!(!list.body.contains(&insured(2)), "not requested");
    assert!(
        !list.body.contains(&insured(3)),
        "requested from another institution"
    );

    let page = dr.get(&person_link(1)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("時点の内容です"), "{}", page.body);
    let unrequested = dr.get(&person_link(2)).await;
    assert!(
        unrequested.body.contains("NO_OPINION_REQUEST"),
        "{}",
        unrequested.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_staff_are_told_the_list_is_for_medical_institutions() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let mut office = Browser::new(&fx, Some(OFFICE));
    log_in(&mut office, &fx, "/office/login", "cm1").await;
    let home = office.get("/office").await;
    assert!(
        !home.body.contains("/office/requests"),
        "an office's home does not link a page it cannot use"
    );
    let answer = office.get("/office/requests").await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(
        answer.body.contains("この画面は医療機関の職員用です。"),
        "{}",
        answer.body
    );
}

async fn send(muni: &mut Browser, csrf: &str, purpose: &str, n: u64, code: &str) -> Answer {
    let insured = insured(n);
    let form = [
        ("csrf", csrf),
        ("purpose", purpose),
        ("insured", insured.as_str()),
        ("institution", code),
    ];
    muni.post("/municipal/opinions", &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_municipal_form_checks_its_fields_and_its_request_reaches_the_hospital() {
    let mut fx = Fixture::postgres().await;
    hospital_with_staff(&mut fx, "dr1");
    fx.add_staff("muni1", "municipal_staff", INSURER);
    let mut muni = Browser::staff(&fx, "muni1");
    log_in(&mut muni, &fx, "/municipal/login", "muni1").await;
    let search = muni.get("/municipal/persons").await;
    assert!(search.body.contains(r#"action="/municipal/opinions""#));
    let csrf = search.csrf();

    let no_purpose = send(&mut muni, &csrf, "", 2, HOSPITAL).await;
    assert_eq!(no_purpose.status, 422, "{}", no_purpose.body);
    assert!(no_purpose
        .body
        .contains(r#"<p class="error" id="opinion-purpose-error">利用目的を選んでください。</p>"#));
    for bad in ["12345", "1320000009"] {
        let answer = send(&mut muni, &csrf, "certification_affairs", 2, bad).await;
        assert_eq!(answer.status, 422, "{bad}: {}", answer.body);
        assert!(
            answer
                .body
                .contains(r#"id="institution-error">医療機関コードは10桁"#),
            "{bad}: {}",
            answer.body
        );
    }
    let wrong_purpose = send(&mut muni, &csrf, "qualification_admin", 2, HOSPITAL).await;
    assert_eq!(wrong_purpose.status, 403, "{}", wrong_purpose.body);
    assert!(wrong_purpose.body.contains(r#"role="alert""#));
    let no_token = send(&mut muni, "", "certification_affairs", 2, HOSPITAL).await;
    assert_eq!(no_token.status, 403);
    let nothing = fx.db(|s| s.open_opinion_requests(HOSPITAL).unwrap());
    assert!(
        nothing.is_empty(),
        "refused forms send nothing: {nothing:?}"
    );

    let sent = send(&mut muni, &csrf, "certification_affairs", 2, HOSPITAL).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(
        sent.body.contains("主治医意見書の作成を依頼しました"),
        "{}",
        sent.body
    );

    let mut dr = hospital_browser(&fx);
    log_in(&mut dr, &fx, "/office/login", "dr1").await;
    let list = dr.get("/office/requests").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&person_link(2)), "{}", list.body);
}
