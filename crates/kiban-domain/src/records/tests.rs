use super::*;
use crate::codes::CopayRate;

fn version(history: u16, applies_from: &str, rate: CopayRate, to: &str) -> Version {
    Version {
        key: VersionKey {
            insurer: InsurerNumber::parse("131011").unwrap(),
            insured: InsuredNumber::parse("0000000001").unwrap(),
            history,
        },
        operation: if history == 1 {
            Operation::Add
        } else {
            Operation::Change
        },
        applies_from: Date::parse_yyyymmdd(applies_from).unwrap(),
        body: RecordBody::CopayCertificate(CopayCertificate {
            rate,
            valid_from: Date::parse_yyyymmdd(applies_from).unwrap(),
            valid_to: Date::parse_yyyymmdd(to).unwrap(),
            issued_on: Date::parse_yyyymmdd(applies_from).unwrap(),
        }),
    }
}

fn d(s: &str) -> Date {
    Date::parse_yyyymmdd(s).unwrap()
}

#[test]
fn current_version_is_the_highest_history_in_force() {
    let v = vec![
        version(1, "20240801", CopayRate::One, "20250731"),
        version(2, "20250801", CopayRate::Two, "20260731"),
    ];
    assert_eq!(
        current_as_of(&v, &[], d("20250731")).unwrap().key.history,
        1
    );
    assert_eq!(
        current_as_of(&v, &[], d("20250801")).unwrap().key.history,
        2
    );
    assert!(current_as_of(&v, &[], d("20240731")).is_none());
    assert!(
        current_as_of(&v, &[], d("20260801")).is_none(),
        "expired certificate is not current"
    );
}

#[test]
fn withdrawn_version_falls_back_to_the_previous_one() {
    let v = vec![
        version(1, "20240801", CopayRate::One, "20260731"),
        version(2, "20250801", CopayRate::Three, "20260731"),
    ];
    assert_eq!(
        current_as_of(&v, &[2], d("20251001")).unwrap().key.history,
        1
    );
}

#[test]
fn a_correction_with_a_higher_history_wins_for_the_same_period() {
    let v = vec![
        version(1, "20250801", CopayRate::Three, "20260731"),
        version(2, "20250801", CopayRate::One, "20260731"),
    ];
    let current = current_as_of(&v, &[], d("20250901")).unwrap();
    assert!(matches!(&current.body, RecordBody::CopayCertificate(c) if c.rate == CopayRate::One));
}

#[test]
fn load_modes_and_record_kinds_read_back_from_their_codes() {
    for mode in [LoadMode::Full, LoadMode::Differential] {
        assert_eq!(LoadMode::from_code(mode.code()), Some(mode));
    }
    assert_eq!(LoadMode::from_code("certification"), None);
    for kind in RecordKind::ALL {
        assert_eq!(RecordKind::from_code(kind.code()), Some(kind));
    }
}
