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

mod office;
mod session;
mod start;
mod summary;
mod view;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::Shared;

/// The stylesheet, our own and the only static file: no third-party assets.
const STYLESHEET: &str = include_str!("../../static/kiban.css");

/// Content-Security-Policy of every page: our own origin only, no inline script or style, no
/// framing, forms post only to us.
const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

/// The page routes, with the security headers on every response.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/", get(start::index))
        .route("/me", get(start::citizen_portal))
        .route("/municipal", get(start::municipal_portal))
        .route("/prefs/text-size", post(start::text_size))
        .route("/office/login", get(office::login_form).post(office::login))
        .route("/office/logout", post(office::logout))
        .route("/office", get(office::home))
        .route("/office/persons", get(office::lookup))
        .route("/office/persons/{insurer}/{insured}", get(summary::show))
        .route("/static/kiban.css", get(stylesheet))
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
