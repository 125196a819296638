//! The documents of one person: 第2表 lines, and the 利用票 and 実績 of one service.

use super::tables::{KINDS, SERVICES};
use super::GeneratedOffice;
use kiban_domain::careplan::*;
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;
use rand::Rng;

fn weekday(d: Date) -> i64 {
    (d.to_days() + 3).rem_euclid(7) // 0 = Monday
}

pub(super) fn need_row<R: Rng>(
    plan_date: Date,
    no: u32,
    need: &str,
    goal: &str,
    content: &str,
    provider: Option<(ServiceKind, &GeneratedOffice)>,
    rng: &mut R,
) -> NeedRow {
    let to = plan_date.add_months(6).add_days(-1);
    let period = format!("{}～{}", plan_date.yyyymmdd(), to.yyyymmdd());
    NeedRow {
        written_on: plan_date,
        need_no: no,
        need: need.into(),
        goal_no: no,
        long_term_goal: goal.into(),
        short_term_goal: format!("{goal}（3か月）"),
        long_term_period: period.clone(),
        short_term_period: period.clone(),
        service_no: no,
        service_content: content.into(),
        insured_service: provider.is_some(),
        service_kind: provider.map(|p| p.0),
        provider: provider.map(|p| p.1.number),
        provider_name: provider
            .map(|p| p.1.name.clone())
            .unwrap_or_else(|| "家族".into()),
        frequency: format!("週{}回(月,木)", rng.gen_range(1..=3)),
        period,
        vendor_code: "KIBANGEN01".into(),
        line_id: format!("L{no:04}"),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn month_documents<R: Rng>(
    m: YearMonth,
    person: PlanPerson,
    care_office: OfficeNumber,
    level: CareLevel,
    limit: u32,
    k: usize,
    office: &GeneratedOffice,
    rng: &mut R,
) -> (ServiceUse, ServiceResults) {
    let s = SERVICES[k];
    let code = ServiceCode::parse(&format!("{}{}", KINDS[k].code(), s.1)).expect("valid code");
    let mut days = vec![0u8; 31];
    if KINDS[k] == ServiceKind::EquipmentRental {
        days[0] = 1;
    } else {
        let first = rng.gen_range(0..5);
        let second = (first + rng.gen_range(2..4)) % 7;
        for d in 0..m.days() {
            let wd = weekday(m.first_day().add_days(i64::from(d)));
            if wd == first || wd == second {
                days[d as usize] = 1;
            }
        }
    }
    let row = ServiceUseRow {
        start: s.4.into(),
        end: s.5.into(),
        service_name: s.2.into(),
        service_code: code.clone(),
        provider: office.number,
        provider_name: office.name.clone(),
        days: days.clone(),
    };
    let count = row.total();
    let service_units = s.3 * count;
    let total_cost = u64::from(service_units) * 10;
    let paid = total_cost * 90 / 100;
    let limit_row = LimitRow {
        provider: office.number,
        provider_name: office.name.clone(),
        service_name: s.2.into(),
        service_code: code.clone(),
        units: s.3,
        discount_rate: None,
        discounted_units: None,
        count,
        service_units,
        over_kind_limit: 0,
        within_kind_limit: service_units,
        over_level_limit: 0,
        within_level_limit: service_units,
        unit_price_centi_yen: 1000,
        total_cost,
        benefit_rate: 90,
        insurance_paid: paid,
        copay_insured: total_cost - paid,
        copay_full: 0,
    };
    let mut done = days;
    if rng.gen_bool(0.1) {
        if let Some(d) = done.iter_mut().find(|d| **d > 0) {
            *d = 0; // one visit cancelled
        }
    }
    let use_doc = ServiceUse {
        person,
        month: m,
        header: ServiceUseHeader {
            created_on: m.first_day().add_days(-5),
            care_office,
            care_level: level,
            changed_level: None,
            changed_on: None,
            limit_units: limit,
            limit_from: m.first_day(),
            limit_to: m.last_day(),
            short_stay_days_before: 0,
        },
        plan_rows: vec![row],
        limit_rows: vec![limit_row],
    };
    let results = ServiceResults {
        person,
        month: m,
        provider: office.number,
        rows: vec![ResultRow {
            start: s.4.into(),
            end: s.5.into(),
            service_name: s.2.into(),
            service_code: code,
            days: done,
        }],
    };
    (use_doc, results)
}
