//! The V5.0 JSON equivalent (docs/interface/careplan-v5.md). The V5.0 schemas are not public
//! (facts.md Gaps), so kiban defines one JSON document per model document in an envelope:
//!
//! ```json
//! {"version": "5.0", "kind": "plan", "transmission": {…UnitHeader…}, "document": {…CarePlan…}}
//! ```
//!
//! `kind` is `plan`, `service_use`, `results`, `supplement` or `deletion`. The transmission
//! carries what the V4 file names carry, so V4 → V5 → V4 is byte-identical and V5 → V4 → V5
//! is equal.

use super::unit::{Document, SendUnit, UnitHeader};
use kiban_domain::careplan::YearMonth;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The value of `version`.
pub const V5_VERSION: &str = "5.0";

/// One V5 document with its transmission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V5Document {
    pub transmission: UnitHeader,
    pub document: Document,
}

/// Why a JSON value is not a V5 document: where (a JSON path from `$`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {ja} / {path}: {en}")]
pub struct V5Error {
    pub path: String,
    pub ja: String,
    pub en: String,
}

fn v5_error(path: &str, ja: impl Into<String>, en: impl Into<String>) -> V5Error {
    V5Error {
        path: path.to_string(),
        ja: ja.into(),
        en: en.into(),
    }
}

fn kind_name(d: &Document) -> &'static str {
    match d {
        Document::Plan(_) => "plan",
        Document::ServiceUse(_) => "service_use",
        Document::Results(_) => "results",
        Document::Supplement(_) => "supplement",
        Document::Deletion(_) => "deletion",
    }
}

/// The JSON of one document.
pub fn v5_to_value(doc: &V5Document) -> Value {
    let body = match &doc.document {
        Document::Plan(d) => serde_json::to_value(d),
        Document::ServiceUse(d) => serde_json::to_value(d),
        Document::Results(d) => serde_json::to_value(d),
        Document::Supplement(d) => serde_json::to_value(d),
        Document::Deletion(d) => serde_json::to_value(d),
    }
    .expect("model types serialise");
    let mut m = Map::new();
    m.insert("version".into(), Value::from(V5_VERSION));
    m.insert("kind".into(), Value::from(kind_name(&doc.document)));
    m.insert(
        "transmission".into(),
        serde_json::to_value(&doc.transmission).expect("header serialises"),
    );
    m.insert("document".into(), body);
    Value::Object(m)
}

/// The V5 documents of a unit's accepted persons, in unit order.
pub fn to_v5_documents(unit: &SendUnit) -> Vec<V5Document> {
    unit.documents()
        .map(|d| V5Document {
            transmission: unit.header.clone(),
            document: d.clone(),
        })
        .collect()
}

/// The JSON of a unit's accepted documents.
pub fn to_v5(unit: &SendUnit) -> Vec<Value> {
    to_v5_documents(unit).iter().map(v5_to_value).collect()
}

fn typed<T: DeserializeOwned>(value: &Value, at: &str) -> Result<T, V5Error> {
    serde_path_to_error::deserialize::<_, T>(value.clone()).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." || inner.is_empty() {
            at.to_string()
        } else {
            format!("{at}.{inner}")
        };
        let (ja, en) = crate::issue::split_bilingual(&e.into_inner().to_string());
        v5_error(&path, ja, en)
    })
}

/// Reads one V5 document, strictly: `version` must be "5.0", no unknown top-level member.
pub fn from_v5(value: &Value) -> Result<V5Document, V5Error> {
    let obj = value
        .as_object()
        .ok_or_else(|| v5_error("$", "JSONオブジェクトではありません", "not a JSON object"))?;
    for key in obj.keys() {
        if !matches!(
            key.as_str(),
            "version" | "kind" | "transmission" | "document"
        ) {
            return Err(v5_error(
                &format!("$.{key}"),
                "未知の項目です",
                "unknown member",
            ));
        }
    }
    match obj.get("version") {
        Some(Value::String(v)) if v == V5_VERSION => {}
        _ => {
            return Err(v5_error(
                "$.version",
                format!("version は \"{V5_VERSION}\" です"),
                format!("version must be \"{V5_VERSION}\""),
            ))
        }
    }
    let missing = |k: &str| {
        v5_error(
            &format!("$.{k}"),
            "必須の項目がありません",
            "required member is missing",
        )
    };
    let transmission: UnitHeader = typed(
        obj.get("transmission")
            .ok_or_else(|| missing("transmission"))?,
        "$.transmission",
    )?;
    let body = obj.get("document").ok_or_else(|| missing("document"))?;
    let at = "$.document";
    let document = match obj.get("kind").and_then(Value::as_str) {
        Some("plan") => Document::Plan(typed(body, at)?),
        Some("service_use") => Document::ServiceUse(typed(body, at)?),
        Some("results") => Document::Results(typed(body, at)?),
        Some("supplement") => Document::Supplement(typed(body, at)?),
        Some("deletion") => Document::Deletion(typed(body, at)?),
        _ => {
            return Err(v5_error(
                "$.kind",
                "kind は plan, service_use, results, supplement, deletion のいずれかです",
                "kind must be plan, service_use, results, supplement or deletion",
            ))
        }
    };
    check_days(&document)?;
    if !document.fits(transmission.unit) {
        return Err(v5_error(
            "$.kind",
            format!(
                "この文書は{}の送信単位に入りません",
                transmission.unit.label()
            ),
            format!(
                "this document does not belong in a {:?} unit",
                transmission.unit
            ),
        ));
    }
    Ok(V5Document {
        transmission,
        document,
    })
}

/// The rules V4's day columns and time fields enforce (`DAY_COUNT_INVALID`,
/// `DAY_OUTSIDE_MONTH`, `TIME_INVALID`), which serde alone does not: exactly 31 counts of 0–99,
/// none after the month's end, and 開始・終了時刻 as `HHMM` or empty. Without them a V5 array of
/// another length was accepted and then padded or cut when written as V4, and a time such as
/// `09*0` was accepted by V5 and refused by V4, so V5 → V4 → V5 lost the document.
fn check_days(document: &Document) -> Result<(), V5Error> {
    type Row<'a> = (&'a [u8], &'a str, &'a str);
    let (month, rows, field): (YearMonth, Vec<Row>, &str) = match document {
        Document::ServiceUse(d) => (
            d.month,
            d.plan_rows
                .iter()
                .map(|r| (r.days.as_slice(), r.start.as_str(), r.end.as_str()))
                .collect(),
            "plan_rows",
        ),
        Document::Results(d) => (
            d.month,
            d.rows
                .iter()
                .map(|r| (r.days.as_slice(), r.start.as_str(), r.end.as_str()))
                .collect(),
            "rows",
        ),
        _ => return Ok(()),
    };
    for (i, (days, start, end)) in rows.into_iter().enumerate() {
        for (name, time) in [("start", start), ("end", end)] {
            if !super::fields::is_time(time) {
                return Err(v5_error(
                    &format!("$.document.{field}[{i}].{name}"),
                    format!("時刻は HHMM の4桁か空欄です: {time:?}"),
                    format!("a time is HHMM or empty: {time:?}"),
                ));
            }
        }
        let path = format!("$.document.{field}[{i}].days");
        if days.len() != 31 {
            return Err(v5_error(
                &path,
                format!("日ごとの回数は31個です（{}個あります）", days.len()),
                format!("there are 31 day counts ({} given)", days.len()),
            ));
        }
        for (d, &count) in days.iter().enumerate() {
            let at = format!("{path}[{d}]");
            if count > 99 {
                return Err(v5_error(
                    &at,
                    format!("回数は0〜99です: {count}"),
                    format!("a count is 0–99: {count}"),
                ));
            }
            if count > 0 && d as u32 >= month.days() {
                return Err(v5_error(
                    &at,
                    format!("{}日はこの月にありません", d + 1),
                    format!("day {} is not in this month", d + 1),
                ));
            }
        }
    }
    Ok(())
}

/// Builds the send unit of V5 documents that share one transmission.
pub fn v5_to_unit(documents: Vec<V5Document>) -> Result<SendUnit, V5Error> {
    let Some(first) = documents.first() else {
        return Err(v5_error("$", "文書がありません", "no documents"));
    };
    let header = first.transmission.clone();
    let mut docs = Vec::with_capacity(documents.len());
    for (i, d) in documents.into_iter().enumerate() {
        if d.transmission != header {
            return Err(v5_error(
                &format!("$[{i}].transmission"),
                "最初の文書と送信単位が違います",
                "the transmission differs from the first document's",
            ));
        }
        docs.push(d.document);
    }
    check_persons(&docs)?;
    Ok(SendUnit::from_documents(header, docs))
}

/// The rules [`super::assemble`] applies to each person of a V4 unit, so that a V5 unit holds
/// exactly what the same unit as V4 files could: per person at most one 利用票, one 実績, one
/// 補足 and one plan per 計画作成(変更)日, no repeated deletion, a plan with its 第2表, 実績 with
/// rows, and a 補足 only beside a plan, 利用票 or 実績. Found by the `careplan_v5` fuzz target: a
/// lone 補足 was accepted from V5 while V4 refuses it (SUPPLEMENT_ORPHAN), and two documents of
/// one kind were merged or refused on the way to V4.
fn check_persons(docs: &[Document]) -> Result<(), V5Error> {
    let refuse = |i: usize, ja: &str, en: &str| Err(v5_error(&format!("$[{i}]"), ja, en));
    for (i, d) in docs.iter().enumerate() {
        let person = d.person();
        let earlier = |same: &dyn Fn(&Document) -> bool| {
            docs[..i].iter().any(|e| e.person() == person && same(e))
        };
        match d {
            Document::Plan(p) => {
                if earlier(&|e| matches!(e, Document::Plan(q) if q.plan_date == p.plan_date)) {
                    return refuse(
                        i,
                        "同じ利用者・計画作成(変更)日の計画が2つあります",
                        "two plans of the person for the same plan date",
                    );
                }
                if p.needs.is_empty() {
                    return refuse(
                        i,
                        "この計画には第2表がありません",
                        "the plan has no 第2表 row",
                    );
                }
            }
            Document::ServiceUse(_) if earlier(&|e| matches!(e, Document::ServiceUse(_))) => {
                return refuse(
                    i,
                    "同じ利用者の利用票が2つあります",
                    "two 利用票 for the person",
                );
            }
            Document::Results(r) => {
                if earlier(&|e| matches!(e, Document::Results(_))) {
                    return refuse(
                        i,
                        "同じ利用者の実績が2つあります",
                        "two 実績 for the person",
                    );
                }
                if r.rows.is_empty() {
                    return refuse(i, "実績に行がありません", "the 実績 has no rows");
                }
            }
            Document::Supplement(_) => {
                if earlier(&|e| matches!(e, Document::Supplement(_))) {
                    return refuse(
                        i,
                        "同じ利用者の利用者補足情報が2つあります",
                        "two supplements for the person",
                    );
                }
                let main = docs.iter().any(|e| {
                    e.person() == person
                        && matches!(
                            e,
                            Document::Plan(_) | Document::ServiceUse(_) | Document::Results(_)
                        )
                });
                if !main {
                    return refuse(
                        i,
                        "送信単位にこの利用者の計画・利用票がない補足情報です",
                        "a supplement for a person with no plan or 利用票 in the unit",
                    );
                }
            }
            Document::Deletion(_) if earlier(&|e| e == d) => {
                return refuse(
                    i,
                    "同じ削除が2つあります",
                    "the same deletion appears twice",
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads V5 JSON values into a unit.
pub fn v5_values_to_unit(values: &[Value]) -> Result<SendUnit, V5Error> {
    let docs = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            from_v5(v).map_err(|e| V5Error {
                path: e.path.replacen('$', &format!("$[{i}]"), 1),
                ..e
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    v5_to_unit(docs)
}
