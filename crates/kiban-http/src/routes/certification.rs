//! 要介護認定 over the API: the 保険者 files applications and records each step, the
//! physician submits the signed 主治医意見書, the person and the registered care manager read
//! the progress, and the care manager's office receives notices as a server-sent event stream
//! ([`crate::notices`]). Everything goes through `kiban_app::certification`, which decides with
//! the access policy and audits; business refusals (an illegal transition, a survey answer out
//! of range) are HTTP 200 `ok: false` with the reason, as everywhere in the API.

use axum::extract::State;
use axum::response::IntoResponse;
use kiban_app::access::Outcome;
use kiban_app::certification::{self as cert, ApplicationView, NewApplication, Step};
use kiban_crypto::PhysicianSignature;
use kiban_domain::access::{Party, Timestamp};
use kiban_domain::certification::{
    Applicant, ApplicationKind, CommitteeResult, Extension, PrimaryJudgment, Survey,
};
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsurerNumber, MedicalInstitutionCode, OfficeNumber};
use serde::Deserialize;

use crate::error::{ApiError, ApiResult, ErrorCode, Reply};
use crate::extract::{person_of, CitizenCaller, JsonBody, PathParams, QueryParams, StaffCaller};
use crate::notices::Notice;
use crate::state::{now, Shared};

fn invalid(what: &str) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidParameter, what)
}

fn date(raw: &str, what: &str) -> Result<Date, ApiError> {
    Date::parse_any(raw).map_err(|_| invalid(what))
}

/// Tells the registered care manager's office that application `view` moved on.
async fn notify(state: &Shared, view: &ApplicationView, at_ms: i64) {
    if let Some(office) = &view.care_manager_office {
        let notice = Notice {
            office: office.clone(),
            application_id: view.id,
            status: view.status.clone(),
            at_ms,
        };
        crate::notices::announce(state, notice).await;
    }
}

/// Runs a use case that answers with an application's view, and notifies on success.
async fn step_reply(
    state: Shared,
    work: impl FnOnce(&mut kiban_app::Connection, Timestamp) -> kiban_app::Result<Outcome<ApplicationView>>
        + Send
        + 'static,
) -> ApiResult<ApplicationView> {
    let (at_ms, _) = now();
    let outcome = state
        .conn(move |_, conn| Ok(work(conn, Timestamp::from_millis(at_ms))?))
        .await?;
    if let Outcome::Allowed(view) = &outcome {
        notify(&state, view, at_ms).await;
    }
    Ok(outcome.into())
}

#[derive(Deserialize)]
pub struct FileRequest {
    pub insurer: String,
    pub insured: String,
    /// new | renewal | level_change
    pub kind: String,
    /// person | family | office
    pub applicant: String,
    #[serde(default)]
    pub proxy_office: Option<String>,
    pub applied_on: String,
    #[serde(default)]
    pub share_with_care_manager: bool,
    /// 計画作成依頼届出: the 居宅介護支援事業所 number and name.
    #[serde(default)]
    pub care_plan_office: Option<String>,
    #[serde(default)]
    pub care_plan_office_name: Option<String>,
}

impl FileRequest {
    fn parse(self) -> Result<NewApplication, ApiError> {
        let office = |raw: &str, what: &str| OfficeNumber::parse(raw).map_err(|_| invalid(what));
        Ok(NewApplication {
            person: person_of(&self.insurer, &self.insured)?,
            kind: ApplicationKind::from_code(&self.kind).map_err(|_| invalid("kind"))?,
            applicant: Applicant::from_code(&self.applicant).map_err(|_| invalid("applicant"))?,
            proxy_office: self
                .proxy_office
                .as_deref()
                .map(|o| office(o, "proxy_office"))
                .transpose()?,
            applied_on: date(&self.applied_on, "applied_on")?,
            share_with_care_manager: self.share_with_care_manager,
            care_plan_office: match self.care_plan_office.as_deref() {
                Some(o) => Some((
                    office(o, "care_plan_office")?,
                    self.care_plan_office_name.unwrap_or_default(),
                )),
                None => None,
            },
        })
    }
}

/// 申請受付 (municipal staff, 認定事務).
pub async fn file(
    State(state): State<Shared>,
    staff: StaffCaller,
    JsonBody(req): JsonBody<FileRequest>,
) -> ApiResult<ApplicationView> {
    let new = req.parse()?;
    step_reply(state, move |conn, at| {
        cert::file(conn, &staff.caller, new, at)
    })
    .await
}

/// The progress of one application (the person, the registered care manager, municipal staff).
pub async fn progress(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
) -> ApiResult<ApplicationView> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(cert::progress(conn, &staff.caller, id, at)?.into())
        })
        .await
}

/// The person's own applications, newest first.
pub async fn mine(
    State(state): State<Shared>,
    citizen: CitizenCaller,
) -> ApiResult<Vec<ApplicationView>> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let outcome = cert::applications_of(conn, &citizen.caller, citizen.person, at)?;
            Ok(outcome.into())
        })
        .await
}

#[derive(Deserialize)]
pub struct StepRequest {
    /// request_survey | request_opinion | assign_committee | withdraw
    pub step: String,
    #[serde(default)]
    pub institution: Option<String>,
    #[serde(default)]
    pub committee_on: Option<String>,
}

/// A step without a document (調査依頼, 意見書依頼, 審査会割当, 取下げ).
pub async fn step(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(req): JsonBody<StepRequest>,
) -> ApiResult<ApplicationView> {
    let step = match req.step.as_str() {
        "request_survey" => Step::RequestSurvey,
        "request_opinion" => {
            let code = req.institution.as_deref().unwrap_or_default();
            Step::RequestOpinion(
                MedicalInstitutionCode::parse(code).map_err(|_| invalid("institution"))?,
            )
        }
        "assign_committee" => {
            let on = req.committee_on.as_deref().unwrap_or_default();
            Step::AssignCommittee(date(on, "committee_on")?)
        }
        "withdraw" => Step::Withdraw,
        _ => return Err(invalid("step")),
    };
    step_reply(state, move |conn, at| {
        cert::record_step(conn, &staff.caller, id, step, at)
    })
    .await
}

/// The 認定調査票 (the municipal surveyor).
pub async fn survey(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(survey): JsonBody<Survey>,
) -> ApiResult<ApplicationView> {
    step_reply(state, move |conn, at| {
        cert::submit_survey(conn, &staff.caller, id, survey, at)
    })
    .await
}

#[derive(Deserialize)]
pub struct OpinionRequest {
    /// The 主治医意見書 as the exact JSON text that was signed (docs/interface/opinion.md).
    pub body: String,
    pub signature: PhysicianSignature,
}

/// The signed 主治医意見書 (medical staff under an open 作成依頼).
pub async fn opinion(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(req): JsonBody<OpinionRequest>,
) -> ApiResult<ApplicationView> {
    let signed = cert::SignedOpinion {
        body: req.body,
        signature: req.signature,
    };
    let shared = state.clone();
    if shared.physician_root.is_none() {
        return Err(ApiError::with_detail(
            ErrorCode::Unavailable,
            "医師の証明書の発行元が設定されていません / no physician trust root is configured",
        ));
    }
    step_reply(state, move |conn, at| {
        let revocations = shared.physician_revocations();
        let root = shared.physician_root.as_ref().expect("checked above");
        let trust = cert::PhysicianTrust {
            root,
            revocations: &revocations,
            now: now().1,
        };
        cert::submit_opinion(conn, &staff.caller, id, signed, &trust, at)
    })
    .await
}

/// Every version of the 主治医意見書 (read of 主治医意見書, per the policy).
pub async fn opinions(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
) -> ApiResult<Vec<cert::OpinionVersion>> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(cert::opinions(conn, &staff.caller, id, at)?.into())
        })
        .await
}

/// The 認定調査票 and 一次判定 as recorded (read of 認定調査票, per the policy).
pub async fn survey_documents(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
) -> ApiResult<cert::SurveyDocuments> {
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            Ok(cert::survey_documents(conn, &staff.caller, id, at)?.into())
        })
        .await
}

/// The 一次判定 of the municipality's software.
pub async fn primary_judgment(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(judgment): JsonBody<PrimaryJudgment>,
) -> ApiResult<ApplicationView> {
    step_reply(state, move |conn, at| {
        cert::record_primary_judgment(conn, &staff.caller, id, judgment, at)
    })
    .await
}

/// The 審査会's result: 二次判定 and 認定 (or 却下), with the next 被保険者証.
pub async fn decision(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(result): JsonBody<CommitteeResult>,
) -> ApiResult<cert::Decided> {
    let (at_ms, _) = now();
    let outcome = state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(at_ms);
            Ok(cert::decide(conn, &staff.caller, id, result, at)?)
        })
        .await?;
    if let Outcome::Allowed(decided) = &outcome {
        notify(&state, &decided.application, at_ms).await;
    }
    Ok(outcome.into())
}

/// 処理延期 with its reason and notice day.
pub async fn extension(
    State(state): State<Shared>,
    staff: StaffCaller,
    PathParams(id): PathParams<i64>,
    JsonBody(extension): JsonBody<Extension>,
) -> ApiResult<ApplicationView> {
    step_reply(state, move |conn, at| {
        cert::extend_deadline(conn, &staff.caller, id, extension, at)
    })
    .await
}

#[derive(Deserialize)]
pub struct OverdueQuery {
    pub insurer: String,
    /// YYYYMMDD; today (JST) when absent.
    #[serde(default)]
    pub today: Option<String>,
}

/// The 保険者's overdue applications (each listed person audited).
pub async fn overdue(
    State(state): State<Shared>,
    staff: StaffCaller,
    QueryParams(q): QueryParams<OverdueQuery>,
) -> ApiResult<Vec<ApplicationView>> {
    let insurer = InsurerNumber::parse_with(&q.insurer, CheckDigitPolicy::Warn)
        .map_err(|_| invalid("insurer"))?
        .number;
    let today = match q.today.as_deref() {
        Some(d) => Some(date(d, "today")?),
        None => None,
    };
    state
        .conn(move |_, conn| {
            let at = Timestamp::from_millis(now().0);
            let today = today.unwrap_or(at.jst_date());
            let list = cert::overdue(conn, &staff.caller, insurer, today, at)?;
            Ok(Reply::Ok(list))
        })
        .await
}

/// The office's notice stream (text/event-stream). Only office staff have one: a notice is
/// for the office registered on the application.
pub async fn events(
    State(state): State<Shared>,
    staff: StaffCaller,
) -> Result<axum::response::Response, ApiError> {
    match staff.caller.party() {
        Some(Party::Office(office)) => Ok(state.notices.stream(office.to_string()).into_response()),
        _ => Err(ApiError::new(ErrorCode::NoticesOfficeOnly)),
    }
}
