//! ケアプラン in the 保険者ポータル.
//!
//! - The console (`/municipal/careplans`) shows aggregates only, through
//!   `kiban_app::careplan::municipal`: 特定事業所集中減算 for a 判定期間, caseloads and regional
//!   statistics for a month (cells under 10 persons printed "＊", see
//!   [`super::careplan_municipal_reports`]), and the forms that record a 正当な理由, file an
//!   office's staffing and register the 法人 of offices ([`super::careplan_municipal_forms`]).
//!   Each read or write is one aggregate decision and one audit event under the 利用目的 of the
//!   request's required form field; a request without one is refused (400) before anything is
//!   read.
//! - One person's plans (`/municipal/persons/{insurer}/{insured}/careplans`, opened from the
//!   person search) is a person read through `kiban_app::careplan::folder` with the stated
//!   purpose, in that person's access history; without a purpose nothing is read (400), see
//!   [`super::careplan_municipal_person`].
//!
//! This module holds the console page itself and what every console form shares: the checks of
//! its token, purpose and view ([`checked`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::{Denied, Outcome};
use kiban_app::careplan::municipal::{CaseloadReport, ConcentrationReport, RegionalStats};
use kiban_domain::access::{Purpose, Timestamp};
use kiban_domain::careplan::{JudgmentPeriod, JustReason, YearMonth, COVERED_SERVICES};
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use super::careplan_municipal_reports::{
    caseloads, concentration, stats, CaseloadShown, ConcentrationShown, CorporationShown,
    StatsShown,
};
use super::municipal::{parse_purpose, purpose_options, MunicipalStaff, PurposeOption};
use super::session::bad_form_token;
use super::view::{page_templates, respond, Page};
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
#[template(path = "pages/careplan_municipal.html")]
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
    pub(super) done: Option<String>,
    pub(super) form_error: Option<String>,
    pub(super) corporations: Option<CorporationShown>,
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
pub(super) async fn read_console(
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
pub(super) struct Checked {
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
pub(super) fn checked(
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
