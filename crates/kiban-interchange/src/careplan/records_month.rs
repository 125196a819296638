//! The month-bound lines: UPPLAN (第6表 header and lines, 第7表 lines) and UPJSK (実績).

use super::fields::{fmt_date, fmt_opt, fmt_opt_date, LineFields};
use super::format::{centi, push_days};
use super::layout::{CSV_VERSION, USE_HEADER, USE_LIMIT, USE_ROW};
use super::name::V4FileName;
use super::records::Record;
use kiban_domain::careplan::{
    LimitRow, PlanPerson, ResultRow, ServiceUseHeader, ServiceUseRow, YearMonth,
};
use kiban_domain::codes::CareLevel;

/// 対象年月 at column `i`, which must equal the file name's.
pub(crate) fn file_month(name: &V4FileName, f: &mut LineFields, i: usize) -> Option<YearMonth> {
    let month = f.month(i)?;
    if Some(month) != name.month {
        let named = name.month.map(|m| m.yyyymm()).unwrap_or_default();
        f.fail(
            i,
            "MONTH_MISMATCH",
            format!("ファイル名の対象年月 {named} と違います"),
            format!("differs from the month {named} of the file name"),
        );
        return None;
    }
    Some(month)
}

fn level(s: &str) -> Result<CareLevel, String> {
    CareLevel::from_code(s).map_err(|e| e.to_string())
}

pub(crate) fn service_use(
    name: &V4FileName,
    f: &mut LineFields,
    person: Option<PlanPerson>,
) -> Option<Record> {
    let month = file_month(name, f, 4);
    match f.raw(1) {
        USE_HEADER => {
            let created_on = f.date(5);
            let care_office = f.office(6);
            if care_office.is_some_and(|o| o != name.sender) {
                f.fail(
                    6,
                    "SENDER_MISMATCH",
                    format!("ファイル名の送信元事業所番号 {} と違います", name.sender),
                    format!(
                        "differs from the sender office {} of the file name",
                        name.sender
                    ),
                );
            }
            let care_level = f.code(7, level);
            let changed_level = f.opt_code(8, level);
            let changed_on = f.opt_date(9);
            let limit_units = f.u32(10);
            let limit_from = f.date(11);
            let limit_to = f.date(12);
            let short_stay_days_before = f.u32(13);
            Some(Record::UseHeader {
                person: person?,
                month: month?,
                header: ServiceUseHeader {
                    created_on: created_on?,
                    care_office: care_office?,
                    care_level: care_level?,
                    changed_level: changed_level?,
                    changed_on: changed_on?,
                    limit_units: limit_units?,
                    limit_from: limit_from?,
                    limit_to: limit_to?,
                    short_stay_days_before: short_stay_days_before?,
                },
            })
        }
        USE_ROW => {
            let start = f.time(5);
            let end = f.time(6);
            let service_name = f.text(7);
            let service_code = f.service_code(8);
            let provider = f.office(9);
            if provider.is_some() && provider != name.receiver {
                f.fail(
                    9,
                    "RECEIVER_MISMATCH",
                    "第6表の行はファイル名の送信先事業所のものに限ります".into(),
                    "第6表 lines must be those of the receiving office of the file name".into(),
                );
            }
            let provider_name = f.text(10);
            let days = f.days(11, month);
            Some(Record::UseRow {
                person: person?,
                month: month?,
                row: ServiceUseRow {
                    start: start?,
                    end: end?,
                    service_name: service_name?,
                    service_code: service_code?,
                    provider: provider?,
                    provider_name: provider_name?,
                    days: days?,
                },
            })
        }
        USE_LIMIT => {
            let provider = f.office(5);
            let provider_name = f.text(6);
            let service_name = f.text(7);
            let service_code = f.service_code(8);
            let units = f.u32(9);
            let discount_rate = f.opt_u32(10);
            let discounted_units = f.opt_u32(11);
            let count = f.u32(12);
            let service_units = f.u32(13);
            let over_kind_limit = f.u32(14);
            let within_kind_limit = f.u32(15);
            let over_level_limit = f.u32(16);
            let within_level_limit = f.u32(17);
            let unit_price_centi_yen = f.centi(18);
            let total_cost = f.u64(19);
            let benefit_rate = f.u32(20);
            let insurance_paid = f.u64(21);
            let copay_insured = f.u64(22);
            let copay_full = f.u64(23);
            Some(Record::Limit {
                person: person?,
                month: month?,
                row: LimitRow {
                    provider: provider?,
                    provider_name: provider_name?,
                    service_name: service_name?,
                    service_code: service_code?,
                    units: units?,
                    discount_rate: discount_rate?,
                    discounted_units: discounted_units?,
                    count: count?,
                    service_units: service_units?,
                    over_kind_limit: over_kind_limit?,
                    within_kind_limit: within_kind_limit?,
                    over_level_limit: over_level_limit?,
                    within_level_limit: within_level_limit?,
                    unit_price_centi_yen: unit_price_centi_yen?,
                    total_cost: total_cost?,
                    benefit_rate: benefit_rate?,
                    insurance_paid: insurance_paid?,
                    copay_insured: copay_insured?,
                    copay_full: copay_full?,
                },
            })
        }
        other => {
            let other = other.to_string();
            f.fail(
                1,
                "RECORD_KIND_INVALID",
                format!("レコード種別は 1(第6表), 2(第6表明細), 3(第7表) のいずれかです: {other:?}"),
                format!("record kind must be 1 (第6表 header), 2 (第6表 line) or 3 (第7表 line): {other:?}"),
            );
            None
        }
    }
}

pub(crate) fn results(
    name: &V4FileName,
    f: &mut LineFields,
    person: Option<PlanPerson>,
) -> Option<Record> {
    let month = file_month(name, f, 3);
    let provider = f.office(4);
    if provider.is_some_and(|o| o != name.sender) {
        f.fail(
            4,
            "SENDER_MISMATCH",
            format!("ファイル名の送信元事業所番号 {} と違います", name.sender),
            format!(
                "differs from the sender office {} of the file name",
                name.sender
            ),
        );
    }
    let start = f.time(5);
    let end = f.time(6);
    let service_name = f.text(7);
    let service_code = f.service_code(8);
    let days = f.days(9, month);
    Some(Record::Result {
        person: person?,
        month: month?,
        provider: provider?,
        row: ResultRow {
            start: start?,
            end: end?,
            service_name: service_name?,
            service_code: service_code?,
            days: days?,
        },
    })
}

pub(crate) fn format(record: &Record) -> Vec<String> {
    let head = |kind: &str, p: &PlanPerson, m: &YearMonth| {
        vec![
            CSV_VERSION.to_string(),
            kind.to_string(),
            p.insurer.to_string(),
            p.insured.to_string(),
            m.yyyymm(),
        ]
    };
    match record {
        Record::UseHeader {
            person,
            month,
            header: h,
        } => {
            let mut out = head(USE_HEADER, person, month);
            out.extend([
                fmt_date(h.created_on),
                h.care_office.to_string(),
                h.care_level.code().to_string(),
                fmt_opt(h.changed_level.map(|l| l.code())),
                fmt_opt_date(h.changed_on),
                h.limit_units.to_string(),
                fmt_date(h.limit_from),
                fmt_date(h.limit_to),
                h.short_stay_days_before.to_string(),
            ]);
            out
        }
        Record::UseRow {
            person,
            month,
            row: r,
        } => {
            let mut out = head(USE_ROW, person, month);
            out.extend([
                r.start.clone(),
                r.end.clone(),
                r.service_name.clone(),
                r.service_code.code(),
                r.provider.to_string(),
                r.provider_name.clone(),
            ]);
            push_days(&mut out, &r.days);
            out
        }
        Record::Limit {
            person,
            month,
            row: r,
        } => {
            let mut out = head(USE_LIMIT, person, month);
            out.extend([
                r.provider.to_string(),
                r.provider_name.clone(),
                r.service_name.clone(),
                r.service_code.code(),
                r.units.to_string(),
                fmt_opt(r.discount_rate),
                fmt_opt(r.discounted_units),
                r.count.to_string(),
                r.service_units.to_string(),
                r.over_kind_limit.to_string(),
                r.within_kind_limit.to_string(),
                r.over_level_limit.to_string(),
                r.within_level_limit.to_string(),
                centi(r.unit_price_centi_yen),
                r.total_cost.to_string(),
                r.benefit_rate.to_string(),
                r.insurance_paid.to_string(),
                r.copay_insured.to_string(),
                r.copay_full.to_string(),
            ]);
            out
        }
        Record::Result {
            person,
            month,
            provider,
            row: r,
        } => {
            let mut out = vec![
                CSV_VERSION.to_string(),
                person.insurer.to_string(),
                person.insured.to_string(),
                month.yyyymm(),
                provider.to_string(),
                r.start.clone(),
                r.end.clone(),
                r.service_name.clone(),
                r.service_code.code(),
            ];
            push_days(&mut out, &r.days);
            out
        }
        _ => unreachable!("only month-bound records are formatted here"),
    }
}
