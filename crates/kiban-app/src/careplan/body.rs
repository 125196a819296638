//! The stored form of a care-plan document's body (`careplan_documents.body_json` and
//! `supplement_json`).
//!
//! The domain types serialise their records field by field, which is what the V5 JSON shows
//! people and software. Stored that way, a month's 利用票 are three and a half times their CSV
//! (every 第6表 row repeats 25 field names), and writing them was over half of registering a
//! month. The store keeps each record as the texts of its fields instead
//! ([`kiban_domain::careplan::official::as_fields`]), which is about the size of the CSV line,
//! and reading parses every text through the layout again, so a corrupt row is not shown as a
//! plan. Bodies written before this form (records named field by field) still read: [`decode`]
//! falls back to them.

use kiban_domain::careplan::official::*;
use kiban_domain::careplan::{
    BasicInfo, CarePlan, PlanPerson, PreventionPlan, ServiceResults, ServiceUse, Supplement,
    YearMonth,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A document type with a stored form.
pub(crate) trait Body: DeserializeOwned + From<Self::Stored> {
    type Stored: Serialize + DeserializeOwned + From<Self>;
}

/// The stored JSON of a document.
pub(crate) fn encode<T: Body>(document: T) -> String {
    serde_json::to_string(&T::Stored::from(document)).expect("care-plan documents serialise")
}

/// A stored body, in its stored form or, for rows written before it, named field by field.
/// `None` when it is neither (kiban's earlier layout, or damage).
pub(crate) fn decode<T: Body>(json: &str) -> Option<T> {
    match serde_json::from_str::<T::Stored>(json) {
        Ok(stored) => Some(stored.into()),
        Err(_) => serde_json::from_str::<T>(json).ok(),
    }
}

/// Declares the stored mirror of a document type: the same fields, records as texts
/// (`as_fields` for one record, `as_fields::vec` for a list), and the moves both ways.
macro_rules! stored_body {
    ($doc:ident => $stored:ident {
        $($field:ident: $ty:ty $(as $with:literal)?,)*
    }) => {
        #[derive(Serialize, Deserialize)]
        pub(crate) struct $stored {
            $(
                $(#[serde(with = $with)])?
                $field: $ty,
            )*
        }
        impl From<$doc> for $stored {
            fn from(d: $doc) -> Self {
                Self { $($field: d.$field,)* }
            }
        }
        impl From<$stored> for $doc {
            fn from(s: $stored) -> Self {
                Self { $($field: s.$field,)* }
            }
        }
        impl Body for $doc {
            type Stored = $stored;
        }
    };
}

stored_body!(CarePlan => StoredCarePlan {
    version: CsvVersion,
    person: PlanPerson,
    overview: Plan1Record as "as_fields",
    needs: Vec<Plan2Record> as "as_fields::vec",
    week: Vec<Plan3Record> as "as_fields::vec",
});

stored_body!(ServiceUse => StoredServiceUse {
    person: PlanPerson,
    month: YearMonth,
    version: CsvVersion,
    rows: Vec<UseRecord> as "as_fields::vec",
    limit_version: CsvVersion,
    limits: Vec<LimitRecord> as "as_fields::vec",
});

stored_body!(ServiceResults => StoredServiceResults {
    version: CsvVersion,
    person: PlanPerson,
    month: YearMonth,
    rows: Vec<UseRecord> as "as_fields::vec",
});

stored_body!(Supplement => StoredSupplement {
    version: CsvVersion,
    person: PlanPerson,
    record: SupplementRecord as "as_fields",
});

stored_body!(BasicInfo => StoredBasicInfo {
    version: CsvVersion,
    person: PlanPerson,
    info: BasicInfoRecord as "as_fields",
    schedule: Vec<DailyScheduleRecord> as "as_fields::vec",
    history: Vec<MedicalHistoryRecord> as "as_fields::vec",
});

stored_body!(PreventionPlan => StoredPreventionPlan {
    version: CsvVersion,
    person: PlanPerson,
    plan: PreventionPlanRecord as "as_fields",
    support: Vec<SupportPlanRecord> as "as_fields::vec",
});

#[cfg(test)]
mod tests {
    use super::*;
    use kiban_interchange::careplan::{read_unit, Document};

    /// The golden units of the official layout (crates/kiban-interchange/tests/golden/v4), by
    /// the prefixes of their file names.
    fn golden(prefixes: &[&str]) -> Vec<Document> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../kiban-interchange/tests/golden/v4");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if prefixes.iter().any(|p| name.starts_with(p)) {
                files.push((name.clone(), std::fs::read(dir.join(&name)).unwrap()));
            }
        }
        assert_eq!(files.len(), prefixes.len(), "{prefixes:?}");
        let unit = read_unit(&files).expect("a golden unit reads");
        unit.persons.into_iter().flat_map(|p| p.documents).collect()
    }

    /// Stored and read back, the document is the same; the stored form is smaller than the
    /// named one; and the named form (rows written before) still reads.
    fn round_trip<T: Body + Clone + PartialEq + std::fmt::Debug + Serialize>(doc: T) -> usize {
        let stored = encode(doc.clone());
        assert_eq!(decode::<T>(&stored).as_ref(), Some(&doc), "{stored}");
        let named = serde_json::to_string(&doc).unwrap();
        assert!(stored.len() < named.len(), "{stored}\n{named}");
        assert_eq!(decode::<T>(&named).as_ref(), Some(&doc));
        1
    }

    #[test]
    fn every_golden_document_round_trips_in_its_stored_form() {
        let mut seen = 0;
        for prefixes in [
            &["UP1KYO", "UP2KYO", "UP3KYO", "UPHOSOKU_000000"][..],
            &["UPPLAN", "UPSIKYU", "UPHOSOKU_202504"],
            &["UPJSK"],
            &["UPKIHON_0", "UPKIHON_SUB1", "UPKIHON_SUB2"],
            &["UPYOBO_0", "UPYOBO_SUB"],
        ] {
            for doc in golden(prefixes) {
                seen += match doc {
                    Document::Plan(d) => round_trip(*d),
                    Document::ServiceUse(d) => round_trip(*d),
                    Document::Results(d) => round_trip(*d),
                    Document::Supplement(d) => round_trip(*d),
                    Document::BasicInfo(d) => round_trip(*d),
                    Document::PreventionPlan(d) => round_trip(*d),
                    Document::Deletion(_) => 0,
                };
            }
        }
        // 第1–3表, 補足 ×2, 第6・7表, 実績, 基本情報, 予防計画.
        assert_eq!(seen, 7);
    }

    #[test]
    fn a_damaged_stored_field_is_not_read_as_a_document() {
        let Document::ServiceUse(usage) = golden(&["UPPLAN", "UPSIKYU", "UPHOSOKU_202504"])
            .into_iter()
            .find(|d| matches!(d, Document::ServiceUse(_)))
            .unwrap()
        else {
            unreachable!()
        };
        let stored = encode(*usage);
        let mut value: serde_json::Value = serde_json::from_str(&stored).unwrap();
        // サービス利用日 (No.10, the 7th stored text) of the first row: not a date.
        value["rows"][0][6] = "20250231".into();
        assert_eq!(decode::<ServiceUse>(&value.to_string()), None);
        // A row with a field missing.
        let mut value: serde_json::Value = serde_json::from_str(&stored).unwrap();
        value["rows"][0].as_array_mut().unwrap().pop();
        assert_eq!(decode::<ServiceUse>(&value.to_string()), None);
    }
}
