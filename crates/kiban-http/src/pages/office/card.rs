//! 資格確認 with the card at the office counter: the person chooses the card file and types the
//! PIN on the office PC (`card.js` stands in for the card reader), the card signs a one-time
//! challenge, and the server checks it exactly as a card login (chain, validity, revocation,
//! signature, replay) to learn whose card it is.
//!
//! What follows depends only on the office's own registrations, which are not personal data:
//! a person this office already serves goes straight to the summary (read through the policy);
//! anyone else goes to the consent screen, carrying a **card presence proof** so the person is
//! not asked to present the card a second time for the consent. The proof is
//! HMAC(server form key, session ‖ person ‖ time): it binds the verified card to this browser
//! session and this person for [`PRESENCE_VALID_MS`], and the consent it supports is recorded
//! with the method `card`, exactly as a consent signed on the consent screen itself.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kiban_crypto::CardSignature;
use kiban_domain::access::PersonRef;
use serde::Deserialize;

use crate::pages::office::{self, PORTAL};
use crate::pages::session::{bad_form_token, Browser, OfficeStaff};
use crate::pages::view::{error_page, Page};
use crate::state::{now, Shared};

/// How long a card shown at 資格確認 stands for the person's identity on the consent screen.
pub(crate) const PRESENCE_VALID_MS: i64 = 10 * 60 * 1000;

/// A fresh one-time challenge for the card, in the three spellings the pages need.
pub(crate) struct CardChallenge {
    pub id: String,
    /// For the reader app's command line (`kiban card sign --message …`).
    pub hex: String,
    /// For `card.js`.
    pub b64: String,
}

impl CardChallenge {
    /// Issues one (2 minutes); `None` when too many are outstanding or the database is
    /// unreachable.
    pub async fn issue(state: &Shared) -> Option<Self> {
        let challenge = state.issue_challenge().await.ok()??;
        Some(Self {
            hex: hex::encode(challenge.message()),
            b64: kiban_crypto::base64url(&challenge.message()),
            id: challenge.id,
        })
    }
}

/// The card's answer as a form posts it: filled in by `card.js`, or pasted from the reader app.
#[derive(Deserialize, Default)]
pub(crate) struct CardAnswerForm {
    #[serde(default)]
    pub challenge_id: String,
    #[serde(default)]
    pub cert_pem: String,
    #[serde(default)]
    pub signature: String,
    /// Pasted from the reader app (`kiban card sign`): `{"cert_pem": …, "signature": …}`.
    #[serde(default)]
    pub response: String,
}

impl CardAnswerForm {
    pub fn signature(&self) -> Option<CardSignature> {
        if !self.response.trim().is_empty() {
            return serde_json::from_str(self.response.trim()).ok();
        }
        if self.cert_pem.is_empty() || self.signature.is_empty() {
            return None;
        }
        let json = serde_json::json!({ "cert_pem": self.cert_pem, "signature": self.signature });
        serde_json::from_value(json).ok()
    }
}

/// The binding of a presence proof: the browser's session, the person and the time.
fn presence_binding(session: &str, person: PersonRef, at_ms: i64) -> String {
    // "\0" cannot occur in a session token (base64url), so no binding of a form token (the
    // bare session value) equals one of these.
    format!(
        "card-presence\0{session}\0{}\0{}\0{at_ms}",
        person.insurer, person.insured
    )
}

/// `<at_ms>.<tag>`: the proof that this browser session saw `person`'s card at `at_ms`.
pub(crate) fn presence_proof(
    state: &Shared,
    browser: &Browser,
    person: PersonRef,
    at_ms: i64,
) -> Option<String> {
    let session = browser.session.as_deref()?;
    let tag = state
        .form_key
        .tag(&presence_binding(session, person, at_ms));
    Some(format!("{at_ms}.{tag}"))
}

/// When the card was verified, if `proof` is this session's, for `person`, and still valid.
pub(crate) fn verified_presence(
    state: &Shared,
    browser: &Browser,
    person: PersonRef,
    proof: &str,
) -> Option<i64> {
    let session = browser.session.as_deref()?;
    let (at, tag) = proof.split_once('.')?;
    let at_ms: i64 = at.parse().ok()?;
    let age = now().0 - at_ms;
    let fresh = (0..=PRESENCE_VALID_MS).contains(&age);
    let genuine = state
        .form_key
        .verify(&presence_binding(session, person, at_ms), tag);
    (fresh && genuine).then_some(at_ms)
}

#[derive(Deserialize)]
pub(crate) struct CardForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    pub(in crate::pages) card: CardAnswerForm,
}

/// Verifies the card and moves on: to the summary for a person this office serves, otherwise
/// to the consent screen with the presence proof. A card that fails is shown on the 資格確認
/// form with the reason, and (when the card can be attributed) in the person's history.
pub(crate) async fn confirm(
    State(state): State<Shared>,
    office: OfficeStaff,
    Form(form): Form<CardForm>,
) -> Response {
    if !office.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(Page::new(&state, &office.browser, PORTAL));
    }
    let Some(signature) = form.card.signature() else {
        let why = "カードの読み取り結果がありません。カードのファイルと暗証番号を入れてから、もう一度押してください。";
        return office::card_refused(&state, &office, why).await;
    };
    let challenge_id = form.card.challenge_id.clone();
    let caller = office.staff.caller.clone();
    let verdict = state
        .conn(move |state, conn| {
            let person = crate::routes::persons::card_person(
                state,
                conn,
                &challenge_id,
                &signature,
                now().1,
            )?;
            let person = match person {
                Ok(person) => person,
                Err(why) => return Ok(Err(why)),
            };
            let (insurer, insured) = (person.insurer.to_string(), person.insured.to_string());
            let served = kiban_app::serving::served_by(conn, &caller)?
                .iter()
                .any(|s| s.insurer == insurer && s.insured == insured);
            Ok(Ok((person, served)))
        })
        .await;
    match verdict {
        Ok(Ok((person, true))) => Redirect::to(&format!(
            "/office/persons/{}/{}",
            person.insurer, person.insured
        ))
        .into_response(),
        Ok(Ok((person, false))) => {
            let at_ms = now().0;
            let Some(proof) = presence_proof(&state, &office.browser, person, at_ms) else {
                return bad_form_token(Page::new(&state, &office.browser, PORTAL));
            };
            let to = format!(
                "/office/persons/{}/{}/consent?card={proof}",
                person.insurer, person.insured
            );
            Redirect::to(&to).into_response()
        }
        Ok(Err(why)) => {
            let why = format!("カードを確認できませんでした：{}", card_reason_ja(&why));
            office::card_refused(&state, &office, &why).await
        }
        Err(_) => error_page(
            Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id),
            StatusCode::SERVICE_UNAVAILABLE,
            "カードを確認できませんでした",
            "時間をおいて、もう一度お試しください。",
        ),
    }
}

/// The card check's refusal (`CODE: message`) in plain Japanese.
fn card_reason_ja(why: &str) -> String {
    let code = why.split(':').next().unwrap_or_default();
    match code {
        "CHALLENGE_REJECTED" => "読み取りの有効期限が切れました。画面を開き直して、もう一度読み取ってください。".to_string(),
        "CARD_NOT_LINKED" => "このカードは、まだ介護保険の資格と紐付けられていません。市区町村の窓口にお問い合わせください。".to_string(),
        "CARD_REJECTED" => "このカードは使えません（有効期限切れ・失効・署名の誤りのいずれか）。".to_string(),
        _ => why.to_string(),
    }
}
