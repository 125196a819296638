//! A bulk import of 20,000 care-plan documents and 60,000 service-month rows goes through in
//! one transaction on both engines, and the aggregates read it back (the elapsed times are
//! printed, not asserted).

use crate::access::office_number;
use crate::careplan_fixtures::*;
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};
use std::time::Instant;

/// The import's shape: thousands of rows per call, every call in one transaction.
fn bulk_import_in_one_transaction(db: &mut TestDb) {
    const DOCUMENTS: usize = 20_000;
    const PERSONS: usize = 20_000;
    const CHUNK: usize = 5_000;
    let engine = format!("{:?}", db.store().engine());
    let s = db.store();
    let body = format!(
        r#"{{"第6表":[{}]}}"#,
        [r#"{"サービス種類":"11","事業所":"1370100001","回数":8}"#; 8].join(",")
    );
    let documents: Vec<CarePlanDocRow> = (0..DOCUMENTS)
        .map(|n| {
            let mut d = document(
                "service_use",
                &format!("{:010}", n % PERSONS),
                "202604",
                &format!("13701{:05}", n % 50),
            );
            d.body_json = body.clone();
            d
        })
        .collect();
    // Three service kinds a person, each from a provider of one of 50 offices.
    let sets: Vec<ServiceMonthSet> = (0..PERSONS)
        .map(|p| {
            let insured = format!("{p:010}");
            let care_office = format!("13700{:05}", p % 40);
            let rows = ["11", "13", "15"]
                .iter()
                .enumerate()
                .map(|(i, kind)| {
                    let mut r = fact(
                        INSURER,
                        &insured,
                        "202604",
                        &care_office,
                        kind,
                        &format!("13701{:05}", (p + i) % 50),
                        ["21", "22", "23"][p % 3],
                    );
                    r.to_office = office_number(&care_office);
                    r
                })
                .collect();
            set_of(rows)
        })
        .collect();
    assert_eq!(sets.iter().map(|s| s.rows.len()).sum::<usize>(), 60_000);

    s.begin().unwrap();
    let started = Instant::now();
    let mut ids = Vec::with_capacity(DOCUMENTS);
    for chunk in documents.chunks(CHUNK) {
        ids.extend(s.insert_careplan_documents(chunk).unwrap());
    }
    let documents_elapsed = started.elapsed();
    let started = Instant::now();
    for chunk in sets.chunks(CHUNK) {
        s.replace_service_months(chunk).unwrap();
    }
    let months_elapsed = started.elapsed();
    let started = Instant::now();
    s.commit().unwrap();
    let commit_elapsed = started.elapsed();
    eprintln!(
        "{engine}: {DOCUMENTS} documents in {documents_elapsed:?}, 60000 service-month rows in {months_elapsed:?}, commit {commit_elapsed:?}"
    );

    // Replacing every key again (the re-import of the same month) costs a delete as well.
    s.begin().unwrap();
    let started = Instant::now();
    for chunk in sets.chunks(CHUNK) {
        s.replace_service_months(chunk).unwrap();
    }
    s.commit().unwrap();
    eprintln!(
        "{engine}: 60000 service-month rows replaced in {:?}",
        started.elapsed()
    );

    assert_eq!(ids.len(), DOCUMENTS);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        s.careplan_document(ids[DOCUMENTS - 1])
            .unwrap()
            .unwrap()
            .insured
            .to_string(),
        format!("{:010}", (DOCUMENTS - 1) % PERSONS)
    );
    assert_eq!(
        s.careplan_documents_to("1370100007", 1000).unwrap().len(),
        400
    );

    let started = Instant::now();
    let totals = s
        .plan_month_totals(INSURER, "202604", "202609", &["11", "13"])
        .unwrap();
    let counts = s
        .corporation_counts(INSURER, "202604", "202609", &["11", "13"])
        .unwrap();
    let caseload = s.caseload_counts(INSURER, "202604").unwrap();
    let users = s.user_counts(INSURER, "202604").unwrap();
    eprintln!(
        "{engine}: four aggregates over 60000 rows in {:?}",
        started.elapsed()
    );
    let any: i64 = totals
        .iter()
        .filter(|t| t.service_kind.is_none())
        .map(|t| t.plan_months)
        .sum();
    assert_eq!(any, PERSONS as i64);
    assert_eq!(totals.len(), 40 * 3);
    assert_eq!(
        counts.iter().map(|c| c.plan_months).sum::<i64>(),
        2 * PERSONS as i64,
        "no corporations registered: one 'office:' key per provider"
    );
    assert_eq!(
        caseload.iter().map(|c| c.persons).sum::<i64>(),
        PERSONS as i64
    );
    assert_eq!(
        users.iter().map(|u| u.persons).sum::<i64>(),
        3 * PERSONS as i64
    );
}

on_both_engines!(bulk_import_in_one_transaction);
