//! A person's data at the office: the 資格確認 summary and enrolment (担当事業所 + consent).
//! Both go through `kiban_app`, which applies the access policy and audits every attempt.

use axum::extract::State;
use kiban_app::citizen::CardCheck;
use kiban_app::qualification::{Enrolment, Proof, QualificationSummary};
use kiban_app::Connection;
use kiban_crypto::CardSignature;
use kiban_domain::access::{ConsentCategory, PaperReason, PersonRef, Timestamp};
use kiban_domain::date::Date;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode, Reply};
use crate::extract::{person_of, JsonBody, PathParams, StaffCaller};
use crate::state::{now, AppState, Shared};

/// The current 被保険者証, 負担割合証, 負担限度額認定証 and remaining allowances.
pub async fn qualification(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams((insurer, insured)): PathParams<(String, String)>,
) -> ApiResult<QualificationSummary> {
    let person = person_of(&insurer, &insured)?;
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::qualification::read_summary(conn, &staff.caller, person, at)?;
            Ok(outcome.into())
        })
        .await
}

/// How the person proved identity at the counter.
#[derive(Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum IdentityIn {
    /// The card signed a challenge from `POST /api/v1/card/challenge`.
    Card {
        challenge_id: String,
        signature: CardSignature,
    },
    /// A paper form; the witness defaults to the logged-in staff member.
    Paper {
        reason: PaperReason,
        #[serde(default)]
        witness: Option<String>,
    },
    /// The card was verified at 資格確認 a few minutes before, in the same page session (the
    /// office pages' card presence proof). Never accepted from the API's JSON: there the card
    /// signs this request's own challenge.
    #[serde(skip)]
    VerifiedCard,
}

#[derive(Deserialize)]
pub struct EnrolmentRequest {
    pub identity: IdentityIn,
    /// Categories the person does not consent to (all others are granted).
    #[serde(default)]
    pub opted_out: Vec<ConsentCategory>,
    /// Last day of the consents (YYYYMMDD or YYYY-MM-DD); absent = while serving.
    #[serde(default)]
    pub valid_until: Option<String>,
}

#[derive(Serialize)]
pub struct Enrolled {
    pub consent_ids: Vec<i64>,
}

/// Registers the office as 担当事業所 and records consent for every category but `opted_out`.
/// A card must verify against the card trust root, answer an unused challenge and be linked to
/// exactly this person; otherwise the attempt is audited and refused as
/// `IDENTITY_NOT_VERIFIED`, with the card check's reason in `detail`.
pub async fn enrolment(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams((insurer, insured)): PathParams<(String, String)>,
    JsonBody(req): JsonBody<EnrolmentRequest>,
) -> ApiResult<Enrolled> {
    let person = person_of(&insurer, &insured)?;
    let valid_until = match &req.valid_until {
        None => None,
        Some(text) => Some(Date::parse_any(text).map_err(|e| {
            ApiError::with_detail(ErrorCode::InvalidParameter, format!("valid_until: {e}"))
        })?),
    };
    state
        .conn(move |state, conn| {
            enrol_person(
                state,
                conn,
                &staff,
                person,
                req.identity,
                &req.opted_out,
                valid_until,
            )
        })
        .await
}

/// The enrolment itself, shared by the API and the office's consent page: the request's proof
/// of identity becomes a [`Proof`] (a card's answer is checked against this server's card root
/// and challenges here, under their locks), then `qualification::enrol_with_proof` decides and
/// audits.
pub(crate) fn enrol_person(
    state: &AppState,
    conn: &mut Connection,
    staff: &StaffCaller,
    person: PersonRef,
    identity: IdentityIn,
    opted_out: &[ConsentCategory],
    valid_until: Option<Date>,
) -> Result<Reply<Enrolled>, ApiError> {
    let (_, now_dt) = now();
    let proof = match identity {
        IdentityIn::Paper { reason, witness } => Proof::Paper { reason, witness },
        IdentityIn::VerifiedCard => Proof::PresentedCard,
        IdentityIn::Card {
            challenge_id,
            signature,
        } => Proof::Card(card_check(state, conn, &challenge_id, &signature, now_dt)?),
    };
    let outcome = kiban_app::qualification::enrol_with_proof(
        conn,
        &staff.caller,
        person,
        proof,
        opted_out,
        valid_until,
        now_dt,
    )?;
    Ok(match outcome {
        Enrolment::Enrolled(consent_ids) => Reply::Ok(Enrolled { consent_ids }),
        Enrolment::Denied(d) => Reply::refused(d.reason, d.message_ja, d.message_en),
        Enrolment::Unverified { denied, detail } => Reply::Refused(ErrorBody {
            code: denied.reason.to_string(),
            message_ja: denied.message_ja,
            message_en: denied.message_en,
            detail: Some(detail),
        }),
    })
}

/// The card's answer to a challenge, checked against this server's card root, revocations and
/// challenges (the challenge is consumed).
fn card_check(
    state: &AppState,
    conn: &mut Connection,
    challenge_id: &str,
    signature: &CardSignature,
    now: kiban_crypto::time::OffsetDateTime,
) -> Result<CardCheck, ApiError> {
    let challenge = kiban_app::citizen::take_challenge(conn, challenge_id, now)?;
    let revocations = state.card_revocations();
    Ok(kiban_app::citizen::check_card(
        &state.card_root,
        &revocations,
        challenge,
        signature,
        now,
    ))
}

/// The person the card belongs to, or why the card is not accepted.
pub(crate) fn card_person(
    state: &AppState,
    conn: &mut Connection,
    challenge_id: &str,
    signature: &CardSignature,
    now: kiban_crypto::time::OffsetDateTime,
) -> Result<Result<PersonRef, String>, ApiError> {
    let check = card_check(state, conn, challenge_id, signature, now)?;
    let verdict = kiban_app::citizen::finish_card_login(conn, check, now)?;
    Ok(verdict.map_err(|r| format!("{}: {}", r.code, r.message)))
}
