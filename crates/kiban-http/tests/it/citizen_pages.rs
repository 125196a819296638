//! The citizen portal's pages over the real TLS server, with the test playing the card reader
//! (kiban-crypto signs the page's challenge): card login through the form, わたしの情報, the
//! consent list whose 撤回 button refuses the office's next read, the access history, the
//! JSON download, form tokens and a replayed challenge.

use kiban_crypto::CardSignature;
use serde_json::Value;

use crate::page_browser::{Answer, Browser};
use crate::support::{code, insured, pin, Fixture, OFFICE};

const ME: &str = "__Host-kiban_me";

/// The value of `<input ... name="{name}" value="...">` or `data-{name}="..."` on the page.
fn attribute(page: &Answer, marker: &str) -> String {
    let start = page.body.find(marker).unwrap_or_else(|| panic!("{marker}")) + marker.len();
    let end = start + page.body[start..].find('"').unwrap();
    page.body[start..end].to_string()
}

/// What the login form carries: (form token, challenge id, message to sign).
fn login_fields(page: &Answer) -> (String, String, Vec<u8>) {
    let hex_message = attribute(page, "--message ");
    let hex_message = hex_message.split('<').next().unwrap().trim().to_string();
    (
        page.csrf(),
        attribute(page, r#"name="challenge_id" value=""#),
        hex::decode(hex_message).unwrap(),
    )
}

fn signature_b64(signature: &CardSignature) -> String {
    serde_json::to_value(signature).unwrap()["signature"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_login_pages_revoke_history_and_download() {
    let mut fx = Fixture::sqlite().await;
    fx.add_staff("cm1", "office_staff", OFFICE);
    let card = fx.card_for(1);

    // The office enrols the person (five consents) and reads their summary.
    let office = fx.client(Some(&fx.cert(OFFICE)));
    let token = fx.login(&office, "cm1").await;
    fx.enrol_with_card(&office, &token, &card, 1).await;
    let read = format!("/api/v1/persons/131011/{}/qualification", insured(1));
    let (_, body) = fx.get(&office, &read, Some(&token)).await;
    assert_eq!(body["ok"], true, "{body}");

    let mut browser = Browser::new(&fx, None);
    let first = browser.get("/me").await;
    assert_eq!((first.status, first.location()), (303, "/me/login"));
    let page = browser.get("/me/login").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("マイナンバーカードでログイン"));
    assert!(page
        .body
        .contains(r#"<script src="/static/card.js" defer></script>"#));
    assert!(page.body.contains("読み取りアプリを使う方法"));
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let script = browser.get("/static/card.js").await;
    assert_eq!(script.status, 200);
    assert!(script.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(script.body.contains("window.kibanCard"));

    let (csrf, challenge_id, message) = login_fields(&page);
    let signed = card.card.sign_challenge(&pin(), &message).unwrap();
    let sig = signature_b64(&signed);
    let fields = [
        ("challenge_id", challenge_id.as_str()),
        ("cert_pem", signed.cert_pem.as_str()),
        ("signature", sig.as_str()),
    ];
    let refused = browser.post("/me/login", &fields).await;
    assert_eq!(refused.status, 403, "no form token");
    let mut with_token = fields.to_vec();
    with_token.push(("csrf", &csrf));
    let done = browser.post("/me/login", &with_token).await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/me"),
        "{}",
        done.body
    );
    let cookie = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with(ME))
        .expect("the portal cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }

    // The same signed challenge again: refused, and the page says so in plain Japanese.
    let replay = browser.post("/me/login", &with_token).await;
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert!(replay.body.contains("すでに使われた画面です"));

    let home = browser.get("/me").await;
    assert_eq!(home.status, 200, "{}", home.body);
    for text in [
        "被保険者証",
        "負担割合証",
        "負担限度額",
        "住宅改修費",
        "令和",
        &insured(1),
    ] {
        assert!(home.body.contains(text), "{text}");
    }

    let consents = browser.get("/me/consents").await;
    assert_eq!(consents.status, 200);
    assert!(consents.body.contains("さくら居宅介護支援事業所"));
    assert_eq!(consents.body.matches("撤回する<").count(), 5);
    let row = consents
        .body
        .find("<td>資格情報</td>")
        .expect("資格情報 row");
    let rest = &consents.body[row..];
    let start = rest.find("/me/consents/").unwrap();
    let action = &rest[start..start + rest[start..].find('"').unwrap()];
    let no_token = browser.post(action, &[]).await;
    assert_eq!(no_token.status, 403);
    let csrf = consents.csrf();
    let revoked = browser.post(action, &[("csrf", &csrf)]).await;
    assert_eq!(
        (revoked.status, revoked.location()),
        (303, "/me/consents?done=1")
    );
    let after = browser.get("/me/consents?done=1").await;
    assert!(after.body.contains("同意を撤回しました"));
    assert_eq!(after.body.matches("撤回する<").count(), 4);

    let (status, body) = fx.get(&office, &read, Some(&token)).await;
    assert_eq!((status, code(&body)), (200, "CONSENT_REVOKED"), "{body}");

    let history = browser.get("/me/history").await;
    assert_eq!(history.status, 200);
    for text in [
        "さくら居宅介護支援事業所",
        "介護支援専門員",
        "資格情報",
        "断られました",
        "認められました",
    ] {
        assert!(history.body.contains(text), "{text}");
    }
    // Newest first: the refused read comes before the allowed one.
    let refused_at = history.body.find("断られました").unwrap();
    assert!(refused_at < history.body.rfind("さくら居宅介護支援事業所").unwrap());
    assert!(history.body.contains(r#"href="/me/download""#));

    let download = browser.get("/me/download").await;
    assert_eq!(download.status, 200);
    let disposition = download.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let data: Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(data["insured"], insured(1));
    assert_eq!(data["insurer"], "131011");

    let page = browser.get("/me").await;
    let bye = browser.post("/me/logout", &[("csrf", &page.csrf())]).await;
    assert_eq!((bye.status, bye.location()), (303, "/me/login?bye=1"));
    let again = browser.get("/me/history").await;
    assert_eq!((again.status, again.location()), (303, "/me/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reader_app_answer_can_be_pasted_and_a_wrong_signature_is_refused() {
    let mut fx = Fixture::sqlite().await;
    let card = fx.card_for(2);
    let mut browser = Browser::new(&fx, None);

    let page = browser.get("/me/login").await;
    let (csrf, challenge_id, _) = login_fields(&page);
    // Signed over something else than this challenge.
    let wrong = card
        .card
        .sign_challenge(&pin(), b"not the challenge")
        .unwrap();
    let pasted = serde_json::to_string_pretty(&wrong).unwrap();
    let refused = browser
        .post(
            "/me/login",
            &[
                ("csrf", &csrf),
                ("challenge_id", &challenge_id),
                ("response", &pasted),
            ],
        )
        .await;
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("カードを確認できませんでした"));

    // What `kiban card sign` prints, pasted into the fallback field.
    let page = browser.get("/me/login").await;
    let (csrf, challenge_id, message) = login_fields(&page);
    let signed = card.card.sign_challenge(&pin(), &message).unwrap();
    let pasted = serde_json::to_string_pretty(&signed).unwrap();
    let done = browser
        .post(
            "/me/login",
            &[
                ("csrf", &csrf),
                ("challenge_id", &challenge_id),
                ("response", &pasted),
            ],
        )
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/me"),
        "{}",
        done.body
    );
    let home = browser.get("/me").await;
    assert!(home.body.contains(&insured(2)));
}
