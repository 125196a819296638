//! Relationships for care-plan tests and benchmarks: who serves whom with which consents,
//! written straight into the store (the enrolment use case is tested on its own; here the
//! relationships are the fixture, not the subject).

use kiban_domain::access::{ConsentCategory, ConsentMethod};
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_store::{ConsentRow, ServingRow, Store, StoreError};

/// One person served by one office, holding consents for `categories` (codes such as
/// "care_plan", "life").
pub struct Relation<'a> {
    pub insurer: &'a str,
    pub insured: &'a str,
    pub office: &'a str,
    pub categories: &'a [&'a str],
}

/// Writes the 担当関係 and the card consents of every relation in one transaction: serving
/// from `started_on` (YYYYMMDD), consents granted at `granted_at_ms`.
pub fn relate(
    store: &mut dyn Store,
    relations: &[Relation<'_>],
    started_on: &str,
    granted_at_ms: i64,
) -> Result<(), StoreError> {
    let started_on = Date::parse_yyyymmdd(started_on).expect("a YYYYMMDD day");
    store.begin()?;
    for r in relations {
        let insurer = InsurerNumber::parse_with(r.insurer, CheckDigitPolicy::Warn)
            .expect("a 保険者番号")
            .number;
        let insured = InsuredNumber::parse(r.insured).expect("a 被保険者番号");
        let office = OfficeNumber::parse(r.office).expect("a 事業所番号");
        store.start_serving(&ServingRow {
            id: 0,
            office_number: office,
            insurer,
            insured,
            started_on,
            ended_on: None,
            ended_by: None,
            last_service_on: None,
        })?;
        for category in r.categories {
            store.insert_consent(&ConsentRow {
                id: 0,
                office_number: office,
                insurer,
                insured,
                category: ConsentCategory::from_code(category).expect("a consent category"),
                granted_at_ms,
                method: ConsentMethod::Card,
                valid_until: None,
                revoked_at_ms: None,
            })?;
        }
    }
    store.commit()
}

/// Puts a 外字 (CP932 user-defined area, 0xF040) at the start of `column` (1-based) of the first
/// line of a CSV file: the character the exchange must refuse with its line and column.
pub fn insert_gaiji(bytes: &mut Vec<u8>, column: usize) {
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let start = if column <= 1 {
        0
    } else {
        bytes[..line_end]
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b',')
            .nth(column - 2)
            .expect("the first line has that many columns")
            .0
            + 1
    };
    bytes.splice(start..start, [0xF0, 0x40]);
}

/// [`relate`] for (person, office) pairs, each with the same consents.
pub fn relate_pairs(
    store: &mut dyn Store,
    pairs: &[(
        kiban_domain::careplan::PlanPerson,
        kiban_domain::ids::OfficeNumber,
    )],
    categories: &[&str],
    started_on: &str,
    granted_at_ms: i64,
) -> Result<(), StoreError> {
    let owned: Vec<(String, String, String)> = pairs
        .iter()
        .map(|(p, o)| (p.insurer.to_string(), p.insured.to_string(), o.to_string()))
        .collect();
    let relations: Vec<Relation> = owned
        .iter()
        .map(|(insurer, insured, office)| Relation {
            insurer,
            insured,
            office,
            categories,
        })
        .collect();
    relate(store, &relations, started_on, granted_at_ms)
}
