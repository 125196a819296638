//! The forms of the ケアプラン console: a 正当な理由 for the 特定事業所集中減算, an office's
//! 体制の届出 (staffing) and the 法人 of service offices (CSV). Each form carries the console's
//! common fields (checked by [`checked`]); once written under the stated purpose, the console is
//! read again under the same purpose, so the page shows what the write changed.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use kiban_app::access::{Caller, Outcome};
use kiban_app::careplan::municipal::NewExclusion;
use kiban_app::careplan::municipal::StaffingRow;
use kiban_domain::careplan::{JudgmentPeriod, JustReason, YearMonth, COVERED_SERVICES};
use kiban_domain::codes::ServiceKind;
use kiban_domain::ids::OfficeNumber;
use kiban_domain::text::normalize_digits;
use serde::Deserialize;

use super::careplan_municipal::{at, checked, read_console, ConsoleFields};
use super::careplan_municipal_reports::corporations as corporations_shown;
use super::careplan_sections::month_label;
use super::municipal::MunicipalStaff;
use super::view::respond;
use crate::state::{now, Shared};

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
pub(super) enum Write {
    Exclusion(NewExclusion),
    Staffing(StaffingRow),
    Corporations(String),
}

/// A form's own fields as a write and the message shown once it is done, or the message shown
/// when they are invalid (nothing written).
pub(super) type Parsed = Result<(Write, String), String>;

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

pub(super) fn exclusion_of(form: &ExclusionForm, period: JudgmentPeriod) -> Parsed {
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
        office_number: office.to_string(),
        month: month.yyyymm(),
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
