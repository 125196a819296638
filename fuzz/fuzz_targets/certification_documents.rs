//! The 要介護認定 bodies as the API receives them (JSON): the 認定調査票, the 一次判定 and the
//! 審査会 result. Each that parses prints back to itself; the checks never panic; a 審査会 result
//! that passes has the period its rules promise.
#![no_main]
use std::sync::OnceLock;

use kiban_domain::certification::{
    check_committee, check_primary_judgment, special_medical_minutes, validate_survey,
    ApplicationKind, CommitteeResult, PrimaryJudgment, Survey,
};
use kiban_domain::codes::CareLevel;
use kiban_domain::date::Date;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

fn applied_on() -> Date {
    Date::parse_yyyymmdd("20260401").expect("a date")
}

/// A valid survey from the test kit, to check a fuzzed 一次判定 against.
fn reference_survey() -> &'static Survey {
    static CELL: OnceLock<Survey> = OnceLock::new();
    CELL.get_or_init(|| kiban_testkit::certification::survey(applied_on()))
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("serialises");
    let back: T = serde_json::from_str(&json).expect("reads back what it wrote");
    assert_eq!(&back, value);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(survey) = serde_json::from_slice::<Survey>(data) {
        round_trip(&survey);
        if validate_survey(&survey).is_ok() {
            let _ = special_medical_minutes(&survey);
        }
    }
    if let Ok(judgment) = serde_json::from_slice::<PrimaryJudgment>(data) {
        round_trip(&judgment);
        let _ = check_primary_judgment(&judgment, reference_survey());
    }
    if let Ok(result) = serde_json::from_slice::<CommitteeResult>(data) {
        round_trip(&result);
        let previous = Date::parse_yyyymmdd("20260331").expect("a date");
        for kind in [
            ApplicationKind::New,
            ApplicationKind::Renewal,
            ApplicationKind::LevelChange,
        ] {
            let ok = check_committee(
                kind,
                applied_on(),
                Some((CareLevel::Care1, previous)),
                &result,
            )
            .is_ok();
            if ok && result.level != CareLevel::NotApplicable {
                let period = result.period().expect("a certified result has a period");
                assert!(period.valid_from <= period.valid_to);
                assert_eq!(period.valid_to, period.valid_to.last_of_month());
                assert!((3..=48).contains(&period.months()), "{period:?}");
            }
        }
    }
});
