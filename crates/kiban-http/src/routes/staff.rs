//! Staff authentication: login (client certificate + ID + password + TOTP), refresh, logout.
//! Passwords, TOTP codes and tokens are never logged; the request types have no `Debug`.

use axum::extract::State;
use kiban_app::auth::{LoginRefusal, Tokens};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode, Reply};
use crate::extract::{certificate_matches, certified_number, Bearer, Cert, JsonBody};
use crate::state::{now, AppState, Shared};
use crate::tls::ClientCert;
use kiban_store::Store;

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

/// Office and medical staff must connect with their office's client certificate. Without one,
/// only municipal staff and operators may log in (an unknown ID is answered as if it needed a
/// certificate, so the answer reveals nothing about office accounts).
pub async fn login(
    State(state): State<Shared>,
    Cert(cert): Cert,
    JsonBody(req): JsonBody<LoginRequest>,
) -> ApiResult<TokensOut> {
    state
        .store(move |state, store| {
            match login_over(state, store, &cert, &req.staff_id, &req.password, &req.totp)? {
                Ok(tokens) => Ok(Reply::Ok(tokens.into())),
                Err(refusal) => Err(login_refusal(&refusal)),
            }
        })
        .await
}

/// The login rule shared by this route and the web login page: which office the connection's
/// certificate vouches for, then `kiban_app::auth::login`. A certificate-less connection is
/// refused for everyone but municipal staff and operators.
pub(crate) fn login_over(
    state: &AppState,
    store: &mut dyn Store,
    cert: &ClientCert,
    staff_id: &str,
    password: &str,
    totp: &str,
) -> Result<Result<Tokens, LoginRefusal>, ApiError> {
    let (now_ms, _) = now();
    let account = store.staff(staff_id).map_err(kiban_app::AppError::from)?;
    let certified = match (&account, cert.subject()) {
        (Some(s), _) if matches!(s.actor_kind.as_str(), "municipal_staff" | "operator") => None,
        (_, None) => return Err(ErrorCode::ClientCertificateRequired.into()),
        (Some(s), Some(subject)) => Some(certified_number(subject, s)),
        (None, Some(subject)) => Some(subject.common_name()),
    };
    let outcome = kiban_app::auth::login(
        store,
        state.login_policy,
        staff_id,
        password,
        totp,
        certified.as_deref(),
        now_ms,
    )?;
    if outcome.is_err() {
        // The failure may have locked the account: its tokens must stop working now, not
        // when the remembered check goes stale.
        state.staff_sessions.forget_account(staff_id);
    }
    Ok(outcome)
}

pub(crate) fn login_refusal(refusal: &LoginRefusal) -> ApiError {
    match refusal {
        LoginRefusal::BadCredentials => ErrorCode::LoginFailed.into(),
        LoginRefusal::Locked { until_ms } => ApiError::with_detail(
            ErrorCode::AccountLocked,
            format!("locked_until_ms={until_ms}"),
        ),
        LoginRefusal::WrongOffice => ErrorCode::CertificateOfficeMismatch.into(),
        LoginRefusal::Inactive => ErrorCode::AccountInactive.into(),
    }
}

/// A new token pair for a valid refresh token, over a connection certified for the account's
/// office (the new pair is revoked again if not).
pub async fn refresh(
    State(state): State<Shared>,
    Cert(cert): Cert,
    JsonBody(req): JsonBody<RefreshRequest>,
) -> ApiResult<TokensOut> {
    state
        .store(move |state, store| {
            let (now_ms, _) = now();
            let tokens = kiban_app::auth::refresh(store, &req.refresh_token, now_ms)?
                .ok_or(ErrorCode::Unauthenticated)?;
            let staff = kiban_app::auth::authenticate(store, tokens.access.expose(), now_ms)?
                .ok_or(ErrorCode::Unauthenticated)?;
            // The refresh revoked the old pair, whose access token may be remembered.
            state.staff_sessions.forget_account(&staff.staff_id);
            if let Err(e) = certificate_matches(&staff, &cert) {
                kiban_app::auth::logout(store, tokens.access.expose())?;
                return Err(e);
            }
            Ok(Reply::Ok(tokens.into()))
        })
        .await
}

/// Revokes the session of the presented access token (its refresh token with it).
pub async fn logout(State(state): State<Shared>, Bearer(token): Bearer) -> ApiResult<Done> {
    state
        .store(move |state, store| {
            state.staff_sessions.log_out(store, &token)?;
            Ok(Reply::Ok(Done { done: true }))
        })
        .await
}
