//! The bulk evidence of many persons (their serving offices, one office's consents) answers
//! exactly what the per-person queries answer, on both engines.

use crate::access::{consent, insured, insurer, serving, INSURER, OFFICE};
use kiban_testkit::{on_both_engines, TestDb};

/// The bulk forms answer exactly what the per-person forms answer, for the persons asked only.
fn bulk_evidence_matches_the_per_person_queries(db: &mut TestDb) {
    let s = db.store();
    s.begin().unwrap();
    for (office, insured) in [
        (OFFICE, "0000100001"),
        ("1370000002", "0000100001"),
        (OFFICE, "0000100002"),
        (OFFICE, "0000100003"),
    ] {
        s.start_serving(&serving(office, insured)).unwrap();
        let mut c = consent(office, "care_plan", "card");
        c.insured = self::insured(insured);
        s.insert_consent(&c).unwrap();
    }
    let mut other = serving(OFFICE, "0000100001");
    other.insurer = self::insurer("131029");
    s.start_serving(&other).unwrap();
    s.commit().unwrap();
    let asked = [
        "0000100001".to_string(),
        "0000100003".to_string(),
        "0000100009".to_string(),
    ];
    let bulk = s.servers_of_many(INSURER, &asked).unwrap();
    let mut single = s.servers_of(INSURER, "0000100001").unwrap();
    single.extend(s.servers_of(INSURER, "0000100003").unwrap());
    assert_eq!(bulk, single);
    assert_eq!(
        bulk.len(),
        3,
        "two offices for the first, one for the third, none for the ninth"
    );
    let consents = s.consents_of_many(INSURER, &asked, OFFICE).unwrap();
    let people: Vec<String> = consents.iter().map(|c| c.insured.to_string()).collect();
    assert_eq!(
        people,
        ["0000100001", "0000100003"],
        "this office's consents only, ordered"
    );
    assert!(s.servers_of_many(INSURER, &[]).unwrap().is_empty());
}

on_both_engines!(bulk_evidence_matches_the_per_person_queries);
