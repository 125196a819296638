//! Care-plan storage on both engines: every row reads back as written, documents come back
//! newest first with their ids in input order, a status update refuses unknown ids, and the
//! registries are upserts. The service months and the aggregates over them are in
//! `careplan_aggregates`, the bulk import in `careplan_bulk`.

use crate::access::{insured, insurer, office_number};
use crate::careplan_fixtures::*;
use kiban_domain::careplan::{DocStatus, JudgmentPeriod, PlanDecision};
use kiban_store::*;
use kiban_testkit::{on_both_engines, TestDb};

fn ids(rows: &[CarePlanDocRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id).collect()
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
        decision: PlanDecision::Commented,
        comment: "デイサービスを週3回にしたい".into(),
    };
    first.id = s.insert_plan_confirmation(&first).unwrap();
    let mut second = PlanConfirmationRow {
        at_ms: 20,
        decision: PlanDecision::Confirmed,
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
        insurer: insurer(INSURER),
        insured: insured(PERSON),
        office_number: office_number(PROVIDER_1),
        period: month("202603"),
        body_json: r#"{"ADL":85,"BMI":21.4}"#.into(),
        submitted_at_ms: 30,
        submitted_by: "office:1370100001".into(),
    };
    let mut newer = LifeFeedbackRow {
        period: month("202604"),
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
                corporation_number: corporation(CORPORATION_1),
                name: "社会福祉法人いろは会".into(),
                registered_at_ms: 1,
            },
            CorporationRow {
                corporation_number: corporation(CORPORATION_2),
                name: "株式会社ケア".into(),
                registered_at_ms: 1,
            },
        ]
    );
    let offices = s.corporation_offices().unwrap();
    assert_eq!(
        offices
            .iter()
            .map(|o| (o.office_number, o.corporation_number))
            .collect::<Vec<_>>(),
        [
            (PROVIDER_1, CORPORATION_1),
            (PROVIDER_2, CORPORATION_1),
            (PROVIDER_4, CORPORATION_2)
        ]
        .map(|(office, number)| (office_number(office), corporation(number)))
    );
    assert_eq!(offices[0].office_name, format!("事業所{PROVIDER_1}"));

    let mut exclusion = ConcentrationExclusionRow {
        id: 0,
        insurer: insurer(INSURER),
        office_number: office_number(CARE_OFFICE),
        period: JudgmentPeriod::parse("2026-1").unwrap(),
        service_kind: service_kind("11"),
        reason: 5,
        excluded_plan_months: 12,
        note: "地域ケア会議 2026-05-20".into(),
        recorded_at_ms: 40,
        recorded_by: "clerk-1".into(),
    };
    let mut later = ConcentrationExclusionRow {
        service_kind: service_kind("15"),
        reason: 1,
        excluded_plan_months: 0,
        ..exclusion.clone()
    };
    exclusion.id = s.insert_concentration_exclusion(&exclusion).unwrap();
    later.id = s.insert_concentration_exclusion(&later).unwrap();
    let elsewhere = ConcentrationExclusionRow {
        period: JudgmentPeriod::parse("2026-2").unwrap(),
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
        office_number: office_number(CARE_OFFICE_2),
        month: month("202604"),
        care_managers_centi: 250,
        data_exchange: true,
        clerical_staff: false,
        recorded_at_ms: 50,
        recorded_by: "clerk-2".into(),
    };
    let other = StaffingRow {
        office_number: office_number(CARE_OFFICE),
        care_managers_centi: 100,
        data_exchange: false,
        clerical_staff: true,
        ..staffed.clone()
    };
    let other_month = StaffingRow {
        month: month("202605"),
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
            d.from_office = office_number(PROVIDER_1);
            d.to_office = Some(office_number(CARE_OFFICE));
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
    s.set_careplan_status(got[0], DocStatus::Confirmed).unwrap();
    assert!(matches!(
        s.set_careplan_status(got[1] + 1000, DocStatus::Deleted),
        Err(StoreError::Conflict(_))
    ));
    // The transaction is still usable after the refusal.
    s.set_careplan_status(got[1], DocStatus::Commented).unwrap();
    s.commit().unwrap();
    assert_eq!(
        s.careplan_document(got[0]).unwrap().unwrap().status,
        DocStatus::Confirmed
    );
    assert_eq!(
        s.careplan_document(got[1]).unwrap().unwrap().status,
        DocStatus::Commented
    );
}

fn upserts_replace(db: &mut TestDb) {
    let s = db.store();
    register_corporations(s);
    let renamed = CorporationRow {
        corporation_number: corporation(CORPORATION_1),
        name: "社会福祉法人いろは福祉会".into(),
        registered_at_ms: 2,
    };
    s.put_corporation(&renamed).unwrap();
    let corporations = s.corporations().unwrap();
    assert_eq!(corporations.len(), 2);
    assert_eq!(corporations[0], renamed);

    let moved = CorporationOfficeRow {
        office_number: office_number(PROVIDER_2),
        corporation_number: corporation(CORPORATION_2),
        office_name: "移管後".into(),
    };
    s.put_corporation_office(&moved).unwrap();
    let offices = s.corporation_offices().unwrap();
    assert_eq!(offices.len(), 3);
    assert_eq!(offices[1], moved);

    let staffing = StaffingRow {
        office_number: office_number(CARE_OFFICE),
        month: month("202604"),
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

/// The care manager's list: this office's plans in a 同意・確認 status, newest first, nothing
/// issued, nothing of another office, and a status change moves a plan in or out.
fn drafts_from_lists_the_office_plans_awaiting_or_answered(db: &mut TestDb) {
    let s = db.store();
    let status = |mut d: CarePlanDocRow, st: DocStatus| {
        d.status = st;
        d
    };
    let mut other = status(document("plan", PERSON, "20260501", ""), DocStatus::Draft);
    other.from_office = office_number("1370000099");
    let rows = vec![
        status(document("plan", PERSON, "20260301", ""), DocStatus::Draft),
        document("plan", PERSON, "20260401", ""),
        status(
            document("plan", "0000100002", "20260401", ""),
            DocStatus::Commented,
        ),
        other,
        status(
            document("service_use", PERSON, "202604", PROVIDER_1),
            DocStatus::Draft,
        ),
    ];
    let got = s.insert_careplan_documents(&rows).unwrap();
    assert_eq!(
        ids(&s.careplan_drafts_from(CARE_OFFICE, 10).unwrap()),
        vec![got[2], got[0]]
    );
    assert_eq!(
        ids(&s.careplan_drafts_from(CARE_OFFICE, 1).unwrap()),
        vec![got[2]]
    );
    s.set_careplan_status(got[0], DocStatus::Issued).unwrap();
    s.set_careplan_status(got[1], DocStatus::Confirmed).unwrap();
    assert_eq!(
        ids(&s.careplan_drafts_from(CARE_OFFICE, 10).unwrap()),
        vec![got[2], got[1]]
    );
}

on_both_engines!(
    drafts_from_lists_the_office_plans_awaiting_or_answered,
    every_row_kind_reads_back_as_written,
    documents_come_back_newest_first,
    inserted_ids_follow_input_order,
    set_status_changes_one_document_and_refuses_unknown_ids,
    upserts_replace,
);
