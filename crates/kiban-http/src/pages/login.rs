//! The staff login shared by the office pages and the 保険者ポータル: the same form
//! (`templates/pages/login_form.html`), the same checks of its fields, the same login as
//! `POST /api/v1/staff/login`, and the same session cookie. What tells the portals apart is
//! a [`Portal`]: whose accounts it serves and where a logged-in browser goes.

use axum::extract::{Form, State};
use axum::http::{header, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use kiban_domain::access::StaffKind;
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::extract::Cert;
use crate::login_throttle::Source;
use crate::pages::session::{bad_form_token, set_cookie, Browser, PRE_COOKIE, SESSION_COOKIE};
use crate::pages::view::{respond, Page, PageTemplate};
use crate::routes::staff::{login_over, login_refusal, retry_after_s};
use crate::state::{now, Shared};

/// One portal's login.
pub(crate) struct Portal {
    /// Shown in the header.
    pub name: &'static str,
    /// The account kinds (`actor_kind`) the portal serves.
    pub kinds: &'static [StaffKind],
    /// Why anyone else is turned away.
    pub wrong_kind: &'static str,
    /// Where the browser goes once logged in.
    pub home: &'static str,
}

/// A portal's login page; [`form`] and [`login`] are its routes' handlers.
pub(crate) trait LoginTemplate: PageTemplate {
    const PORTAL: Portal;

    fn new(page: Page, staff_id: String, errors: LoginErrors) -> Self;
}

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
    /// The messages of the fields left empty or malformed.
    fn of_fields(staff_id: &str, password: &str, totp: &str) -> Self {
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

    fn any(&self) -> bool {
        self.staff_id.is_some() || self.password.is_some() || self.totp.is_some()
    }

    /// A refusal of the whole form.
    fn form(message: String) -> Self {
        Self {
            form: Some(message),
            ..Default::default()
        }
    }
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

/// The empty login form.
pub(crate) async fn form<T: LoginTemplate>(
    State(state): State<Shared>,
    browser: Browser,
) -> Response {
    let page = Page::new(&state, &browser, T::PORTAL.name);
    let template = T::new(page, String::new(), LoginErrors::default());
    respond(StatusCode::OK, &template)
}

/// Checks the form, then logs in exactly as `POST /api/v1/staff/login` does; on success the
/// access token goes into the session cookie and the browser moves on to the portal's home.
/// An account of a kind the portal does not serve is logged out again at once instead of
/// holding a session these pages cannot serve.
pub(crate) async fn login<T: LoginTemplate>(
    State(state): State<Shared>,
    browser: Browser,
    Cert(cert): Cert,
    source: Source,
    Form(form): Form<LoginForm>,
) -> Response {
    let portal = T::PORTAL;
    let page = Page::new(&state, &browser, portal.name);
    if !browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(page);
    }
    let staff_id = form.staff_id.trim().to_string();
    // Codes typed with a Japanese input method arrive as full-width digits.
    let totp = normalize_digits(form.totp.trim());
    let errors = LoginErrors::of_fields(&staff_id, &form.password, &totp);
    if errors.any() {
        let template = T::new(page, staff_id, errors);
        return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
    }
    let id = staff_id.clone();
    let outcome = state
        .conn(move |state, conn| {
            let tokens = match login_over(state, conn, &cert, &source, &id, &form.password, &totp)?
            {
                Ok(tokens) => tokens,
                Err(kiban_app::auth::LoginRefusal::Throttled { retry_at_ms }) => {
                    return Ok(Err(throttled(retry_at_ms)))
                }
                Err(refusal) => return Ok(Err(refused(&login_refusal(&refusal)))),
            };
            let staff = kiban_app::auth::authenticate(conn, tokens.access.expose(), now().0)?;
            let served = staff.is_some_and(|s| portal.kinds.contains(&s.workplace.kind()));
            if !served {
                kiban_app::auth::logout(conn, tokens.access.expose())?;
                return Ok(Err((StatusCode::FORBIDDEN, portal.wrong_kind.to_string())));
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
                Redirect::to(portal.home),
            )
                .into_response();
        }
        Ok(Err(refusal)) => refusal,
        Err(e) => refused(&e),
    };
    let template = T::new(page, staff_id, LoginErrors::form(message));
    respond(status, &template)
}

/// A throttled login: how long to wait, in plain Japanese.
fn throttled(retry_at_ms: i64) -> (StatusCode, String) {
    let seconds = retry_after_s(retry_at_ms);
    let wait = if seconds >= 60 {
        format!("約{}分", (seconds + 59) / 60)
    } else {
        format!("{seconds}秒")
    };
    (
        ErrorCode::LoginThrottled.status(),
        format!("ログインの失敗が続いたため、受付を一時的に止めています。{wait}ほど待ってから、もう一度お試しください。"),
    )
}

/// A refused login in plain Japanese, with the status the API would answer.
fn refused(e: &ApiError) -> (StatusCode, String) {
    let message = match e.code {
        ErrorCode::LoginFailed => {
            "職員ID・パスワード・ワンタイムパスワード、またはこの端末のクライアント証明書のいずれかが違います。確かめて、もう一度入力してください。"
        }
        ErrorCode::ClientCertificateRequired => {
            "この端末にはクライアント証明書がありません。証明書を入れた、登録済みの端末からログインしてください。"
        }
        ErrorCode::AccountLocked => {
            "ログインの失敗が続いたため、アカウントを一時的にロックしました。しばらく待ってから、もう一度お試しください。"
        }
        code => code.message_ja(),
    };
    (e.code.status(), message.to_string())
}
