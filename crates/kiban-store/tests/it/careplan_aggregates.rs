//! Service months and what the municipality counts from them, on both engines: rows are
//! replaced per key, and the 集中減算 and caseload aggregates count distinct person-months and
//! persons.

use crate::access::{insured, insurer, office_number};
use crate::careplan_fixtures::*;
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};

fn empty_set(insured_number: &str, yyyymm: &str, to_office: &str) -> ServiceMonthSet {
    ServiceMonthSet {
        insurer: insurer(INSURER),
        insured: insured(insured_number),
        month: month(yyyymm),
        care_office: office_number(CARE_OFFICE),
        to_office: receiver(to_office),
        rows: Vec::new(),
    }
}

/// Stores facts grouped into one set per key, in one call.
fn store_facts(s: &mut dyn Store, facts: Vec<ServiceMonthRow>) {
    let mut sets: Vec<ServiceMonthSet> = Vec::new();
    for f in facts {
        let same_key = |set: &ServiceMonthSet| {
            (
                set.insurer,
                set.insured,
                set.month,
                set.care_office,
                set.to_office,
            ) == (
                f.insurer,
                f.insured,
                f.month,
                f.care_office,
                Some(f.to_office),
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
        service_kind: service_kind(kind),
        care_level: care_level(level),
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
        care_office: office_number(care_office),
        service_kind: service_kind(kind),
        corporation: corporation_key(corporation),
        plan_months,
    }
}

/// A plan-month total of one kind, or of any kind for the empty text.
fn total(care_office: &str, kind: &str, plan_months: i64) -> PlanMonthTotalRow {
    PlanMonthTotalRow {
        care_office: office_number(care_office),
        service_kind: (!kind.is_empty()).then(|| service_kind(kind)),
        plan_months,
    }
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
            "12",
        )]),
        set_of(vec![
            fact(INSURER, other, m, CARE_OFFICE, "11", PROVIDER_1, "13"),
            fact(INSURER, other, m, CARE_OFFICE, "17", PROVIDER_1, "13"),
        ]),
    ])
    .unwrap();
    assert_eq!(
        s.user_counts(INSURER, m).unwrap(),
        vec![
            user_count("11", "13", 1),
            user_count("15", "21", 1),
            user_count("17", "13", 1),
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
        office_number: office_number(UNREGISTERED),
        corporation_number: corporation(CORPORATION_2),
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
    let (a, b, f, g, h, x) = (
        "0000100001",
        "0000100002",
        "0000100006",
        "0000100007",
        "0000100008",
        "0000100024",
    );
    store_facts(
        s,
        vec![
            fact(INSURER, a, m, CARE_OFFICE, "11", PROVIDER_1, "22"),
            fact(INSURER, a, m, CARE_OFFICE, "11", PROVIDER_2, "22"),
            fact(INSURER, a, m, CARE_OFFICE, "13", PROVIDER_2, "22"),
            fact(INSURER, b, m, CARE_OFFICE, "11", PROVIDER_1, "21"),
            fact(INSURER, g, m, CARE_OFFICE, "15", PROVIDER_1, "22"),
            fact(INSURER, f, m, CARE_OFFICE_2, "11", UNREGISTERED, "21"),
            fact(
                INSURER,
                h,
                "202605",
                CARE_OFFICE_2,
                "11",
                UNREGISTERED,
                "21",
            ),
            fact(OTHER_INSURER, x, m, CARE_OFFICE, "11", PROVIDER_1, "22"),
        ],
    );
    let caseload = |care_office: &str, level: &str, persons: i64| CaseloadCountRow {
        care_office: office_number(care_office),
        care_level: care_level(level),
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

on_both_engines!(
    service_months_are_replaced_per_key,
    corporation_counts_count_plan_months_per_corporation,
    plan_month_totals_count_per_kind_and_for_any_kind,
    caseload_and_user_counts_count_distinct_persons,
);
