//! The ケアプラン console of the 保険者ポータル (`/municipal/careplans`): aggregates only, through
//! `kiban_app::careplan::municipal`: 特定事業所集中減算 for a 判定期間, caseloads and regional
//! statistics for a month (cells under 10 persons printed "＊", shaped for the page in
//! [`super::careplan_tables`]), and the console's forms: a 正当な理由 for the 集中減算, an
//! office's 体制の届出 (staffing) and the 法人 of service offices (CSV).
//!
//! Each read or write is one aggregate decision and one audit event under the 利用目的 of the
//! request's required form field, checked with its token and view by [`checked`]; a request
//! without one is refused (400) before anything is read. Once a form is written under the stated
//! purpose, the console is read again under the same purpose, so the page shows what the write
//! changed. One person's plans, a person read in that person's access history, are on the
//! person page ([`super::person`]).

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::{Caller, Denied, Outcome};
use kiban_app::careplan::municipal::{
    CaseloadReport, ConcentrationReport, NewExclusion, RegionalStats, StaffingRow,
};
use kiban_domain::access::{Purpose, Timestamp};
use kiban_domain::careplan::{JudgmentPeriod, JustReason, YearMonth, COVERED_SERVICES};
use kiban_domain::codes::ServiceKind;
use kiban_domain::ids::OfficeNumber;
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use crate::pages::careplan_sections::month_label;
use crate::pages::municipal::careplan_tables::{
    caseloads, concentration, corporations as corporations_shown, stats, CaseloadShown,
    ConcentrationShown, CorporationShown, StatsShown,
};
use crate::pages::municipal::{parse_purpose, purpose_options, MunicipalStaff, PurposeOption};
use crate::pages::session::bad_form_token;
use crate::pages::view::{page_templates, respond, Page};
use crate::state::{now, Shared};

pub(crate) fn at() -> Timestamp {
    Timestamp::from_millis(now().0)
}

/// A policy refusal, shown with its reason code.
pub(crate) struct Refusal {
    pub code: String,
    pub message: String,
}

impl From<Denied> for Refusal {
    fn from(d: Denied) -> Self {
        Self {
            code: d.reason.to_string(),
            message: d.message_ja,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/municipal/careplans.html")]
pub(crate) struct ConsolePage {
    page: Page,
    insurer: String,
    purposes: Vec<PurposeOption>,
    purpose_error: Option<&'static str>,
    period: String,
    period_error: Option<String>,
    month: String,
    month_error: Option<String>,
    /// The purpose the aggregates were read under, once read.
    read_under: Option<&'static str>,
    refused: Option<Refusal>,
    concentration: Option<ConcentrationShown>,
    caseloads: Option<CaseloadShown>,
    stats: Option<StatsShown>,
    /// What a form just did, or why it was not done.
    pub(in crate::pages) done: Option<String>,
    pub(in crate::pages) form_error: Option<String>,
    pub(in crate::pages) corporations: Option<CorporationShown>,
    services: Vec<(&'static str, &'static str)>,
    reasons: Vec<(u8, &'static str)>,
}

page_templates!(ConsolePage);

const NO_PURPOSE: &str = "利用目的を選んでください。";

/// The 判定期間 shown by default: the last one that has ended.
fn default_period() -> JudgmentPeriod {
    JudgmentPeriod::containing(at().jst_date()).previous()
}

fn default_month() -> YearMonth {
    YearMonth::of(at().jst_date())
}

fn parse_month(raw: &str) -> Result<YearMonth, String> {
    let digits: String = normalize_digits(raw.trim())
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    YearMonth::parse(&digits)
        .map_err(|_| format!("年月は 202604 のように6桁で入力してください（{raw}）。"))
}

fn parse_period(raw: &str) -> Result<JudgmentPeriod, String> {
    JudgmentPeriod::parse(normalize_digits(raw.trim()).as_str()).map_err(|_| {
        format!("判定期間は 2026-1（前期：3月〜8月）や 2026-2（後期：9月〜翌2月）のように入力してください（{raw}）。")
    })
}

impl ConsolePage {
    fn new(state: &Shared, staff: &MunicipalStaff, purpose: &str) -> Self {
        Self {
            page: staff.page(state),
            insurer: staff.insurer.to_string(),
            purposes: purpose_options(purpose),
            purpose_error: None,
            period: default_period().code(),
            period_error: None,
            month: default_month().yyyymm(),
            month_error: None,
            read_under: None,
            refused: None,
            concentration: None,
            caseloads: None,
            stats: None,
            done: None,
            form_error: None,
            corporations: None,
            services: COVERED_SERVICES
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
            reasons: JustReason::ALL
                .iter()
                .map(|r| (r.code(), r.label_ja()))
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct ConsoleQuery {
    #[serde(default)]
    purpose: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    month: Option<String>,
}

/// The console: without any parameter only the forms (nothing is read); with parameters the
/// aggregates under the stated purpose.
pub(crate) async fn console(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Query(q): Query<ConsoleQuery>,
) -> Response {
    let chosen = q.purpose.clone().unwrap_or_default();
    let mut template = ConsolePage::new(&state, &staff, &chosen);
    if q.purpose.is_none() && q.period.is_none() && q.month.is_none() {
        return respond(StatusCode::OK, &template);
    }
    if let Some(p) = &q.period {
        template.period = p.clone();
    }
    if let Some(m) = &q.month {
        template.month = m.clone();
    }
    let purpose = match parse_purpose(&chosen) {
        Ok(p) => p,
        Err(e) => {
            // Nothing was read: nothing to audit.
            template.purpose_error = Some(e);
            return respond(StatusCode::BAD_REQUEST, &template);
        }
    };
    let period = parse_period(&template.period);
    let month = parse_month(&template.month);
    let (Ok(period), Ok(month)) = (period.clone(), month.clone()) else {
        template.period_error = period.err();
        template.month_error = month.err();
        return respond(StatusCode::UNPROCESSABLE_ENTITY, &template);
    };
    read_console(
        &state,
        &staff,
        Checked::new(purpose, period, month, template),
    )
    .await
}

/// Reads the three aggregates under the checked purpose into the page (the first refusal
/// stops: each read is audited, so nothing is read after a refusal).
pub(in crate::pages) async fn read_console(
    state: &Shared,
    staff: &MunicipalStaff,
    checked: Checked,
) -> Response {
    let Checked {
        purpose,
        period,
        month,
        mut template,
    } = checked;
    let caller = match staff.caller(purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(state, "集計を表示できません", &e),
    };
    type Read = Result<(ConcentrationReport, CaseloadReport, RegionalStats), Refusal>;
    let read = state
        .conn(move |_, conn| {
            use kiban_app::careplan::municipal as m;
            let at = at();
            let read: Read = (|| {
                let c = match m::concentration(conn, &caller, period, at)? {
                    Outcome::Allowed(c) => c,
                    Outcome::Denied(d) => return Ok(Err(d.into())),
                };
                let l = match m::caseloads(conn, &caller, month, at)? {
                    Outcome::Allowed(l) => l,
                    Outcome::Denied(d) => return Ok(Err(d.into())),
                };
                let s = match m::regional_stats(conn, &caller, month, at)? {
                    Outcome::Allowed(s) => s,
                    Outcome::Denied(d) => return Ok(Err(d.into())),
                };
                Ok::<Read, kiban_app::AppError>(Ok((c, l, s)))
            })()?;
            Ok(read)
        })
        .await;
    let read = match read {
        Ok(read) => read,
        Err(e) => return staff.error_page(state, "集計を表示できません", &e),
    };
    template.period = period.code();
    template.month = month.yyyymm();
    template.read_under = Some(purpose.label());
    match read {
        Ok((c, l, s)) => {
            template.concentration = Some(concentration(&c));
            template.caseloads = Some(caseloads(&l, month));
            template.stats = Some(stats(&s, month));
        }
        Err(refusal) => template.refused = Some(refusal),
    }
    respond(StatusCode::OK, &template)
}

/// The fields every console form carries: its token, the purpose and the view to return to.
#[derive(Deserialize, Default)]
pub(crate) struct ConsoleFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    month: String,
}

/// A posted form whose common fields passed: the purpose, the view and the page to answer with.
pub(in crate::pages) struct Checked {
    pub purpose: Purpose,
    pub period: JudgmentPeriod,
    pub month: YearMonth,
    pub template: ConsolePage,
}

impl Checked {
    fn new(
        purpose: Purpose,
        period: JudgmentPeriod,
        month: YearMonth,
        template: ConsolePage,
    ) -> Self {
        Self {
            purpose,
            period,
            month,
            template,
        }
    }
}

/// Checks the token, the purpose and the view of a posted form; `Err` is the answer to send
/// (a whole response, built once per refused request). A view that does not parse falls back
/// to the default one: the form's own fields are what matters.
#[allow(clippy::result_large_err)]
pub(in crate::pages) fn checked(
    state: &Shared,
    staff: &MunicipalStaff,
    fields: &ConsoleFields,
) -> Result<Checked, Response> {
    if !staff.browser.form_token_ok(state, &fields.csrf) {
        return Err(bad_form_token(staff.page(state)));
    }
    let mut template = ConsolePage::new(state, staff, &fields.purpose);
    let purpose = match parse_purpose(&fields.purpose) {
        Ok(p) => p,
        Err(e) => {
            // Nothing was read or written: nothing to audit.
            template.purpose_error = Some(e);
            template.form_error = Some(NO_PURPOSE.to_string());
            return Err(respond(StatusCode::BAD_REQUEST, &template));
        }
    };
    let period = parse_period(&fields.period).unwrap_or_else(|_| default_period());
    let month = parse_month(&fields.month).unwrap_or_else(|_| default_month());
    template.period = period.code();
    template.month = month.yyyymm();
    Ok(Checked::new(purpose, period, month, template))
}

#[derive(Deserialize, Default)]
pub(crate) struct ExclusionForm {
    #[serde(flatten)]
    fields: ConsoleFields,
    #[serde(default)]
    office: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    excluded: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct StaffingForm {
    #[serde(flatten)]
    fields: ConsoleFields,
    #[serde(default)]
    office: String,
    #[serde(default)]
    care_managers: String,
    #[serde(default)]
    data_exchange: Option<String>,
    #[serde(default)]
    clerical_staff: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct CorporationsForm {
    #[serde(flatten)]
    fields: ConsoleFields,
    #[serde(default)]
    csv: String,
}

/// What a console form does once its common fields are checked.
pub(in crate::pages) enum Write {
    Exclusion(NewExclusion),
    Staffing(StaffingRow),
    Corporations(String),
}

/// A form's own fields as a write and the message shown once it is done, or the message shown
/// when they are invalid (nothing written).
pub(in crate::pages) type Parsed = Result<(Write, String), String>;

/// 正当な理由 for one office, period and service.
pub(crate) async fn exclusion(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Form(form): Form<ExclusionForm>,
) -> Response {
    submit(&state, &staff, &form.fields, |period, _| {
        exclusion_of(&form, period)
    })
    .await
}

pub(in crate::pages) fn exclusion_of(form: &ExclusionForm, period: JudgmentPeriod) -> Parsed {
    let office = OfficeNumber::parse(&normalize_digits(form.office.trim()));
    let service = ServiceKind::from_code(form.service.trim())
        .ok()
        .filter(|k| COVERED_SERVICES.contains(k));
    let reason = form
        .reason
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(JustReason::from_code);
    let excluded = match form.excluded.trim() {
        "" => Ok(0),
        raw => normalize_digits(raw).parse::<u32>(),
    };
    let (Ok(office), Some(service), Some(reason), Ok(excluded)) =
        (office, service, reason, excluded)
    else {
        return Err(
            "事業所番号（10桁）、サービス、正当な理由（1〜7）を選び、除外する件数は数字で入力してください。"
                .into(),
        );
    };
    let done = format!(
        "事業所 {office} の{}（{}）に正当な理由「{} {}」を記録しました。",
        service.label(),
        period.label(),
        reason.code(),
        reason.label_ja()
    );
    let new = NewExclusion {
        office,
        period,
        service,
        reason,
        excluded_plan_months: excluded,
        note: form.note.trim().to_string(),
    };
    Ok((Write::Exclusion(new), done))
}

/// 体制の届出: an office's staffing for a month.
pub(crate) async fn staffing(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Form(form): Form<StaffingForm>,
) -> Response {
    submit(&state, &staff, &form.fields, |_, month| {
        staffing_of(&form, month, &staff)
    })
    .await
}

fn staffing_of(form: &StaffingForm, month: YearMonth, staff: &MunicipalStaff) -> Parsed {
    let office = OfficeNumber::parse(&normalize_digits(form.office.trim()));
    let centi = normalize_digits(form.care_managers.trim())
        .replace('．', ".")
        .parse::<f64>()
        .ok()
        .map(|v| (v * 100.0).round())
        .filter(|c| (1.0..=100_000.0).contains(c));
    let (Ok(office), Some(centi)) = (office, centi) else {
        return Err(
            "事業所番号（10桁）と、介護支援専門員の常勤換算数（例：2.5）を入力してください。"
                .into(),
        );
    };
    let row = StaffingRow {
        office_number: office,
        month,
        care_managers_centi: centi as i64,
        data_exchange: form.data_exchange.is_some(),
        clerical_staff: form.clerical_staff.is_some(),
        recorded_at_ms: now().0,
        recorded_by: staff.staff_id.clone(),
    };
    let done = format!(
        "事業所 {office} の{}の体制（常勤換算 {:.2}人）を記録しました。",
        month_label(month),
        centi / 100.0
    );
    Ok((Write::Staffing(row), done))
}

/// The 法人 of service offices, as CSV.
pub(crate) async fn corporations(
    State(state): State<Shared>,
    staff: MunicipalStaff,
    Form(form): Form<CorporationsForm>,
) -> Response {
    submit(&state, &staff, &form.fields, |_, _| {
        if form.csv.trim().is_empty() {
            return Err("法人と事業所の一覧（CSV）を貼り付けてください。".into());
        }
        let done = "法人の一覧を登録しました。".to_string();
        Ok((Write::Corporations(form.csv.clone()), done))
    })
    .await
}

/// Checks the common fields, then the form's own (`parse`), runs the write under the stated
/// purpose and shows the console read under the same purpose.
async fn submit(
    state: &Shared,
    staff: &MunicipalStaff,
    fields: &ConsoleFields,
    parse: impl FnOnce(JudgmentPeriod, YearMonth) -> Parsed,
) -> Response {
    let mut checked = match checked(state, staff, fields) {
        Ok(checked) => checked,
        Err(answer) => return answer,
    };
    let (what, done) = match parse(checked.period, checked.month) {
        Ok(parsed) => parsed,
        Err(message) => {
            checked.template.form_error = Some(message);
            return respond(StatusCode::UNPROCESSABLE_ENTITY, &checked.template);
        }
    };
    let caller: Caller = match staff.caller(checked.purpose) {
        Ok(caller) => caller,
        Err(e) => return staff.error_page(state, "登録できません", &e),
    };
    let ran = state
        .conn(move |_, conn| {
            use kiban_app::careplan::municipal as m;
            let at = at();
            Ok(match what {
                Write::Exclusion(new) => m::record_exclusion(conn, &caller, new, at)?.map(|_| None),
                Write::Staffing(row) => m::put_staffing(conn, &caller, row, at)?.map(|()| None),
                Write::Corporations(csv) => {
                    kiban_app::careplan::corporations::register_corporations(
                        conn, &caller, &csv, at,
                    )?
                    .map(Some)
                }
            })
        })
        .await;
    match ran {
        Ok(Outcome::Allowed(report)) => {
            checked.template.corporations = report.as_ref().map(corporations_shown);
            checked.template.done = Some(done);
            read_console(state, staff, checked).await
        }
        Ok(Outcome::Denied(d)) => {
            checked.template.form_error =
                Some(format!("{}（理由コード：{}）", d.message_ja, d.reason));
            respond(StatusCode::FORBIDDEN, &checked.template)
        }
        Err(e) => staff.error_page(state, "登録できません", &e),
    }
}
