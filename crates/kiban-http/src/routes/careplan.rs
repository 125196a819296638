//! ケアプラン and LIFE over the API (docs/interface/careplan-v5.md, docs/interface/life.md):
//! care managers register plans (交付用登録 / 同意・確認用登録) as V5 JSON or V4 files, service
//! offices receive 利用票 and send 実績, the person reads and answers drafts, offices store and
//! read LIFE feedback, and the 保険者 reads the aggregates ([`super::careplan_municipal`]).
//! Every personal read and write goes through `kiban_app::careplan` / `kiban_app::life`, which
//! decide with the access policy and audit.

use axum::extract::State;
use base64::Engine as _;
use kiban_app::careplan::{
    self as plans, reads::AnswerKind, CarePlanFolder, DocumentView, InboxEntry, RegisterReport,
    Registration,
};
use kiban_app::life::{LifeView, Submitted};
use kiban_domain::access::Timestamp;
use kiban_domain::careplan::CarePlan;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult, ErrorCode, Reply};
use crate::extract::{person_of, CitizenCaller, JsonBody, PathParams, QueryParams, StaffCaller};
use crate::state::{now, Shared};

fn invalid(what: impl Into<String>) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidParameter, what.into())
}

fn at() -> Timestamp {
    Timestamp::from_millis(now().0)
}

/// A person's care-plan folder as the office (or municipal staff, with a purpose) may see it.
pub async fn folder(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams((insurer, insured)): PathParams<(String, String)>,
) -> ApiResult<CarePlanFolder> {
    let person = person_of(&insurer, &insured)?;
    state
        .conn(move |_, conn| Ok(plans::folder(conn, &staff.caller, person, at())?.into()))
        .await
}

/// My care plans (the person).
pub async fn mine(
    State(state): State<Shared>,
    citizen: CitizenCaller,
) -> ApiResult<CarePlanFolder> {
    state
        .conn(move |_, conn| Ok(plans::folder(conn, &citizen.caller, citizen.person, at())?.into()))
        .await
}

#[derive(Deserialize)]
pub struct AnswerRequest {
    /// confirm | comment
    pub decision: String,
    #[serde(default)]
    pub comment: String,
}

/// 同意・確認: the person confirms a draft or answers it with a comment.
pub async fn answer(
    State(state): State<Shared>,
    citizen: CitizenCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(req): JsonBody<AnswerRequest>,
) -> ApiResult<DocumentView<CarePlan>> {
    let answer = match req.decision.as_str() {
        "confirm" => AnswerKind::Confirm,
        "comment" => AnswerKind::Comment(req.comment),
        _ => return Err(invalid("decision")),
    };
    state
        .conn(move |_, conn| {
            Ok(plans::answer_draft(conn, &citizen.caller, id, answer, at())?.into())
        })
        .await
}

#[derive(Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    pub limit: Option<i64>,
}

/// The documents addressed to the caller's office (each listed person decided and audited).
pub async fn inbox(
    State(state): State<Shared>,
    staff: StaffCaller,
    QueryParams(q): QueryParams<InboxQuery>,
) -> ApiResult<Vec<InboxEntry>> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1_000);
    state
        .conn(move |_, conn| Ok(Reply::Ok(plans::inbox(conn, &staff.caller, limit, at())?)))
        .await
}

fn registration(raw: &str) -> Result<Registration, ApiError> {
    match raw {
        "issue" => Ok(Registration::Issue),
        "confirm" => Ok(Registration::ForConfirmation),
        _ => Err(invalid("registration")),
    }
}

#[derive(Deserialize)]
pub struct V5Request {
    /// issue (交付用登録) | confirm (同意・確認用登録)
    pub registration: String,
    pub documents: Vec<serde_json::Value>,
}

/// Registers V5 JSON documents.
pub async fn register_v5(
    State(state): State<Shared>,
    staff: StaffCaller,
    JsonBody(req): JsonBody<V5Request>,
) -> ApiResult<RegisterReport> {
    let mode = registration(&req.registration)?;
    state
        .conn(move |_, conn| {
            let report = plans::v4::register_v5(conn, &staff.caller, &req.documents, mode, at())?;
            Ok(Reply::Ok(report))
        })
        .await
}

#[derive(Deserialize)]
pub struct V4File {
    pub name: String,
    /// The file's bytes (Shift_JIS), base64.
    pub content_base64: String,
}

#[derive(Deserialize)]
pub struct V4Request {
    pub registration: String,
    pub files: Vec<V4File>,
}

/// Registers V4/4.1 CSV files (one or more send units).
pub async fn register_v4(
    State(state): State<Shared>,
    staff: StaffCaller,
    JsonBody(req): JsonBody<V4Request>,
) -> ApiResult<RegisterReport> {
    let mode = registration(&req.registration)?;
    let mut files = Vec::with_capacity(req.files.len());
    for f in req.files {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.as_bytes())
            .map_err(|_| invalid(format!("files[{}].content_base64", f.name)))?;
        files.push((f.name, bytes));
    }
    state
        .conn(move |_, conn| {
            let report = plans::v4::register_files(conn, &staff.caller, files, mode, at())?;
            Ok(Reply::Ok(report))
        })
        .await
}

/// A person's LIFE feedback sheets.
pub async fn life(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams((insurer, insured)): PathParams<(String, String)>,
) -> ApiResult<Vec<LifeView>> {
    let person = person_of(&insurer, &insured)?;
    state
        .conn(move |_, conn| {
            Ok(kiban_app::life::feedback(conn, &staff.caller, person, at())?.into())
        })
        .await
}

/// My LIFE feedback sheets (the person).
pub async fn my_life(
    State(state): State<Shared>,
    citizen: CitizenCaller,
) -> ApiResult<Vec<LifeView>> {
    state
        .conn(move |_, conn| {
            Ok(kiban_app::life::feedback(conn, &citizen.caller, citizen.person, at())?.into())
        })
        .await
}

/// Stores one LIFE feedback sheet (the body is the sheet).
pub async fn submit_life(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams((insurer, insured)): PathParams<(String, String)>,
    JsonBody(sheet): JsonBody<serde_json::Value>,
) -> ApiResult<Submitted> {
    let person = person_of(&insurer, &insured)?;
    let json = sheet.to_string();
    state
        .conn(move |_, conn| {
            Ok(kiban_app::life::submit(conn, &staff.caller, person, &json, at())?.into())
        })
        .await
}
