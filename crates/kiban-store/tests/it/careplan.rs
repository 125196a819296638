//! Care-plan storage on both engines: every row reads back as written, documents come back
//! newest first with their ids in input order, a status update refuses unknown ids, service
//! months are replaced per key, the 集中減算 and caseload aggregates count distinct
//! person-months and persons, the registries are upserts, and a bulk import of 20,000
//! documents and 60,000 service-month rows goes through in one transaction (the elapsed times
//! are printed, not asserted).

use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};
use std::time::Instant;

const INSURER: &str = "131011";
const OTHER_INSURER: &str = "131029";
const PERSON: &str = "0000100001";
const CARE_OFFICE: &str = "1370000001";
const CARE_OFFICE_2: &str = "1370000002";
const PROVIDER_1: &str = "1370100001";
const PROVIDER_2: &str = "1370100002";
const UNREGISTERED: &str = "1370100003";
const PROVIDER_4: &str = "1370100004";
const CORPORATION_1: &str = "1234567890123";
const CORPORATION_2: &str = "2234567890123";

fn document(kind: &str, insured: &str, doc_key: &str, to_office: &str) -> CarePlanDocRow {
    CarePlanDocRow {
        id: 0,
        kind: kind.into(),
        insurer: INSURER.into(),
        insured: insured.into(),
        doc_key: doc_key.into(),
        from_office: CARE_OFFICE.into(),
        to_office: to_office.into(),
        status: "issued".into(),
        body_json: format!(r#"{{"kind":"{kind}","key":"{doc_key}","長期目標":"自宅で暮らす"}}"#),
        supplement_json: None,
        registered_at_ms: 1_780_000_000_000,
        registered_by: "office:1370000001".into(),
    }
}

/// One service-month fact sent to its provider.
#[allow(clippy::too_many_arguments)]
fn fact(
    insurer: &str,
    insured: &str,
    month: &str,
    care_office: &str,
    kind: &str,
    provider: &str,
    level: &str,
) -> ServiceMonthRow {
    ServiceMonthRow {
        insurer: insurer.into(),
        insured: insured.into(),
        month: month.into(),
        care_office: care_office.into(),
        to_office: provider.into(),
        service_kind: kind.into(),
        provider_office: provider.into(),
        care_level: level.into(),
    }
}

fn set_of(rows: Vec<ServiceMonthRow>) -> ServiceMonthSet {
    let first = &rows[0];
    ServiceMonthSet {
        insurer: first.insurer.clone(),
        insured: first.insured.clone(),
        month: first.month.clone(),
        care_office: first.care_office.clone(),
        to_office: first.to_office.clone(),
        rows,
    }
}

fn empty_set(insured: &str, month: &str, to_office: &str) -> ServiceMonthSet {
    ServiceMonthSet {
        insurer: INSURER.into(),
        insured: insured.into(),
        month: month.into(),
        care_office: CARE_OFFICE.into(),
        to_office: to_office.into(),
        rows: Vec::new(),
    }
}

/// Stores facts grouped into one set per key, in one call.
fn store_facts(s: &mut dyn Store, facts: Vec<ServiceMonthRow>) {
    let mut sets: Vec<ServiceMonthSet> = Vec::new();
    for f in facts {
        let same_key = |set: &ServiceMonthSet| {
            (
                &set.insurer,
                &set.insured,
                &set.month,
                &set.care_office,
                &set.to_office,
            ) == (
                &f.insurer,
                &f.insured,
                &f.month,
                &f.care_office,
                &f.to_office,
            )
        };
        match sets.iter_mut().find(|set| same_key(set)) {
            Some(set) => set.rows.push(f),
            None => sets.push(set_of(vec![f])),
        }
    }
    s.replace_service_months(&sets).unwrap();
}

fn user_count(kind: &str, level: &str, persons: i64) -> UserCountRow {
    UserCountRow {
        service_kind: kind.into(),
        care_level: level.into(),
        persons,
    }
}

fn corporation_count(
    care_office: &str,
    kind: &str,
    corporation: &str,
    plan_months: i64,
) -> CorporationCountRow {
    CorporationCountRow {
        care_office: care_office.into(),
        service_kind: kind.into(),
        corporation: corporation.into(),
        plan_months,
    }
}

fn total(care_office: &str, kind: &str, plan_months: i64) -> PlanMonthTotalRow {
    PlanMonthTotalRow {
        care_office: care_office.into(),
        service_kind: kind.into(),
        plan_months,
    }
}

fn ids(rows: &[CarePlanDocRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
}

fn register_corporations(s: &mut dyn Store) {
    for (number, name) in [
        (CORPORATION_1, "社会福祉法人いろは会"),
        (CORPORATION_2, "株式会社ケア"),
    ] {
        s.put_corporation(&CorporationRow {
            corporation_number: number.into(),
            name: name.into(),
            registered_at_ms: 1,
        })
        .unwrap();
    }
    for (office, corporation) in [
        (PROVIDER_1, CORPORATION_1),
        (PROVIDER_2, CORPORATION_1),
        (PROVIDER_4, CORPORATION_2),
    ] {
        s.put_corporation_office(&CorporationOfficeRow {
            office_number: office.into(),
            corporation_number: corporation.into(),
            office_name: format!("事業所{office}"),
        })
        .unwrap();
    }
}

fn every_row_kind_reads_back_as_written(db: &mut TestDb) {
    let s = db.store();
    assert_eq!(s.careplan_document(1).unwrap(), None);

    let mut plan = document("plan", PERSON, "20260401", "");
    plan.supplement_json = Some(r#"{"生活歴":"農業","趣味":"園芸"}"#.into());
    let mut use_doc = document("service_use", PERSON, "202604", PROVIDER_1);
    let ids = s
        .insert_careplan_documents(&[plan.clone(), use_doc.clone()])
        .unwrap();
    (plan.id, use_doc.id) = (ids[0], ids[1]);
    assert_eq!(s.careplan_document(plan.id).unwrap(), Some(plan.clone()));
    assert_eq!(s.careplan_document(use_doc.id).unwrap(), Some(use_doc));

    let mut first = PlanConfirmationRow {
        id: 0,
        document_id: plan.id,
        at_ms: 10,
        account: "citizen:ab12".into(),
        decision: "commented".into(),
        comment: "デイサービスを週3回にしたい".into(),
    };
    first.id = s.insert_plan_confirmation(&first).unwrap();
    let mut second = PlanConfirmationRow {
        at_ms: 20,
        decision: "confirmed".into(),
        comment: String::new(),
        ..first.clone()
    };
    second.id = s.insert_plan_confirmation(&second).unwrap();
    assert_eq!(
        s.plan_confirmations(plan.id).unwrap(),
        vec![first, second],
        "oldest first"
    );
    assert_eq!(s.plan_confirmations(plan.id + 1000).unwrap(), vec![]);

    let mut older = LifeFeedbackRow {
        id: 0,
        insurer: INSURER.into(),
        insured: PERSON.into(),
        office_number: PROVIDER_1.into(),
        period: "202603".into(),
        body_json: r#"{"ADL":85,"BMI":21.4}"#.into(),
        submitted_at_ms: 30,
        submitted_by: "office:1370100001".into(),
    };
    let mut newer = LifeFeedbackRow {
        period: "202604".into(),
        ..older.clone()
    };
    // Inserted newest period first: the order is by period, then id.
    newer.id = s.insert_life_feedback(&newer).unwrap();
    older.id = s.insert_life_feedback(&older).unwrap();
    let mut newer_again = newer.clone();
    newer_again.id = s.insert_life_feedback(&newer_again).unwrap();
    assert_eq!(
        s.life_feedback_of(INSURER, PERSON).unwrap(),
        vec![newer_again, newer, older]
    );
    assert_eq!(s.life_feedback_of(OTHER_INSURER, PERSON).unwrap(), vec![]);

    register_corporations(s);
    assert_eq!(
        s.corporations().unwrap(),
        vec![
            CorporationRow {
                corporation_number: CORPORATION_1.into(),
                name: "社会福祉法人いろは会".into(),
                registered_at_ms: 1,
            },
            CorporationRow {
                corporation_number: CORPORATION_2.into(),
                name: "株式会社ケア".into(),
                registered_at_ms: 1,
            },
        ]
    );
    let offices = s.corporation_offices().unwrap();
    assert_eq!(
        offices
            .iter()
            .map(|o| (o.office_number.as_str(), o.corporation_number.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (PROVIDER_1, CORPORATION_1),
            (PROVIDER_2, CORPORATION_1),
            (PROVIDER_4, CORPORATION_2)
        ]
    );
    assert_eq!(offices[0].office_name, format!("事業所{PROVIDER_1}"));

    let mut exclusion = ConcentrationExclusionRow {
        id: 0,
        insurer: INSURER.into(),
        office_number: CARE_OFFICE.into(),
        period: "2026-1".into(),
        service_kind: "11".into(),
        reason: 5,
        excluded_plan_months: 12,
        note: "地域ケア会議 2026-05-20".into(),
        recorded_at_ms: 40,
        recorded_by: "clerk-1".into(),
    };
    let mut later = ConcentrationExclusionRow {
        service_kind: "15".into(),
        reason: 1,
        excluded_plan_months: 0,
        ..exclusion.clone()
    };
    exclusion.id = s.insert_concentration_exclusion(&exclusion).unwrap();
    later.id = s.insert_concentration_exclusion(&later).unwrap();
    let elsewhere = ConcentrationExclusionRow {
        period: "2026-2".into(),
        ..exclusion.clone()
    };
    s.insert_concentration_exclusion(&elsewhere).unwrap();
    assert_eq!(
        s.concentration_exclusions(INSURER, "2026-1").unwrap(),
        vec![exclusion, later],
        "oldest first, one period"
    );
    assert_eq!(
        s.concentration_exclusions(OTHER_INSURER, "2026-1").unwrap(),
        vec![]
    );

    let staffed = StaffingRow {
        office_number: CARE_OFFICE_2.into(),
        month: "202604".into(),
        care_managers_centi: 250,
        data_exchange: true,
        clerical_staff: false,
        recorded_at_ms: 50,
        recorded_by: "clerk-2".into(),
    };
    let other = StaffingRow {
        office_number: CARE_OFFICE.into(),
        care_managers_centi: 100,
        data_exchange: false,
        clerical_staff: true,
        ..staffed.clone()
    };
    let other_month = StaffingRow {
        month: "202605".into(),
        ..staffed.clone()
    };
    for row in [&staffed, &other, &other_month] {
        s.put_staffing(row).unwrap();
    }
    assert_eq!(
        s.staffing("202604").unwrap(),
        vec![other, staffed],
        "by office"
    );
    assert_eq!(s.staffing("202605").unwrap(), vec![other_month]);
    assert_eq!(s.staffing("202606").unwrap(), vec![]);
}

fn documents_come_back_newest_first(db: &mut TestDb) {
    let s = db.store();
    let rows = vec![
        document("plan", PERSON, "20260301", ""),
        document("service_use", PERSON, "202604", PROVIDER_1),
        document("service_use", "0000100002", "202604", PROVIDER_1),
        // A later version of the same document key: superseding is the caller's business, the
        // store only keeps the order.
        document("service_use", PERSON, "202604", PROVIDER_1),
        document("service_use", PERSON, "202604", PROVIDER_2),
    ];
    let got = s.insert_careplan_documents(&rows).unwrap();
    let plan = s.insert_careplan_documents(&rows[..1]).unwrap()[0];

    assert_eq!(
        ids(&s.careplan_documents_of(INSURER, PERSON).unwrap()),
        vec![plan, got[4], got[3], got[1], got[0]]
    );
    assert_eq!(
        ids(&s.careplan_documents_of(INSURER, "0000100002").unwrap()),
        vec![got[2]]
    );
    assert_eq!(
        s.careplan_documents_of(OTHER_INSURER, PERSON).unwrap(),
        vec![]
    );

    assert_eq!(
        ids(&s.careplan_documents_to(PROVIDER_1, 10).unwrap()),
        vec![got[3], got[2], got[1]]
    );
    assert_eq!(
        ids(&s.careplan_documents_to(PROVIDER_1, 2).unwrap()),
        vec![got[3], got[2]],
        "at most the limit, newest first"
    );
    assert_eq!(
        ids(&s.careplan_documents_to(PROVIDER_2, 10).unwrap()),
        vec![got[4]]
    );
    assert_eq!(s.careplan_documents_to(UNREGISTERED, 10).unwrap(), vec![]);
}

fn inserted_ids_follow_input_order(db: &mut TestDb) {
    let s = db.store();
    assert_eq!(s.insert_careplan_documents(&[]).unwrap(), Vec::<i64>::new());
    let rows: Vec<CarePlanDocRow> = (0..7)
        .map(|n| {
            let mut d = document("results", &format!("00001000{n:02}"), "202604", PROVIDER_1);
            d.from_office = PROVIDER_1.into();
            d.to_office = CARE_OFFICE.into();
            d.supplement_json = (n % 2 == 0).then(|| format!(r#"{{"n":{n}}}"#));
            d.registered_at_ms += n;
            d
        })
        .collect();
    s.begin().unwrap();
    let got = s.insert_careplan_documents(&rows).unwrap();
    s.commit().unwrap();
    assert_eq!(got.len(), rows.len());
    assert!(got.windows(2).all(|w| w[0] < w[1]), "increasing: {got:?}");
    for (id, row) in got.iter().zip(&rows) {
        let expected = CarePlanDocRow {
            id: *id,
            ..row.clone()
        };
        assert_eq!(s.careplan_document(*id).unwrap(), Some(expected));
    }
    let more = s.insert_careplan_documents(&rows[..3]).unwrap();
    assert!(more[0] > got[6]);
}

fn set_status_changes_one_document_and_refuses_unknown_ids(db: &mut TestDb) {
    let s = db.store();
    let got = s
        .insert_careplan_documents(&[
            document("plan", PERSON, "20260401", ""),
            document("plan", PERSON, "20260501", ""),
        ])
        .unwrap();
    s.begin().unwrap();
    s.set_careplan_status(got[0], "confirmed").unwrap();
    assert!(matches!(
        s.set_careplan_status(got[1] + 1000, "deleted"),
        Err(StoreError::Conflict(_))
    ));
    // The transaction is still usable after the refusal.
    s.set_careplan_status(got[1], "commented").unwrap();
    s.commit().unwrap();
    assert_eq!(
        s.careplan_document(got[0]).unwrap().unwrap().status,
        "confirmed"
    );
    assert_eq!(
        s.careplan_document(got[1]).unwrap().unwrap().status,
        "commented"
    );
}

fn service_months_are_replaced_per_key(db: &mut TestDb) {
    let s = db.store();
    let m = "202604";
    let other = "0000100002";
    store_facts(
        s,
        vec![
            fact(INSURER, PERSON, m, CARE_OFFICE, "11", PROVIDER_1, "21"),
            fact(INSURER, PERSON, m, CARE_OFFICE, "11", PROVIDER_1, "22"),
            fact(INSURER, PERSON, m, CARE_OFFICE, "13", PROVIDER_2, "23"),
            fact(INSURER, other, m, CARE_OFFICE, "11", PROVIDER_1, "24"),
            fact(
                INSURER,
                PERSON,
                "202605",
                CARE_OFFICE,
                "11",
                PROVIDER_1,
                "25",
            ),
        ],
    );
    assert_eq!(
        s.user_counts(INSURER, m).unwrap(),
        vec![
            user_count("11", "21", 1),
            user_count("11", "22", 1),
            user_count("11", "24", 1),
            user_count("13", "23", 1),
        ]
    );

    // The key (PERSON, 202604, CARE_OFFICE, PROVIDER_1) is replaced; the same person's rows
    // sent to PROVIDER_2, the other person's and the other month's stay.
    s.begin().unwrap();
    s.replace_service_months(&[set_of(vec![fact(
        INSURER,
        PERSON,
        m,
        CARE_OFFICE,
        "15",
        PROVIDER_1,
        "21",
    )])])
    .unwrap();
    s.commit().unwrap();
    assert_eq!(
        s.user_counts(INSURER, m).unwrap(),
        vec![
            user_count("11", "24", 1),
            user_count("13", "23", 1),
            user_count("15", "21", 1),
        ]
    );
    assert_eq!(
        s.user_counts(INSURER, "202605").unwrap(),
        vec![user_count("11", "25", 1)]
    );

    // An empty set removes its key; of two sets with one key, the later one wins.
    s.replace_service_months(&[
        empty_set(PERSON, m, PROVIDER_2),
        set_of(vec![fact(
            INSURER,
            other,
            m,
            CARE_OFFICE,
            "11",
            PROVIDER_1,
            "31",
        )]),
        set_of(vec![
            fact(INSURER, other, m, CARE_OFFICE, "11", PROVIDER_1, "32"),
            fact(INSURER, other, m, CARE_OFFICE, "17", PROVIDER_1, "32"),
        ]),
    ])
    .unwrap();
    assert_eq!(
        s.user_counts(INSURER, m).unwrap(),
        vec![
            user_count("11", "32", 1),
            user_count("15", "21", 1),
            user_count("17", "32", 1),
        ]
    );
    s.replace_service_months(&[empty_set(PERSON, "202605", PROVIDER_1)])
        .unwrap();
    assert_eq!(s.user_counts(INSURER, "202605").unwrap(), vec![]);
    s.replace_service_months(&[]).unwrap();
    assert_eq!(s.user_counts(INSURER, m).unwrap().len(), 3);
}

/// Plan-months of two insurers, with months on both sides of 202604..=202606.
fn concentration_facts() -> Vec<ServiceMonthRow> {
    let (a, b, c, d, e, f) = (
        "0000100001",
        "0000100002",
        "0000100003",
        "0000100004",
        "0000100005",
        "0000100006",
    );
    vec![
        // Two providers of one corporation in one plan-month count once.
        fact(INSURER, a, "202604", CARE_OFFICE, "11", PROVIDER_1, "22"),
        fact(INSURER, a, "202604", CARE_OFFICE, "11", PROVIDER_2, "22"),
        fact(INSURER, a, "202605", CARE_OFFICE, "11", PROVIDER_1, "22"),
        fact(INSURER, b, "202604", CARE_OFFICE, "11", UNREGISTERED, "21"),
        // The bounds are inclusive.
        fact(INSURER, c, "202606", CARE_OFFICE, "11", PROVIDER_4, "21"),
        fact(INSURER, c, "202607", CARE_OFFICE, "11", PROVIDER_1, "21"),
        fact(INSURER, d, "202603", CARE_OFFICE, "11", PROVIDER_1, "21"),
        fact(
            OTHER_INSURER,
            a,
            "202604",
            CARE_OFFICE,
            "11",
            PROVIDER_1,
            "22",
        ),
        fact(INSURER, a, "202604", CARE_OFFICE, "13", PROVIDER_1, "22"),
        // A kind not asked for counts only in the any-kind total.
        fact(INSURER, e, "202605", CARE_OFFICE, "15", PROVIDER_1, "21"),
        fact(
            INSURER,
            f,
            "202604",
            CARE_OFFICE_2,
            "11",
            UNREGISTERED,
            "21",
        ),
    ]
}

fn corporation_counts_count_plan_months_per_corporation(db: &mut TestDb) {
    let s = db.store();
    register_corporations(s);
    store_facts(s, concentration_facts());
    let unregistered = format!("office:{UNREGISTERED}");
    assert_eq!(
        s.corporation_counts(INSURER, "202604", "202606", &["11", "13"])
            .unwrap(),
        vec![
            corporation_count(CARE_OFFICE, "11", CORPORATION_1, 2),
            corporation_count(CARE_OFFICE, "11", CORPORATION_2, 1),
            corporation_count(CARE_OFFICE, "11", &unregistered, 1),
            corporation_count(CARE_OFFICE, "13", CORPORATION_1, 1),
            corporation_count(CARE_OFFICE_2, "11", &unregistered, 1),
        ]
    );
    assert_eq!(
        s.corporation_counts(INSURER, "202605", "202605", &["11"])
            .unwrap(),
        vec![corporation_count(CARE_OFFICE, "11", CORPORATION_1, 1)]
    );
    assert_eq!(
        s.corporation_counts(OTHER_INSURER, "202604", "202606", &["11"])
            .unwrap(),
        vec![corporation_count(CARE_OFFICE, "11", CORPORATION_1, 1)]
    );
    assert_eq!(
        s.corporation_counts(INSURER, "202604", "202606", &[])
            .unwrap(),
        vec![]
    );

    // Registering the provider's corporation moves its plan-months there.
    s.put_corporation_office(&CorporationOfficeRow {
        office_number: UNREGISTERED.into(),
        corporation_number: CORPORATION_2.into(),
        office_name: "新規".into(),
    })
    .unwrap();
    assert_eq!(
        s.corporation_counts(INSURER, "202604", "202606", &["11"])
            .unwrap(),
        vec![
            corporation_count(CARE_OFFICE, "11", CORPORATION_1, 2),
            corporation_count(CARE_OFFICE, "11", CORPORATION_2, 2),
            corporation_count(CARE_OFFICE_2, "11", CORPORATION_2, 1),
        ]
    );
}

fn plan_month_totals_count_per_kind_and_for_any_kind(db: &mut TestDb) {
    let s = db.store();
    store_facts(s, concentration_facts());
    assert_eq!(
        s.plan_month_totals(INSURER, "202604", "202606", &["11", "13"])
            .unwrap(),
        vec![
            // a-202604, a-202605, b-202604, c-202606, e-202605
            total(CARE_OFFICE, "", 5),
            total(CARE_OFFICE, "11", 4),
            total(CARE_OFFICE, "13", 1),
            total(CARE_OFFICE_2, "", 1),
            total(CARE_OFFICE_2, "11", 1),
        ]
    );
    assert_eq!(
        s.plan_month_totals(INSURER, "202607", "202612", &["13"])
            .unwrap(),
        vec![total(CARE_OFFICE, "", 1)]
    );
    assert_eq!(
        s.plan_month_totals(OTHER_INSURER, "202601", "202612", &["11"])
            .unwrap(),
        vec![total(CARE_OFFICE, "", 1), total(CARE_OFFICE, "11", 1)]
    );
    assert_eq!(
        s.plan_month_totals(INSURER, "202701", "202712", &["11"])
            .unwrap(),
        vec![]
    );
}

fn caseload_and_user_counts_count_distinct_persons(db: &mut TestDb) {
    let s = db.store();
    let m = "202604";
    store_facts(
        s,
        vec![
            fact(INSURER, "a", m, CARE_OFFICE, "11", PROVIDER_1, "22"),
            fact(INSURER, "a", m, CARE_OFFICE, "11", PROVIDER_2, "22"),
            fact(INSURER, "a", m, CARE_OFFICE, "13", PROVIDER_2, "22"),
            fact(INSURER, "b", m, CARE_OFFICE, "11", PROVIDER_1, "21"),
            fact(INSURER, "g", m, CARE_OFFICE, "15", PROVIDER_1, "22"),
            fact(INSURER, "f", m, CARE_OFFICE_2, "11", UNREGISTERED, "21"),
            fact(
                INSURER,
                "h",
                "202605",
                CARE_OFFICE_2,
                "11",
                UNREGISTERED,
                "21",
            ),
            fact(OTHER_INSURER, "x", m, CARE_OFFICE, "11", PROVIDER_1, "22"),
        ],
    );
    let caseload = |care_office: &str, care_level: &str, persons: i64| CaseloadCountRow {
        care_office: care_office.into(),
        care_level: care_level.into(),
        persons,
    };
    assert_eq!(
        s.caseload_counts(INSURER, m).unwrap(),
        vec![
            caseload(CARE_OFFICE, "21", 1),
            caseload(CARE_OFFICE, "22", 2),
            caseload(CARE_OFFICE_2, "21", 1),
        ]
    );
    assert_eq!(
        s.user_counts(INSURER, m).unwrap(),
        vec![
            user_count("11", "21", 2),
            user_count("11", "22", 1),
            user_count("13", "22", 1),
            user_count("15", "22", 1),
        ]
    );
    assert_eq!(
        s.caseload_counts(OTHER_INSURER, m).unwrap(),
        vec![caseload(CARE_OFFICE, "22", 1)]
    );
    assert_eq!(s.caseload_counts(INSURER, "202606").unwrap(), vec![]);
    assert_eq!(s.user_counts(INSURER, "202606").unwrap(), vec![]);
}

fn upserts_replace(db: &mut TestDb) {
    let s = db.store();
    register_corporations(s);
    let renamed = CorporationRow {
        corporation_number: CORPORATION_1.into(),
        name: "社会福祉法人いろは福祉会".into(),
        registered_at_ms: 2,
    };
    s.put_corporation(&renamed).unwrap();
    let corporations = s.corporations().unwrap();
    assert_eq!(corporations.len(), 2);
    assert_eq!(corporations[0], renamed);

    let moved = CorporationOfficeRow {
        office_number: PROVIDER_2.into(),
        corporation_number: CORPORATION_2.into(),
        office_name: "移管後".into(),
    };
    s.put_corporation_office(&moved).unwrap();
    let offices = s.corporation_offices().unwrap();
    assert_eq!(offices.len(), 3);
    assert_eq!(offices[1], moved);

    let staffing = StaffingRow {
        office_number: CARE_OFFICE.into(),
        month: "202604".into(),
        care_managers_centi: 200,
        data_exchange: false,
        clerical_staff: false,
        recorded_at_ms: 1,
        recorded_by: "clerk-1".into(),
    };
    s.put_staffing(&staffing).unwrap();
    let corrected = StaffingRow {
        care_managers_centi: 350,
        data_exchange: true,
        clerical_staff: true,
        recorded_at_ms: 2,
        recorded_by: "clerk-2".into(),
        ..staffing
    };
    s.put_staffing(&corrected).unwrap();
    assert_eq!(s.staffing("202604").unwrap(), vec![corrected]);
}

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
                    r.to_office = care_office.clone();
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
            .insured,
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
        .filter(|t| t.service_kind.is_empty())
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

on_both_engines!(
    every_row_kind_reads_back_as_written,
    documents_come_back_newest_first,
    inserted_ids_follow_input_order,
    set_status_changes_one_document_and_refuses_unknown_ids,
    service_months_are_replaced_per_key,
    corporation_counts_count_plan_months_per_corporation,
    plan_month_totals_count_per_kind_and_for_any_kind,
    caseload_and_user_counts_count_distinct_persons,
    upserts_replace,
    bulk_import_in_one_transaction,
);
