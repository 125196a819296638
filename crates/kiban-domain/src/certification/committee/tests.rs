use super::*;
use crate::codes::CareLevel::*;
use ApplicationKind::*;

fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

fn result(level: CareLevel, from: &str, to: &str) -> CommitteeResult {
    CommitteeResult {
        committee_on: d("20260425"),
        level,
        valid_from: Some(d(from)),
        valid_to: Some(d(to)),
        opinion: None,
        designated_services: Vec::new(),
    }
}

const APPLIED: &str = "20260401";

#[test]
fn months_are_counted_from_the_first_full_month() {
    let p = |a, b| ValidityPeriod {
        valid_from: d(a),
        valid_to: d(b),
    };
    assert_eq!(p("20260401", "20260930").months(), 6);
    assert_eq!(p("20260415", "20261031").months(), 6);
    assert_eq!(p("20261101", "20291031").months(), 36);
    assert_eq!(p("20260415", "20260430").months(), 0);
}

#[test]
fn new_six_months_ok() {
    let r = result(Care1, APPLIED, "20260930");
    assert_eq!(check(New, d(APPLIED), None, &r), Ok(()));
    let mid = result(Care1, "20260415", "20261031");
    assert_eq!(check(New, d("20260415"), None, &mid), Ok(()));
}

#[test]
fn new_and_level_change_limits() {
    let r = result(Care1, APPLIED, "20270430"); // 13 months
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::PeriodOutOfRange {
            kind: New,
            months: 13,
            min: 3,
            max: 12
        })
    );
    assert_eq!(
        check(New, d(APPLIED), None, &result(Care1, APPLIED, "20270331")),
        Ok(())
    );
    let two = result(Care1, APPLIED, "20260531");
    assert!(matches!(
        check(LevelChange, d(APPLIED), Some((Care1, d("20261231"))), &two),
        Err(CommitteeError::PeriodOutOfRange { months: 2, .. })
    ));
}

#[test]
fn renewal_36_months_ok_and_48_only_when_unchanged() {
    let previous = Some((Care2, d("20260630")));
    let r36 = result(Care3, "20260701", "20290630");
    assert_eq!(check(Renewal, d(APPLIED), previous, &r36), Ok(()));
    let r48_same = result(Care2, "20260701", "20300630");
    assert_eq!(check(Renewal, d(APPLIED), previous, &r48_same), Ok(()));
    let r48_changed = result(Care3, "20260701", "20300630");
    assert_eq!(
        check(Renewal, d(APPLIED), previous, &r48_changed),
        Err(CommitteeError::PeriodOutOfRange {
            kind: Renewal,
            months: 48,
            min: 3,
            max: 36
        })
    );
    let r49 = result(Care2, "20260701", "20300731");
    assert!(check(Renewal, d(APPLIED), previous, &r49).is_err());
}

#[test]
fn valid_to_must_be_a_month_end() {
    let r = result(Care1, APPLIED, "20260929");
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::NotMonthEnd {
            valid_to: d("20260929")
        })
    );
}

#[test]
fn start_dates() {
    let r = result(Care1, "20260402", "20260930");
    assert!(matches!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::WrongStart { expected, .. }) if expected == d(APPLIED)
    ));
    let renewal = result(Care1, APPLIED, "20270331");
    assert_eq!(
        check(Renewal, d(APPLIED), Some((Care1, d("20260630"))), &renewal),
        Err(CommitteeError::WrongStart {
            kind: Renewal,
            expected: d("20260701"),
            got: d(APPLIED)
        })
    );
    assert_eq!(
        check(Renewal, d(APPLIED), None, &renewal),
        Err(CommitteeError::MissingPrevious)
    );
}

#[test]
fn not_applicable_has_no_period() {
    let mut r = result(NotApplicable, APPLIED, "20260930");
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::PeriodForNotApplicable)
    );
    r.valid_to = None;
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::PeriodForNotApplicable)
    );
    r.valid_from = None;
    assert_eq!(check(New, d(APPLIED), None, &r), Ok(()));
    r.designated_services = vec![ServiceKind::from_code("11").unwrap()];
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::ServicesForNotApplicable)
    );
}

#[test]
fn other_refusals() {
    let mut r = result(Care1, APPLIED, "20260930");
    r.valid_to = None;
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::PartialPeriod)
    );
    r.valid_from = None;
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::MissingPeriod { level: Care1 })
    );
    let r = result(ProjectEligible, APPLIED, "20260930");
    assert!(matches!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::NotACommitteeLevel { .. })
    ));
    let mut r = result(Care1, APPLIED, "20260930");
    r.committee_on = d("20260331");
    assert!(matches!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::CommitteeBeforeApplication { .. })
    ));
    let mut r = result(Care1, APPLIED, "20260930");
    let visit = ServiceKind::from_code("11").unwrap();
    r.designated_services = vec![visit, visit];
    assert_eq!(
        check(New, d(APPLIED), None, &r),
        Err(CommitteeError::DuplicateService { kind: visit })
    );
    let mut r = result(Care1, "20261001", "20260930");
    r.committee_on = d("20261020");
    assert!(matches!(
        check(New, d("20261001"), None, &r),
        Err(CommitteeError::ReversedPeriod { .. })
    ));
}

#[test]
fn messages_are_bilingual() {
    let msg = CommitteeError::NotMonthEnd {
        valid_to: d("20260929"),
    }
    .to_string();
    assert!(
        msg.contains("月末") && msg.contains(" / ") && msg.contains("last day"),
        "{msg}"
    );
}

#[test]
fn the_opinion_fits_the_card_column_it_is_printed_into() {
    let with = |opinion: String| CommitteeResult {
        opinion: Some(opinion),
        ..result(Care1, APPLIED, "20260930")
    };
    let longest = with("療".repeat(OPINION_MAX_CHARS));
    assert_eq!(check(New, d(APPLIED), None, &longest), Ok(()));
    assert_eq!(
        check(
            New,
            d(APPLIED),
            None,
            &with("療".repeat(OPINION_MAX_CHARS + 1))
        ),
        Err(CommitteeError::OpinionTooLong { chars: 501 })
    );
    assert!(matches!(
        check(New, d(APPLIED), None, &with("通所を推奨\n".into())),
        Err(CommitteeError::OpinionCharacter(_))
    ));
    assert!(matches!(
        check(New, d(APPLIED), None, &with("😀".into())),
        Err(CommitteeError::OpinionCharacter(_))
    ));
}
