//! 資格確認 for a person with neither a card nor the 被保険者証 at hand: the 基本4情報 (氏名・
//! 生年月日・性別・住所) are matched by `kiban_app::confirm::confirm_without_card`, exactly as
//! `POST /api/v1/insurers/{insurer}/confirm`. Only a unique match leads on, to the person's page
//! (which goes through the policy); a miss, several candidates or a partial match are said as
//! such, never guessed. Every attempt is audited. The form is POSTed so that names and
//! addresses never stand in a URL (browser history, proxy logs).

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kiban_app::access::Outcome;
use kiban_domain::access::Timestamp;
use kiban_domain::codes::Sex;
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsurerNumber};
use kiban_domain::matching::{BasicFour, MatchQuery};
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use crate::pages::office::PORTAL;
use crate::pages::session::{bad_form_token, OfficeStaff};
use crate::pages::view::{page_templates, respond, Page};
use crate::state::{now, Shared};

/// What the person typed, shown again with the errors next to each field.
#[derive(Deserialize, Default)]
pub(crate) struct MatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    insurer: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    address: String,
}

#[derive(Default)]
pub(crate) struct MatchErrors {
    insurer: Option<&'static str>,
    name: Option<&'static str>,
    birth_date: Option<String>,
    sex: Option<&'static str>,
    address: Option<&'static str>,
}

impl MatchErrors {
    fn any(&self) -> bool {
        self.insurer.is_some()
            || self.name.is_some()
            || self.birth_date.is_some()
            || self.sex.is_some()
            || self.address.is_some()
    }
}

#[derive(Template)]
#[template(path = "pages/office/match.html")]
pub(crate) struct MatchPage {
    page: Page,
    form: MatchForm,
    errors: MatchErrors,
    /// Why no single person was identified (not found, several, partial), with the code.
    outcome: Option<(String, &'static str)>,
}

page_templates!(MatchPage);

pub(crate) async fn form(State(state): State<Shared>, office: OfficeStaff) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    let template = MatchPage {
        page,
        form: MatchForm::default(),
        errors: MatchErrors::default(),
        outcome: None,
    };
    respond(StatusCode::OK, &template)
}

/// The form's fields checked one by one, so each error stands next to its field.
pub(in crate::pages) fn query_of(
    form: &MatchForm,
) -> Result<(InsurerNumber, MatchQuery), MatchErrors> {
    let mut errors = MatchErrors::default();
    let insurer = InsurerNumber::parse_with(
        &normalize_digits(form.insurer.trim()),
        CheckDigitPolicy::Warn,
    )
    .map(|i| i.number)
    .map_err(|_| errors.insurer = Some("保険者番号は6桁の数字で入力してください。"))
    .ok();
    if form.name.trim().is_empty() {
        errors.name = Some("氏名を入力してください。");
    }
    let birth_date = match Date::parse_any(&normalize_digits(form.birth_date.trim())) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.birth_date = Some(format!(
                "生年月日を「昭和15年4月1日」か「1940-04-01」の形で入力してください（{e}）。"
            ));
            None
        }
    };
    let sex = Sex::from_code(form.sex.trim()).ok();
    if sex.is_none() {
        errors.sex = Some("性別を選んでください。");
    }
    if form.address.trim().is_empty() {
        errors.address = Some("住所を入力してください。");
    }
    match (insurer, birth_date, sex) {
        (Some(insurer), Some(birth_date), Some(sex)) if !errors.any() => Ok((
            insurer,
            MatchQuery::BasicFour(BasicFour {
                name: form.name.trim().to_string(),
                birth_date,
                sex,
                address: form.address.trim().to_string(),
            }),
        )),
        _ => Err(errors),
    }
}

pub(crate) async fn submit(
    State(state): State<Shared>,
    office: OfficeStaff,
    Form(form): Form<MatchForm>,
) -> Response {
    let page = Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id);
    if !office.browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(page);
    }
    let (insurer, query) = match query_of(&form) {
        Ok(q) => q,
        Err(errors) => {
            let template = MatchPage {
                page,
                form,
                errors,
                outcome: None,
            };
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
        }
    };
    let caller = office.staff.caller.clone();
    let found = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::confirm::confirm_without_card(
                conn, &caller, insurer, query, at,
            )?)
        })
        .await;
    let outcome = match found {
        Ok(Outcome::Allowed(person)) => {
            let to = format!("/office/persons/{}/{}", person.insurer, person.insured);
            return Redirect::to(&to).into_response();
        }
        Ok(Outcome::Denied(d)) => (d.message_ja, d.reason),
        Err(e) => (e.code.message_ja().to_string(), e.code.code()),
    };
    let template = MatchPage {
        page,
        form,
        errors: MatchErrors::default(),
        outcome: Some(outcome),
    };
    respond(StatusCode::OK, &template)
}
