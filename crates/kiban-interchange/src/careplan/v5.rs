//! The V5.0 JSON equivalent (docs/interface/careplan-v5.md). The V5.0 schemas are not public,
//! so kiban defines one JSON document per unit document, in an envelope:
//!
//! ```json
//! {"version": "5.0", "kind": "plan", "transmission": {…UnitHeader…}, "document": {…CarePlan…}}
//! ```
//!
//! The documents hold the official records whole, so every field of the V4 layout has its
//! place. A V5 unit is accepted exactly when the same unit as V4 files would be: it is written
//! as V4 files and read back through the same reader and unit rules, so no rule is written
//! twice and V4 → V5 → V4 is byte-identical.

use super::assemble::assemble;
use super::file::read_file;
use super::unit::{Document, SendUnit, UnitHeader};
use super::write::write_unit;
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

/// Why JSON is not a V5 unit: where (a JSON path from `$`) and why.
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

/// The JSON of one document.
pub fn v5_to_value(doc: &V5Document) -> Value {
    let tagged = serde_json::to_value(&doc.document).expect("documents serialise");
    let body = tagged.get("document").cloned().unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("version".into(), Value::from(V5_VERSION));
    m.insert("kind".into(), Value::from(doc.document.kind_name()));
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

/// Reads one V5 document's shape strictly: `version` "5.0", no unknown top-level member, a
/// known `kind` that fits the transmission's unit.
pub fn from_v5(value: &Value) -> Result<V5Document, V5Error> {
    let obj = value
        .as_object()
        .ok_or_else(|| v5_error("$", "JSONオブジェクトではありません", "not a JSON object"))?;
    if let Some(key) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "version" | "kind" | "transmission" | "document"))
    {
        return Err(v5_error(
            &format!("$.{key}"),
            "未知の項目です",
            "unknown member",
        ));
    }
    if obj.get("version").and_then(Value::as_str) != Some(V5_VERSION) {
        return Err(v5_error(
            "$.version",
            format!("version は \"{V5_VERSION}\" です"),
            format!("version must be \"{V5_VERSION}\""),
        ));
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
        Some("basic_info") => Document::BasicInfo(typed(body, at)?),
        Some("prevention_plan") => Document::PreventionPlan(typed(body, at)?),
        Some("deletion") => Document::Deletion(typed(body, at)?),
        _ => {
            return Err(v5_error(
                "$.kind",
                "kind は plan, service_use, results, supplement, basic_info, prevention_plan, deletion のいずれかです",
                "kind must be plan, service_use, results, supplement, basic_info, prevention_plan or deletion",
            ))
        }
    };
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

/// Builds the unit of V5 documents that share one transmission, by the V4 rules: the unit is
/// written as V4 files and read back; a document the V4 reader would refuse is refused here,
/// at its index, with the V4 field and reason.
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
    let built = SendUnit::from_documents(header, docs.clone());
    let at_person = |person| {
        docs.iter()
            .position(|d| d.person() == person)
            .map_or_else(|| "$".to_string(), |i| format!("$[{i}]"))
    };
    let files = write_unit(&built).map_err(|e| {
        let (ja, en) = crate::issue::split_bilingual(&e.to_string());
        v5_error("$", ja, en)
    })?;
    let read = files
        .iter()
        .map(|(name, bytes)| read_file(name, bytes))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            let (ja, en) = crate::issue::split_bilingual(&e.to_string());
            v5_error("$", ja, en)
        })?;
    let unit = assemble(read).map_err(|e| v5_error("$", e.ja, e.en))?;
    if let Some(issue) = unit.all_issues().find(|i| i.is_error()) {
        let person = unit
            .persons
            .iter()
            .find(|p| p.issues.contains(issue))
            .map(|p| p.person);
        let path = person.map_or_else(|| "$".to_string(), at_person);
        let field = if issue.column.is_empty() {
            String::new()
        } else {
            format!("「{}」", issue.column)
        };
        return Err(v5_error(
            &path,
            format!("{field}{}", issue.message_ja),
            format!("{} {}", issue.column, issue.message_en)
                .trim()
                .to_string(),
        ));
    }
    if unit.documents().count() != docs.len() {
        return Err(v5_error(
            "$",
            "同じ内容の文書が重なっています（V4の送信単位にすると別の形になります）",
            "documents overlap (they would not survive as one V4 unit)",
        ));
    }
    Ok(unit)
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
