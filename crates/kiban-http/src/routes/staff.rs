//! Staff authentication: login (device certificate + ID + password + TOTP), refresh, logout.
//! Passwords, TOTP codes and tokens are never logged; the request types have no `Debug`.

use axum::extract::State;
use axum::http::header::RETRY_AFTER;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use kiban_app::auth::{LoginRefusal, Tokens};
use kiban_app::Connection;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode, Reply};
use crate::extract::{certificate_matches, Bearer, Cert, JsonBody};
use crate::login_throttle::Source;
use crate::state::{now, AppState, Shared};
use crate::tls::ClientCert;

#[derive(Deserialize)]
pub struct LoginRequest {
    pub staff_id: String,
    pub password: String,
    pub totp: String,
}

#[derive(Deserialize)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Tokens, shown once. Access 60 min, refresh 8 h; a refresh token works once.
#[derive(Serialize)]
pub struct TokensOut {
    pub token_type: &'static str,
    pub access_token: String,
    pub access_expires_at_ms: i64,
    pub refresh_token: String,
    pub refresh_expires_at_ms: i64,
}

impl From<Tokens> for TokensOut {
    fn from(t: Tokens) -> Self {
        Self {
            token_type: "Bearer",
            access_token: t.access.expose().to_string(),
            access_expires_at_ms: t.access_expires_ms,
            refresh_token: t.refresh.expose().to_string(),
            refresh_expires_at_ms: t.refresh_expires_ms,
        }
    }
}

#[derive(Serialize)]
pub struct Done {
    pub done: bool,
}

/// Every account logs in over a connection presenting its device certificate (the office's,
/// the institution's, or the staff certificate of a municipal or operator account). Every
/// unknown or wrong credential, the missing certificate included, gets the one answer
/// `LOGIN_FAILED`; a source that keeps failing is throttled (`LOGIN_THROTTLED`, 429, with
/// `Retry-After`).
pub async fn login(
    State(state): State<Shared>,
    Cert(cert): Cert,
    source: Source,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Response {
    let outcome = state
        .conn(move |state, conn| {
            login_over(
                state,
                conn,
                &cert,
                &source,
                &req.staff_id,
                &req.password,
                &req.totp,
            )
        })
        .await;
    match outcome {
        Ok(Ok(tokens)) => Reply::Ok(TokensOut::from(tokens)).into_response(),
        Ok(Err(refusal)) => refusal_response(&refusal),
        Err(e) => e.into_response(),
    }
}

/// The login rule shared by this route and the web login page: the source's throttle, then
/// `kiban_app::auth::login` with the connection's certificate as the device factor.
pub(crate) fn login_over(
    state: &AppState,
    conn: &mut Connection,
    cert: &ClientCert,
    source: &Source,
    staff_id: &str,
    password: &str,
    totp: &str,
) -> Result<Result<Tokens, LoginRefusal>, ApiError> {
    let (now_ms, _) = now();
    if let Err(retry_at_ms) = state.login_throttle.check(source, now_ms) {
        return Ok(Err(LoginRefusal::Throttled { retry_at_ms }));
    }
    let outcome = kiban_app::auth::login(
        conn,
        state.login_policy,
        staff_id,
        password,
        totp,
        cert.identity(),
        now_ms,
    )?;
    match &outcome {
        Ok(_) => state.login_throttle.succeeded(source),
        // Refused before anything was checked: not another failure of the source.
        Err(LoginRefusal::Throttled { .. }) => {}
        Err(refusal) => {
            state.login_throttle.failed(source, now_ms);
            if matches!(refusal, LoginRefusal::Locked { .. }) {
                // Locked by failures over its own device certificate: the account's tokens
                // must stop working now, not when the remembered check goes stale.
                state.staff_sessions.forget_account(staff_id);
            }
        }
    }
    Ok(outcome)
}

pub(crate) fn login_refusal(refusal: &LoginRefusal) -> ApiError {
    match refusal {
        LoginRefusal::BadCredentials => ErrorCode::LoginFailed.into(),
        LoginRefusal::Throttled { retry_at_ms } => ApiError::with_detail(
            ErrorCode::LoginThrottled,
            format!("retry_after_s={}", retry_after_s(*retry_at_ms)),
        ),
        LoginRefusal::Locked { until_ms } => ApiError::with_detail(
            ErrorCode::AccountLocked,
            format!("locked_until_ms={until_ms}"),
        ),
        LoginRefusal::Inactive => ErrorCode::AccountInactive.into(),
    }
}

/// Whole seconds until `at_ms`, at least 1.
pub(crate) fn retry_after_s(at_ms: i64) -> i64 {
    ((at_ms - now().0 + 999) / 1000).max(1)
}

/// A refusal as the API answers it; a throttled or locked login says when to come back in
/// `Retry-After` too (RFC 9110 §10.2.3).
pub(crate) fn refusal_response(refusal: &LoginRefusal) -> Response {
    let mut response = login_refusal(refusal).into_response();
    let at = match refusal {
        LoginRefusal::Throttled { retry_at_ms } => Some(*retry_at_ms),
        LoginRefusal::Locked { until_ms } => Some(*until_ms),
        _ => None,
    };
    if let Some(at) = at {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(retry_after_s(at)));
    }
    response
}

/// A new token pair for a valid refresh token, over a connection presenting the account's
/// device certificate (the new pair is revoked again if not).
pub async fn refresh(
    State(state): State<Shared>,
    Cert(cert): Cert,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> ApiResult<TokensOut> {
    state
        .conn(move |state, conn| {
            let (now_ms, _) = now();
            let tokens =
                kiban_app::auth::refresh(conn, &req.refresh_token, cert.identity(), now_ms)?
                    .ok_or(ErrorCode::Unauthenticated)?;
            let staff = kiban_app::auth::staff_identity(conn, tokens.access.expose(), now_ms)?
                .ok_or(ErrorCode::Unauthenticated)?;
            // The refresh revoked the old pair, whose access token may be remembered.
            state.staff_sessions.forget_account(staff.staff_id());
            if let Err(e) = certificate_matches(&staff, &cert) {
                kiban_app::auth::logout(conn, tokens.access.expose())?;
                return Err(e);
            }
            Ok(Reply::Ok(tokens.into()))
        })
        .await
}

/// Revokes the session of the presented access token (its refresh token with it).
pub async fn logout(State(state): State<Shared>, Bearer(token): Bearer) -> ApiResult<Done> {
    state
        .conn(move |state, conn| {
            state.staff_sessions.log_out(conn, &token)?;
            Ok(Reply::Ok(Done { done: true }))
        })
        .await
}
