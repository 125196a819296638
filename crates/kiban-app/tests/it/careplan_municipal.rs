//! The municipal aggregates over registered care plans, on both engines: 特定事業所集中減算 with
//! the corporation registry and a 正当な理由, caseloads against the filed staffing, regional
//! statistics with small cells suppressed, and the restraint (one aggregate event, in no
//! person's history; purposes that may not read care plans are refused).

use super::careplan::{at, generated, municipal, person, relate_all, send_all, NOW};
use kiban_app::access::Outcome;
use kiban_app::careplan::corporations::register_corporations;
use kiban_app::careplan::municipal::{
    caseloads, concentration, put_staffing, record_exclusion, regional_stats, NewExclusion,
};
use kiban_domain::access::Purpose;
use kiban_domain::careplan::concentration::JustReason;
use kiban_domain::careplan::period::JudgmentPeriod;
use kiban_domain::careplan::suppress::Cell;
use kiban_domain::careplan::YearMonth;
use kiban_domain::codes::ServiceKind;
use kiban_store::StaffingRow;
use kiban_testkit::{on_both_engines, TestDb};

fn the_municipal_console_sees_aggregates_only(db: &mut TestDb) {
    let g = generated(60, 2, 20);
    relate_all(db, &g, None);
    send_all(db, &g);
    let review = municipal(Purpose::Review);
    let csv = g.corporations_csv() + "1234567890123,誤り,1370000001,x\n";
    let Outcome::Allowed(registry) = register_corporations(db.conn(), &review, &csv, at()).unwrap()
    else {
        panic!("registered")
    };
    assert_eq!(registry.offices_registered, 20);
    assert_eq!(
        (
            registry.issues.len(),
            registry.issues[0].line,
            registry.issues[0].column
        ),
        (1, 22, 1)
    );

    let period = JudgmentPeriod::of_month(YearMonth::parse("202609").unwrap());
    let Outcome::Allowed(report) = concentration(db.conn(), &review, period, at()).unwrap() else {
        panic!("allowed")
    };
    assert_eq!(report.offices.len(), 2, "both care offices are judged");
    // The generator makes even-numbered care offices favour one corporation.
    let over: Vec<bool> = report.offices.iter().map(|o| o.any_over_80).collect();
    assert!(over.contains(&true), "{over:?}");
    let concentrated = report.offices.iter().find(|o| o.any_over_80).unwrap();
    let service = concentrated
        .services
        .iter()
        .find(|s| s.over_80)
        .unwrap()
        .service;
    // Few plan-months justify automatically (reason 4: ≤ 10 a month on average) at this size.
    assert!(concentrated
        .services
        .iter()
        .filter(|s| s.over_80)
        .all(|s| s.justified_by.contains(&JustReason::FewPlans)));
    assert!(concentrated.filing_required);
    let new = NewExclusion {
        office: concentrated.office,
        period,
        service,
        reason: JustReason::FewOffices,
        excluded_plan_months: 0,
        note: "通常の事業の実施地域に事業所が4か所".into(),
    };
    assert!(matches!(
        record_exclusion(db.conn(), &review, new, at()).unwrap(),
        Outcome::Allowed(_)
    ));
    let Outcome::Allowed(again) = concentration(db.conn(), &review, period, at()).unwrap() else {
        panic!()
    };
    let judged = again
        .offices
        .iter()
        .find(|o| o.office == concentrated.office)
        .unwrap();
    assert!(judged
        .services
        .iter()
        .find(|s| s.service == service)
        .unwrap()
        .justified_by
        .contains(&JustReason::FewOffices));

    // Caseload: the care office with staffing filed is measured; the other is listed as unfiled.
    let m = YearMonth::parse("202609").unwrap();
    let first = g.persons[0].care_office;
    let staffing = StaffingRow {
        office_number: first,
        month: m,
        care_managers_centi: 50,
        data_exchange: true,
        clerical_staff: false,
        recorded_at_ms: NOW,
        recorded_by: "city01".into(),
    };
    assert!(matches!(
        put_staffing(db.conn(), &review, staffing, at()).unwrap(),
        Outcome::Allowed(())
    ));
    let Outcome::Allowed(load) = caseloads(db.conn(), &review, m, at()).unwrap() else {
        panic!()
    };
    assert_eq!(load.without_staffing, 1);
    let measured = load.offices.iter().find(|o| o.office == first).unwrap();
    let expected = g.persons.iter().filter(|p| p.care_office == first).count() as u32;
    assert_eq!(measured.care_persons, expected);
    let c = measured.caseload.as_ref().unwrap();
    assert_eq!(
        (c.limit, c.over_limit),
        (44, expected * 2 > 44),
        "0.5 care managers, data exchange without a clerk"
    );

    // Regional statistics: 60 persons over 5 levels and several kinds leave cells under 10.
    let Outcome::Allowed(stats) = regional_stats(db.conn(), &review, m, at()).unwrap() else {
        panic!()
    };
    let cells: Vec<Cell> = stats.table.cells.iter().flatten().copied().collect();
    assert!(cells.iter().any(|c| c.is_suppressed()));
    assert!(cells.iter().filter_map(|c| c.count()).all(|n| n >= 10));
    assert!(stats
        .service_kinds
        .iter()
        .any(|(code, _)| code == ServiceKind::HomeVisitCare.code()));

    // Restraint: other purposes are refused, and no person's history shows an aggregate.
    let affairs = municipal(Purpose::CertificationAffairs);
    let refused = concentration(db.conn(), &affairs, period, at()).unwrap();
    assert!(
        matches!(refused, Outcome::Denied(d) if d.reason == "CATEGORY_NOT_PERMITTED_FOR_PURPOSE")
    );
    let p = person(&g, 0);
    let history = db
        .store()
        .audit_for_person(&p.insurer.to_string(), &p.insured.to_string(), None, 1_000)
        .unwrap();
    assert!(
        history
            .iter()
            .all(|e| e.entry.actor_kind != "municipal_staff"),
        "aggregates are in no person's history"
    );
}

on_both_engines!(the_municipal_console_sees_aggregates_only);
