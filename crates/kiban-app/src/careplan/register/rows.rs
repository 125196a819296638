//! The stored form of an upload's documents: one `careplan_documents` row each and, for a
//! 利用票, its flattened service months (what the municipal aggregates count).

use super::{Document, Registration};
use crate::careplan::body;
use kiban_domain::access::{PersonRef, Timestamp};
use kiban_domain::careplan::{Deletion, ServiceUse, YearMonth};
use kiban_domain::careplan::{DocKey, DocKind, DocStatus};
use kiban_domain::codes::CareLevel;
use kiban_domain::ids::OfficeNumber;
use kiban_store::{CarePlanDocRow, ServiceMonthRow, ServiceMonthSet};
use serde::Serialize;

/// The service months of a 利用票 sent by `care_office` to `to`, as counted for `month` (its own
/// month when registered): one row per (service kind, provider) of the receiving office's own
/// services, at `level`, the 要介護状態区分 its 補足 gives for the month. Every office's copy of the
/// 利用票 carries the person's whole 第6表 (本文 2.6); counting each copy's own office only keeps
/// one row per service however many offices receive it, and a 第6表_削除 sent to an office
/// withdraws that office's services. The care office is the sheet's sender, which registration
/// has checked is the office logged in.
pub fn service_month_set(
    usage: &ServiceUse,
    level: CareLevel,
    care_office: OfficeNumber,
    to: OfficeNumber,
    month: YearMonth,
) -> ServiceMonthSet {
    let mut set = ServiceMonthSet {
        insurer: usage.person.insurer,
        insured: usage.person.insured,
        month,
        care_office,
        to_office: Some(to),
        rows: Vec::new(),
    };
    for r in usage.rows.iter().filter(|r| r.provider == to) {
        let row = ServiceMonthRow {
            insurer: set.insurer,
            insured: set.insured,
            month,
            care_office,
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

/// A deletion names its key and nothing else: small, kept named field by field.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("care-plan documents serialise")
}

/// The stored row of one document and, for a 利用票, its flattened service months.
pub(super) fn stored(
    doc: Document,
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
        Document::Plan {
            plan, supplement, ..
        } => {
            let status = match mode {
                Registration::Issue => DocStatus::Issued,
                Registration::ForConfirmation => DocStatus::Draft,
            };
            let sup = supplement.map(body::encode);
            (
                row(
                    DocKind::Plan,
                    DocKey::PlanDate(plan.plan_date()),
                    None,
                    status,
                    body::encode(plan),
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
            // Registration refuses a 利用票 without its 補足 (checks.rs), so a level is there.
            let level = supplement
                .as_ref()
                .and_then(|s| s.record.care_level)
                .unwrap_or(CareLevel::NotApplicable);
            let set = service_month_set(&usage, level, office, to, usage.month);
            let key = DocKey::Month(usage.month);
            let sup = supplement.map(body::encode);
            let r = row(
                DocKind::ServiceUse,
                key,
                Some(to),
                DocStatus::Issued,
                body::encode(usage),
                sup,
            );
            (r, Some(set))
        }
        Document::Results { results, to } => (
            row(
                DocKind::Results,
                DocKey::Month(results.month),
                Some(to),
                DocStatus::Issued,
                body::encode(results),
                None,
            ),
            None,
        ),
        Document::BasicInfo { info, to } => (
            row(
                DocKind::BasicInfo,
                DocKey::PlanDate(info.info.consulted_on),
                Some(to),
                DocStatus::Issued,
                body::encode(info),
                None,
            ),
            None,
        ),
        Document::PreventionPlan { plan, to } => (
            row(
                DocKind::PreventionPlan,
                DocKey::PlanDate(plan.plan.plan_date),
                Some(to),
                DocStatus::Issued,
                body::encode(plan),
                None,
            ),
            None,
        ),
        Document::Delete { deletion, to } => {
            let body = json(&deletion);
            match deletion {
                Deletion::Plan { plan_date, .. } => (
                    row(
                        DocKind::Plan,
                        DocKey::PlanDate(plan_date),
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
                        DocKey::Month(month),
                        to,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    Some(empty_set(month, to)),
                ),
                Deletion::Results { month, .. } => (
                    row(
                        DocKind::Results,
                        DocKey::Month(month),
                        to,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
                Deletion::BasicInfo { consulted_on, .. } => (
                    row(
                        DocKind::BasicInfo,
                        DocKey::PlanDate(consulted_on),
                        to,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
                Deletion::PreventionPlan { plan_date, .. } => (
                    row(
                        DocKind::PreventionPlan,
                        DocKey::PlanDate(plan_date),
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
