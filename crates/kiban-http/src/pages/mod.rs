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

mod careplan_me;
mod careplan_municipal;
mod careplan_municipal_forms;
mod careplan_municipal_person;
mod careplan_municipal_reports;
mod careplan_office;
mod careplan_sections;
mod careplan_sheets;
mod category;
mod cert_me;
mod cert_municipal;
mod cert_office;
mod cert_survey;
mod cert_view;
mod citizen;
mod citizen_views;
mod consent;
pub mod fuzzing;
mod login;
mod medical;
mod municipal;
mod municipal_import;
mod municipal_opinion;
mod municipal_person;
mod office;
mod office_card;
mod office_match;
mod served;
mod session;
mod start;
mod summary;
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
        .route("/me", get(citizen_views::home))
        .route("/me/login", get(citizen::login_form).post(citizen::login))
        .route("/me/logout", post(citizen::logout))
        .route("/me/consents", get(citizen_views::consents))
        .route("/me/consents/{id}/revoke", post(citizen_views::revoke))
        .route("/me/history", get(citizen_views::history))
        .route("/me/download", get(citizen_views::download))
        .route("/municipal", get(municipal::home))
        .route(
            "/municipal/login",
            get(login::form::<municipal::LoginPage>).post(login::login::<municipal::LoginPage>),
        )
        .route("/municipal/logout", post(municipal::logout))
        .route(
            "/municipal/imports",
            get(municipal::history)
                .post(municipal_import::upload)
                .layer(DefaultBodyLimit::max(municipal_import::UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/municipal/persons",
            get(municipal_person::search_form).post(municipal_person::search),
        )
        .route("/municipal/cards", post(municipal_person::link))
        .route("/municipal/opinions", post(municipal_opinion::request))
        .route("/prefs/text-size", post(start::text_size))
        .route(
            "/office/login",
            get(login::form::<office::LoginPage>).post(login::login::<office::LoginPage>),
        )
        .route("/office/logout", post(office::logout))
        .route("/office", get(office::home))
        .route("/office/persons", get(office::lookup))
        .route("/office/served", get(served::list))
        .route("/office/requests", get(medical::list))
        .route("/office/persons/{insurer}/{insured}", get(summary::show))
        .route(
            "/office/persons/{insurer}/{insured}/consent",
            get(consent::form).post(consent::submit),
        )
        .route(
            "/office/persons/{insurer}/{insured}/views/{category}",
            get(category::show),
        )
        .route("/office/card", post(office_card::confirm))
        .route(
            "/office/match",
            get(office_match::form).post(office_match::submit),
        )
        .route("/me/applications", get(cert_me::list))
        .route("/office/applications", get(cert_office::list))
        .route("/office/applications/{id}", get(cert_office::show))
        .route(
            "/municipal/applications/overdue",
            get(cert_municipal::overdue),
        )
        .route("/municipal/applications/{id}", get(cert_municipal::show))
        .route(
            "/municipal/applications/{id}/survey",
            get(cert_survey::form).post(cert_survey::submit),
        )
        .route("/me/careplans", get(careplan_me::list))
        .route("/me/careplans/{id}/confirm", post(careplan_me::confirm))
        .route("/me/careplans/{id}/comment", post(careplan_me::comment))
        .route("/me/life", get(careplan_me::life))
        .route(
            "/office/careplans",
            get(careplan_office::show)
                .post(careplan_office::upload)
                .layer(DefaultBodyLimit::max(careplan_office::UPLOAD_BODY_LIMIT)),
        )
        .route("/municipal/careplans", get(careplan_municipal::console))
        .route(
            "/municipal/careplans/exclusions",
            post(careplan_municipal_forms::exclusion),
        )
        .route(
            "/municipal/careplans/staffing",
            post(careplan_municipal_forms::staffing),
        )
        .route(
            "/municipal/careplans/corporations",
            post(careplan_municipal_forms::corporations),
        )
        .route(
            "/municipal/persons/{insurer}/{insured}/careplans",
            get(careplan_municipal_person::person),
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
