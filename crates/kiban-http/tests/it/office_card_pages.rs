//! 資格確認 at the office by card and by 基本4情報, and each category's own page:
//! - the card leads a person the office does not serve to the consent screen with a presence
//!   proof, and a served person straight to the summary; the proof is bound to the session,
//!   the person and its signature;
//! - a category view is decided by the policy per category: a category left out of the
//!   consent is refused with its reason, and both answers are audited;
//! - 基本4情報 names a person only on a unique match, with errors next to each field.

use crate::consent_pages::categories;
use crate::page_browser::{Answer, Browser};
use crate::support::{insured, pin, Fixture, INSURER, OFFICE, PASSWORD};
use kiban_domain::access::Timestamp;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{current_as_of, InsuredCard, RecordBody, RecordKind};

/// The value after `marker` in `body`, up to the next quote, space or tag.
fn field(body: &str, marker: &str) -> String {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {body}"))
        + marker.len();
    let end = start + body[start..].find(['"', ' ', '<']).unwrap();
    body[start..end].to_string()
}

/// Reads person `n`'s card with its challenge from the office's 資格確認 page and posts it.
async fn present_card(fx: &mut Fixture, office: &mut Browser, n: u64) -> Answer {
    let card = fx.card_for(n);
    let home = office.get("/office").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains("<title>資格確認 | "),
        "the page title is plain text: {}",
        &home.body[..home.body.len().min(400)]
    );
    let id = field(&home.body, r#"name="challenge_id" value=""#);
    let message = hex::decode(field(&home.body, "--message ")).unwrap();
    let signature = card.card.sign_challenge(&pin(), &message).unwrap();
    let signature = serde_json::to_string(&signature).unwrap();
    let csrf = home.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("challenge_id", id.as_str()),
        ("response", signature.as_str()),
    ];
    office.post("/office/card", &form).await
}

async fn logged_in_office(fx: &mut Fixture) -> Browser {
    fx.add_staff("cm1", "office_staff", OFFICE);
    let mut office = Browser::new(fx, Some(OFFICE));
    let done = office.login("cm1", PASSWORD, &fx.totp_code()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    office
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_at_qualification_check_carries_the_person_through_consent() {
    let mut fx = Fixture::sqlite().await;
    let mut office = logged_in_office(&mut fx).await;

    let csrf = office.get("/office").await.csrf();
    let empty = office
        .post("/office/card", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains("カードの読み取り結果がありません"),
        "{}",
        empty.body
    );

    let answer = present_card(&mut fx, &mut office, 3).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let consent = format!("/office/persons/{INSURER}/{}/consent", insured(3));
    assert!(
        answer.location().starts_with(&format!("{consent}?card=")),
        "a person not yet served goes to the consent screen: {}",
        answer.location()
    );
    let page = office.get(answer.location()).await;
    assert!(
        page.body.contains("に資格確認で読み取り済み"),
        "{}",
        page.body
    );
    let proof = field(&page.body, r#"name="card_presence" value=""#);
    let csrf = page.csrf();

    // A forged proof, and a genuine one for another person, stand for nobody.
    let forged = format!("{proof}x");
    for (path, proof) in [
        (consent.clone(), forged.as_str()),
        (
            format!("/office/persons/{INSURER}/{}/consent", insured(4)),
            proof.as_str(),
        ),
    ] {
        let form = [
            ("csrf", csrf.as_str()),
            ("method", "card_presented"),
            ("card_presence", proof),
            ("consent_qualification", "1"),
        ];
        let refused = office.post(&path, &form).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("もう一度カードを読み取ってください"));
    }
    assert!(categories(&mut fx, 3).is_empty() && categories(&mut fx, 4).is_empty());

    let form = [
        ("csrf", csrf.as_str()),
        ("method", "card_presented"),
        ("card_presence", proof.as_str()),
        ("consent_qualification", "1"),
        ("consent_care_plan", "1"),
    ];
    let done = office.post(&consent, &form).await;
    let summary = format!("/office/persons/{INSURER}/{}", insured(3));
    assert_eq!(
        (done.status, done.location()),
        (303, summary.as_str()),
        "{}",
        done.body
    );
    assert_eq!(
        categories(&mut fx, 3),
        [
            ("care_plan".to_string(), "card".to_string()),
            ("qualification".to_string(), "card".to_string())
        ]
    );

    // Served now: the card goes straight to the summary.
    let again = present_card(&mut fx, &mut office, 3).await;
    assert_eq!((again.status, again.location()), (303, summary.as_str()));

    // Another session cannot use this session's proof.
    fx.add_staff("cm2", "office_staff", OFFICE);
    let mut colleague = Browser::new(&fx, Some(OFFICE));
    let done = colleague.login("cm2", PASSWORD, &fx.totp_code()).await;
    assert_eq!(done.status, 303);
    let other = format!("/office/persons/{INSURER}/{}/consent", insured(5));
    let page = colleague.get(&other).await;
    let form = [
        ("csrf", page.csrf()),
        ("method", "card_presented".to_string()),
        ("card_presence", proof.clone()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = colleague.post(&other, &form).await;
    assert_eq!(refused.status, 422);
    assert!(categories(&mut fx, 5).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_category_page_is_decided_by_the_policy_and_audited() {
    let mut fx = Fixture::sqlite().await;
    let mut office = logged_in_office(&mut fx).await;
    let consent = format!("/office/persons/{INSURER}/{}/consent", insured(1));
    let csrf = office.get(&consent).await.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("method", "paper"),
        ("paper_reason", "no_card"),
        ("consent_qualification", "1"),
        ("consent_housing_equipment", "1"),
    ];
    assert_eq!(office.post(&consent, &form).await.status, 303);
    let base = format!("/office/persons/{INSURER}/{}", insured(1));
    let summary = office.get(&base).await;
    assert!(
        summary.body.contains(&format!("{base}/views/care_plan")),
        "the summary links each category"
    );

    let events = |fx: &mut Fixture| fx.db(|s| s.audit_head().unwrap().0);
    let before = events(&mut fx);
    let housing = office.get(&format!("{base}/views/housing_equipment")).await;
    assert_eq!(housing.status, 200);
    assert!(
        housing.body.contains("住宅改修費の利用"),
        "{}",
        housing.body
    );
    assert!(!housing.body.contains("表示できません"));
    let plan = office.get(&format!("{base}/views/care_plan")).await;
    assert_eq!(plan.status, 200);
    assert!(
        plan.body.contains("ケアプランは表示できません"),
        "{}",
        plan.body
    );
    assert!(plan.body.contains("理由コード"), "{}", plan.body);
    assert_eq!(
        events(&mut fx) - before,
        2,
        "one audit event per view, allowed or refused"
    );

    let unknown = office
        .get(&format!("{base}/views/qualification_secret"))
        .await;
    assert_eq!(unknown.status, 404);
}

fn card_of(fx: &mut Fixture, n: u64) -> InsuredCard {
    fx.db(|s| {
        let h = s
            .person_history(
                RecordKind::InsuredCard,
                InsurerNumber::parse(INSURER).unwrap(),
                InsuredNumber::parse(&insured(n)).unwrap(),
            )
            .unwrap();
        let today = Timestamp::from_millis(crate::support::now_ms()).jst_date();
        match &current_as_of(&h.versions, &h.withdrawn, today)
            .unwrap()
            .body
        {
            RecordBody::InsuredCard(c) => c.clone(),
            _ => unreachable!(),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_four_finds_only_a_unique_person_and_explains_each_field() {
    let mut fx = Fixture::sqlite().await;
    let mut office = logged_in_office(&mut fx).await;
    let page = office.get("/office/match").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();

    let empty = office
        .post("/office/match", &[("csrf", csrf.as_str())])
        .await;
    assert_eq!(empty.status, 422);
    for error in [
        "insurer-error",
        "name-error",
        "birth_date-error",
        "sex-error",
        "address-error",
    ] {
        assert!(
            empty.body.contains(&format!(r#"id="{error}""#)),
            "{error}: {}",
            empty.body
        );
    }
    let bad_date = office
        .post(
            "/office/match",
            &[("csrf", csrf.as_str()), ("birth_date", "令和0年1月1日")],
        )
        .await;
    assert!(bad_date.body.contains("生年月日を"), "{}", bad_date.body);

    let card = card_of(&mut fx, 2);
    let birth = card.birth_date.to_string();
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("insurer", INSURER.to_string()),
        ("name", card.name.clone()),
        ("birth_date", birth),
        ("sex", card.sex.code().to_string()),
        ("address", card.address.clone()),
    ];
    let found = post_owned(&mut office, &form).await;
    let person = format!("/office/persons/{INSURER}/{}", insured(2));
    assert_eq!(
        (found.status, found.location()),
        (303, person.as_str()),
        "{}",
        found.body
    );

    form[5].1 = "北海道札幌市中央区".to_string();
    let missed = post_owned(&mut office, &form).await;
    assert_eq!(missed.status, 200);
    assert!(missed.body.contains("理由コード"), "{}", missed.body);
    assert!(!missed.body.contains(&person), "no one is named on a miss");
}

async fn post_owned(browser: &mut Browser, form: &[(&'static str, String)]) -> Answer {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post("/office/match", &form).await
}
