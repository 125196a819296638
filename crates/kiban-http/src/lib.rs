//! kiban's HTTP API: REST/JSON under `/api/v1` over TLS 1.3, served by axum on hyper with
//! rustls (ring provider).
//!
//! - [`serve`] / [`Server`]: accept TCP, handshake TLS (client certificate optional, verified
//!   against kiban's CA when presented, see [`tls`]), serve the [`router`].
//! - [`error`]: the one table of error codes and the response envelope. Business refusals are
//!   HTTP 200 with `ok: false`, as in the national API; system errors use 4xx/5xx.
//! - [`routes`]: the route table; handlers only parse, call `kiban_app` on a blocking thread and
//!   shape the answer. They never touch SQL, and every read of personal data goes through the
//!   application layer's access functions, which decide and audit.
//! - [`openapi`]: the OpenAPI 3.1 document, at `/api/v1/openapi.json`.
//! - [`revocation`]: keeps the client-certificate revocation list current while serving (the
//!   CRL file and the database); [`login_throttle`]: failed staff logins per source.
//! - `pages`: the web pages (HTML in Japanese, askama templates) on the same server, reading
//!   through the same `kiban_app` services; not part of the API table or its OpenAPI document.
//!
//! Nothing here logs a token, password, TOTP code, certificate or My Number; the request types
//! that carry secrets have no `Debug`.

pub mod body;
pub mod error;
pub mod extract;
pub mod login_throttle;
pub mod notices;
pub mod openapi;
mod pages;
/// For the fuzz targets only (`fuzz/`): the pages' form parsing on raw bytes.
#[doc(hidden)]
pub use pages::fuzzing;
pub mod revocation;
pub mod routes;
mod server;
mod staff_sessions;
pub mod state;
pub mod tls;
mod wal;

pub use error::{ApiError, ErrorCode, Reply};
pub use server::{serve, SecretKeyPem, Server, ServerConfig};
pub use state::{AppState, ConnectionFactory, DatabaseLimits, Shared, StateConfig, StoreSource};
pub use tls::ClientCert;

use axum::Router;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("TLS の設定が不正です: {0} / invalid TLS configuration: {0}")]
    Tls(String),
    #[error(transparent)]
    App(#[from] kiban_app::AppError),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// The API's router over `state`, with the web pages beside it. Without the TLS layer of
/// [`Server`] every request counts as arriving without a client certificate.
pub fn router(state: Shared) -> Router {
    routes::add(Router::new())
        .merge(pages::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(body::read_to_end))
        .with_state(state)
}

/// A known path with another method: the API answers 405 in its envelope (axum adds the
/// `Allow` header); the pages keep their HTML 404.
async fn method_not_allowed(request: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        error::ApiError::new(error::ErrorCode::MethodNotAllowed).into_response()
    } else {
        pages::not_found(request).await
    }
}

/// Unknown API paths answer in the API's envelope, anything else with an HTML page.
async fn not_found(request: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        routes::not_found().await.into_response()
    } else {
        pages::not_found(request).await
    }
}
