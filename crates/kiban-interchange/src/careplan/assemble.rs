//! Groups the files of one send unit by person into documents, with the unit-level checks.

use super::name::V4Kind;
use super::read::V4File;
use super::records::Record;
use super::unit::{Document, PersonEntry, SendUnit, SourceLine, UnitHeader, UnitKind};
use super::LineIssue;
use crate::issue::Severity;
use kiban_domain::careplan::{CarePlan, PlanPerson, ServiceResults, ServiceUse, Supplement};
use std::collections::BTreeMap;

/// Why files do not form one send unit; nothing of the unit is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("送信単位として受け付けられません: {ja} / not a valid send unit: {en}")]
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
    record: Record,
}

#[derive(Default)]
struct Acc {
    sources: Vec<SourceLine>,
    issues: Vec<LineIssue>,
    records: Vec<Located>,
}

fn person_issue(
    l: &Located,
    code: &'static str,
    severity: Severity,
    ja: String,
    en: String,
) -> LineIssue {
    LineIssue {
        file: l.file.clone(),
        line: l.line,
        column_no: 0,
        column: String::new(),
        code,
        severity,
        message_ja: ja,
        message_en: en,
    }
}

fn error(l: &Located, code: &'static str, ja: &str, en: &str) -> LineIssue {
    person_issue(l, code, Severity::Error, ja.to_string(), en.to_string())
}

/// Checks that `files` form one send unit and groups their lines by person.
pub fn assemble(mut files: Vec<V4File>) -> Result<SendUnit, UnitError> {
    files.sort_by_key(|f| f.name.kind);
    let kinds: Vec<UnitKind> = files
        .iter()
        .filter_map(|f| UnitKind::of(f.name.kind))
        .collect();
    let Some(&unit) = kinds.first() else {
        return Err(unit_error(
            "第1表・第6表・実績・削除のファイルがありません".into(),
            "no 第1表/第2表, 第6表, 実績 or 削除 file".into(),
        ));
    };
    if let Some(other) = kinds.iter().find(|k| **k != unit) {
        return Err(unit_error(
            format!(
                "{}と{}は同じ送信単位になりません",
                unit.label(),
                other.label()
            ),
            format!("{unit:?} and {other:?} files cannot form one unit"),
        ));
    }
    let main = files
        .iter()
        .find(|f| UnitKind::of(f.name.kind).is_some())
        .expect("found above");
    let header = UnitHeader {
        unit,
        serial: main.name.serial,
        month: main.name.month,
        sender: main.name.sender,
        receiver: main.name.receiver,
        created: main.name.created.clone(),
    };
    for f in &files {
        let n = &f.name;
        if n.kind == V4Kind::Supplement && !unit.files().contains(&V4Kind::Supplement) {
            return Err(unit_error(
                format!(
                    "{}には利用者補足情報を含めません: {}",
                    unit.label(),
                    f.file_name
                ),
                format!("a {unit:?} unit has no supplement file: {}", f.file_name),
            ));
        }
        let is_main = n.kind != V4Kind::Supplement;
        let (what, what_en, same) = if n.sender != header.sender {
            ("送信元事業所番号", "sender office", false)
        } else if n.receiver != header.receiver {
            ("送信先事業所番号", "receiver office", false)
        } else if is_main && (n.serial != header.serial || n.month != header.month) {
            if unit.has_serial() {
                ("連番", "serial", false)
            } else {
                ("対象年月", "month", false)
            }
        } else {
            ("", "", true)
        };
        if !same {
            return Err(unit_error(
                format!("{}の{what}が送信単位の他のファイルと違います", f.file_name),
                format!(
                    "the {what_en} of {} differs from the other files of the unit",
                    f.file_name
                ),
            ));
        }
    }

    let mut by: BTreeMap<PlanPerson, Acc> = BTreeMap::new();
    let mut unit_issues = Vec::new();
    for f in files {
        for line in f.lines {
            let Some(person) = line.person else {
                unit_issues.extend(line.issues);
                continue;
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
                    record,
                });
            }
        }
    }
    let persons = by
        .into_iter()
        .map(|(person, acc)| build(unit, &header, person, acc))
        .collect();
    Ok(SendUnit {
        header,
        persons,
        issues: unit_issues,
    })
}

fn build(unit: UnitKind, header: &UnitHeader, person: PlanPerson, mut acc: Acc) -> PersonEntry {
    let mut documents = Vec::new();
    let mut issues = std::mem::take(&mut acc.issues);
    let mut supplement: Option<Supplement> = None;
    let mut plans: Vec<(CarePlan, usize)> = Vec::new(); // plan, index of its 第1表 record
    let mut orphan_needs: Vec<usize> = Vec::new();
    let mut service_use: Option<ServiceUse> = None;
    let mut orphan_rows: Vec<usize> = Vec::new();
    let mut results: Option<ServiceResults> = None;
    for (i, l) in acc.records.iter().enumerate() {
        match &l.record {
            Record::Overview {
                plan_date,
                overview,
                ..
            } => {
                if plans.iter().any(|(p, _)| p.plan_date == *plan_date) {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "同じ計画作成(変更)日の第1表が2行あります",
                        "two 第1表 lines for the same plan date",
                    ));
                } else {
                    plans.push((
                        CarePlan {
                            person,
                            plan_date: *plan_date,
                            overview: overview.clone(),
                            needs: Vec::new(),
                        },
                        i,
                    ));
                }
            }
            Record::Need { plan_date, row, .. } => {
                match plans.iter_mut().find(|(p, _)| p.plan_date == *plan_date) {
                    Some((p, _)) => p.needs.push(row.clone()),
                    None => orphan_needs.push(i),
                }
            }
            Record::Supplement(s) => {
                if supplement.is_some() {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "利用者補足情報が2行あります",
                        "two supplement lines for the person",
                    ));
                } else {
                    supplement = Some(s.clone());
                }
            }
            Record::UseHeader {
                month, header: h, ..
            } => {
                if service_use.is_some() {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "第6表の利用者行(レコード種別1)が2行あります",
                        "two 第6表 header lines for the person",
                    ));
                } else {
                    service_use = Some(ServiceUse {
                        person,
                        month: *month,
                        header: h.clone(),
                        plan_rows: Vec::new(),
                        limit_rows: Vec::new(),
                    });
                }
            }
            Record::UseRow { row, .. } => match service_use.as_mut() {
                Some(u) => u.plan_rows.push(row.clone()),
                None => orphan_rows.push(i),
            },
            Record::Limit { row, .. } => match service_use.as_mut() {
                Some(u) => u.limit_rows.push(row.clone()),
                None => orphan_rows.push(i),
            },
            Record::Result {
                month,
                provider,
                row,
                ..
            } => {
                results
                    .get_or_insert_with(|| ServiceResults {
                        person,
                        month: *month,
                        provider: *provider,
                        rows: Vec::new(),
                    })
                    .rows
                    .push(row.clone());
            }
            Record::Deletion(d) => {
                let doc = Document::Deletion(d.clone());
                if documents.contains(&doc) {
                    issues.push(error(
                        l,
                        "DUPLICATE",
                        "同じ削除の行が2行あります",
                        "the same deletion appears twice",
                    ));
                } else {
                    documents.push(doc);
                }
            }
        }
    }
    // 第2表 lines before their 第1表 in a later file cannot happen (files are sorted), but a
    // 第2表 whose plan date has no 第1表 is an orphan.
    for i in orphan_needs {
        let l = &acc.records[i];
        if let Record::Need { plan_date, row, .. } = &l.record {
            if let Some((p, _)) = plans.iter_mut().find(|(p, _)| p.plan_date == *plan_date) {
                p.needs.push(row.clone());
                continue;
            }
        }
        issues.push(error(
            l,
            "PLAN1_MISSING",
            "この第2表に対応する第1表（同じ利用者・計画作成(変更)日）がありません",
            "no 第1表 for this 第2表 line (same person and plan date)",
        ));
    }
    for (p, i) in &plans {
        if p.needs.is_empty() {
            issues.push(error(
                &acc.records[*i],
                "PLAN2_MISSING",
                "この第1表に対応する第2表がありません",
                "no 第2表 line for this 第1表",
            ));
        }
    }
    for i in orphan_rows {
        issues.push(error(
            &acc.records[i],
            "USE_HEADER_MISSING",
            "第6表の利用者行(レコード種別1)がありません",
            "no 第6表 header line (record kind 1) for the person",
        ));
    }
    documents.extend(plans.into_iter().map(|(p, _)| Document::Plan(p)));
    documents.extend(service_use.map(Document::ServiceUse));
    documents.extend(results.map(Document::Results));
    let has_main = !documents.is_empty();
    if let Some(s) = supplement {
        if !has_main && !acc.records.is_empty() {
            let l = acc
                .records
                .iter()
                .find(|l| matches!(l.record, Record::Supplement(_)))
                .expect("has one");
            issues.push(error(
                l,
                "SUPPLEMENT_ORPHAN",
                "送信単位にこの利用者の計画・利用票がない補足情報です",
                "a supplement for a person with no plan or 利用票 in the unit",
            ));
        }
        documents.push(Document::Supplement(s));
    } else if matches!(unit, UnitKind::Plan | UnitKind::ServiceUse) && has_main {
        if let Some(first) = acc.sources.first() {
            issues.push(LineIssue {
                file: first.file.clone(),
                line: first.line,
                column_no: 0,
                column: String::new(),
                code: "SUPPLEMENT_MISSING",
                severity: Severity::Warning,
                message_ja: "この利用者の利用者補足情報がありません".into(),
                message_en: "no supplement for this person".into(),
            });
        }
    }
    let _ = header;
    let rejected = issues.iter().any(|i| i.severity == Severity::Error);
    PersonEntry {
        person,
        documents: if rejected { Vec::new() } else { documents },
        sources: acc.sources,
        issues,
    }
}
