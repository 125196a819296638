//! 介護保険資格確認等WEBサービス for offices and medical institutions: login (client
//! certificate + 職員ID + パスワード + ワンタイムパスワード), logout, and the 資格確認 form.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber};
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use super::session::{
    bad_form_token, set_cookie, Browser, OfficeStaff, PRE_COOKIE, SESSION_COOKIE,
};
use super::view::{page_templates, respond, Page};
use crate::error::{ApiError, ErrorCode};
use crate::extract::Cert;
use crate::routes::staff::{login_over, login_refusal};
use crate::state::{now, Shared};

pub(crate) const PORTAL: &str = "介護保険資格確認等WEBサービス";

/// Messages shown next to the login form's fields, and one for the form as a whole.
#[derive(Default)]
pub(crate) struct LoginErrors {
    pub staff_id: Option<&'static str>,
    pub password: Option<&'static str>,
    pub totp: Option<&'static str>,
    /// A refusal that names no single field (wrong credentials are not told apart, so the
    /// page reveals nothing about which part was wrong).
    pub form: Option<String>,
}

impl LoginErrors {
    /// The messages of the fields left empty or malformed (shared with the 保険者ポータル).
    pub(crate) fn of_fields(staff_id: &str, password: &str, totp: &str) -> Self {
        Self {
            staff_id: staff_id.is_empty().then_some("職員IDを入力してください。"),
            password: password
                .is_empty()
                .then_some("パスワードを入力してください。"),
            totp: (totp.len() != 6 || !totp.bytes().all(|b| b.is_ascii_digit())).then_some(
                "ワンタイムパスワードは、認証アプリに表示される6桁の数字で入力してください。",
            ),
            form: None,
        }
    }

    pub(crate) fn any(&self) -> bool {
        self.staff_id.is_some() || self.password.is_some() || self.totp.is_some()
    }

    /// A refusal of the whole form.
    pub(crate) fn form(message: String) -> Self {
        Self {
            form: Some(message),
            ..Default::default()
        }
    }
}

#[derive(Template)]
#[template(path = "pages/office_login.html")]
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
#[template(path = "pages/office_home.html")]
pub(crate) struct HomePage {
    page: Page,
    insurer: String,
    insured: String,
    errors: LookupErrors,
}

page_templates!(LoginPage, HomePage);

pub(crate) async fn login_form(State(state): State<Shared>, browser: Browser) -> Response {
    let page = Page::new(&state, &browser, PORTAL);
    let template = LoginPage {
        page,
        staff_id: String::new(),
        errors: LoginErrors::default(),
    };
    respond(StatusCode::OK, &template)
}

/// The login form. No `Debug`: it carries a password and a one-time code.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub staff_id: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub totp: String,
}

/// Checks the form, then logs in exactly as `POST /api/v1/staff/login` does; on success the
/// access token goes into the session cookie and the browser moves on to `/office`.
pub(crate) async fn login(
    State(state): State<Shared>,
    browser: Browser,
    Cert(cert): Cert,
    Form(form): Form<LoginForm>,
) -> Response {
    let page = Page::new(&state, &browser, PORTAL);
    if !browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(page);
    }
    let staff_id = form.staff_id.trim().to_string();
    // Codes typed with a Japanese input method arrive as full-width digits.
    let totp = normalize_digits(form.totp.trim());
    let errors = LoginErrors::of_fields(&staff_id, &form.password, &totp);
    if errors.any() {
        let template = LoginPage {
            page,
            staff_id,
            errors,
        };
        return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
    }
    let id = staff_id.clone();
    let outcome = state
        .store(move |state, store| {
            let tokens = match login_over(state, store, &cert, &id, &form.password, &totp)? {
                Ok(tokens) => tokens,
                Err(refusal) => return Ok(Err(refused(&login_refusal(&refusal)))),
            };
            // The office pages are for office and medical staff; anyone else is logged out
            // again at once instead of holding a session these pages cannot serve.
            let staff = kiban_app::auth::authenticate(store, tokens.access.expose(), now().0)?;
            let office = staff
                .is_some_and(|s| matches!(s.actor_kind.as_str(), "office_staff" | "medical_staff"));
            if !office {
                kiban_app::auth::logout(store, tokens.access.expose())?;
                let why = "この画面は事業所・医療機関の職員用です。".to_string();
                return Ok(Err((StatusCode::FORBIDDEN, why)));
            }
            Ok(Ok(tokens))
        })
        .await;
    let (status, message) = match outcome {
        Ok(Ok(tokens)) => {
            let max_age = (tokens.access_expires_ms - now().0) / 1000;
            let session = set_cookie(SESSION_COOKIE, tokens.access.expose(), max_age.max(0));
            let pre = set_cookie(PRE_COOKIE, "", 0);
            // `AppendHeaders`: a plain header array would keep only the last Set-Cookie.
            return (
                AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, pre)]),
                Redirect::to("/office"),
            )
                .into_response();
        }
        Ok(Err(refusal)) => refusal,
        Err(e) => refused(&e),
    };
    let template = LoginPage {
        page,
        staff_id,
        errors: LoginErrors::form(message),
    };
    respond(status, &template)
}

/// A refused login in plain Japanese, with the status the API would answer.
pub(crate) fn refused(e: &ApiError) -> (StatusCode, String) {
    let message = match e.code {
        ErrorCode::LoginFailed => {
            "職員ID・パスワード・ワンタイムパスワードのいずれかが違います。確かめて、もう一度入力してください。"
        }
        ErrorCode::ClientCertificateRequired => {
            "この端末には事業所のクライアント証明書がありません。事業所に登録された端末からログインしてください。"
        }
        ErrorCode::AccountLocked => {
            "ログインの失敗が続いたため、アカウントを一時的にロックしました。しばらく待ってから、もう一度お試しください。"
        }
        code => code.message_ja(),
    };
    (e.code.status(), message.to_string())
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
            .store(move |state, store| {
                kiban_app::auth::logout(store, &token)?;
                state
                    .staff_sessions
                    .forget(&kiban_crypto::hash_token(&token));
                Ok(())
            })
            .await;
        if ended.is_err() {
            let page = Page::new(&state, &browser, PORTAL);
            return super::view::error_page(
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
    let template = HomePage {
        page: Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id),
        insurer: String::new(),
        insured: String::new(),
        errors: LookupErrors::default(),
    };
    respond(StatusCode::OK, &template)
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
    let template = HomePage {
        page: Page::new(&state, &office.browser, PORTAL).with_staff(&office.staff.staff_id),
        insurer,
        insured,
        errors,
    };
    respond(StatusCode::UNPROCESSABLE_ENTITY, &template)
}
