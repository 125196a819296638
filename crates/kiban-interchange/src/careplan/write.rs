//! A unit's documents written as the unit's files, in the unit's file order; persons in unit
//! order, each document's records in their order. A kind without records is not written.

use super::file::{write_file, OfficialRecord, WriteError};
use super::name::FileKind;
use super::unit::{Document, SendUnit};
use kiban_domain::careplan::documents::*;
use kiban_domain::careplan::official::*;

fn common(version: CsvVersion, person: PlanPerson) -> Common {
    Common {
        version,
        insurer: person.insurer,
        insured: person.insured,
    }
}

/// The records of `kind` that a document contributes.
fn records_of(doc: &Document, kind: FileKind) -> Vec<(Common, OfficialRecord)> {
    use FileKind as F;
    use OfficialRecord as R;
    let boxed = |v: CsvVersion, p: PlanPerson, rows: Vec<R>| -> Vec<(Common, R)> {
        rows.into_iter().map(|r| (common(v, p), r)).collect()
    };
    match (doc, kind) {
        (Document::Plan(d), F::Plan1) => boxed(
            d.version,
            d.person,
            vec![R::Plan1(Box::new(d.overview.clone()))],
        ),
        (Document::Plan(d), F::Plan2) => boxed(
            d.version,
            d.person,
            d.needs
                .iter()
                .map(|r| R::Plan2(Box::new(r.clone())))
                .collect(),
        ),
        (Document::Plan(d), F::Plan3) => boxed(
            d.version,
            d.person,
            d.week
                .iter()
                .map(|r| R::Plan3(Box::new(r.clone())))
                .collect(),
        ),
        (Document::Supplement(d), F::Supplement) => boxed(
            d.version,
            d.person,
            vec![R::Supplement(Box::new(d.record.clone()))],
        ),
        (Document::ServiceUse(d), F::UsePlan) => boxed(
            d.version,
            d.person,
            d.rows.iter().map(|r| R::Use(Box::new(r.clone()))).collect(),
        ),
        (Document::ServiceUse(d), F::Limit) => boxed(
            d.limit_version,
            d.person,
            d.limits
                .iter()
                .map(|r| R::Limit(Box::new(r.clone())))
                .collect(),
        ),
        (Document::Results(d), F::UseResults) => boxed(
            d.version,
            d.person,
            d.rows.iter().map(|r| R::Use(Box::new(r.clone()))).collect(),
        ),
        (Document::BasicInfo(d), F::BasicInfo) => boxed(
            d.version,
            d.person,
            vec![R::BasicInfo(Box::new(d.info.clone()))],
        ),
        (Document::BasicInfo(d), F::DailySchedule) => boxed(
            d.version,
            d.person,
            d.schedule
                .iter()
                .map(|r| R::DailySchedule(Box::new(r.clone())))
                .collect(),
        ),
        (Document::BasicInfo(d), F::MedicalHistory) => boxed(
            d.version,
            d.person,
            d.history
                .iter()
                .map(|r| R::MedicalHistory(Box::new(r.clone())))
                .collect(),
        ),
        (Document::PreventionPlan(d), F::PreventionPlan) => boxed(
            d.version,
            d.person,
            vec![R::PreventionPlan(Box::new(d.plan.clone()))],
        ),
        (Document::PreventionPlan(d), F::SupportPlan) => boxed(
            d.version,
            d.person,
            d.support
                .iter()
                .map(|r| R::SupportPlan(Box::new(r.clone())))
                .collect(),
        ),
        (Document::Deletion(d), _) => {
            let record = match (d, kind) {
                (Deletion::Plan { plan_date, .. }, F::Plan1Deletion) => {
                    R::Plan1Deletion(Plan1DeletionRecord {
                        plan_date: *plan_date,
                    })
                }
                (Deletion::ServiceUse { month, .. }, F::UsePlanDeletion) => {
                    R::UsePlanDeletion(UseDeletionRecord { month: *month })
                }
                (
                    Deletion::Results {
                        month,
                        provider,
                        service_kind,
                        ..
                    },
                    F::UseResultsDeletion,
                ) => R::UseResultsDeletion(ResultsDeletionRecord {
                    month: *month,
                    provider: *provider,
                    service_kind: *service_kind,
                }),
                (Deletion::BasicInfo { consulted_on, .. }, F::BasicInfoDeletion) => {
                    R::BasicInfoDeletion(BasicInfoDeletionRecord {
                        consulted_on: *consulted_on,
                    })
                }
                (Deletion::PreventionPlan { plan_date, .. }, F::PreventionPlanDeletion) => {
                    R::PreventionPlanDeletion(PreventionPlanDeletionRecord {
                        plan_date: *plan_date,
                    })
                }
                _ => return Vec::new(),
            };
            vec![(common(d.version(), d.person()), record)]
        }
        _ => Vec::new(),
    }
}

/// Writes the accepted persons' documents as the unit's files: `(name, bytes)` per file.
pub fn write_unit(unit: &SendUnit) -> Result<Vec<(String, Vec<u8>)>, WriteError> {
    let mut files = Vec::new();
    for &kind in unit.header.unit.files() {
        let records: Vec<(Common, OfficialRecord)> =
            unit.documents().flat_map(|d| records_of(d, kind)).collect();
        if records.is_empty() {
            continue;
        }
        files.push(write_file(&unit.header.file_name(kind), &records)?);
    }
    Ok(files)
}
