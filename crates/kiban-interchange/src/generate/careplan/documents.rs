//! The records of one person: 第2表 and 第3表 lines, the 第6表 lines of one service (one per
//! service day), its 第7表 line, and the 実績 of one office.

use super::tables::{Service, KINDS, SERVICES};
use super::GeneratedOffice;
use kiban_domain::careplan::official::*;
use kiban_domain::careplan::{LimitSums, ServiceCode, SheetHead, YearMonth};
use kiban_domain::codes::ServiceKind;
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;
use rand::Rng;

fn weekday(d: Date) -> i64 {
    (d.to_days() + 3).rem_euclid(7) // 0 = Monday
}

fn number(n: i64) -> Option<Number> {
    Some(Number::new(n))
}

fn time(text: &str) -> ServiceTime {
    Hhmm::parse_text(text).map_or(ServiceTime::Untimed, ServiceTime::At)
}

/// `1234567` → `123-4567`.
pub(super) fn postal(seven: &str) -> Option<PostalCode> {
    let text = format!("{}-{}", &seven[..3], &seven[3..]);
    <PostalCode as Field>::parse(&text, Some(8)).ok()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn need_row<R: Rng>(
    plan_date: Date,
    no: i64,
    need: &str,
    goal: &str,
    content: &str,
    provider: Option<(ServiceKind, &GeneratedOffice)>,
    care_office: OfficeNumber,
    rng: &mut R,
) -> Plan2Record {
    let to = plan_date.add_months(6).add_days(-1);
    let period = format!("{}～{}", plan_date.yyyymmdd(), to.yyyymmdd());
    Plan2Record {
        written_on: plan_date,
        plan_date,
        need_no: number(no),
        need: need.into(),
        goal_no: number(no),
        long_term_goal: goal.into(),
        short_term_goal: format!("{goal}（3か月）"),
        long_term_period: period.clone(),
        short_term_period: period.clone(),
        service_no: number(no),
        service_content: content.into(),
        coverage: Some(if provider.is_some() {
            InsuranceCoverage::Covered
        } else {
            InsuranceCoverage::NotCovered
        }),
        service_type: provider.map_or_else(|| "家族".into(), |p| p.0.label().to_string()),
        provider: provider.map(|p| p.1.number),
        provider_name: provider
            .map(|p| p.1.name.clone())
            .unwrap_or_else(|| "家族".into()),
        frequency: format!("週{}回(月,木)", rng.gen_range(1..=3)),
        period,
        vendor_code: Some(Plain::new(&care_office.to_string())),
        identifier: None,
    }
}

/// The days of the month the service is used: the first day for 福祉用具貸与 (a monthly
/// service), else two weekdays of the person's choosing.
pub(super) fn service_days<R: Rng>(m: YearMonth, k: usize, rng: &mut R) -> Vec<Date> {
    if KINDS[k] == ServiceKind::EquipmentRental {
        return vec![m.first_day()];
    }
    let first = rng.gen_range(0..5);
    let second = (first + rng.gen_range(2..4)) % 7;
    (0..m.days())
        .map(|d| m.first_day().add_days(i64::from(d)))
        .filter(|d| {
            let wd = weekday(*d);
            wd == first || wd == second
        })
        .collect()
}

/// 第3表 lines of a service used on `days`: one per weekday it falls on.
pub(super) fn week_rows(plan_date: Date, k: usize, days: &[Date]) -> Vec<Plan3Record> {
    let s: &Service = &SERVICES[k];
    let row = |content: String, weekday: Option<Weekday>, start, end, other: String| Plan3Record {
        written_on: plan_date,
        plan_date,
        service_content: content,
        weekday,
        start,
        end,
        daily_activity: String::new(),
        activity_start: None,
        activity_end: None,
        non_weekly_service: other,
    };
    if KINDS[k] == ServiceKind::EquipmentRental {
        return vec![row(
            String::new(),
            None,
            None,
            None,
            format!("福祉用具貸与（{}）", s.2),
        )];
    }
    let mut weekdays: Vec<i64> = days.iter().map(|d| weekday(*d)).collect();
    weekdays.sort_unstable();
    weekdays.dedup();
    weekdays
        .into_iter()
        .map(|wd| {
            row(
                s.2.to_string(),
                Some(Weekday::ALL[wd as usize]),
                Hhmm::parse_text(s.4),
                Hhmm::parse_text(s.5),
                String::new(),
            )
        })
        .collect()
}

/// A 第3表 line of the person's day.
pub(super) fn activity_row(plan_date: Date) -> Plan3Record {
    Plan3Record {
        written_on: plan_date,
        plan_date,
        service_content: String::new(),
        weekday: None,
        start: None,
        end: None,
        daily_activity: "起床・朝食".into(),
        activity_start: Hhmm::parse_text("0700"),
        activity_end: Hhmm::parse_text("0800"),
        non_weekly_service: String::new(),
    }
}

/// One 第6表 (or 実績) line per day of `days`.
pub(super) fn use_rows(
    head: &SheetHead,
    k: usize,
    office: &GeneratedOffice,
    days: &[Date],
) -> Vec<UseRecord> {
    let s = &SERVICES[k];
    let code = ServiceCode::parse(&format!("{}{}", KINDS[k].code(), s.1)).expect("valid code");
    let equipment = KINDS[k] == ServiceKind::EquipmentRental;
    days.iter()
        .map(|&d| {
            let mut r = UseRecord::visit(
                head,
                d,
                code.clone(),
                i64::from(s.3),
                (time(s.4), time(s.5)),
                (office.number, &office.name),
            );
            if equipment {
                r.tais_code = Some(Plain::new("00001－000010"));
                r.equipment_name = "車いす　標準型".into();
            }
            r
        })
        .collect()
}

/// The 第7表 line of a service used `count` times (単位数単価 10.00); adds it to `sums`.
pub(super) fn limit_row(
    head: &SheetHead,
    k: usize,
    office: &GeneratedOffice,
    count: i64,
    sums: &mut LimitSums,
) -> LimitRecord {
    let s = &SERVICES[k];
    let code = ServiceCode::parse(&format!("{}{}", KINDS[k].code(), s.1)).expect("valid code");
    let units = i64::from(s.3) * count;
    let cost = units * 10;
    let own = LimitSums {
        count,
        units,
        cost,
        claim: cost * 90 / 100,
    };
    sums.add(own);
    LimitRecord::line(
        head,
        (LimitOffice::Office(office.number), &office.name),
        LimitCode::Service(code),
        i64::from(s.3),
        count,
        own,
        UNIT_PRICE,
    )
}

/// The 単位数単価 of the generated municipality (1級地 would be 11.40).
pub(super) const UNIT_PRICE: &str = "10.00";
