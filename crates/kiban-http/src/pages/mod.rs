//! The web pages: server-rendered HTML in Japanese, served by the same server as the API.
//!
//! - Templates live in `crates/kiban-http/templates/pages/` and are compiled into the binary by
//!   askama, so a template that names a missing field fails the build, not a request.
//! - Pages work without JavaScript: every action is a plain form (GET for look-ups, POST for
//!   anything that changes state, each POST carrying a form token, see [`session`]).
//! - Every read of personal data goes through the same `kiban_app` services as the API
//!   (`qualification::read_summary` decides with the access policy and audits), and staff
//!   authenticate through the API's own token check ([`crate::extract::StaffCaller`]).
//! - Pages are not part of the API: they are not in [`crate::routes::ROUTES`] nor the OpenAPI
//!   document.

mod careplan_sections;
mod careplan_sheets;
mod cert_view;
pub mod fuzzing;
mod login;
mod me;
mod municipal;
mod office;
mod session;
mod start;
mod upload;
mod view;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::Shared;

/// The stylesheet, our own: no third-party assets.
const STYLESHEET: &str = include_str!("../../static/kiban.css");
/// The card reader script of the citizen login, our own (see `static/card.js`).
const CARD_SCRIPT: &str = include_str!("../../static/card.js");

/// Content-Security-Policy of every page: our own origin only, no inline script or style, no
/// framing, forms post only to us. Scripts only from our own files (`/static/card.js`).
const CSP: &str = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// The page routes, with the security headers on every response.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(start::index))
        .route("/me", get(me::home))
        .route(
            "/me/login",
            get(me::login::login_form).post(me::login::login),
        )
        .route("/me/logout", post(me::login::logout))
        .route("/me/consents", get(me::consents))
        .route("/me/consents/{id}/revoke", post(me::revoke))
        .route("/me/history", get(me::history))
        .route("/me/download", get(me::download))
        .route("/municipal", get(municipal::home))
        .route(
            "/municipal/login",
            get(login::form::<municipal::LoginPage>).post(login::login::<municipal::LoginPage>),
        )
        .route("/municipal/logout", post(municipal::logout))
        .route(
            "/municipal/imports",
            get(municipal::history)
                .post(municipal::import::upload)
                .layer(DefaultBodyLimit::max(municipal::import::UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/municipal/persons",
            get(municipal::person::search_form).post(municipal::person::search),
        )
        .route("/municipal/cards", post(municipal::person::link))
        .route("/municipal/opinions", post(municipal::opinion::request))
        .route("/prefs/text-size", post(start::text_size))
        .route(
            "/office/login",
            get(login::form::<office::LoginPage>).post(login::login::<office::LoginPage>),
        )
        .route("/office/logout", post(office::logout))
        .route("/office", get(office::home))
        .route("/office/persons", get(office::lookup))
        .route("/office/served", get(office::served::list))
        .route("/office/requests", get(office::requests::list))
        .route(
            "/office/persons/{insurer}/{insured}",
            get(office::summary::show),
        )
        .route(
            "/office/persons/{insurer}/{insured}/consent",
            get(office::consent::form).post(office::consent::submit),
        )
        .route(
            "/office/persons/{insurer}/{insured}/views/{category}",
            get(office::category::show),
        )
        .route("/office/card", post(office::card::confirm))
        .route(
            "/office/match",
            get(office::matching::form).post(office::matching::submit),
        )
        .route("/me/applications", get(me::applications::list))
        .route("/office/applications", get(office::applications::list))
        .route("/office/applications/{id}", get(office::applications::show))
        .route(
            "/municipal/applications/overdue",
            get(municipal::applications::overdue),
        )
        .route(
            "/municipal/applications/{id}",
            get(municipal::applications::show),
        )
        .route(
            "/municipal/applications/{id}/survey",
            get(municipal::survey::form).post(municipal::survey::submit),
        )
        .route("/me/careplans", get(me::careplans::list))
        .route("/me/careplans/{id}/confirm", post(me::careplans::confirm))
        .route("/me/careplans/{id}/comment", post(me::careplans::comment))
        .route("/me/life", get(me::careplans::life))
        .route(
            "/office/careplans",
            get(office::careplans::show)
                .post(office::careplans::upload)
                .layer(DefaultBodyLimit::max(office::careplans::UPLOAD_BODY_LIMIT)),
        )
        .route("/municipal/careplans", get(municipal::careplans::console))
        .route(
            "/municipal/careplans/exclusions",
            post(municipal::careplans::exclusion),
        )
        .route(
            "/municipal/careplans/staffing",
            post(municipal::careplans::staffing),
        )
        .route(
            "/municipal/careplans/corporations",
            post(municipal::careplans::corporations),
        )
        .route(
            "/municipal/persons/{insurer}/{insured}/careplans",
            get(municipal::person::careplans),
        )
        .route("/static/kiban.css", get(stylesheet))
        .route("/static/card.js", get(card_script))
        .layer(axum::middleware::map_response(security_headers))
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            // Not personal: browsers may keep it for an hour.
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

async fn card_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CARD_SCRIPT,
    )
        .into_response()
}

/// Security headers for pages. Pages carry personal data or a session's form token, so
/// nothing is stored by browsers or proxies unless a handler said otherwise (the stylesheet).
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |name, value: &'static str| (name, HeaderValue::from_static(value));
    for (name, value) in [
        set(header::CONTENT_SECURITY_POLICY, CSP),
        set(header::X_FRAME_OPTIONS, "DENY"),
        set(header::REFERRER_POLICY, "no-referrer"),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, value);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An unknown page: an HTML 404 in the portal's layout.
pub(crate) async fn not_found(request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let browser = session::Browser::of(&parts);
    let page = view::Page::plain(&browser, "");
    let response = view::error_page(
        page,
        StatusCode::NOT_FOUND,
        "ページが見つかりません",
        "指定されたページはありません。アドレスを確かめてください。",
    );
    security_headers(response).await
}
