//! The office's consent screen: a refused person's page leads to it; the person consents with a
//! witnessed paper form leaving one category out, or with the card's signature over the page's
//! challenge; the enrolment goes through the same policy and audit as the API.

use crate::page_browser::Browser;
use crate::support::{insured, pin, Fixture, INSURER, OFFICE, PASSWORD};

/// The challenge message shown on the consent page (for `kiban card sign`) and its id.
fn challenge(body: &str) -> (String, Vec<u8>) {
    let field = |marker: &str| {
        let start = body.find(marker).expect(marker) + marker.len();
        let end = start + body[start..].find(['"', ' ', '<']).unwrap();
        body[start..end].to_string()
    };
    let id = field(r#"name="challenge_id" value=""#);
    let message = hex::decode(field("--message ")).unwrap();
    (id, message)
}

/// The (category, method) of the consents person `n` gave the fixture's office, sorted.
pub(crate) fn categories(fx: &mut Fixture, n: u64) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = fx.db(|s| {
        s.consents(INSURER, &insured(n), Some(OFFICE))
            .unwrap()
            .into_iter()
            .map(|c| {
                (
                    c.category.code().to_string(),
                    c.method.kind().code().to_string(),
                )
            })
            .collect()
    });
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_by_paper_or_card_opens_the_summary() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let mut office = Browser::new(&fx, Some(OFFICE));
    let done = office.login("cm1", PASSWORD, &fx.totp_code()).await;
    assert_eq!(done.status, 303, "{}", done.body);

    let summary = format!("/office/persons/{INSURER}/{}", insured(1));
    let refused = office.get(&summary).await;
    assert!(refused.body.contains("NOT_SERVING"), "{}", refused.body);
    let consent = format!("{summary}/consent");
    assert!(
        refused.body.contains(&consent),
        "the refusal links to the consent screen"
    );

    let page = office.get(&consent).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for label in [
        "資格情報",
        "要介護認定情報",
        "ケアプラン",
        "LIFE",
        "住宅改修・福祉用具",
    ] {
        assert!(page.body.contains(label), "{label} is explained");
    }
    let csrf = page.csrf();
    let without_reason = [("csrf", csrf.as_str()), ("method", "paper")];
    let answer = office.post(&consent, &without_reason).await;
    assert_eq!(answer.status, 422);
    assert!(answer
        .body
        .contains("書面で同意を受ける理由を選んでください"));
    assert!(categories(&mut fx, 1).is_empty(), "nothing recorded");

    let form = [
        ("csrf", csrf.as_str()),
        ("method", "paper"),
        ("paper_reason", "no_card"),
        ("consent_qualification", "1"),
        ("consent_certification", "1"),
        ("consent_life", "1"),
        ("consent_housing_equipment", "1"),
    ];
    let answer = office.post(&consent, &form).await;
    assert_eq!(
        (answer.status, answer.location()),
        (303, summary.as_str()),
        "{}",
        answer.body
    );
    let shown = office.get(&summary).await;
    assert!(shown.body.contains("時点の内容です"), "{}", shown.body);
    let recorded = categories(&mut fx, 1);
    let codes: Vec<&str> = recorded.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        codes,
        [
            "certification",
            "housing_equipment",
            "life",
            "qualification"
        ],
        "ケアプラン was left out"
    );
    assert!(recorded.iter().all(|(_, m)| m == "paper"));

    // The card: its signature over this page's challenge proves the person.
    let card = fx.card_for(2);
    let consent = format!("/office/persons/{INSURER}/{}/consent", insured(2));
    let page = office.get(&consent).await;
    let (id, message) = challenge(&page.body);
    let signature = card.card.sign_challenge(&pin(), &message).unwrap();
    let signature = serde_json::to_string(&signature).unwrap();
    let csrf = page.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("method", "card"),
        ("challenge_id", id.as_str()),
        ("response", signature.as_str()),
        ("consent_qualification", "1"),
    ];
    let answer = office.post(&consent, &form).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        categories(&mut fx, 2),
        [("qualification".to_string(), "card".to_string())]
    );
    // The same challenge again: refused with the policy's reason, nothing more recorded.
    let replay = office.post(&consent, &form).await;
    assert!(
        replay.body.contains("IDENTITY_NOT_VERIFIED"),
        "{}",
        replay.body
    );
    assert_eq!(categories(&mut fx, 2).len(), 1);

    let served = office.get("/office/served").await;
    assert_eq!(served.status, 200);
    for n in [1, 2] {
        let link = format!("/office/persons/{INSURER}/{}", insured(n));
        assert!(
            served.body.contains(&link),
            "person {n} is listed: {}",
            served.body
        );
    }
    assert!(
        !served.body.contains(&insured(3)),
        "only the persons this office serves"
    );

    let no_token = [("method", "paper"), ("paper_reason", "no_card")];
    assert_eq!(office.post(&consent, &no_token).await.status, 403);
}
