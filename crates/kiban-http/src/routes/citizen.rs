//! The person's side: card login over a one-time challenge, then their access history, their
//! data, their consents and revoking one. Sessions are kept in memory (see [`crate::state`]).

use axum::extract::State;
use kiban_app::citizen::{ConsentLine, HistoryLine, MyData};
use kiban_crypto::{CardSignature, ChallengeError};
use kiban_domain::access::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode, Reply};
use crate::extract::{Bearer, CitizenCaller, JsonBody, PathParams, QueryParams};
use crate::routes::staff::Done;
use crate::state::{now, Shared};

#[derive(Serialize)]
pub struct ChallengeOut {
    pub id: String,
    /// The exact bytes the card signs, hex.
    pub message_hex: String,
    pub expires_at_ms: i64,
}

/// A one-time challenge for the card (2 minutes, usable once).
pub async fn challenge(State(state): State<Shared>) -> ApiResult<ChallengeOut> {
    match state.issue_challenge().await? {
        Some(c) => Ok(Reply::Ok(ChallengeOut {
            message_hex: hex::encode(c.message()),
            expires_at_ms: (c.expires_at.unix_timestamp_nanos() / 1_000_000) as i64,
            id: c.id,
        })),
        None => Err(ApiError::with_detail(
            ErrorCode::Unavailable,
            ChallengeError::Capacity.to_string(),
        )),
    }
}

#[derive(Deserialize)]
pub struct CardLoginRequest {
    pub challenge_id: String,
    pub signature: CardSignature,
}

#[derive(Serialize)]
pub struct CitizenToken {
    pub token_type: &'static str,
    pub access_token: String,
    pub expires_at_ms: i64,
}

/// Verifies the card's signature over the challenge and opens a 60-minute session for the
/// person the card is linked to. A failure with a card linked to a person is audited for that
/// person (`kiban_app::citizen::card`).
pub async fn login(
    State(state): State<Shared>,
    JsonBody(req): JsonBody<CardLoginRequest>,
) -> ApiResult<CitizenToken> {
    state
        .conn(move |state, conn| {
            let (now_ms, now) = now();
            // The locks cover only the challenge and the cryptography; the link lookup and the
            // audit event of a failed attempt run after they are released.
            let challenge = kiban_app::citizen::take_challenge(conn, &req.challenge_id, now)?;
            let check = {
                let revocations = state.card_revocations();
                kiban_app::citizen::check_card(
                    &state.card_root,
                    &revocations,
                    challenge,
                    &req.signature,
                    now,
                )
            };
            let verdict = kiban_app::citizen::finish_card_login(conn, check, now)?;
            let person = verdict.map_err(|r| {
                let code = match r.code {
                    "CHALLENGE_REJECTED" => ErrorCode::ChallengeRejected,
                    "CARD_NOT_LINKED" => ErrorCode::CardNotLinked,
                    _ => ErrorCode::CardRejected,
                };
                ApiError::with_detail(code, r.message)
            })?;
            let (access_token, expires_at_ms) =
                kiban_app::citizen::start_session(conn, person, now_ms)?;
            Ok(Reply::Ok(CitizenToken {
                token_type: "Bearer",
                access_token,
                expires_at_ms,
            }))
        })
        .await
}

pub async fn logout(State(state): State<Shared>, Bearer(token): Bearer) -> ApiResult<Done> {
    state.end_citizen_session(token).await?;
    Ok(Reply::Ok(Done { done: true }))
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    /// The `next_before` of the previous page.
    pub before: Option<u64>,
    /// 1–500, default 50.
    pub limit: Option<u32>,
}

#[derive(Serialize)]
pub struct HistoryPage {
    pub lines: Vec<HistoryLine>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next_before: Option<u64>,
}

pub const HISTORY_DEFAULT_LIMIT: u32 = 50;
pub const HISTORY_MAX_LIMIT: u32 = 500;

/// Who accessed the person's data, newest first.
pub async fn history(
    State(state): State<Shared>,
    citizen: CitizenCaller,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> ApiResult<HistoryPage> {
    let limit = q.limit.unwrap_or(HISTORY_DEFAULT_LIMIT);
    if !(1..=HISTORY_MAX_LIMIT).contains(&limit) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidParameter,
            format!("limit: 1..={HISTORY_MAX_LIMIT}"),
        ));
    }
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::citizen::access_history(
                conn,
                &citizen.caller,
                citizen.person,
                q.before,
                limit,
                at,
            )?;
            Ok(
                Reply::from(outcome).map(|lines: Vec<HistoryLine>| HistoryPage {
                    next_before: (lines.len() == limit as usize)
                        .then(|| lines.last().map(|l| l.seq))
                        .flatten(),
                    lines,
                }),
            )
        })
        .await
}

/// Everything kiban holds about the person (the download).
pub async fn data(State(state): State<Shared>, citizen: CitizenCaller) -> ApiResult<MyData> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(kiban_app::citizen::my_data(conn, &citizen.caller, citizen.person, at)?.into())
        })
        .await
}

/// The person's consents, every office, oldest first. Read through the audited download
/// (`my_data`), which is the gateway's one read of a person's consents.
pub async fn consents(
    State(state): State<Shared>,
    citizen: CitizenCaller,
) -> ApiResult<Vec<ConsentLine>> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::citizen::my_data(conn, &citizen.caller, citizen.person, at)?;
            Ok(Reply::from(outcome).map(|d| d.consents))
        })
        .await
}

/// Revokes one consent, effective on the office's next request.
pub async fn revoke(
    State(state): State<Shared>,
    citizen: CitizenCaller,
    PathParams(id): PathParams<i64>,
) -> ApiResult<Done> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::qualification::revoke_consent(
                conn,
                &citizen.caller,
                citizen.person,
                id,
                at,
            )?;
            Ok(Reply::from(outcome).map(|()| Done { done: true }))
        })
        .await
}
