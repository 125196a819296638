//! A person's data at the office: the 資格確認 summary and enrolment (担当事業所 + consent).
//! Both go through `kiban_app`, which applies the access policy and audits every attempt.

use axum::extract::State;
use kiban_app::access::{Caller, Outcome};
use kiban_app::qualification::QualificationSummary;
use kiban_crypto::CardSignature;
use kiban_domain::access::{
    Action, Category, ConsentCategory, ConsentMethod, PaperReason, PersonRef, Timestamp,
};
use kiban_domain::date::Date;
use kiban_store::Store;
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
        .store(move |_, store| {
            let at = Timestamp::from_millis(now().0);
            let outcome = kiban_app::qualification::read_summary(store, &staff.caller, person, at)?;
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
        .store(move |state, store| {
            enrol_person(
                state,
                store,
                &staff,
                person,
                req.identity,
                &req.opted_out,
                valid_until,
            )
        })
        .await
}

/// The enrolment itself, shared by the API and the office's consent page: the card (or the
/// witnessed paper form) is checked, then `qualification::enrol` decides and audits.
pub(crate) fn enrol_person(
    state: &AppState,
    store: &mut dyn Store,
    staff: &StaffCaller,
    person: PersonRef,
    identity: IdentityIn,
    opted_out: &[ConsentCategory],
    valid_until: Option<Date>,
) -> Result<Reply<Enrolled>, ApiError> {
    let (now_ms, now_dt) = now();
    let at = Timestamp::from_millis(now_ms);
    let caller = &staff.caller;
    let identity = match identity {
        IdentityIn::Paper { reason, witness } => ConsentMethod::Paper {
            reason,
            witness: witness.unwrap_or_else(|| staff.staff_id.clone()),
        },
        IdentityIn::VerifiedCard => ConsentMethod::Card,
        IdentityIn::Card {
            challenge_id,
            signature,
        } => match card_person(state, store, &challenge_id, &signature, now_dt)? {
            Ok(p) if p == person => ConsentMethod::Card,
            Ok(_) => {
                let why = "CARD_PERSON_MISMATCH: このカードは別の被保険者に紐付けられています / the card is linked to another person";
                return refuse_unverified(store, caller, person, at, why);
            }
            Err(why) => return refuse_unverified(store, caller, person, at, &why),
        },
    };
    let outcome = kiban_app::qualification::enrol(
        store,
        caller,
        person,
        &identity,
        opted_out,
        valid_until,
        at,
    )?;
    Ok(match outcome {
        Outcome::Allowed(consent_ids) => Reply::Ok(Enrolled { consent_ids }),
        Outcome::Denied(d) => Reply::refused(d.reason, d.message_ja, d.message_en),
    })
}

/// The person the card belongs to, or why the card is not accepted.
pub(crate) fn card_person(
    state: &AppState,
    store: &mut dyn Store,
    challenge_id: &str,
    signature: &CardSignature,
    now: kiban_crypto::time::OffsetDateTime,
) -> Result<Result<PersonRef, String>, ApiError> {
    let mut challenges = state.challenges();
    let revocations = state.card_revocations();
    let verdict = kiban_app::citizen::card_login(
        store,
        &state.card_root,
        &revocations,
        &mut challenges,
        challenge_id,
        signature,
        now,
    )?;
    Ok(verdict.map_err(|r| format!("{}: {}", r.code, r.message)))
}

/// An enrolment whose card did not prove the person's identity: asked of the access gateway
/// without an identity, so the refusal is decided and audited like any other.
fn refuse_unverified(
    store: &mut dyn Store,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
    why: &str,
) -> Result<Reply<Enrolled>, ApiError> {
    let decision = kiban_app::access::authorize(
        store,
        caller,
        Action::Enrol,
        Category::Qualification,
        person,
        at,
        None,
    )?;
    let reason = if decision.allowed() {
        kiban_domain::access::Reason::IdentityNotVerified
    } else {
        decision.reason()
    };
    Ok(Reply::Refused(ErrorBody {
        code: reason.code().to_string(),
        message_ja: reason.message_ja().to_string(),
        message_en: reason.message_en().to_string(),
        detail: Some(why.to_string()),
    }))
}
