//! 負担割合: the 1割/2割/3割 decision (介護保険法 第49条の2, 第59条の2 and 施行令 第22条の2,
//! as summarised in facts.md §2) and the Aug 1–Jul 31 period of the 負担割合証.

use super::InsuredCategory;
use crate::codes::CopayRate;
use crate::date::Date;

/// 3割: the person's 合計所得金額 at least this …
pub const THREE_TENTHS_OWN_INCOME_MIN: i64 = 2_200_000;
/// … and the household's 年金収入+その他の合計所得金額 at least this (one 65+ member) …
pub const THREE_TENTHS_HOUSEHOLD_MIN_SINGLE: i64 = 3_400_000;
/// … or this (two or more 65+ members).
pub const THREE_TENTHS_HOUSEHOLD_MIN_MULTI: i64 = 4_630_000;
/// 2割: the same shape with lower amounts.
pub const TWO_TENTHS_OWN_INCOME_MIN: i64 = 1_600_000;
pub const TWO_TENTHS_HOUSEHOLD_MIN_SINGLE: i64 = 2_800_000;
pub const TWO_TENTHS_HOUSEHOLD_MIN_MULTI: i64 = 3_460_000;

/// The facts the 負担割合 is decided from, all for the previous calendar year (前年).
///
/// Amounts are signed because 合計所得金額 can be negative (a business loss); a negative
/// amount simply never reaches a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopayInput {
    pub insured_category: InsuredCategory,
    /// 市町村民税非課税 (the person).
    pub municipal_tax_exempt: bool,
    /// 生活保護 recipient.
    pub welfare_recipient: bool,
    /// The person's 合計所得金額.
    pub total_income_yen: i64,
    /// 年金収入 + その他の合計所得金額 summed over every 第1号被保険者 in the household, the
    /// person included. 非課税年金 (遺族年金, 障害年金) are not part of it.
    pub household_pension_and_other_income_yen: i64,
    /// 第1号被保険者 in the household, the person included. 0 is read as 1: a 第1号 person is
    /// always one of them.
    pub household_members_65_plus: u32,
}

/// Decides the 負担割合. 第2号被保険者, 市町村民税非課税 and 生活保護 are 1割 whatever the
/// income; otherwise both the person's income and the household total must reach a tier's
/// thresholds (an AND, so a high earner in a low household falls to the tier below).
pub fn decide_copay(input: &CopayInput) -> CopayRate {
    if input.insured_category == InsuredCategory::Second
        || input.municipal_tax_exempt
        || input.welfare_recipient
    {
        return CopayRate::One;
    }
    let multi = input.household_members_65_plus >= 2;
    let own = input.total_income_yen;
    let household = input.household_pension_and_other_income_yen;
    let (three, two) = if multi {
        (
            THREE_TENTHS_HOUSEHOLD_MIN_MULTI,
            TWO_TENTHS_HOUSEHOLD_MIN_MULTI,
        )
    } else {
        (
            THREE_TENTHS_HOUSEHOLD_MIN_SINGLE,
            TWO_TENTHS_HOUSEHOLD_MIN_SINGLE,
        )
    };
    if own >= THREE_TENTHS_OWN_INCOME_MIN && household >= three {
        CopayRate::Three
    } else if own >= TWO_TENTHS_OWN_INCOME_MIN && household >= two {
        CopayRate::Two
    } else {
        CopayRate::One
    }
}

/// The 負担割合証 period (Aug 1 – Jul 31) containing `date`. The 負担限度額認定証 runs over the
/// same period. At the calendar's edges (before 1868-08 or after 9999-07) the period is clipped
/// to the representable dates rather than failing; no certificate lives there.
pub fn copay_period(date: Date) -> (Date, Date) {
    let start_year = if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    };
    let start = Date::new(start_year, 8, 1).unwrap_or_else(|_| first_representable());
    let end = Date::new(start_year + 1, 7, 31).unwrap_or_else(|_| last_representable());
    (start, end)
}

/// The calendar year whose income decides the 負担割合 in force on `date`: the year before
/// the period starts (Aug 2025 – Jul 2026 uses 2024 income).
pub fn copay_income_year(date: Date) -> i32 {
    copay_period(date).0.year() - 1
}

fn first_representable() -> Date {
    Date::new(1868, 1, 1).expect("the first representable date")
}

fn last_representable() -> Date {
    Date::new(9999, 12, 31).expect("the last representable date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(own: i64, household: i64, members: u32) -> CopayInput {
        CopayInput {
            insured_category: InsuredCategory::First,
            municipal_tax_exempt: false,
            welfare_recipient: false,
            total_income_yen: own,
            household_pension_and_other_income_yen: household,
            household_members_65_plus: members,
        }
    }

    #[test]
    fn thresholds_exactly_and_one_yen_below() {
        use CopayRate::*;
        let table = [
            // one 65+ member
            (2_200_000, 3_400_000, 1, Three),
            (2_199_999, 3_400_000, 1, Two),
            (2_200_000, 3_399_999, 1, Two),
            (1_600_000, 2_800_000, 1, Two),
            (1_599_999, 2_800_000, 1, One),
            (1_600_000, 2_799_999, 1, One),
            (1_599_999, 9_999_999, 1, One),
            (9_999_999, 2_799_999, 1, One),
            (0, 0, 0, One),
            (-500_000, 5_000_000, 1, One),
            // two or more
            (2_200_000, 4_630_000, 2, Three),
            (2_200_000, 4_629_999, 2, Two),
            (2_199_999, 4_630_000, 3, Two),
            (1_600_000, 3_460_000, 2, Two),
            (1_600_000, 3_459_999, 2, One),
            (1_599_999, 3_460_000, 2, One),
            // the single thresholds do not apply to a two-member household
            (2_200_000, 3_400_000, 2, One),
            (1_600_000, 2_800_000, 2, One),
        ];
        for (own, household, members, want) in table {
            assert_eq!(
                decide_copay(&first(own, household, members)),
                want,
                "{own} {household} {members}"
            );
        }
    }

    #[test]
    fn always_one_tenth_categories() {
        let rich = first(50_000_000, 50_000_000, 1);
        assert_eq!(decide_copay(&rich), CopayRate::Three);
        let second = CopayInput {
            insured_category: InsuredCategory::Second,
            ..rich
        };
        let exempt = CopayInput {
            municipal_tax_exempt: true,
            ..rich
        };
        let welfare = CopayInput {
            welfare_recipient: true,
            ..rich
        };
        for input in [second, exempt, welfare] {
            assert_eq!(decide_copay(&input), CopayRate::One, "{input:?}");
        }
    }

    #[test]
    fn period_runs_august_to_july() {
        let d = |s: &str| Date::parse_yyyymmdd(s).unwrap();
        let table = [
            ("20250801", "20250801", "20260731"),
            ("20260731", "20250801", "20260731"),
            ("20250731", "20240801", "20250731"),
            ("20251231", "20250801", "20260731"),
            ("20240229", "20230801", "20240731"),
        ];
        for (on, from, to) in table {
            assert_eq!(copay_period(d(on)), (d(from), d(to)), "{on}");
        }
        assert_eq!(copay_income_year(d("20250801")), 2024);
        assert_eq!(copay_income_year(d("20260731")), 2024);
        assert_eq!(copay_income_year(d("20260801")), 2025);
        // Clipped at the calendar's edges instead of panicking.
        assert_eq!(copay_period(d("18680301")), (d("18680101"), d("18680731")));
        assert_eq!(copay_period(d("99991001")), (d("99990801"), d("99991231")));
    }
}
