//! Writes a send unit as its canonical V4 files: CP932, CRLF, fields quoted only when needed,
//! persons in unit order. Text that CP932 cannot carry exactly is an error, never replaced.

use super::csv::write_record;
use super::layout::Layout;
use super::name::{valid_timestamp, V4FileName, V4Kind};
use super::records::{self, Record};
use super::unit::{Document, SendUnit, UnitKind};
use kiban_domain::careplan::PlanPerson;

/// Why a unit could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("{person}の{field}に Shift_JIS(CP932) で書けない文字 {ch:?} (U+{code:04X}) があります（{file}） / {field} of {person} holds {ch:?} (U+{code:04X}), which cannot be written in Shift_JIS (CP932) ({file})", code = *.ch as u32)]
    Character {
        /// `保険者番号-被保険者番号`.
        person: String,
        file: String,
        /// The column name (日本語).
        field: String,
        ch: char,
    },
    #[error("送信単位の見出しが不正です: {ja} / invalid unit header: {en}")]
    Header { ja: String, en: String },
    #[error("{person}の文書は{unit}の送信単位に入りません / a document of {person} does not belong in a {unit} unit")]
    WrongDocument { person: String, unit: &'static str },
    #[error("{person}の文書が送信単位と合いません: {ja} / a document of {person} does not match its unit: {en}")]
    Mismatch {
        person: String,
        ja: &'static str,
        en: &'static str,
    },
}

/// The cross-checks the reader makes between a line and the file name.
fn check(unit: &super::unit::UnitHeader, d: &Document) -> Result<(), (&'static str, &'static str)> {
    use kiban_domain::careplan::Deletion;
    let month_ok = |m| unit.month == Some(m);
    match d {
        Document::Plan(p) if p.overview.office != unit.sender => Err((
            "第1表の介護支援事業者コードが送信元と違います",
            "the 第1表 office is not the sender",
        )),
        Document::Plan(p) if p.needs.is_empty() => {
            Err(("第2表の行がありません", "the plan has no 第2表 line"))
        }
        Document::ServiceUse(u) if !month_ok(u.month) => {
            Err(("対象年月が違います", "the month differs"))
        }
        Document::ServiceUse(u) if u.header.care_office != unit.sender => Err((
            "居宅介護支援事業者が送信元と違います",
            "the care office is not the sender",
        )),
        Document::ServiceUse(u)
            if u.plan_rows
                .iter()
                .any(|r| Some(r.provider) != unit.receiver) =>
        {
            Err((
                "第6表の行は送信先事業所のものに限ります",
                "第6表 lines must be the receiver's",
            ))
        }
        Document::Results(r) if !month_ok(r.month) => {
            Err(("対象年月が違います", "the month differs"))
        }
        Document::Results(r) if r.provider != unit.sender => Err((
            "実績の事業所が送信元と違います",
            "the results office is not the sender",
        )),
        Document::Results(r) if r.rows.is_empty() => {
            Err(("実績の行がありません", "no results line"))
        }
        Document::Deletion(
            Deletion::ServiceUse { month, .. } | Deletion::Results { month, .. },
        ) if !month_ok(*month) => Err(("対象年月が違います", "the month differs")),
        _ => Ok(()),
    }
}

fn person_label(p: &PlanPerson) -> String {
    format!("{}-{}", p.insurer, p.insured)
}

/// The canonical files of `unit`: (file name, bytes), in [`UnitKind::files`] order; a file
/// without lines is not written (UPHOSOKU when no document is a supplement).
pub fn write_unit(unit: &SendUnit) -> Result<Vec<(String, Vec<u8>)>, WriteError> {
    let h = &unit.header;
    let bad = |ja: &str, en: &str| WriteError::Header {
        ja: ja.into(),
        en: en.into(),
    };
    if !valid_timestamp(&h.created) {
        return Err(bad(
            "作成日時は YYYYMMDDHHMMSS です",
            "created must be YYYYMMDDHHMMSS",
        ));
    }
    if h.unit.has_serial() {
        if h.serial.is_none_or(|s| s > 999_999_999) || h.month.is_some() || h.receiver.is_some() {
            return Err(bad(
                "計画の送信単位には9桁以内の連番があり、対象年月と送信先はありません",
                "a plan unit has a serial of up to 9 digits and no month or receiver",
            ));
        }
    } else if h.serial.is_some() || h.month.is_none() || h.receiver.is_none_or(|r| r == h.sender) {
        return Err(bad(
            "この送信単位には対象年月と送信元と異なる送信先があり、連番はありません",
            "this unit has a month and a receiver other than the sender, and no serial",
        ));
    }
    let mut lines: Vec<(V4Kind, PlanPerson, Record)> = Vec::new();
    for entry in &unit.persons {
        for d in &entry.documents {
            if !d.fits(h.unit) {
                return Err(WriteError::WrongDocument {
                    person: person_label(&entry.person),
                    unit: h.unit.label(),
                });
            }
            check(h, d).map_err(|(ja, en)| WriteError::Mismatch {
                person: person_label(&entry.person),
                ja,
                en,
            })?;
            push_records(h.unit, d, &mut lines);
        }
    }
    let mut out = Vec::new();
    for &kind in h.unit.files() {
        let name = V4FileName {
            kind,
            serial: h.serial,
            month: if kind == V4Kind::Supplement {
                None
            } else {
                h.month
            },
            sender: h.sender,
            receiver: h.receiver,
            created: h.created.clone(),
        }
        .to_string();
        let mut bytes = Vec::new();
        for (_, person, record) in lines.iter().filter(|(k, _, _)| *k == kind) {
            let values = records::format(record);
            write_record(&mut bytes, &values).map_err(|(i, ch)| {
                let layout: &Layout =
                    records::layout_for(kind, values.get(1).map_or(&[][..], |v| v.as_bytes()));
                WriteError::Character {
                    person: person_label(person),
                    file: name.clone(),
                    field: layout.name(i),
                    ch,
                }
            })?;
        }
        if !bytes.is_empty() {
            out.push((name, bytes));
        }
    }
    Ok(out)
}

fn push_records(unit: UnitKind, d: &Document, out: &mut Vec<(V4Kind, PlanPerson, Record)>) {
    let person = d.person();
    match d {
        Document::Plan(p) => {
            out.push((
                V4Kind::Plan1,
                person,
                Record::Overview {
                    person,
                    plan_date: p.plan_date,
                    overview: p.overview.clone(),
                },
            ));
            for row in &p.needs {
                out.push((
                    V4Kind::Plan2,
                    person,
                    Record::Need {
                        person,
                        plan_date: p.plan_date,
                        row: row.clone(),
                    },
                ));
            }
        }
        Document::ServiceUse(u) => {
            let month = u.month;
            out.push((
                V4Kind::ServiceUse,
                person,
                Record::UseHeader {
                    person,
                    month,
                    header: u.header.clone(),
                },
            ));
            for row in &u.plan_rows {
                out.push((
                    V4Kind::ServiceUse,
                    person,
                    Record::UseRow {
                        person,
                        month,
                        row: row.clone(),
                    },
                ));
            }
            for row in &u.limit_rows {
                out.push((
                    V4Kind::ServiceUse,
                    person,
                    Record::Limit {
                        person,
                        month,
                        row: row.clone(),
                    },
                ));
            }
        }
        Document::Results(r) => {
            for row in &r.rows {
                out.push((
                    V4Kind::Results,
                    person,
                    Record::Result {
                        person,
                        month: r.month,
                        provider: r.provider,
                        row: row.clone(),
                    },
                ));
            }
        }
        Document::Supplement(s) => {
            out.push((V4Kind::Supplement, person, Record::Supplement(s.clone())));
        }
        Document::Deletion(del) => {
            let kind = match unit {
                UnitKind::ServiceUseDeletion => V4Kind::ServiceUseDeletion,
                UnitKind::ResultsDeletion => V4Kind::ResultsDeletion,
                _ => V4Kind::PlanDeletion,
            };
            out.push((kind, person, Record::Deletion(del.clone())));
        }
    }
}
