//! Care-plan uploads in the exchange formats: files of the official V4 layout (any number of
//! transmission units at once, as a care office's month of 利用票 arrives) and V5 JSON
//! documents. Both become [`Incoming`] persons for [`super::register`]; the format's own
//! problems (a bad file name, a character outside MS932 with its line and field, a 第2表 without
//! its 第1表, a unit without its required files) are reported and refuse the file, the unit or
//! the person, never half of a person.

use super::register::{
    register_into, Document, Incoming, PersonIssue, RegisterReport, Registration,
};
use crate::access::Caller;
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Actor, PersonRef, Timestamp};
use kiban_domain::careplan::Supplement;
use kiban_interchange::careplan::{
    assemble, parse_file_name, read_file, v5_values_to_unit, Document as V4Document, FileKind,
    LineIssue, OfficialFile, SendUnit,
};
use std::collections::BTreeMap;

/// Registers V4 files: read each, group them into send units, assemble each unit by person.
pub fn register_files(
    conn: &mut Connection,
    caller: &Caller,
    files: Vec<(String, Vec<u8>)>,
    mode: Registration,
    at: Timestamp,
) -> Result<RegisterReport> {
    let store = conn.store();
    let mut report = RegisterReport::default();
    let mut read = Vec::new();
    for (name, bytes) in files {
        // 家族構成 images travel with 利用者基本情報; kiban checks their names but does not
        // keep them yet (docs/interface/careplan-v4.md §Images).
        if matches!(parse_file_name(&name), Ok(n) if !n.kind.is_csv()) {
            file_issue(
                &mut report,
                &name,
                "IMAGE_NOT_KEPT",
                "家族構成の画像ファイルは受け取りましたが、kiban ではまだ保存しません / the 家族構成 image was received but kiban does not keep images yet",
            );
            continue;
        }
        match read_file(&name, &bytes) {
            Ok(f) => read.push(f),
            Err(e) => file_issue(&mut report, &name, "FILE_REFUSED", &e.to_string()),
        }
    }
    let mut incoming = Vec::new();
    let mut rejected = std::collections::HashSet::new();
    for group in group_units(read, &mut report) {
        let names: Vec<String> = group.iter().map(|f| f.file_name.clone()).collect();
        match assemble(group) {
            Ok(unit) => {
                rejected.extend(
                    unit.persons
                        .iter()
                        .filter(|e| e.is_rejected())
                        .map(|e| e.person),
                );
                incoming.extend(persons_of(unit, caller, &mut report));
            }
            Err(e) => file_issue(
                &mut report,
                &names.join(", "),
                "UNIT_REFUSED",
                &e.to_string(),
            ),
        }
    }
    // A person with an error in one unit keeps nothing of the upload: never half a person.
    incoming.retain(|who: &Incoming| {
        !rejected.contains(&kiban_domain::careplan::PlanPerson {
            insurer: who.person.insurer,
            insured: who.person.insured,
        })
    });
    register_into(store, caller, incoming, mode, at, report)
}

/// Registers V5 JSON documents (one send unit: they share one `transmission`).
pub fn register_v5(
    conn: &mut Connection,
    caller: &Caller,
    documents: &[serde_json::Value],
    mode: Registration,
    at: Timestamp,
) -> Result<RegisterReport> {
    let store = conn.store();
    let mut report = RegisterReport::default();
    let incoming = match v5_values_to_unit(documents) {
        Ok(unit) => persons_of(unit, caller, &mut report),
        Err(e) => {
            file_issue(&mut report, "documents", "V5_REFUSED", &e.to_string());
            Vec::new()
        }
    };
    register_into(store, caller, incoming, mode, at, report)
}

fn split(message: &str) -> (String, String) {
    match message.split_once(" / ") {
        Some((ja, en)) => (ja.to_string(), en.to_string()),
        None => (message.to_string(), message.to_string()),
    }
}

fn file_issue(report: &mut RegisterReport, source: &str, code: &'static str, message: &str) {
    let (ja, en) = split(message);
    report.issues.push(PersonIssue {
        insurer: String::new(),
        insured: String::new(),
        source: source.to_string(),
        line: 0,
        column_no: 0,
        column: String::new(),
        code,
        message_ja: ja,
        message_en: en,
    });
}

/// Which unit a file belongs to beside its `T`: the plan files (with a 補足 of `000000`), the
/// 利用票 files (with a 補足 of its month), the 介護予防 files, or a kind of its own.
fn family(f: &OfficialFile) -> &'static str {
    match f.name.kind {
        FileKind::Plan1 | FileKind::Plan2 | FileKind::Plan3 => "plan",
        FileKind::Supplement if f.name.month.is_none() => "plan",
        FileKind::Supplement | FileKind::UsePlan | FileKind::Limit => "service_use",
        FileKind::BasicInfo
        | FileKind::DailySchedule
        | FileKind::MedicalHistory
        | FileKind::PreventionPlan
        | FileKind::SupportPlan
        | FileKind::BasicInfoImage => "prevention",
        other => other.prefix(),
    }
}

/// The files of each transmission unit: those that share the `T` of their names (送信元,
/// 送信先, both サービス種類 and 作成日時) and the unit family. A 補足 alone is no unit.
fn group_units(files: Vec<OfficialFile>, report: &mut RegisterReport) -> Vec<Vec<OfficialFile>> {
    let mut groups: BTreeMap<(String, &'static str), Vec<OfficialFile>> = BTreeMap::new();
    for f in files {
        groups
            .entry((f.name.unit_key(), family(&f)))
            .or_default()
            .push(f);
    }
    groups
        .into_values()
        .filter(|g| {
            let alone = g.iter().all(|f| f.name.kind == FileKind::Supplement);
            if alone {
                for s in g {
                    file_issue(
                        report,
                        &s.file_name,
                        "SUPPLEMENT_WITHOUT_UNIT",
                        "利用者補足情報に対応する第1表・第6表のファイルがありません（ファイル名の送信元・送信先・作成日時が一致するもの） / the supplement has no 第1表 or 第6表 file with the same sender, receiver and creation time",
                    );
                }
            }
            !alone
        })
        .collect()
}

/// A reader's problem as the report's entry, naming the person when the line names one.
fn line_issue(person: Option<PersonRef>, issue: &LineIssue) -> PersonIssue {
    PersonIssue {
        insurer: person.map(|p| p.insurer.to_string()).unwrap_or_default(),
        insured: person.map(|p| p.insured.to_string()).unwrap_or_default(),
        source: issue.file.clone(),
        line: issue.line,
        column_no: issue.column_no,
        column: issue.column.clone(),
        code: issue.code,
        message_ja: issue.message_ja.clone(),
        message_en: issue.message_en.clone(),
    }
}

/// The unit's persons as [`Incoming`]; rejected persons and the unit's own problems go to the
/// report, with the file, line and column of each error.
fn persons_of(unit: SendUnit, caller: &Caller, report: &mut RegisterReport) -> Vec<Incoming> {
    for issue in unit.issues.iter().filter(|i| i.is_error()) {
        report.issues.push(line_issue(None, issue));
    }
    let sender_is_caller = match caller.actor {
        Actor::OfficeStaff { office, .. } => office == unit.header.sender,
        _ => true, // register() refuses non-office callers for every person
    };
    let receiver = unit.header.receiver;
    let mut out = Vec::new();
    for entry in unit.persons {
        let person = PersonRef {
            insurer: entry.person.insurer,
            insured: entry.person.insured,
        };
        let source = describe(&entry.sources);
        if entry.is_rejected() {
            report.persons_refused += 1;
            for issue in entry.issues.iter().filter(|i| i.is_error()) {
                report.issues.push(line_issue(Some(person), issue));
            }
            continue;
        }
        let who = Incoming {
            person,
            documents: documents(entry.documents, receiver),
            source,
        };
        if !sender_is_caller {
            report.refuse(
                &who,
                "SENDER_MISMATCH",
                format!(
                    "送信元事業所 {} がログイン中の事業所と違います",
                    unit.header.sender
                ),
                format!(
                    "the sending office {} is not the office logged in",
                    unit.header.sender
                ),
            );
            continue;
        }
        out.push(who);
    }
    out
}

fn describe(sources: &[kiban_interchange::careplan::SourceLine]) -> String {
    let mut by_file: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for s in sources {
        by_file.entry(&s.file).or_default().push(s.line);
    }
    by_file
        .into_iter()
        .map(|(file, lines)| {
            let (first, last) = (
                lines.iter().min().copied().unwrap_or(0),
                lines.iter().max().copied().unwrap_or(0),
            );
            if first == last {
                format!("{file} {first}行目")
            } else {
                format!("{file} {first}–{last}行目")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The unit's documents as the write path's, each 補足 attached to the plan or 利用票 it came
/// with (by 居宅サービス計画作成（変更）日 or 対象年月).
fn documents(docs: Vec<V4Document>, receiver: kiban_domain::ids::OfficeNumber) -> Vec<Document> {
    let supplements: Vec<Supplement> = docs
        .iter()
        .filter_map(|d| match d {
            V4Document::Supplement(s) => Some((**s).clone()),
            _ => None,
        })
        .collect();
    let for_plan = |date| {
        supplements
            .iter()
            .find(|s| s.record.plan_date.0 == Some(date))
            .cloned()
    };
    let for_month = |month| {
        supplements
            .iter()
            .find(|s| s.record.month.0 == Some(month))
            .cloned()
    };
    docs.into_iter()
        .filter_map(|d| match d {
            V4Document::Plan(plan) => Some(Document::Plan {
                supplement: for_plan(plan.plan_date()),
                plan: *plan,
                to: Some(receiver),
            }),
            V4Document::ServiceUse(usage) => Some(Document::ServiceUse {
                supplement: for_month(usage.month),
                usage: *usage,
                to: receiver,
            }),
            V4Document::Results(results) => Some(Document::Results {
                results: *results,
                to: receiver,
            }),
            V4Document::BasicInfo(info) => Some(Document::BasicInfo {
                info: *info,
                to: receiver,
            }),
            V4Document::PreventionPlan(plan) => Some(Document::PreventionPlan {
                plan: *plan,
                to: receiver,
            }),
            V4Document::Deletion(deletion) => Some(Document::Delete {
                deletion,
                to: Some(receiver),
            }),
            V4Document::Supplement(_) => None,
        })
        .collect()
}
