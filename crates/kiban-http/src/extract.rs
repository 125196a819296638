//! Request extractors: JSON bodies and query strings that fail with the API's own error
//! envelope, the bearer token, and the two kinds of caller — staff (token in the store, checked
//! through [`crate::staff_sessions`], device proven by the client certificate; the web pages
//! present the same token in a cookie) and citizens (token from a card login, in the database).

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::Json;
use kiban_app::access::Caller;
use kiban_app::auth::{ActorRefusal, StaffIdentity};
use kiban_domain::access::{Actor, PersonRef, Purpose};
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};
use crate::staff_sessions;
use crate::state::{now, Shared};
use crate::tls::ClientCert;

/// The header in which municipal staff state the purpose (利用目的) of each request.
pub const PURPOSE_HEADER: &str = "x-kiban-purpose";

/// A JSON body; a malformed one is a 400 `BAD_REQUEST` in the API's envelope.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(t)) => Ok(Self(t)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(
                ApiError::with_detail(ErrorCode::PayloadTooLarge, e.body_text()),
            ),
            Err(e) => Err(ApiError::with_detail(ErrorCode::BadRequest, e.body_text())),
        }
    }
}

/// Query parameters; malformed ones are a 400 `INVALID_PARAMETER`.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(Self(t)),
            Err(e) => Err(ApiError::with_detail(
                ErrorCode::InvalidParameter,
                e.body_text(),
            )),
        }
    }
}

/// Path parameters; one that is not UTF-8 or not of the route's type (an id that is not a
/// number) is a 400 `INVALID_PATH_PARAMETER`, where axum's own extractor answers plain text.
pub struct PathParams<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(Self(t)),
            Err(e) => Err(ApiError::with_detail(
                ErrorCode::InvalidPathParameter,
                // axum's text names the parameter and echoes the value; keep the first part.
                e.body_text().chars().take(200).collect::<String>(),
            )),
        }
    }
}

/// `Authorization: Bearer <token>`. Never logged.
pub struct Bearer(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ErrorCode::Unauthenticated)?;
        let (scheme, token) = value.split_once(' ').ok_or(ErrorCode::Unauthenticated)?;
        let token = token.trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > 256 {
            return Err(ErrorCode::Unauthenticated.into());
        }
        Ok(Self(token.to_string()))
    }
}

/// The connection's client certificate (absent when the router runs without TLS).
pub fn client_cert(parts: &Parts) -> ClientCert {
    parts
        .extensions
        .get::<ClientCert>()
        .cloned()
        .unwrap_or_default()
}

/// The connection's client certificate as an extractor.
pub struct Cert(pub ClientCert);

impl<S: Send + Sync> FromRequestParts<S> for Cert {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_cert(parts)))
    }
}

/// An authenticated staff member acting as a policy [`Actor`].
pub struct StaffCaller {
    pub caller: Caller,
    pub staff_id: String,
}

impl FromRequestParts<Shared> for StaffCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
        StaffCaller::from_token(parts, state, token).await
    }
}

impl StaffCaller {
    /// Checks an access token however it came (the API's bearer header, or the web pages'
    /// session cookie), so both share one path: the remembered check, the database
    /// (`kiban_app::auth::staff_identity`), and the actor rule of [`actor_of`].
    pub(crate) async fn from_token(
        parts: &Parts,
        state: &Shared,
        token: String,
    ) -> Result<Self, ApiError> {
        let cert = client_cert(parts);
        let identity = Self::identity(state, token).await?;
        let purpose = stated_purpose(parts)?;
        let actor = actor_of(&identity, &cert, purpose)?;
        Ok(StaffCaller {
            caller: Caller {
                actor,
                account: identity.staff_id().to_string(),
            },
            staff_id: identity.staff_id().to_string(),
        })
    }
}

impl StaffCaller {
    /// The account behind an access token: the remembered check, else the store. Split from
    /// [`Self::from_token`] because the municipal pages take the purpose from a form field, per
    /// request, not from a header, and build the actor with [`actor_of`] themselves.
    pub(crate) async fn identity(state: &Shared, token: String) -> Result<StaffIdentity, ApiError> {
        let hash = kiban_crypto::hash_token(&token);
        let (now_ms, _) = now();
        if let Some(identity) = state.staff_sessions.get(&hash, now_ms) {
            return Self::not_revoked(state, identity);
        }
        // Taken before the store is asked: a change heard while it answers makes the answer
        // too old to remember.
        let generation = state.staff_sessions.generation();
        let identity = state
            .conn(move |_, conn| staff_sessions::load(conn, &token, now_ms))
            .await?
            .ok_or(ErrorCode::Unauthenticated)?;
        state
            .staff_sessions
            .remember(hash, identity.clone(), now_ms, generation);
        Self::not_revoked(state, identity)
    }

    /// A token issued over a client certificate that is now revoked is refused, whatever
    /// connection it comes over: the store's session may not be ended yet (the watcher does
    /// that within a second) and the remembered check is not asked again for seconds.
    fn not_revoked(state: &Shared, identity: StaffIdentity) -> Result<StaffIdentity, ApiError> {
        let revoked = identity
            .client_serial()
            .is_some_and(|serial| state.client_revocations().get(serial).is_some());
        if revoked {
            Err(ErrorCode::Unauthenticated.into())
        } else {
            Ok(identity)
        }
    }
}

/// The purpose a request states, if it states one. A header that is there but names no
/// purpose is refused whoever the caller is (office staff, who need none, too): a typo must
/// not pass silently, and the document can then say what the header takes.
fn stated_purpose(parts: &Parts) -> Result<Option<&str>, ApiError> {
    match parts.headers.get(PURPOSE_HEADER) {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|code| Purpose::from_code(code).is_ok())
            .map(Some)
            .ok_or_else(|| ErrorCode::PurposeInvalid.into()),
    }
}

/// The policy actor of a staff account (`kiban_app::auth::StaffIdentity::actor`): every account
/// must come over a connection presenting its device certificate; office and medical staff's
/// office or institution must be registered and active; municipal staff state a purpose.
pub(crate) fn actor_of(
    identity: &StaffIdentity,
    cert: &ClientCert,
    purpose: Option<&str>,
) -> Result<Actor, ApiError> {
    let purpose = purpose.and_then(|p| Purpose::from_code(p.trim()).ok());
    identity
        .actor(cert.subject(), purpose)
        .map_err(actor_refusal)
}

/// Every staff account only over a connection presenting its device certificate: the
/// certificate of its own office (office staff) or institution (medical staff), or the staff
/// certificate naming the account (municipal staff, operators; docs/staff-login.md).
pub(crate) fn certificate_matches(
    identity: &StaffIdentity,
    cert: &ClientCert,
) -> Result<(), ApiError> {
    identity.vouched_by(cert.subject()).map_err(actor_refusal)
}

/// How the API answers an account that cannot act.
fn actor_refusal(refusal: ActorRefusal) -> ApiError {
    match refusal {
        ActorRefusal::CertificateRequired => ErrorCode::ClientCertificateRequired.into(),
        ActorRefusal::CertificateMismatch => ErrorCode::CertificateOfficeMismatch.into(),
        ActorRefusal::OfficeNotRegistered => ErrorCode::OfficeNotRegistered.into(),
        ActorRefusal::PurposeRequired => ErrorCode::PurposeRequired.into(),
    }
}

/// A citizen logged in with the card.
pub struct CitizenCaller {
    pub caller: Caller,
    pub person: PersonRef,
}

/// The account name citizen events carry in the audit log (the person is in the event).
pub const CITIZEN_ACCOUNT: &str = "citizen";

impl FromRequestParts<Shared> for CitizenCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiError> {
        let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
        let session = state
            .citizen_session(token)
            .await?
            .ok_or(ErrorCode::Unauthenticated)?;
        Ok(Self {
            caller: Caller {
                actor: Actor::Citizen {
                    person: session.person,
                },
                account: CITIZEN_ACCOUNT.to_string(),
            },
            person: session.person,
        })
    }
}

/// A person named in a path: 保険者番号 (check digit warned, as the import accepts) and
/// 被保険者番号.
pub fn person_of(insurer: &str, insured: &str) -> Result<PersonRef, ApiError> {
    let insurer = InsurerNumber::parse_with(insurer, CheckDigitPolicy::Warn)
        .map_err(|_| ErrorCode::InvalidPerson)?
        .number;
    let insured = InsuredNumber::parse(insured).map_err(|_| ErrorCode::InvalidPerson)?;
    Ok(PersonRef { insurer, insured })
}
