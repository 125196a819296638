//! The consent screen at contract time (契約時の同意・担当登録): the person's identity is
//! proven with the card (its signature over a one-time challenge) or a staff-witnessed paper
//! form, every category is explained in plain words and consented at once, and any category can
//! be left out. Submitting calls the same enrolment as `POST /api/v1/persons/…/enrolment`, so
//! the access policy decides and the audit log records it.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kiban_domain::access::{ConsentCategory, PaperReason, PersonRef};
use serde::Deserialize;
use std::collections::HashMap;

use crate::error::Reply;
use crate::extract::{person_of, StaffCaller};
use crate::pages::office::card::{verified_presence, CardAnswerForm, CardChallenge};
use crate::pages::office::PORTAL;
use crate::pages::session::{bad_form_token, OfficeStaff};
use crate::pages::view::{error_page, page_templates, respond, Page};
use crate::routes::persons::{enrol_person, IdentityIn};
use crate::state::Shared;

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
#[template(path = "pages/office/consent.html")]
pub(crate) struct ConsentPage {
    page: Page,
    insurer: String,
    insured: String,
    categories: Vec<Explained>,
    reasons: Vec<(&'static str, &'static str)>,
    challenge: CardChallenge,
    /// The card shown at 資格確認 in this session: `(proof, when in words)`. When present it is
    /// the preselected identity method, so the person presents the card once.
    presence: Option<(String, String)>,
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

/// What the consent screen is about and why it is shown again.
struct Shown {
    insurer: String,
    insured: String,
    /// The card presence proof carried from 資格確認, if any (checked before it is shown).
    presence: Option<String>,
    error: Option<String>,
    status: StatusCode,
}

async fn render(state: &Shared, office: &OfficeStaff, shown: Shown) -> Response {
    let page = Page::new(state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    // A fresh one-time challenge for the card each time the form is shown (2 minutes).
    let Some(challenge) = CardChallenge::issue(state).await else {
        return error_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "ただいま混み合っています",
            "少し待ってから、もう一度開いてください。",
        );
    };
    let presence = shown.presence.and_then(|proof| {
        let person = person_of(&shown.insurer, &shown.insured).ok()?;
        let at_ms = verified_presence(state, &office.browser, person, &proof)?;
        Some((proof, clock_jst(at_ms)))
    });
    let template = ConsentPage {
        page,
        insurer: shown.insurer,
        insured: shown.insured,
        categories: explained(),
        reasons: paper_reasons(),
        challenge,
        presence,
        error: shown.error,
    };
    respond(shown.status, &template)
}

/// `HH:MM` in Japan time.
fn clock_jst(at_ms: i64) -> String {
    let minutes = (at_ms / 60_000 + 9 * 60).rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[derive(Deserialize)]
pub(crate) struct FormQuery {
    /// The card presence proof from 資格確認 by card.
    #[serde(default)]
    card: Option<String>,
}

pub(crate) async fn form(
    State(state): State<Shared>,
    office: OfficeStaff,
    Path((insurer, insured)): Path<(String, String)>,
    Query(query): Query<FormQuery>,
) -> Response {
    let shown = Shown {
        insurer,
        insured,
        presence: query.card,
        error: None,
        status: StatusCode::OK,
    };
    render(&state, &office, shown).await
}

/// The submitted form: `method` is `card_presented` (the card shown at 資格確認), `card` or
/// `paper`; a category is consented when its checkbox `consent_<code>` is sent.
#[derive(Deserialize)]
pub(crate) struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    paper_reason: String,
    /// The card presence proof, with `method=card_presented`.
    #[serde(default)]
    card_presence: String,
    #[serde(flatten)]
    pub(in crate::pages) card: CardAnswerForm,
    #[serde(flatten)]
    rest: HashMap<String, String>,
}

/// How the person's identity was confirmed, or what the form lacks.
fn identity_of(
    state: &Shared,
    office: &OfficeStaff,
    person: PersonRef,
    form: &ConsentForm,
) -> Result<IdentityIn, &'static str> {
    match form.method.as_str() {
        "card_presented" => {
            match verified_presence(state, &office.browser, person, &form.card_presence) {
                Some(_) => Ok(IdentityIn::VerifiedCard),
                None => Err("資格確認でのカードの確認から時間がたちました。もう一度カードを読み取ってください。"),
            }
        }
        "paper" => match PaperReason::from_code(&form.paper_reason) {
            Ok(reason) => Ok(IdentityIn::Paper {
                reason,
                witness: None,
            }),
            Err(_) => Err("書面で同意を受ける理由を選んでください。"),
        },
        "card" => match form.card.signature() {
            Some(signature) => Ok(IdentityIn::Card {
                challenge_id: form.card.challenge_id.clone(),
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
    let again = |error: String, status| Shown {
        insurer: insurer.clone(),
        insured: insured.clone(),
        presence: Some(form.card_presence.clone()).filter(|p| !p.is_empty()),
        error: Some(error),
        status,
    };
    let Ok(person) = person_of(&insurer, &insured) else {
        let why = "保険者番号・被保険者番号が正しくありません。".to_string();
        return render(&state, &office, again(why, StatusCode::NOT_FOUND)).await;
    };
    let identity = match identity_of(&state, &office, person, &form) {
        Ok(identity) => identity,
        Err(why) => {
            let shown = again(why.to_string(), StatusCode::UNPROCESSABLE_ENTITY);
            return render(&state, &office, shown).await;
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
        .conn(move |state, conn| {
            enrol_person(state, conn, &staff, person, identity, &opted_out, None)
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
            render(&state, &office, again(why, StatusCode::OK)).await
        }
        Err(_) => {
            let why =
                "同意を記録できませんでした。時間をおいて、もう一度お試しください。".to_string();
            render(&state, &office, again(why, StatusCode::SERVICE_UNAVAILABLE)).await
        }
    }
}
