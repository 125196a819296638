use super::*;
use crate::certification::survey::tests::sample;
use crate::codes::CareLevel::*;

/// A judgment with `total` tenths, all in 食事, no 特別な医療.
fn judged(total: u32, level: CareLevel) -> PrimaryJudgment {
    PrimaryJudgment {
        acts: ActMinutes {
            meal: Minutes(total),
            ..ActMinutes::default()
        },
        special_medical: Minutes(0),
        total: Minutes(total),
        level,
        dementia_addition: false,
    }
}

#[test]
fn special_medical_table_matches_the_survey_items() {
    let mut sum = Minutes(0);
    for (code, minutes) in SPECIAL_MEDICAL_MINUTES {
        let item = crate::certification::survey_items::item(code).unwrap();
        assert_eq!(item.group, crate::certification::Group::SpecialMedical);
        sum = sum + minutes;
    }
    assert_eq!(
        sum,
        Minutes(85 * 3 + 38 + 8 + 45 + 56 + 21 + 91 + 36 + 40 + 82)
    );
}

#[test]
fn each_band_boundary() {
    let cases: [(u32, &[CareLevel]); 14] = [
        (249, &[NotApplicable]),
        (250, &[Support1]),
        (319, &[Support1]),
        (320, &[Support2, Care1]),
        (499, &[Support2, Care1]),
        (500, &[Care2]),
        (699, &[Care2]),
        (700, &[Care3]),
        (899, &[Care3]),
        (900, &[Care4]),
        (1099, &[Care4]),
        (1100, &[Care5]),
        (0, &[NotApplicable]),
        (5000, &[Care5]),
    ];
    let survey = sample();
    for (total, levels) in cases {
        assert_eq!(level_band(Minutes(total)), levels, "{total}");
        for level in CareLevel::ALL {
            let ok = check(&judged(total, level), &survey).is_ok();
            assert_eq!(ok, levels.contains(&level), "{total} {level:?}");
        }
    }
}

#[test]
fn the_32_to_50_band_accepts_both_support2_and_care1() {
    let survey = sample();
    assert_eq!(check(&judged(400, Support2), &survey), Ok(()));
    assert_eq!(check(&judged(400, Care1), &survey), Ok(()));
    let err = check(&judged(400, Care2), &survey).unwrap_err();
    assert!(err.to_string().contains("要支援2・要介護1"), "{err}");
}

#[test]
fn dementia_addition_allows_one_band_higher_only() {
    let survey = sample();
    let with = |total, level| PrimaryJudgment {
        dementia_addition: true,
        ..judged(total, level)
    };
    assert_eq!(check(&with(300, Support1), &survey), Ok(()));
    assert_eq!(check(&with(300, Care1), &survey), Ok(()));
    assert_eq!(check(&with(600, Care3), &survey), Ok(()));
    assert!(check(&with(600, Care4), &survey).is_err());
    assert!(check(&with(600, Care1), &survey).is_err());
    assert_eq!(check(&with(1200, Care5), &survey), Ok(()));
}

#[test]
fn special_medical_minutes_follow_the_survey() {
    let mut survey = sample();
    survey.answers.insert("6-1".into(), "2".into()); // 点滴の管理 8.5
    survey.answers.insert("6-5".into(), "2".into()); // 酸素療法 0.8
    assert_eq!(special_medical_minutes(&survey), Minutes(93));
    let mut j = judged(500, Care2);
    j.special_medical = Minutes(93);
    j.total = Minutes(593);
    assert_eq!(check(&j, &survey), Ok(()));
}

#[test]
fn a_wrong_special_medical_sum_is_rejected() {
    let mut survey = sample();
    survey.answers.insert("6-9".into(), "2".into()); // 経管栄養 9.1
    let mut j = judged(500, Care2);
    j.special_medical = Minutes(85);
    j.total = Minutes(585);
    assert_eq!(
        check(&j, &survey),
        Err(JudgmentError::SpecialMedical {
            recorded: Minutes(85),
            expected: Minutes(91)
        })
    );
    assert!(check(&j, &survey)
        .unwrap_err()
        .to_string()
        .contains("9.1分"));
}

#[test]
fn a_wrong_total_is_rejected() {
    let mut j = judged(500, Care2);
    j.total = Minutes(510);
    assert_eq!(
        check(&j, &sample()),
        Err(JudgmentError::Total {
            recorded: Minutes(510),
            expected: Minutes(500)
        })
    );
}

#[test]
fn minutes_print_with_one_decimal() {
    assert_eq!(Minutes(249).to_string(), "24.9分");
    assert_eq!(Minutes(1100).to_string(), "110.0分");
}
