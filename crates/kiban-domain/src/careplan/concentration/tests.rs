//! Hand-checked cases of 特定事業所集中減算. Every ratio is worked out in the comment beside it.

use super::*;
use crate::careplan::period::JudgmentPeriod;

fn office() -> OfficeNumber {
    OfficeNumber::parse("1370000001").unwrap()
}

fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

fn first_half_2026() -> JudgmentPeriod {
    JudgmentPeriod::parse("2026-1").unwrap()
}

/// An office with 300 plan-months (so reason 3 does not apply) and one service counted.
fn counts(service: ServiceKind, plan_months: u32, corps: &[(&str, u32)]) -> OfficeCounts {
    OfficeCounts {
        office: office(),
        total_plan_months: 300,
        services: vec![ServiceCounts {
            service,
            plan_months,
            by_corporation: corps.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        }],
    }
}

fn exclusion(service: ServiceKind, reason: JustReason, n: u32) -> Exclusion {
    Exclusion {
        service,
        reason,
        excluded_plan_months: n,
        note: String::new(),
    }
}

fn home_care(j: &OfficeJudgment) -> &ServiceJudgment {
    assert_eq!(j.services[0].service, ServiceKind::HomeVisitCare);
    &j.services[0]
}

#[test]
fn exactly_80_percent_is_not_over() {
    // 96 / 120 = 80.0 % exactly: 96 × 5 = 480 = 120 × 4.
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::HomeVisitCare, 120, &[("A", 96), ("B", 24)]),
        &[],
    );
    let s = home_care(&j);
    assert_eq!(s.ratio_percent, "80.0");
    assert!(!s.over_80 && !s.reduced);
    assert!(!j.any_over_80 && !j.reduced && !j.filing_required);
    assert_eq!(j.reduction_units_per_month, 0);
    assert_eq!(j.reduction_period, None);
}

#[test]
fn just_above_80_percent_is_reduced_for_the_next_half_year() {
    // 97 / 120 = 80.83 % (485 > 480), shown rounded up as 80.9.
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::HomeVisitCare, 120, &[("A", 97), ("B", 23)]),
        &[],
    );
    let s = home_care(&j);
    assert_eq!(s.top_corporation.as_deref(), Some("A"));
    assert_eq!(s.top_plan_months, 97);
    assert_eq!(s.ratio_percent, "80.9");
    assert!(s.over_80 && s.reduced && s.justified_by.is_empty());
    assert!(j.reduced && j.filing_required);
    assert_eq!(j.reduction_units_per_month, 200);
    assert_eq!(j.reduction_period, Some((d("20261001"), d("20270331"))));
    assert_eq!(j.filing_deadline, d("20260915"));
}

#[test]
fn a_recorded_reason_prevents_the_reduction_but_not_the_filing() {
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::HomeVisitCare, 120, &[("A", 97), ("B", 23)]),
        &[exclusion(
            ServiceKind::HomeVisitCare,
            JustReason::FewOffices,
            0,
        )],
    );
    let s = home_care(&j);
    assert!(s.over_80 && !s.reduced);
    assert_eq!(s.justified_by, vec![JustReason::FewOffices]);
    assert!(!j.reduced && j.filing_required);
    assert_eq!(j.reduction_units_per_month, 0);
    assert_eq!(j.reduction_period, None);
}

#[test]
fn care_conference_exclusion_leaves_the_count() {
    // 97 / 120 with 5 confirmed plan-months excluded → 92 / 115 = 80.0 % (460 = 460).
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::HomeVisitCare, 120, &[("A", 97), ("B", 23)]),
        &[exclusion(
            ServiceKind::HomeVisitCare,
            JustReason::CareConference,
            5,
        )],
    );
    let s = home_care(&j);
    assert_eq!((s.top_plan_months, s.plan_months), (92, 115));
    assert_eq!(s.excluded_plan_months, 5);
    assert_eq!(s.ratio_percent, "80.0");
    assert!(!s.over_80 && !s.reduced);
    assert!(s.justified_by.is_empty(), "reason 5 is not a justification");
    assert!(!j.filing_required);
}

#[test]
fn too_small_a_care_conference_exclusion_still_reduces() {
    // 97 / 120 minus 1 → 96 / 119 = 80.67 % (480 > 476).
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::HomeVisitCare, 120, &[("A", 97), ("B", 23)]),
        &[exclusion(
            ServiceKind::HomeVisitCare,
            JustReason::CareConference,
            1,
        )],
    );
    assert!(home_care(&j).reduced && j.reduced);
}

#[test]
fn exclusion_is_capped_and_the_top_is_chosen_again() {
    // A 97 and B 23 of 120; 200 confirmed for A caps at 97 → A 0, B 23 of 23 = 100 %.
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::HomeVisitCare, 120, &[("A", 97), ("B", 23)]),
        &[exclusion(
            ServiceKind::HomeVisitCare,
            JustReason::CareConference,
            200,
        )],
    );
    let s = home_care(&j);
    assert_eq!(s.excluded_plan_months, 97);
    assert_eq!(s.plan_months, 23);
    assert_eq!(s.top_corporation.as_deref(), Some("B"));
    assert_eq!(s.ratio_percent, "100.0");
    // Reason 4 reads the count before exclusion (120 > 60), so nothing justifies it.
    assert!(s.over_80 && s.reduced);
}

#[test]
fn few_plans_justify_automatically() {
    // 55 / 60 = 91.67 %, but 60 plan-months = 10 a month → reason 4.
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::DayCare, 60, &[("A", 55), ("B", 5)]),
        &[],
    );
    let s = &j.services[1];
    assert_eq!(s.service, ServiceKind::DayCare);
    assert_eq!(s.ratio_percent, "91.7");
    assert!(s.over_80 && !s.reduced);
    assert_eq!(s.justified_by, vec![JustReason::FewPlans]);
    assert!(!j.reduced && j.filing_required);

    // One more plan-month is no longer "few".
    let j = judge(
        first_half_2026(),
        &counts(ServiceKind::DayCare, 61, &[("A", 56), ("B", 5)]),
        &[],
    );
    assert!(j.services[1].reduced);
}

#[test]
fn small_office_justifies_every_service() {
    let mut c = counts(ServiceKind::EquipmentRental, 100, &[("A", 100)]);
    c.total_plan_months = 120; // 20 a month
    let j = judge(first_half_2026(), &c, &[]);
    let s = &j.services[3];
    assert_eq!(s.service, ServiceKind::EquipmentRental);
    assert!(s.over_80 && !s.reduced);
    assert_eq!(s.justified_by, vec![JustReason::SmallOffice]);
    c.total_plan_months = 121;
    assert!(judge(first_half_2026(), &c, &[]).reduced);
}

#[test]
fn tie_goes_to_the_smallest_key_whatever_the_order() {
    for corps in [[("B", 50), ("A", 50)], [("A", 50), ("B", 50)]] {
        let j = judge(
            first_half_2026(),
            &counts(ServiceKind::HomeVisitCare, 100, &corps),
            &[],
        );
        let s = home_care(&j);
        assert_eq!(s.top_corporation.as_deref(), Some("A"));
        assert_eq!(s.ratio_percent, "50.0");
        assert!(!s.over_80);
    }
}

#[test]
fn second_half_deadline_and_reduction_period() {
    let period = JudgmentPeriod::parse("2026-2").unwrap();
    let j = judge(
        period,
        &counts(ServiceKind::CommunityDayCare, 120, &[("A", 120)]),
        &[],
    );
    assert!(j.reduced);
    // 2027-03-15 is a Monday.
    assert_eq!(j.filing_deadline, d("20270315"));
    assert_eq!(j.reduction_period, Some((d("20270401"), d("20270930"))));
    // 後期 2025: 2026-03-15 is a Sunday → Friday 13th.
    let earlier = judge(period.previous().previous(), &j_counts_empty(), &[]);
    assert_eq!(earlier.filing_deadline, d("20260313"));
}

fn j_counts_empty() -> OfficeCounts {
    OfficeCounts {
        office: office(),
        total_plan_months: 0,
        services: vec![],
    }
}

#[test]
fn always_four_services_in_order_with_zeros() {
    let j = judge(first_half_2026(), &j_counts_empty(), &[]);
    let kinds: Vec<ServiceKind> = j.services.iter().map(|s| s.service).collect();
    assert_eq!(kinds, COVERED_SERVICES.to_vec());
    for s in &j.services {
        assert_eq!((s.plan_months, s.top_plan_months), (0, 0));
        assert_eq!(s.top_corporation, None);
        assert_eq!(s.ratio_percent, "0.0");
        assert!(!s.over_80 && !s.reduced);
    }
    assert!(!j.filing_required);
}

#[test]
fn exclusions_apply_only_to_their_service_and_uncovered_services_are_ignored() {
    let mut c = counts(ServiceKind::HomeVisitCare, 120, &[("A", 97), ("B", 23)]);
    c.services.push(ServiceCounts {
        service: ServiceKind::HomeVisitNursing,
        plan_months: 120,
        by_corporation: vec![("A".into(), 120)],
    });
    let j = judge(
        first_half_2026(),
        &c,
        &[
            exclusion(ServiceKind::DayCare, JustReason::FewOffices, 0),
            exclusion(ServiceKind::DayCare, JustReason::CareConference, 50),
        ],
    );
    let s = home_care(&j);
    assert!(s.reduced && s.justified_by.is_empty());
    assert_eq!(s.excluded_plan_months, 0);
    assert_eq!(j.services.len(), 4);
}

#[test]
fn split_entries_for_one_service_are_added_up() {
    let mut c = counts(ServiceKind::HomeVisitCare, 60, &[("A", 48), ("B", 12)]);
    c.services.push(ServiceCounts {
        service: ServiceKind::HomeVisitCare,
        plan_months: 60,
        by_corporation: vec![("A".into(), 49), ("B".into(), 11)],
    });
    // 97 / 120 once added up.
    let s = judge(first_half_2026(), &c, &[]).services[0].clone();
    assert_eq!((s.top_plan_months, s.plan_months), (97, 120));
    assert!(s.reduced);
}

#[test]
fn reason_codes_round_trip() {
    for r in JustReason::ALL {
        assert_eq!(JustReason::from_code(r.code()), Some(r));
        assert!(!r.label_ja().is_empty());
    }
    assert_eq!(JustReason::from_code(0), None);
    assert_eq!(JustReason::from_code(8), None);
    assert_eq!(JustReason::CareConference.code(), 5);
}

#[test]
fn ratio_display_rounds_up_to_the_tenth() {
    assert_eq!(ratio_percent(96, 120), "80.0");
    assert_eq!(ratio_percent(1601, 2000), "80.1"); // 80.05
    assert_eq!(ratio_percent(1, 3), "33.4");
    assert_eq!(ratio_percent(0, 7), "0.0");
    assert_eq!(ratio_percent(5, 5), "100.0");
}

#[test]
fn a_corporation_key_reads_back_and_orders_as_written() {
    let registered = CorporationKey::parse("7000012050002").unwrap();
    let office = CorporationKey::parse("office:1370100003").unwrap();
    assert_eq!(
        registered,
        CorporationKey::Registered(CorporationNumber::parse("7000012050002").unwrap())
    );
    assert_eq!(office.to_string(), "office:1370100003");
    assert_eq!(registered.to_string(), "7000012050002");
    assert!(registered < office, "digits sort before the office: prefix");
    assert!(CorporationKey::parse("office:12").is_err());
    assert!(
        CorporationKey::parse("6000012050002").is_err(),
        "check digit"
    );
    assert!(CorporationKey::parse("").is_err());
    assert_eq!(
        serde_json::to_string(&office).unwrap(),
        r#""office:1370100003""#
    );
}
