//! The web pages over the real TLS server: the start page and its security headers, the
//! office login (field errors, the certificate rule, form tokens), the session cookie, and
//! the 資格確認 page reading through the access policy, which audits it.

use kiban_domain::access::Timestamp;
use kiban_domain::date::wareki::format_kanji;
use kiban_domain::records::{current_as_of, RecordBody, RecordKind};
use kiban_domain::rules::benefit_limit::month_limit_for_certifications;
use kiban_domain::{ids::InsuredNumber, ids::InsurerNumber};
use serde_json::json;

use crate::page_browser::Browser;
use crate::support::{insured, now_ms, Fixture, INSURER, OFFICE, PASSWORD};

const SESSION: &str = "__Host-kiban_session";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_page_is_japanese_with_security_headers_and_large_text() {
    let fx = Fixture::sqlite().await;
    let mut browser = Browser::new(&fx, None);
    let page = browser.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<html lang="ja">"#), "{}", page.body);
    assert!(page.body.contains("<h1>介護情報基盤 kiban</h1>"));
    assert!(page.body.contains(r#"name="viewport""#));
    for link in [r#"href="/office""#, r#"href="/me""#, r#"href="/municipal""#] {
        assert!(page.body.contains(link), "{link}");
    }
    let header = |name: &str| page.headers[name].to_str().unwrap().to_string();
    assert!(header("content-security-policy").starts_with("default-src 'self'"));
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");

    let css = browser.get("/static/kiban.css").await;
    assert_eq!(css.status, 200);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.body.contains(":focus-visible"));
    // The citizen portal starts at its card login (tests/it/citizen_pages.rs).
    assert_eq!(browser.get("/me").await.location(), "/me/login");
    let missing = browser.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("ページが見つかりません"));

    // Large text: a plain form post sets a cookie, and the layout follows it.
    let csrf = page.csrf();
    let toggled = browser
        .post(
            "/prefs/text-size",
            &[("csrf", &csrf), ("size", "large"), ("back", "/me")],
        )
        .await;
    assert_eq!((toggled.status, toggled.location()), (303, "/me"));
    let page = browser.get("/").await;
    assert!(page.body.contains(r#"<html lang="ja" class="large-text">"#));
    let bad = browser
        .post("/prefs/text-size", &[("size", "normal"), ("back", "/")])
        .await;
    assert_eq!(bad.status, 403, "no form token");
    assert!(browser.get("/").await.body.contains("large-text"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_errors_are_shown_next_to_the_field_and_need_the_certificate() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let mut office = Browser::new(&fx, Some(OFFICE));

    let page = office.login("cm1", PASSWORD, "12ab").await;
    assert_eq!(page.status, 422);
    let field = page.body.find(r#"id="totp""#).unwrap();
    let error = page
        .body
        .find(r#"<p class="error" id="totp-error">"#)
        .unwrap();
    assert!(error > field && error - field < 400, "next to the field");
    assert!(page.body.contains(r#"aria-describedby="totp-error""#));
    assert!(page.body.contains("6桁の数字"));
    assert!(page.body.contains(r#"value="cm1""#), "the ID is kept");
    assert!(
        !page.body.contains(PASSWORD),
        "the password is never echoed"
    );

    let right: u32 = fx.totp_code().parse().unwrap();
    let wrong = format!("{:06}", (right + 500_000) % 1_000_000);
    let page = office.login("cm1", PASSWORD, &wrong).await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("いずれかが違います"), "{}", page.body);
    assert!(!office.cookies.contains_key(SESSION));

    // Without the office's client certificate even the right credentials are refused, with
    // the very message of a wrong code: the page tells no one which accounts need which device.
    let mut bare = Browser::new(&fx, None);
    let page = bare.login("cm1", PASSWORD, &fx.totp_code()).await;
    assert_eq!(page.status, 401);
    assert!(page.body.contains("いずれかが違います"), "{}", page.body);
    assert!(page.body.contains("クライアント証明書"), "{}", page.body);
    assert!(!bare.cookies.contains_key(SESSION));

    // A login post without the form token is refused before any credential is checked.
    let no_token = office
        .post(
            "/office/login",
            &[
                ("staff_id", "cm1"),
                ("password", PASSWORD),
                ("totp", "000000"),
            ],
        )
        .await;
    assert_eq!(no_token.status, 403);
    assert!(no_token.body.contains("もう一度操作してください"));
}

/// A person whose current 被保険者証 carries a certification, with its 区分支給限度基準額.
fn certified_person(fx: &mut Fixture) -> (u64, String, u32) {
    let today = Timestamp::from_millis(now_ms()).jst_date();
    let insurer = InsurerNumber::parse(INSURER).unwrap();
    (1..=10)
        .find_map(|n| {
            let number = InsuredNumber::parse(&insured(n)).unwrap();
            let records = fx.db(|s| s.person_records(insurer, number).unwrap());
            let history = records.of(RecordKind::InsuredCard);
            let current = current_as_of(&history.versions, &history.withdrawn, today)?;
            let RecordBody::InsuredCard(card) = &current.body else {
                return None;
            };
            let cert = card.certification.as_ref()?;
            let limit = month_limit_for_certifications([cert], today)?;
            Some((n, format_kanji(card.birth_date), limit))
        })
        .expect("the synthetic municipality has a certified person")
}

fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let head = digits.len() % 3;
    let mut out = digits[..head].to_string();
    for chunk in digits.as_bytes()[head..].chunks(3) {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(std::str::from_utf8(chunk).unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logged_in_office_reads_the_summary_through_the_policy_and_it_is_audited() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("api1", "office_staff", OFFICE);
    fx.add_staff("cm2", "office_staff", OFFICE);
    let (n, birth, limit) = certified_person(&mut fx);
    let unconsented = if n == 1 { 2 } else { 1 };

    // The office enrols the person over the API (paper consent); the page reads it later.
    let api = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&api, "api1").await;
    let enrol = json!({ "identity": { "method": "paper", "reason": "no_card" } });
    let path = format!("/api/v1/persons/{INSURER}/{}/enrolment", insured(n));
    let (status, body) = fx.post(&api, &path, Some(&token), &enrol).await;
    assert_eq!((status, body["ok"].as_bool()), (200, Some(true)), "{body}");

    let mut office = Browser::new(&fx, Some(OFFICE));
    assert_eq!(office.get("/office").await.location(), "/office/login");
    let done = office.login("cm2", PASSWORD, &fx.totp_code()).await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/office"),
        "{}",
        done.body
    );
    let session = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(SESSION))
        .unwrap();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(attribute), "{attribute}");
    }

    let home = office.get("/office").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains(r#"<label for="insured">"#));
    let bad = office
        .get(&format!("/office/persons?insurer={INSURER}&insured=12"))
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(r#"id="insured-error""#));
    assert!(!bad.body.contains(r#"id="insurer-error""#));
    let go = office
        .get(&format!(
            "/office/persons?insurer={INSURER}&insured={}",
            insured(n)
        ))
        .await;
    let page_path = format!("/office/persons/{INSURER}/{}", insured(n));
    assert_eq!((go.status, go.location()), (303, page_path.as_str()));

    let page = office.get(&page_path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.headers["cache-control"], "no-store");
    assert!(page.body.contains(&birth), "生年月日 in 和暦: {birth}");
    assert!(page.body.contains("区分支給限度基準額"));
    assert!(
        page.body.contains(&format!("{}単位", grouped(limit))),
        "{}",
        page.body
    );
    assert!(page.body.contains("住宅改修費"));
    let audit = fx.db(|s| s.audit_for_person(INSURER, &insured(n), None, 10).unwrap());
    let read = audit
        .iter()
        .find(|e| e.entry.action == "read")
        .expect("the page read is audited");
    assert_eq!(read.entry.actor_id, "cm2");
    assert_eq!(read.entry.decision.code(), "allow");

    let refused = office
        .get(&format!(
            "/office/persons/{INSURER}/{}",
            insured(unconsented)
        ))
        .await;
    assert_eq!(refused.status, 200, "a refusal is an answer, not an error");
    assert!(refused.body.contains("この方の情報は表示できません"));
    assert!(refused.body.contains("NOT_SERVING"));
    let audit = fx.db(|s| {
        s.audit_for_person(INSURER, &insured(unconsented), None, 10)
            .unwrap()
    });
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].entry.reason, "NOT_SERVING");

    // Logout needs the form token; without it the session stays.
    let no_token = office.post("/office/logout", &[]).await;
    assert_eq!(no_token.status, 403);
    assert_eq!(office.get("/office").await.status, 200);
    let csrf = office.get("/office").await.csrf();
    let out = office.post("/office/logout", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location()), (303, "/office/login"));
    assert!(!office.cookies.contains_key(SESSION));
    assert_eq!(office.get("/office").await.location(), "/office/login");
}
