//! The stored form of an upload's documents: one `careplan_documents` row each and, for a
//! 利用票, its flattened service months (what the municipal aggregates count).

use super::super::{kind, DocStatus};
use super::{Document, Registration};
use kiban_domain::access::{PersonRef, Timestamp};
use kiban_domain::careplan::{Deletion, ServiceUse, YearMonth};
use kiban_domain::ids::OfficeNumber;
use kiban_store::{CarePlanDocRow, ServiceMonthRow, ServiceMonthSet};
use serde::Serialize;

/// The service months of a 利用票 sent to `to`, as counted for `month` (its own month when
/// registered): one row per (service kind, provider), at the level the sheet ends the month with.
/// The care office is the sheet's sender, which registration has checked is the office logged in.
pub fn service_month_set(
    usage: &ServiceUse,
    to: OfficeNumber,
    month: YearMonth,
) -> ServiceMonthSet {
    let level = usage
        .header
        .changed_level
        .unwrap_or(usage.header.care_level);
    let mut set = ServiceMonthSet {
        insurer: usage.person.insurer.to_string(),
        insured: usage.person.insured.to_string(),
        month: month.yyyymm(),
        care_office: usage.header.care_office.to_string(),
        to_office: to.to_string(),
        rows: Vec::new(),
    };
    for r in &usage.plan_rows {
        let row = ServiceMonthRow {
            insurer: set.insurer.clone(),
            insured: set.insured.clone(),
            month: set.month.clone(),
            care_office: set.care_office.clone(),
            to_office: set.to_office.clone(),
            service_kind: r.service_code.kind.code().to_string(),
            provider_office: r.provider.to_string(),
            care_level: level.code().to_string(),
        };
        if !set.rows.contains(&row) {
            set.rows.push(row);
        }
    }
    set
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("care-plan documents serialise")
}

/// The stored row of one document and, for a 利用票, its flattened service months.
pub(super) fn stored(
    doc: &Document,
    person: PersonRef,
    office: OfficeNumber,
    mode: Registration,
    at: Timestamp,
    by: &str,
) -> (CarePlanDocRow, Option<ServiceMonthSet>) {
    let row = |kind: &str,
               key: String,
               to: String,
               status: DocStatus,
               body: String,
               sup: Option<String>| CarePlanDocRow {
        id: 0,
        kind: kind.to_string(),
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        doc_key: key,
        from_office: office.to_string(),
        to_office: to,
        status: status.code().to_string(),
        body_json: body,
        supplement_json: sup,
        registered_at_ms: at.as_millis(),
        registered_by: by.to_string(),
    };
    let empty_set = |month: String, to: String| ServiceMonthSet {
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        month,
        care_office: office.to_string(),
        to_office: to,
        rows: Vec::new(),
    };
    match doc {
        Document::Plan { plan, supplement } => {
            let status = match mode {
                Registration::Issue => DocStatus::Issued,
                Registration::ForConfirmation => DocStatus::Draft,
            };
            let sup = supplement.as_ref().map(json);
            (
                row(
                    kind::PLAN,
                    plan.plan_date.yyyymmdd(),
                    String::new(),
                    status,
                    json(plan),
                    sup,
                ),
                None,
            )
        }
        Document::ServiceUse {
            usage,
            to,
            supplement,
        } => {
            let set = service_month_set(usage, *to, usage.month);
            let month = usage.month.yyyymm();
            let sup = supplement.as_ref().map(json);
            let r = row(
                kind::SERVICE_USE,
                month,
                to.to_string(),
                DocStatus::Issued,
                json(usage),
                sup,
            );
            (r, Some(set))
        }
        Document::Results { results, to } => (
            row(
                kind::RESULTS,
                results.month.yyyymm(),
                to.to_string(),
                DocStatus::Issued,
                json(results),
                None,
            ),
            None,
        ),
        Document::Delete { deletion, to } => {
            let to = to.map(|o| o.to_string()).unwrap_or_default();
            let body = json(deletion);
            match deletion {
                Deletion::Plan { plan_date, .. } => (
                    row(
                        kind::PLAN,
                        plan_date.yyyymmdd(),
                        String::new(),
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
                Deletion::ServiceUse { month, .. } => {
                    let set = empty_set(month.yyyymm(), to.clone());
                    (
                        row(
                            kind::SERVICE_USE,
                            month.yyyymm(),
                            to,
                            DocStatus::Deleted,
                            body,
                            None,
                        ),
                        Some(set),
                    )
                }
                Deletion::Results { month, .. } => (
                    row(
                        kind::RESULTS,
                        month.yyyymm(),
                        to,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
            }
        }
    }
}
