//! 介護保険資格確認等WEBサービス for offices and medical institutions: login (client
//! certificate + 職員ID + パスワード + ワンタイムパスワード), logout, and the 資格確認 form.

pub(crate) mod applications;
pub(crate) mod card;
pub(crate) mod careplans;
pub(crate) mod category;
pub(crate) mod consent;
pub(crate) mod matching;
pub(crate) mod requests;
pub(crate) mod served;
pub(crate) mod summary;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kiban_domain::access::Actor;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber};
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use crate::pages::login::{LoginErrors, LoginTemplate, Portal};
use crate::pages::office::card::CardChallenge;
use crate::pages::session::{bad_form_token, set_cookie, Browser, OfficeStaff, SESSION_COOKIE};
use crate::pages::view::{page_templates, respond, Page};
use crate::state::Shared;

pub(crate) const PORTAL: &str = "介護保険資格確認等WEBサービス";

#[derive(Template)]
#[template(path = "pages/office/login.html")]
pub(crate) struct LoginPage {
    page: Page,
    staff_id: String,
    errors: LoginErrors,
}

/// Messages shown next to the 資格確認 form's fields.
#[derive(Default)]
pub(crate) struct LookupErrors {
    insurer: Option<&'static str>,
    insured: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "pages/office/home.html")]
pub(crate) struct HomePage {
    page: Page,
    insurer: String,
    insured: String,
    errors: LookupErrors,
    /// The card reader's challenge; `None` only when the challenge store is full.
    challenge: Option<CardChallenge>,
    /// Why the last card was not accepted, in plain Japanese.
    card_error: Option<String>,
    /// A medical institution's staff: their list of 主治医意見書作成依頼 is linked.
    medical: bool,
}

impl HomePage {
    async fn new(state: &Shared, office: &OfficeStaff, insurer: String, insured: String) -> Self {
        let challenge = CardChallenge::issue(state).await;
        Self {
            page: Page::new(state, &office.browser, PORTAL).with_staff(&office.staff.staff_id),
            insurer,
            insured,
            errors: LookupErrors::default(),
            challenge,
            card_error: None,
            medical: matches!(office.staff.caller.actor, Actor::MedicalStaff { .. }),
        }
    }
}

page_templates!(LoginPage, HomePage);

impl LoginTemplate for LoginPage {
    /// Office and medical staff only.
    const PORTAL: Portal = Portal {
        name: PORTAL,
        kinds: &[
            kiban_domain::access::StaffKind::OfficeStaff,
            kiban_domain::access::StaffKind::MedicalStaff,
        ],
        wrong_kind: "この画面は事業所・医療機関の職員用です。",
        home: "/office",
    };

    fn new(page: Page, staff_id: String, errors: LoginErrors) -> Self {
        Self {
            page,
            staff_id,
            errors,
        }
    }
}

/// The logout button's form.
#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// Revokes the session (as `POST /api/v1/staff/logout`) and drops the cookie.
pub(crate) async fn logout(
    State(state): State<Shared>,
    browser: Browser,
    Form(form): Form<TokenForm>,
) -> Response {
    if !browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(Page::new(&state, &browser, PORTAL));
    }
    if let Some(token) = browser.session.clone() {
        let ended = state
            .conn(move |state, conn| state.staff_sessions.log_out(conn, &token))
            .await;
        if ended.is_err() {
            let page = Page::new(&state, &browser, PORTAL);
            return crate::pages::view::error_page(
                page,
                StatusCode::SERVICE_UNAVAILABLE,
                "ログアウトできませんでした",
                "時間をおいて、もう一度ログアウトしてください。",
            );
        }
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0);
    ([(header::SET_COOKIE, clear)], Redirect::to("/office/login")).into_response()
}

/// The 資格確認 form.
pub(crate) async fn home(State(state): State<Shared>, office: OfficeStaff) -> Response {
    let template = HomePage::new(&state, &office, String::new(), String::new()).await;
    respond(StatusCode::OK, &template)
}

/// The 資格確認 form again, with why the card was not accepted next to the card reader.
pub(crate) async fn card_refused(state: &Shared, office: &OfficeStaff, why: &str) -> Response {
    let mut template = HomePage::new(state, office, String::new(), String::new()).await;
    template.card_error = Some(why.to_string());
    respond(StatusCode::UNPROCESSABLE_ENTITY, &template)
}

#[derive(Deserialize)]
pub(crate) struct LookupForm {
    #[serde(default)]
    insurer: String,
    #[serde(default)]
    insured: String,
}

/// Checks both numbers and moves on to the person's page; a wrong number is shown next to
/// its field. Nothing personal is read here, so nothing is audited yet.
pub(crate) async fn lookup(
    State(state): State<Shared>,
    office: OfficeStaff,
    Query(form): Query<LookupForm>,
) -> Response {
    let insurer = normalize_digits(form.insurer.trim());
    let insured = normalize_digits(form.insured.trim());
    let insurer_ok = InsurerNumber::parse_with(&insurer, CheckDigitPolicy::Warn).ok();
    let insured_ok = InsuredNumber::parse(&insured).ok();
    if let (Some(insurer), Some(insured)) = (&insurer_ok, &insured_ok) {
        let to = format!("/office/persons/{}/{}", insurer.number, insured);
        return Redirect::to(&to).into_response();
    }
    let errors = LookupErrors {
        insurer: insurer_ok
            .is_none()
            .then_some("保険者番号は6桁の数字で入力してください。"),
        insured: insured_ok
            .is_none()
            .then_some("被保険者番号は10桁の数字で入力してください。"),
    };
    let mut template = HomePage::new(&state, &office, insurer, insured).await;
    template.errors = errors;
    respond(StatusCode::UNPROCESSABLE_ENTITY, &template)
}
