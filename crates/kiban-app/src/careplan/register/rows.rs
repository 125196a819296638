//! The stored form of an upload's documents: one `careplan_documents` row each and, for a
//! 利用票, its flattened service months (what the municipal aggregates count).

use super::{Document, Registration};
use kiban_domain::access::{PersonRef, Timestamp};
use kiban_domain::careplan::{Deletion, ServiceUse, YearMonth};
use kiban_domain::careplan::{DocKey, DocKind, DocStatus};
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
        insurer: usage.person.insurer,
        insured: usage.person.insured,
        month,
        care_office: usage.header.care_office,
        to_office: Some(to),
        rows: Vec::new(),
    };
    for r in &usage.plan_rows {
        let row = ServiceMonthRow {
            insurer: set.insurer,
            insured: set.insured,
            month,
            care_office: set.care_office,
            to_office: to,
            service_kind: r.service_code.kind,
            provider_office: r.provider,
            care_level: level,
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
    let row = |kind: DocKind,
               key: DocKey,
               to: Option<OfficeNumber>,
               status: DocStatus,
               body: String,
               sup: Option<String>| CarePlanDocRow {
        id: 0,
        kind,
        insurer: person.insurer,
        insured: person.insured,
        doc_key: key,
        from_office: office,
        to_office: to,
        status,
        body_json: body,
        supplement_json: sup,
        registered_at_ms: at.as_millis(),
        registered_by: by.to_string(),
    };
    let empty_set = |month: YearMonth, to: Option<OfficeNumber>| ServiceMonthSet {
        insurer: person.insurer,
        insured: person.insured,
        month,
        care_office: office,
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
                    DocKind::Plan,
                    DocKey::PlanDate(plan.plan_date),
                    None,
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
            let sup = supplement.as_ref().map(json);
            let r = row(
                DocKind::ServiceUse,
                DocKey::Month(usage.month),
                Some(*to),
                DocStatus::Issued,
                json(usage),
                sup,
            );
            (r, Some(set))
        }
        Document::Results { results, to } => (
            row(
                DocKind::Results,
                DocKey::Month(results.month),
                Some(*to),
                DocStatus::Issued,
                json(results),
                None,
            ),
            None,
        ),
        Document::Delete { deletion, to } => {
            let body = json(deletion);
            match deletion {
                Deletion::Plan { plan_date, .. } => (
                    row(
                        DocKind::Plan,
                        DocKey::PlanDate(*plan_date),
                        None,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
                Deletion::ServiceUse { month, .. } => (
                    row(
                        DocKind::ServiceUse,
                        DocKey::Month(*month),
                        *to,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    Some(empty_set(*month, *to)),
                ),
                Deletion::Results { month, .. } => (
                    row(
                        DocKind::Results,
                        DocKey::Month(*month),
                        *to,
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
