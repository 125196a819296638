//! The citizen portal's login and session (本人ポータル, マイナポータル-like).
//!
//! **Login** is the API's card login in a form: the page takes a one-time challenge from the
//! same challenges as `POST /api/v1/citizen/challenge` (kept in the database), the card signs it and
//! the POST verifies it with the same `kiban_app::citizen::check_card` / `finish_card_login`
//! (so a failed attempt with a linked card is audited for its person). Two ways to sign:
//! `static/card.js` unseals the card file in the browser with WebCrypto and fills `cert_pem`
//! and `signature` (raw r‖s, base64url); without JavaScript the person pastes the JSON that
//! `kiban card sign` (the reader app stand-in) prints into `response`. The server accepts both
//! signature encodings (`kiban_crypto::verify_card_login`).
//!
//! **Session**: the citizen session of [`crate::state`] (in memory, 60 minutes), its token in
//! the cookie `__Host-kiban_me` (HttpOnly, Secure, SameSite=Strict), apart from the staff
//! cookie so one browser can hold both without one's logout ending the other. Form tokens are
//! bound like every page's (`session::Browser::binding`), which the header's text-size and
//! logout forms already use.

use askama::Template;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kiban_app::access::Caller;
use kiban_crypto::CardSignature;
use kiban_domain::access::{Actor, PersonRef};
use serde::Deserialize;

use crate::extract::CITIZEN_ACCOUNT;
use crate::pages::session::{bad_form_token, set_cookie, token_cookie, Browser};
use crate::pages::view::{error_page, page_templates, respond, Page};
use crate::state::{now, Shared, CITIZEN_SESSION_MS};

pub(crate) const PORTAL: &str = "本人ポータル";
pub(crate) const ME_COOKIE: &str = "__Host-kiban_me";

#[derive(Template)]
#[template(path = "pages/me/login.html")]
pub(crate) struct LoginPage {
    page: Page,
    challenge_id: String,
    /// The bytes to sign, base64url (for card.js) and hex (for `kiban card sign --message`).
    message_b64: String,
    message_hex: String,
    error: Option<String>,
}

page_templates!(LoginPage);

/// A logged-in person on a portal page: the API's citizen caller, from the portal cookie.
pub(crate) struct Citizen {
    pub caller: Caller,
    pub person: PersonRef,
    pub browser: Browser,
}

impl Citizen {
    /// The layout for a logged-in page: the header names the person's 被保険者番号 and its
    /// logout button ends the portal session.
    pub fn page(&self, state: &Shared) -> Page {
        Page::new(state, &self.browser, PORTAL)
            .with_staff(&format!("被保険者番号 {}", self.person.insured))
            .with_logout("/me/logout")
    }
}

impl FromRequestParts<Shared> for Citizen {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        let browser = Browser::of(parts);
        let session = match token_cookie(&parts.headers, ME_COOKIE) {
            Some(token) => state.citizen_session(token).await.ok().flatten(),
            None => None,
        };
        let Some(session) = session else {
            return Err(Redirect::to("/me/login").into_response());
        };
        Ok(Self {
            caller: Caller {
                actor: Actor::Citizen {
                    person: session.person,
                },
                account: CITIZEN_ACCOUNT.to_string(),
            },
            person: session.person,
            browser,
        })
    }
}

pub(crate) async fn login_form(State(state): State<Shared>, browser: Browser) -> Response {
    login_page(&state, &browser, StatusCode::OK, None).await
}

/// The login page with a fresh challenge (each showing gets its own: one use each).
async fn login_page(
    state: &Shared,
    browser: &Browser,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let page = Page::new(state, browser, PORTAL);
    let issued = state.issue_challenge().await;
    let Ok(Some(challenge)) = issued else {
        // Many unanswered challenges at once, or the database unreachable.
        return error_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            "ただいま混み合っています",
            "しばらく待ってから、もう一度このページを開いてください。",
        );
    };
    let message = challenge.message();
    let template = LoginPage {
        page,
        message_b64: kiban_crypto::base64url(&message),
        message_hex: hex::encode(&message),
        challenge_id: challenge.id,
        error: error.map(str::to_string),
    };
    respond(status, &template)
}

/// The login form. No `Debug`: it carries the form token and the card's answer.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    challenge_id: String,
    /// Filled by card.js.
    #[serde(default)]
    cert_pem: String,
    #[serde(default)]
    signature: String,
    /// Pasted output of `kiban card sign` (no JavaScript).
    #[serde(default)]
    response: String,
}

impl LoginForm {
    pub(in crate::pages) fn card_signature(&self) -> Option<CardSignature> {
        if !self.response.trim().is_empty() {
            return serde_json::from_str(self.response.trim()).ok();
        }
        // Same decoding as the API's JSON body (base64url), so both paths agree.
        let json = serde_json::json!({ "cert_pem": self.cert_pem, "signature": self.signature });
        serde_json::from_value(json).ok()
    }
}

pub(crate) async fn login(
    State(state): State<Shared>,
    browser: Browser,
    Form(form): Form<LoginForm>,
) -> Response {
    if !browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(Page::new(&state, &browser, PORTAL));
    }
    let Some(signature) = form.card_signature() else {
        let message = "カードを読み取れませんでした。カードのファイルと暗証番号を確かめて、もう一度お試しください。";
        return login_page(&state, &browser, StatusCode::BAD_REQUEST, Some(message)).await;
    };
    let challenge_id = form.challenge_id;
    let verdict = state
        .conn(move |state, conn| {
            let (_, now) = now();
            let challenge = kiban_app::citizen::take_challenge(conn, &challenge_id, now)?;
            let check = {
                let revocations = state.card_revocations();
                kiban_app::citizen::check_card(
                    &state.card_root,
                    &revocations,
                    challenge,
                    &signature,
                    now,
                )
            };
            let person = kiban_app::citizen::finish_card_login(conn, check, now)?;
            Ok(match person {
                Ok(person) => Ok((
                    person,
                    kiban_app::citizen::start_session(conn, person, now_ms())?.0,
                )),
                Err(refusal) => Err(refusal),
            })
        })
        .await;
    let token = match verdict {
        Ok(Ok((_, token))) => token,
        Ok(Err(refusal)) => {
            let message = match refusal.code {
                "CHALLENGE_REJECTED" => "時間が過ぎたか、すでに使われた画面です。もう一度、カードでログインしてください。",
                "CARD_NOT_LINKED" => "このカードは介護保険の情報と結び付けられていません。お住まいの市区町村にお問い合わせください。",
                _ => "カードを確認できませんでした。カードのファイルと暗証番号を確かめて、もう一度お試しください。",
            };
            return login_page(&state, &browser, StatusCode::UNAUTHORIZED, Some(message)).await;
        }
        Err(e) => {
            let page = Page::new(&state, &browser, PORTAL);
            return error_page(
                page,
                e.code.status(),
                "ログインできません",
                e.code.message_ja(),
            );
        }
    };
    let cookie = set_cookie(ME_COOKIE, &token, CITIZEN_SESSION_MS / 1000);
    ([(header::SET_COOKIE, cookie)], Redirect::to("/me")).into_response()
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Ends the portal session (at once: the session is forgotten server-side).
pub(crate) async fn logout(
    State(state): State<Shared>,
    browser: Browser,
    cookie: MeCookie,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !browser.form_token_ok(&state, &form.csrf) {
        return bad_form_token(Page::new(&state, &browser, PORTAL));
    }
    if let Some(token) = cookie.0 {
        if let Err(e) = state.end_citizen_session(token).await {
            let page = Page::new(&state, &browser, PORTAL);
            return error_page(
                page,
                e.code.status(),
                "ログアウトできません",
                e.code.message_ja(),
            );
        }
    }
    let clear = set_cookie(ME_COOKIE, "", 0);
    (
        [(header::SET_COOKIE, clear)],
        Redirect::to("/me/login?bye=1"),
    )
        .into_response()
}

/// The portal cookie, if sent (logout works also when the session has already expired).
pub(crate) struct MeCookie(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for MeCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(token_cookie(&parts.headers, ME_COOKIE)))
    }
}

fn now_ms() -> i64 {
    now().0
}
