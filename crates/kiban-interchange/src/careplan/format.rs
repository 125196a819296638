//! Canonical formatting of the plan, supplement and deletion lines (the month-bound ones are in
//! `records_month`).

use super::fields::{fmt_centi, fmt_date, fmt_days, fmt_opt, fmt_opt_date};
use super::layout::CSV_VERSION;
use super::records::Record;
use kiban_domain::careplan::{Deletion, PlanPerson};

/// The canonical fields of a record (CSVバージョン first).
pub(crate) fn format(record: &Record) -> Vec<String> {
    let v = CSV_VERSION.to_string();
    let p = |p: &PlanPerson| [p.insurer.to_string(), p.insured.to_string()];
    match record {
        Record::Overview {
            person,
            plan_date,
            overview: o,
        } => {
            let mut out = vec![v];
            out.extend(p(person));
            out.extend([
                fmt_date(o.created_on),
                o.user_postal_code.clone(),
                o.user_address1.clone(),
                o.user_address2.clone(),
                o.planner_name.clone(),
                o.office_name.clone(),
                o.office_postal_code.clone(),
                o.office_address1.clone(),
                o.office_address2.clone(),
                o.office.to_string(),
                fmt_date(*plan_date),
                o.origin.code().to_string(),
                if o.certified { "1" } else { "2" }.to_string(),
                fmt_opt_date(o.first_plan_date),
                fmt_opt_date(o.certified_on),
                fmt_opt_date(o.valid_from),
                fmt_opt_date(o.valid_to),
                fmt_opt(o.care_level.map(|l| l.code())),
                o.intentions.clone(),
                o.committee_opinion.clone(),
                o.policy.clone(),
                fmt_opt(o.living_support_reason.map(|r| r.code())),
                o.living_support_note.clone(),
            ]);
            out
        }
        Record::Need {
            person,
            plan_date,
            row: r,
        } => {
            let mut out = vec![v];
            out.extend(p(person));
            out.extend([
                fmt_date(r.written_on),
                fmt_date(*plan_date),
                r.need_no.to_string(),
                r.need.clone(),
                r.goal_no.to_string(),
                r.long_term_goal.clone(),
                r.short_term_goal.clone(),
                r.long_term_period.clone(),
                r.short_term_period.clone(),
                r.service_no.to_string(),
                r.service_content.clone(),
                if r.insured_service { "1" } else { "0" }.to_string(),
                fmt_opt(r.service_kind.map(|k| k.code())),
                fmt_opt(r.provider),
                r.provider_name.clone(),
                r.frequency.clone(),
                r.period.clone(),
                r.vendor_code.clone(),
                r.line_id.clone(),
            ]);
            out
        }
        Record::Supplement(s) => {
            let mut out = vec![v];
            out.extend(p(&s.person));
            out.extend([
                fmt_date(s.plan_date),
                s.kana.clone(),
                s.name.clone(),
                s.sex.code().to_string(),
                fmt_date(s.birth_date),
                s.postal_code.clone(),
                s.address1.clone(),
                s.address2.clone(),
                s.phone.clone(),
                fmt_opt_date(s.certified_on),
                fmt_opt_date(s.limit_from),
                fmt_opt_date(s.limit_to),
                fmt_opt(s.care_level.map(|l| l.code())),
            ]);
            out
        }
        Record::Deletion(d) => {
            let (person, key) = match d {
                Deletion::Plan { person, plan_date } => (person, fmt_date(*plan_date)),
                Deletion::ServiceUse { person, month } | Deletion::Results { person, month } => {
                    (person, month.yyyymm())
                }
            };
            let mut out = vec![v];
            out.extend(p(person));
            out.push(key);
            out
        }
        Record::UseHeader { .. }
        | Record::UseRow { .. }
        | Record::Limit { .. }
        | Record::Result { .. } => super::records_month::format(record),
    }
}

pub(crate) fn push_days(out: &mut Vec<String>, days: &[u8]) {
    fmt_days(days, out)
}

pub(crate) fn centi(v: u32) -> String {
    fmt_centi(v)
}
