//! The 保険者's care-plan aggregates over the API: 特定事業所集中減算 with its 正当な理由, the
//! care-manager caseloads with the staffing they are measured against, regional statistics with
//! small cells suppressed, and the corporation registry. Each read is one aggregate decision and
//! one audit event (`kiban_app::careplan::municipal`); no person's documents are returned.

use axum::extract::State;
use kiban_app::careplan::corporations::{self, CorporationReport};
use kiban_app::careplan::municipal::StaffingRow;
use kiban_app::careplan::municipal::{
    self, CaseloadReport, ConcentrationReport, NewExclusion, RegionalStats,
};
use kiban_domain::access::Timestamp;
use kiban_domain::careplan::concentration::JustReason;
use kiban_domain::careplan::period::JudgmentPeriod;
use kiban_domain::careplan::YearMonth;
use kiban_domain::codes::ServiceKind;
use kiban_domain::ids::OfficeNumber;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{JsonBody, QueryParams, StaffCaller};
use crate::state::{now, Shared};

fn invalid(what: &str) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidParameter, what)
}

fn at() -> Timestamp {
    Timestamp::from_millis(now().0)
}

fn month(raw: &str) -> Result<YearMonth, ApiError> {
    YearMonth::parse(raw).map_err(|_| invalid("month"))
}

#[derive(Deserialize)]
pub struct PeriodQuery {
    /// "2026-1" (前期 Mar–Aug) or "2026-2" (後期 Sep–Feb)
    pub period: String,
}

pub async fn concentration(
    State(state): State<Shared>,
    staff: StaffCaller,
    QueryParams(q): QueryParams<PeriodQuery>,
) -> ApiResult<ConcentrationReport> {
    let period = JudgmentPeriod::parse(&q.period).map_err(|_| invalid("period"))?;
    state
        .conn(
            move |_, conn| Ok(municipal::concentration(conn, &staff.caller, period, at())?.into()),
        )
        .await
}

#[derive(Deserialize)]
pub struct ExclusionRequest {
    pub office: String,
    pub period: String,
    pub service_kind: String,
    /// 1–7 (老企第36号 第3の10)
    #[serde(deserialize_with = "kiban_domain::whole::number")]
    pub reason: u8,
    #[serde(default, deserialize_with = "kiban_domain::whole::number")]
    pub excluded_plan_months: u32,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize)]
pub struct Recorded {
    pub id: i64,
}

pub async fn exclusion(
    State(state): State<Shared>,
    staff: StaffCaller,
    JsonBody(req): JsonBody<ExclusionRequest>,
) -> ApiResult<Recorded> {
    let new = NewExclusion {
        office: OfficeNumber::parse(&req.office).map_err(|_| invalid("office"))?,
        period: JudgmentPeriod::parse(&req.period).map_err(|_| invalid("period"))?,
        service: ServiceKind::from_code(&req.service_kind).map_err(|_| invalid("service_kind"))?,
        reason: JustReason::from_code(req.reason).ok_or_else(|| invalid("reason"))?,
        excluded_plan_months: req.excluded_plan_months,
        note: req.note,
    };
    state
        .conn(move |_, conn| {
            let outcome = municipal::record_exclusion(conn, &staff.caller, new, at())?;
            Ok(outcome.map(|id| Recorded { id }).into())
        })
        .await
}

#[derive(Deserialize)]
pub struct MonthQuery {
    /// YYYYMM
    pub month: String,
}

pub async fn caseload(
    State(state): State<Shared>,
    staff: StaffCaller,
    QueryParams(q): QueryParams<MonthQuery>,
) -> ApiResult<CaseloadReport> {
    let m = month(&q.month)?;
    state
        .conn(move |_, conn| Ok(municipal::caseloads(conn, &staff.caller, m, at())?.into()))
        .await
}

/// 常勤換算 care managers an office may file: at least 0.01, at most 1,000.
pub const MIN_CARE_MANAGERS: f64 = 0.01;
pub const MAX_CARE_MANAGERS: f64 = 1_000.0;

#[derive(Deserialize)]
pub struct StaffingRequest {
    pub office: String,
    pub month: String,
    /// 常勤換算 care managers, e.g. 2.5
    pub care_managers: f64,
    #[serde(default)]
    pub data_exchange: bool,
    #[serde(default)]
    pub clerical_staff: bool,
}

#[derive(Serialize)]
pub struct Filed {
    pub filed: bool,
}

pub async fn staffing(
    State(state): State<Shared>,
    staff: StaffCaller,
    JsonBody(req): JsonBody<StaffingRequest>,
) -> ApiResult<Filed> {
    let office = OfficeNumber::parse(&req.office).map_err(|_| invalid("office"))?;
    let m = month(&req.month)?;
    // The bounds the document states, checked on the number sent (not on its rounding, so that
    // a value the document refuses is never taken).
    if !(MIN_CARE_MANAGERS..=MAX_CARE_MANAGERS).contains(&req.care_managers) {
        return Err(invalid("care_managers"));
    }
    let centi = (req.care_managers * 100.0).round();
    let row = StaffingRow {
        office_number: office,
        month: m,
        care_managers_centi: centi as i64,
        data_exchange: req.data_exchange,
        clerical_staff: req.clerical_staff,
        recorded_at_ms: now().0,
        recorded_by: staff.caller.account.clone(),
    };
    state
        .conn(move |_, conn| {
            let outcome = municipal::put_staffing(conn, &staff.caller, row, at())?;
            Ok(outcome.map(|()| Filed { filed: true }).into())
        })
        .await
}

pub async fn statistics(
    State(state): State<Shared>,
    staff: StaffCaller,
    QueryParams(q): QueryParams<MonthQuery>,
) -> ApiResult<RegionalStats> {
    let m = month(&q.month)?;
    state
        .conn(move |_, conn| Ok(municipal::regional_stats(conn, &staff.caller, m, at())?.into()))
        .await
}

#[derive(Deserialize)]
pub struct CorporationsRequest {
    /// 法人番号,法人名,事業所番号,事業所名 per line (UTF-8)
    pub csv: String,
}

pub async fn corporations(
    State(state): State<Shared>,
    staff: StaffCaller,
    JsonBody(req): JsonBody<CorporationsRequest>,
) -> ApiResult<CorporationReport> {
    state
        .conn(move |_, conn| {
            Ok(corporations::register_corporations(conn, &staff.caller, &req.csv, at())?.into())
        })
        .await
}
