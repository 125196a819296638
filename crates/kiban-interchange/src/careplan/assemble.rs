//! Groups the files of one transmission unit by person into documents, with the unit's rules:
//! one `T` for all files, the files the unit requires (本文 2.2), and per person the parent and
//! subordinate records of 本文 2.3/3.3 (第2表・第3表・補足 under their 第1表, 第7表・補足 under the
//! 第6表, 別表 under their 利用者基本情報 or 介護予防計画書).

use super::file::{OfficialFile, OfficialRecord};
use super::name::FileKind;
use super::unit::{Document, PersonEntry, SendUnit, SourceLine, UnitHeader, UnitKind};
use crate::careplan::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::documents::*;
use kiban_domain::careplan::official::*;
use std::collections::BTreeMap;

/// Why files do not form one unit; nothing of the unit is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("送信単位として受け付けられません: {ja} / not a valid transmission unit: {en}")]
pub struct UnitError {
    pub ja: String,
    pub en: String,
}

fn unit_error(ja: String, en: String) -> UnitError {
    UnitError { ja, en }
}

/// One record with where it came from.
struct Located {
    file: String,
    line: u64,
    version: CsvVersion,
    kind: FileKind,
    /// Taken (moved into its document) when the person's documents are built.
    record: Option<OfficialRecord>,
}

#[derive(Default)]
struct Acc {
    sources: Vec<SourceLine>,
    issues: Vec<LineIssue>,
    records: Vec<Located>,
}

fn error(l: &Located, code: &'static str, ja: &str, en: &str) -> LineIssue {
    LineIssue {
        file: l.file.clone(),
        line: l.line,
        column_no: 0,
        column: String::new(),
        code,
        severity: Severity::Error,
        message_ja: ja.to_string(),
        message_en: en.to_string(),
    }
}

/// Checks that `files` form one unit and groups their lines by person.
pub fn assemble(mut files: Vec<OfficialFile>) -> Result<SendUnit, UnitError> {
    let order = |k: FileKind| FileKind::ALL.iter().position(|x| *x == k);
    files.sort_by_key(|f| (order(f.name.kind), f.file_name.clone()));
    let Some(first) = files.first() else {
        return Err(unit_error("ファイルがありません".into(), "no files".into()));
    };
    let mut kinds: Vec<FileKind> = files.iter().map(|f| f.name.kind).collect();
    kinds.dedup();
    let main_kinds: Vec<FileKind> = kinds
        .iter()
        .copied()
        .filter(|k| *k != FileKind::Supplement)
        .collect();
    let unit = if main_kinds.is_empty() {
        if first.name.month.is_some() {
            UnitKind::ServiceUse
        } else {
            UnitKind::Plan
        }
    } else {
        UnitKind::of(&kinds).ok_or_else(|| {
            let names: Vec<&str> = kinds.iter().map(|k| k.prefix()).collect();
            unit_error(
                format!("{} は同じ送信単位になりません", names.join("・")),
                format!("{} cannot form one unit", names.join(", ")),
            )
        })?
    };
    for k in &kinds {
        if files.iter().filter(|f| f.name.kind == *k).count() > 1 {
            return Err(unit_error(
                format!("{}（{}）のファイルが2つあります", k.label(), k.prefix()),
                format!("two {} files in one unit", k.prefix()),
            ));
        }
    }
    for required in unit.required() {
        if !kinds.contains(required) {
            return Err(unit_error(
                format!(
                    "{}には{}（{}）が必要です",
                    unit.label(),
                    required.label(),
                    required.prefix()
                ),
                format!("a {unit:?} unit requires a {} file", required.prefix()),
            ));
        }
    }
    let main = files
        .iter()
        .find(|f| f.name.kind != FileKind::Supplement)
        .unwrap_or(first);
    let header = UnitHeader {
        unit,
        month: if unit.is_monthly() {
            main.name.month
        } else {
            None
        },
        sender: main.name.sender,
        sender_kind: main.name.sender_kind,
        receiver: main.name.receiver,
        receiver_kind: main.name.receiver_kind,
        created: main.name.created.clone(),
    };
    for f in &files {
        if f.name.unit_key() != main.name.unit_key() {
            return Err(unit_error(
                format!(
                    "{} の送信元・送信先・作成日時が送信単位の他のファイル（{}）と違います",
                    f.file_name, main.file_name
                ),
                format!(
                    "the sender, receiver or time of {} differs from {}",
                    f.file_name, main.file_name
                ),
            ));
        }
        let month = if f.name.kind == FileKind::Supplement && unit == UnitKind::Plan {
            None
        } else {
            header.month
        };
        if f.name.month != month {
            return Err(unit_error(
                format!("{} の年月が送信単位と合いません", f.file_name),
                format!("the month of {} does not fit the unit", f.file_name),
            ));
        }
    }

    // One CSVバージョン per unit: the layout forbids a mix within a file, and a document is
    // written back with one version for all its files.
    if let Some(mixed) = files
        .iter()
        .find(|f| f.version.is_some() && f.version != main.version && main.version.is_some())
    {
        return Err(unit_error(
            format!(
                "{} のCSVバージョン {} が {} の {} と違います（送信単位で1つ）",
                mixed.file_name,
                mixed.version.map_or("", |v| v.code()),
                main.file_name,
                main.version.map_or("", |v| v.code())
            ),
            format!(
                "{} has CSV version {} but {} has {} (one version per unit)",
                mixed.file_name,
                mixed.version.map_or("", |v| v.code()),
                main.file_name,
                main.version.map_or("", |v| v.code())
            ),
        ));
    }
    let mut by: BTreeMap<PlanPerson, Acc> = BTreeMap::new();
    let mut unit_issues = Vec::new();
    for f in files {
        let kind = f.name.kind;
        for line in f.lines {
            let Some(common) = line.common else {
                unit_issues.extend(line.issues);
                continue;
            };
            let person = PlanPerson {
                insurer: common.insurer,
                insured: common.insured,
            };
            let acc = by.entry(person).or_default();
            acc.sources.push(SourceLine {
                file: f.file_name.clone(),
                line: line.line,
            });
            acc.issues.extend(line.issues);
            if let Some(record) = line.record {
                acc.records.push(Located {
                    file: f.file_name.clone(),
                    line: line.line,
                    version: common.version,
                    kind,
                    record: Some(record),
                });
            }
        }
    }
    let persons = by
        .into_iter()
        .map(|(person, acc)| build(&header, person, acc))
        .collect();
    Ok(SendUnit {
        header,
        persons,
        issues: unit_issues,
    })
}

/// Records that hang under a parent record of the same person (本文 2.3, 3.3).
fn subordinate(r: &OfficialRecord) -> bool {
    matches!(
        r,
        OfficialRecord::Plan2(_)
            | OfficialRecord::Plan3(_)
            | OfficialRecord::Limit(_)
            | OfficialRecord::DailySchedule(_)
            | OfficialRecord::MedicalHistory(_)
            | OfficialRecord::SupportPlan(_)
    )
}

/// A document being built with the index of the record that opened it.
struct Open<T> {
    doc: T,
    at: usize,
}

fn build(header: &UnitHeader, person: PlanPerson, mut acc: Acc) -> PersonEntry {
    let mut issues = std::mem::take(&mut acc.issues);
    let mut records = std::mem::take(&mut acc.records);
    let mut plans: Vec<Open<CarePlan>> = Vec::new();
    let mut supplements: Vec<Open<Supplement>> = Vec::new();
    let mut uses: Option<Open<ServiceUse>> = None;
    let mut results: Option<ServiceResults> = None;
    let mut basics: Vec<Open<BasicInfo>> = Vec::new();
    let mut prevention: Vec<Open<PreventionPlan>> = Vec::new();
    let mut deletions: Vec<(Deletion, usize)> = Vec::new();
    let mut orphans: Vec<(usize, &'static str, &'static str, &'static str)> = Vec::new();
    let month = header.month;

    // Parents first (files are in FileKind::ALL order, but a parent may come after its
    // subordinate in that order), then the subordinates.
    // Records move into their documents (a month of files is a gigabyte: no second copy).
    for (i, l) in records.iter_mut().enumerate() {
        let v = l.version;
        let Some(record) = l.record.take_if(|r| !subordinate(r)) else {
            continue;
        };
        let l = &*l;
        match record {
            OfficialRecord::Plan1(r) => {
                if plans.iter().any(|p| p.doc.plan_date() == r.plan_date) {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "同じ居宅サービス計画作成（変更）日の第1表が2行あります",
                        "two 第1表 lines for the same plan date",
                    ));
                } else {
                    plans.push(Open {
                        doc: CarePlan {
                            version: v,
                            person,
                            overview: *r,
                            needs: Vec::new(),
                            week: Vec::new(),
                        },
                        at: i,
                    });
                }
            }
            OfficialRecord::Use(r) if l.kind == FileKind::UsePlan => match &mut uses {
                Some(u) => u.doc.rows.push(*r),
                None => {
                    uses = Some(Open {
                        doc: ServiceUse {
                            person,
                            month: r.month,
                            version: v,
                            rows: vec![*r],
                            limit_version: v,
                            limits: Vec::new(),
                        },
                        at: i,
                    })
                }
            },
            OfficialRecord::Use(r) => {
                if r.provider != header.sender {
                    issues.push(error(l, "RESULTS_PROVIDER", "実績のサービス事業者コードが送信元の事業所番号と違います（実績は事業所ごと）", "the 実績 line's office is not the sender (実績 are per office)"));
                }
                results
                    .get_or_insert_with(|| ServiceResults {
                        version: v,
                        person,
                        month: r.month,
                        rows: Vec::new(),
                    })
                    .rows
                    .push(*r);
            }
            OfficialRecord::BasicInfo(r) => {
                if basics
                    .iter()
                    .any(|b| b.doc.info.consulted_on == r.consulted_on)
                {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "同じ相談日の利用者基本情報が2行あります",
                        "two 利用者基本情報 lines for the same 相談日",
                    ));
                } else {
                    basics.push(Open {
                        doc: BasicInfo {
                            version: v,
                            person,
                            info: *r,
                            schedule: Vec::new(),
                            history: Vec::new(),
                        },
                        at: i,
                    });
                }
            }
            OfficialRecord::PreventionPlan(r) => {
                if prevention
                    .iter()
                    .any(|p| p.doc.plan.plan_date == r.plan_date)
                {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "同じ計画作成(変更)日の介護予防サービス・支援計画書が2行あります",
                        "two 介護予防計画書 lines for the same plan date",
                    ));
                } else {
                    prevention.push(Open {
                        doc: PreventionPlan {
                            version: v,
                            person,
                            plan: *r,
                            support: Vec::new(),
                        },
                        at: i,
                    });
                }
            }
            OfficialRecord::Supplement(r) => {
                if supplements
                    .iter()
                    .any(|s| s.doc.record.plan_date == r.plan_date && s.doc.record.month == r.month)
                {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "同じキーの利用者補足情報が2行あります",
                        "two supplement lines with the same key",
                    ));
                } else {
                    supplements.push(Open {
                        doc: Supplement {
                            version: v,
                            person,
                            record: *r,
                        },
                        at: i,
                    });
                }
            }
            OfficialRecord::Plan1Deletion(r) => deletions.push((
                Deletion::Plan {
                    version: v,
                    person,
                    plan_date: r.plan_date,
                },
                i,
            )),
            OfficialRecord::UsePlanDeletion(r) => deletions.push((
                Deletion::ServiceUse {
                    version: v,
                    person,
                    month: r.month,
                },
                i,
            )),
            OfficialRecord::UseResultsDeletion(r) if r.provider != header.sender => {
                issues.push(error(
                    l,
                    "RESULTS_PROVIDER",
                    "実績_削除のサービス事業者コードが送信元の事業所番号と違います",
                    "the 実績_削除 line's office is not the sender",
                ));
            }
            OfficialRecord::UseResultsDeletion(r) => deletions.push((
                Deletion::Results {
                    version: v,
                    person,
                    month: r.month,
                    provider: r.provider,
                    service_kind: r.service_kind,
                },
                i,
            )),
            OfficialRecord::BasicInfoDeletion(r) => deletions.push((
                Deletion::BasicInfo {
                    version: v,
                    person,
                    consulted_on: r.consulted_on,
                },
                i,
            )),
            OfficialRecord::PreventionPlanDeletion(r) => deletions.push((
                Deletion::PreventionPlan {
                    version: v,
                    person,
                    plan_date: r.plan_date,
                },
                i,
            )),
            _ => {}
        }
    }
    for (i, l) in records.iter_mut().enumerate() {
        let Some(record) = l.record.take() else {
            continue;
        };
        match record {
            OfficialRecord::Plan2(r) => match plans.iter_mut().find(|p| p.doc.plan_date() == r.plan_date) {
                Some(p) => p.doc.needs.push(*r),
                None => orphans.push((i, "PLAN1_MISSING", "この第2表に対応する第1表（同じ利用者・居宅サービス計画作成（変更）日）がありません", "no 第1表 for this 第2表 line (same person and plan date)")),
            },
            OfficialRecord::Plan3(r) => match plans.iter_mut().find(|p| p.doc.plan_date() == r.plan_date) {
                Some(p) => p.doc.week.push(*r),
                None => orphans.push((i, "PLAN1_MISSING", "この第3表に対応する第1表（同じ利用者・居宅サービス計画作成（変更）日）がありません", "no 第1表 for this 第3表 line (same person and plan date)")),
            },
            OfficialRecord::Limit(r) => match &mut uses {
                Some(u) => {
                    if u.doc.limits.is_empty() {
                        u.doc.limit_version = l.version;
                    }
                    u.doc.limits.push(*r);
                }
                None => orphans.push((i, "USE_MISSING", "この第7表に対応する第6表（同じ利用者・対象年月）がありません", "no 第6表 for this 第7表 line (same person and month)")),
            },
            OfficialRecord::DailySchedule(r) => match basics.iter_mut().find(|b| b.doc.info.consulted_on == r.consulted_on) {
                Some(b) => b.doc.schedule.push(*r),
                None => orphans.push((i, "BASIC_INFO_MISSING", "この別表1に対応する利用者基本情報（同じ利用者・相談日）がありません", "no 利用者基本情報 for this 別表1 line")),
            },
            OfficialRecord::MedicalHistory(r) => match basics.iter_mut().find(|b| b.doc.info.consulted_on == r.consulted_on) {
                Some(b) => b.doc.history.push(*r),
                None => orphans.push((i, "BASIC_INFO_MISSING", "この別表2に対応する利用者基本情報（同じ利用者・相談日）がありません", "no 利用者基本情報 for this 別表2 line")),
            },
            OfficialRecord::SupportPlan(r) => match prevention.iter_mut().find(|p| p.doc.plan.plan_date == r.plan_date) {
                Some(p) => p.doc.support.push(*r),
                None => orphans.push((i, "PREVENTION_PLAN_MISSING", "この別表に対応する介護予防サービス・支援計画書（同じ利用者・計画作成(変更)日）がありません", "no 介護予防計画書 for this 別表 line")),
            },
            _ => {}
        }
    }
    for (i, code, ja, en) in orphans {
        issues.push(error(&records[i], code, ja, en));
    }
    // What each parent needs beside it.
    for p in &plans {
        let l = &records[p.at];
        if p.doc.needs.is_empty() {
            issues.push(error(
                l,
                "PLAN2_MISSING",
                "この第1表に対応する第2表がありません",
                "no 第2表 line for this 第1表",
            ));
        }
        if p.doc.week.is_empty() {
            issues.push(error(
                l,
                "PLAN3_MISSING",
                "この第1表に対応する第3表（週間サービス計画表）がありません",
                "no 第3表 line for this 第1表",
            ));
        }
        if !supplements
            .iter()
            .any(|s| s.doc.record.plan_date.0 == Some(p.doc.plan_date()))
        {
            issues.push(error(l, "SUPPLEMENT_MISSING", "この第1表に対応する利用者補足情報（同じ居宅サービス計画作成（変更）日）がありません", "no supplement for this 第1表 (same plan date)"));
        }
    }
    if let Some(u) = &uses {
        let l = &records[u.at];
        if u.doc.total().is_none() {
            issues.push(error(
                l,
                "LIMIT_TOTAL_MISSING",
                "この利用者の第7表に全合計（サービスコード 999999）の行がありません",
                "the person's 第7表 has no 全合計 line (service code 999999)",
            ));
        }
        if !supplements.iter().any(|s| s.doc.record.month.0 == month) {
            issues.push(error(
                l,
                "SUPPLEMENT_MISSING",
                "この第6表に対応する利用者補足情報（同じ対象年月）がありません",
                "no supplement for this 第6表 (same month)",
            ));
        }
    }
    for s in &supplements {
        let parent = match s.doc.record.plan_date.0 {
            Some(date) => plans.iter().any(|p| p.doc.plan_date() == date),
            None => uses.is_some(),
        };
        if !parent {
            issues.push(error(
                &records[s.at],
                "SUPPLEMENT_ORPHAN",
                "送信単位にこの利用者の対応する第1表・第6表がない補足情報です",
                "a supplement without its 第1表 or 第6表 in the unit",
            ));
        }
    }
    let mut documents: Vec<Document> = Vec::new();
    for (d, at) in deletions {
        let doc = Document::Deletion(d);
        if documents.contains(&doc) {
            issues.push(error(
                &records[at],
                "DUPLICATE",
                "同じ削除の行が2行あります",
                "the same deletion appears twice",
            ));
        } else {
            documents.push(doc);
        }
    }
    documents.extend(plans.into_iter().map(|p| Document::Plan(Box::new(p.doc))));
    documents.extend(uses.map(|u| Document::ServiceUse(Box::new(u.doc))));
    documents.extend(results.map(|r| Document::Results(Box::new(r))));
    documents.extend(
        basics
            .into_iter()
            .map(|b| Document::BasicInfo(Box::new(b.doc))),
    );
    documents.extend(
        prevention
            .into_iter()
            .map(|p| Document::PreventionPlan(Box::new(p.doc))),
    );
    documents.extend(
        supplements
            .into_iter()
            .map(|s| Document::Supplement(Box::new(s.doc))),
    );
    let rejected = issues.iter().any(|i| i.severity == Severity::Error);
    PersonEntry {
        person,
        documents: if rejected { Vec::new() } else { documents },
        sources: acc.sources,
        issues,
    }
}
