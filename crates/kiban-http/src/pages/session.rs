//! Cookies, form tokens (CSRF) and the logged-in staff member of a page request.
//!
//! **Session.** After the login page, the cookie `__Host-kiban_session` holds the API's own
//! 60-minute access token (HttpOnly, Secure, SameSite=Strict; the `__Host-` prefix pins it to
//! this host and path `/`). Page requests check it through [`StaffCaller::from_token`], the
//! same path as the API's bearer header, so the client-certificate rule, the remembered
//! check and logout behave identically.
//!
//! **Form tokens.** Every POST form carries `csrf` = HMAC(server key, binding), where the
//! binding is the session cookie, or before login a random `__Host-kiban_pre` cookie set with
//! the form ("signed double-submit cookie", [`kiban_crypto::FormKey`]). A cross-site page can
//! send the cookies but can neither read them nor compute the tag. SameSite=Strict already
//! keeps the cookies off cross-site posts in current browsers; the token is the defence that
//! does not depend on the browser. The key is random per process: after a restart a form must
//! be reloaded once.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kiban_domain::access::Actor;

use crate::error::ErrorCode;
use crate::extract::StaffCaller;
use crate::pages::view::{self, Page};
use crate::state::Shared;

pub(crate) const SESSION_COOKIE: &str = "__Host-kiban_session";
pub(crate) const PRE_COOKIE: &str = "__Host-kiban_pre";
pub(crate) const TEXT_COOKIE: &str = "__Host-kiban_text";

/// What the browser sent: its cookies and the page's own address.
#[derive(Clone, Default)]
pub(crate) struct Browser {
    pub session: Option<String>,
    pub pre: Option<String>,
    pub large_text: bool,
    /// Path and query of this request, for "back to this page" after the text-size toggle.
    pub here: String,
}

impl Browser {
    pub fn of(parts: &Parts) -> Self {
        let headers = &parts.headers;
        Self {
            session: token_cookie(headers, SESSION_COOKIE),
            pre: token_cookie(headers, PRE_COOKIE),
            large_text: cookie(headers, TEXT_COOKIE).as_deref() == Some("large"),
            here: parts
                .uri
                .path_and_query()
                .map_or("/".to_string(), |p| p.as_str().to_string()),
        }
    }

    /// What the form tokens of this browser are bound to.
    pub fn binding(&self) -> Option<&str> {
        self.session.as_deref().or(self.pre.as_deref())
    }

    /// Whether a posted form token belongs to this browser.
    pub fn form_token_ok(&self, state: &Shared, token: &str) -> bool {
        self.binding()
            .is_some_and(|binding| state.form_key.verify(binding, token))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Browser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

/// The refusal of a POST whose form token is missing or wrong.
pub(crate) fn bad_form_token(page: Page) -> Response {
    view::error_page(
        page,
        StatusCode::FORBIDDEN,
        "もう一度操作してください",
        "画面の有効期限が切れたか、正しくない送信です。ページを開き直してから、もう一度操作してください。",
    )
}

/// The value of cookie `name`, if sent.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// A cookie holding a token: base64url, at most 256 characters (anything else is ignored).
pub(crate) fn token_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie(headers, name).filter(|v| {
        !v.is_empty()
            && v.len() <= 256
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// `Set-Cookie` for one of our cookies; `max_age_s` 0 deletes it.
pub(crate) fn set_cookie(name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    let text =
        format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age_s}");
    HeaderValue::from_str(&text).expect("cookie names and values are ASCII tokens")
}

/// A logged-in member of an office or medical institution, with the connection's certificate
/// checked for their office, exactly as the API checks it.
pub(crate) struct OfficeStaff {
    pub staff: StaffCaller,
    pub browser: Browser,
}

impl FromRequestParts<Shared> for OfficeStaff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        let browser = Browser::of(parts);
        let Some(token) = browser.session.clone() else {
            return Err(Redirect::to("/office/login").into_response());
        };
        let staff = match StaffCaller::from_token(parts, state, token).await {
            Ok(staff) => staff,
            Err(e) if e.code == ErrorCode::Unauthenticated => {
                // Expired or logged out elsewhere: drop the stale cookie and log in again.
                let clear = set_cookie(SESSION_COOKIE, "", 0);
                return Err(
                    ([(header::SET_COOKIE, clear)], Redirect::to("/office/login")).into_response(),
                );
            }
            Err(e) => {
                let page = Page::new(state, &browser, "");
                let status = e.code.status();
                return Err(view::error_page(
                    page,
                    status,
                    "この画面を利用できません",
                    e.code.message_ja(),
                ));
            }
        };
        if !matches!(
            staff.caller.actor,
            Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. }
        ) {
            let page = Page::new(state, &browser, "");
            return Err(view::error_page(
                page,
                StatusCode::FORBIDDEN,
                "この画面を利用できません",
                "この画面は事業所・医療機関の職員用です。",
            ));
        }
        Ok(Self { staff, browser })
    }
}
