//! The consent screen at contract time (契約時の同意・担当登録): the person's identity is
//! proven with the card (its signature over a one-time challenge) or a staff-witnessed paper
//! form, every category is explained in plain words and consented at once, and any category can
//! be left out. Submitting calls the same enrolment as `POST /api/v1/persons/…/enrolment`, so
//! the access policy decides and the audit log records it.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kiban_crypto::CardSignature;
use kiban_domain::access::{ConsentCategory, PaperReason};
use serde::Deserialize;
use std::collections::HashMap;

use super::office::PORTAL;
use super::session::{bad_form_token, OfficeStaff};
use super::view::{error_page, page_templates, respond, Page};
use crate::error::Reply;
use crate::extract::{person_of, StaffCaller};
use crate::routes::persons::{enrol_person, IdentityIn};
use crate::state::{now, Shared};

/// One category as the person reads it before agreeing.
pub(crate) struct Explained {
    code: &'static str,
    label: &'static str,
    what: &'static str,
}

/// Plain-language explanations, in the order of the national consent form.
const CATEGORIES: [(ConsentCategory, &str); 5] = [
    (ConsentCategory::Qualification, "被保険者証・負担割合証・負担限度額認定証の内容と、住宅改修費・福祉用具購入費の残りの額。サービスの契約と請求に使います。"),
    (ConsentCategory::Certification, "要介護認定の調査の結果（認定調査票）と、主治医の意見書。ケアプランやサービスの内容を考えるときに使います。"),
    (ConsentCategory::CarePlan, "ケアマネジャーが作ったケアプラン。担当する事業所どうしで同じ計画を見てサービスを行うために使います。"),
    (ConsentCategory::Life, "LIFE（科学的介護情報システム）の評価の結果。リハビリや栄養などのサービスを良くするために使います。"),
    (ConsentCategory::HousingEquipment, "住宅改修や福祉用具を使ったときの記録。同じ給付を重ねないように確かめるために使います。"),
];

#[derive(Template)]
#[template(path = "pages/office_consent.html")]
pub(crate) struct ConsentPage {
    page: Page,
    insurer: String,
    insured: String,
    categories: Vec<Explained>,
    reasons: Vec<(&'static str, &'static str)>,
    challenge_id: String,
    challenge_hex: String,
    /// The same challenge in base64url, for `card.js`.
    challenge_b64: String,
    /// Why the last attempt was not recorded, in plain Japanese (with the reason code).
    error: Option<String>,
}

page_templates!(ConsentPage);

fn explained() -> Vec<Explained> {
    CATEGORIES
        .iter()
        .map(|(c, what)| Explained {
            code: c.code(),
            label: c.label(),
            what,
        })
        .collect()
}

fn paper_reasons() -> Vec<(&'static str, &'static str)> {
    PaperReason::ALL
        .iter()
        .map(|r| (r.code(), r.label()))
        .collect()
}

async fn render(
    state: &Shared,
    office: &OfficeStaff,
    insurer: String,
    insured: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let page = Page::new(state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    // A fresh one-time challenge for the card each time the form is shown (2 minutes).
    let Ok(challenge) = state.challenges().issue(now().1) else {
        return error_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "ただいま混み合っています",
            "少し待ってから、もう一度開いてください。",
        );
    };
    let template = ConsentPage {
        page,
        insurer,
        insured,
        categories: explained(),
        reasons: paper_reasons(),
        challenge_hex: hex::encode(challenge.message()),
        challenge_b64: kiban_crypto::base64url(&challenge.message()),
        challenge_id: challenge.id,
        error,
    };
    respond(status, &template)
}

pub(crate) async fn form(
    State(state): State<Shared>,
    office: OfficeStaff,
    Path((insurer, insured)): Path<(String, String)>,
) -> Response {
    render(&state, &office, insurer, insured, None, StatusCode::OK).await
}

/// The submitted form: `method` is `card` or `paper`; a category is consented when its
/// checkbox `consent_<code>` is sent.
#[derive(Deserialize)]
pub(crate) struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    paper_reason: String,
    #[serde(default)]
    challenge_id: String,
    /// Filled by `static/card.js` after it unsealed the card in the browser.
    #[serde(default)]
    cert_pem: String,
    #[serde(default)]
    signature: String,
    /// Pasted from the reader app (`kiban card sign`): `{"cert_pem": …, "signature": …}`.
    #[serde(default)]
    response: String,
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

/// The card's answer: pasted from the reader app, or filled in by `card.js`.
fn card_answer(form: &ConsentForm) -> Option<CardSignature> {
    if !form.response.trim().is_empty() {
        return serde_json::from_str(form.response.trim()).ok();
    }
    let json = serde_json::json!({ "cert_pem": form.cert_pem, "signature": form.signature });
    serde_json::from_value(json).ok()
}

/// How the person's identity was confirmed, or what the form lacks.
fn identity_of(form: &ConsentForm) -> Result<IdentityIn, &'static str> {
    match form.method.as_str() {
        "paper" => match PaperReason::from_code(&form.paper_reason) {
            Ok(reason) => Ok(IdentityIn::Paper {
                reason,
                witness: None,
            }),
            Err(_) => Err("書面で同意を受ける理由を選んでください。"),
        },
        "card" => match card_answer(form) {
            Some(signature) => Ok(IdentityIn::Card {
                challenge_id: form.challenge_id.clone(),
                signature,
            }),
            None => Err("カードの読み取り結果がありません。カードを読み取ってから、もう一度送ってください。"),
        },
        _ => Err("本人確認の方法（マイナンバーカードまたは書面）を選んでください。"),
    }
}

pub(crate) async fn submit(
    State(state): State<Shared>,
    office: OfficeStaff,
    Path((insurer, insured)): Path<(String, String)>,
    Form(form): Form<ConsentForm>,
) -> Response {
    if !office.browser.form_token_ok(&state, &form.csrf) {
        let page = Page::new(&state, &office.browser, PORTAL);
        return bad_form_token(page);
    }
    let Ok(person) = person_of(&insurer, &insured) else {
        let why = "保険者番号・被保険者番号が正しくありません。".to_string();
        return render(
            &state,
            &office,
            insurer,
            insured,
            Some(why),
            StatusCode::NOT_FOUND,
        )
        .await;
    };
    let identity = match identity_of(&form) {
        Ok(identity) => identity,
        Err(why) => {
            let why = Some(why.to_string());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&state, &office, insurer, insured, why, status).await;
        }
    };
    let opted_out: Vec<ConsentCategory> = CATEGORIES
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !form.rest.contains_key(&format!("consent_{}", c.code())))
        .collect();
    let staff = StaffCaller {
        caller: office.staff.caller.clone(),
        staff_id: office.staff.staff_id.clone(),
    };
    let outcome = state
        .store(move |state, store| {
            enrol_person(state, store, &staff, person, identity, &opted_out, None)
        })
        .await;
    match outcome {
        Ok(Reply::Ok(_)) => {
            let to = format!("/office/persons/{}/{}", person.insurer, person.insured);
            Redirect::to(&to).into_response()
        }
        Ok(Reply::Refused(body)) => {
            let why = format!(
                "同意を記録できませんでした：{}（理由コード：{}）",
                body.message_ja, body.code
            );
            render(&state, &office, insurer, insured, Some(why), StatusCode::OK).await
        }
        Err(_) => {
            let why =
                "同意を記録できませんでした。時間をおいて、もう一度お試しください。".to_string();
            render(
                &state,
                &office,
                insurer,
                insured,
                Some(why),
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
    }
}
