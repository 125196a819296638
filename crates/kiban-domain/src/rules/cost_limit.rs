//! 負担限度額 (特定入所者介護サービス費, 補足給付): the 段階 decision, the daily limits of the
//! 2024-08 table, the 基準費用額 and the daily benefit. Figures are facts.md §2's.

use super::InsuredCategory;
use crate::codes::CostLimitStage;
use crate::records::DailyLimits;

/// The income boundaries between 段階, on 年金収入 + その他の合計所得金額 (非課税年金 included).
/// "≤ max" is inside the stage: ¥800,000 exactly is 第2段階.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageBoundaries {
    pub stage2_income_max_yen: i64,
    pub stage3a_income_max_yen: i64,
}

/// The boundaries facts.md gives (valid from 2024-08). The 第2段階 boundary tracks the full
/// 老齢基礎年金 and is reported to have moved since (see docs/domain/codes.md, \[unverified\]);
/// pass other boundaries to [`decide_cost_limit_stage_with`] once confirmed.
pub const BOUNDARIES_2024_08: StageBoundaries = StageBoundaries {
    stage2_income_max_yen: 800_000,
    stage3a_income_max_yen: 1_200_000,
};

/// The facts the 段階 is decided from (previous year's income, savings at application).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostLimitInput {
    pub insured_category: InsuredCategory,
    /// 生活保護 recipient: 第1段階 with no income or savings test.
    pub welfare_recipient: bool,
    /// 老齢福祉年金 recipient.
    pub old_age_welfare_pension: bool,
    /// The person, every member of the household and a spouse in another household are all
    /// 市町村民税非課税.
    pub household_tax_exempt: bool,
    /// The person's 年金収入 + その他の合計所得金額, 非課税年金 included.
    pub pension_and_other_income_yen: i64,
    /// 預貯金等; for a person with a spouse, the couple's combined amount.
    pub savings_yen: u64,
    /// Has a spouse (the couple savings limits apply).
    pub has_spouse: bool,
}

/// [`decide_cost_limit_stage_with`] under [`BOUNDARIES_2024_08`].
pub fn decide_cost_limit_stage(input: &CostLimitInput) -> Option<CostLimitStage> {
    decide_cost_limit_stage_with(input, &BOUNDARIES_2024_08)
}

/// The 段階, or `None` when the person is not eligible (a taxed household, or savings over the
/// stage's limit). The stage comes from income first, then its savings limit is checked: the
/// limits are per stage, so savings never move a person to another stage.
pub fn decide_cost_limit_stage_with(
    input: &CostLimitInput,
    boundaries: &StageBoundaries,
) -> Option<CostLimitStage> {
    if input.welfare_recipient {
        return Some(CostLimitStage::Stage1);
    }
    if !input.household_tax_exempt {
        return None;
    }
    let income = input.pension_and_other_income_yen;
    let stage = if input.old_age_welfare_pension {
        CostLimitStage::Stage1
    } else if income <= boundaries.stage2_income_max_yen {
        CostLimitStage::Stage2
    } else if income <= boundaries.stage3a_income_max_yen {
        CostLimitStage::Stage3a
    } else {
        CostLimitStage::Stage3b
    };
    let limit = savings_limit_yen(stage, input.insured_category, input.has_spouse);
    (input.savings_yen <= limit).then_some(stage)
}

/// The 預貯金等 limit ("以下" qualifies). 第2号被保険者 have ¥10M (couple ¥20M) at every stage.
pub fn savings_limit_yen(
    stage: CostLimitStage,
    category: InsuredCategory,
    has_spouse: bool,
) -> u64 {
    let single = match (category, stage) {
        (InsuredCategory::Second, _) | (_, CostLimitStage::Stage1) => 10_000_000,
        (_, CostLimitStage::Stage2) => 6_500_000,
        (_, CostLimitStage::Stage3a) => 5_500_000,
        (_, CostLimitStage::Stage3b) => 5_000_000,
    };
    // The couple allowance is always the single one plus ¥10M.
    if has_spouse {
        single + 10_000_000
    } else {
        single
    }
}

/// The daily 負担限度額 from 2024-08-01 (居住費 +¥60 then, except 多床室 at 第1段階).
pub fn daily_limits(stage: CostLimitStage) -> DailyLimits {
    let (
        unit_private,
        unit_shared,
        conventional_private,
        conventional_private_welfare,
        multi_bed,
        food,
    ) = match stage {
        CostLimitStage::Stage1 => (880, 550, 550, 380, 0, 300),
        CostLimitStage::Stage2 => (880, 550, 550, 480, 430, 390),
        CostLimitStage::Stage3a => (1_370, 1_370, 1_370, 880, 430, 650),
        CostLimitStage::Stage3b => (1_370, 1_370, 1_370, 880, 430, 1_360),
    };
    DailyLimits {
        food,
        unit_private,
        unit_shared,
        conventional_private,
        conventional_private_welfare,
        multi_bed,
    }
}

/// The 食費 limit for 短期入所 (short stay), which differs from the facility one from 第2段階 up.
pub fn short_stay_food_limit(stage: CostLimitStage) -> u32 {
    match stage {
        CostLimitStage::Stage1 => 300,
        CostLimitStage::Stage2 => 600,
        CostLimitStage::Stage3a => 1_000,
        CostLimitStage::Stage3b => 1_300,
    }
}

/// 居住費 room types. 短期入所生活介護 uses the 特養 (welfare) rows; 短期入所療養介護 the 老健 rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoomType {
    /// ユニット型個室
    UnitPrivate,
    /// ユニット型個室的多床室
    UnitShared,
    /// 従来型個室 (老健・介護医療院等)
    ConventionalPrivate,
    /// 従来型個室 (特養・短期入所生活介護)
    ConventionalPrivateWelfare,
    /// 多床室 (老健・介護医療院等)
    MultiBed,
    /// 多床室 (特養・短期入所生活介護)
    MultiBedWelfare,
}

/// 食費 基準費用額 per day. Whether it changed after 2025-08 is \[unverified\].
pub const BASE_FOOD_COST_YEN: u32 = 1_445;

/// 居住費 基準費用額 per day (Shinagawa's page updated 2025-08-01).
pub fn base_residence_cost(room: RoomType) -> u32 {
    match room {
        RoomType::UnitPrivate => 2_066,
        RoomType::UnitShared | RoomType::ConventionalPrivate => 1_728,
        RoomType::ConventionalPrivateWelfare => 1_231,
        RoomType::MultiBed => 437,
        RoomType::MultiBedWelfare => 915,
    }
}

/// The 居住費 limit for a room type; both 多床室 rows share the card's one 多床室 amount.
pub fn residence_limit(limits: &DailyLimits, room: RoomType) -> u32 {
    match room {
        RoomType::UnitPrivate => limits.unit_private,
        RoomType::UnitShared => limits.unit_shared,
        RoomType::ConventionalPrivate => limits.conventional_private,
        RoomType::ConventionalPrivateWelfare => limits.conventional_private_welfare,
        RoomType::MultiBed | RoomType::MultiBedWelfare => limits.multi_bed,
    }
}

/// The daily 特定入所者介護サービス費: 基準費用額 (or the facility's price, if lower) minus the
/// 負担限度額, never below zero (a facility charging under the limit gets no benefit).
pub fn daily_benefit(facility_price_yen: u32, base_cost_yen: u32, limit_yen: u32) -> u32 {
    facility_price_yen
        .min(base_cost_yen)
        .saturating_sub(limit_yen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CostLimitStage::*;

    fn exempt(income: i64, savings: u64) -> CostLimitInput {
        CostLimitInput {
            insured_category: InsuredCategory::First,
            welfare_recipient: false,
            old_age_welfare_pension: false,
            household_tax_exempt: true,
            pension_and_other_income_yen: income,
            savings_yen: savings,
            has_spouse: false,
        }
    }

    #[test]
    fn income_boundaries() {
        let table = [
            (0, Stage2),
            (800_000, Stage2),
            (800_001, Stage3a),
            (1_200_000, Stage3a),
            (1_200_001, Stage3b),
            (5_000_000, Stage3b),
        ];
        for (income, want) in table {
            assert_eq!(
                decide_cost_limit_stage(&exempt(income, 0)),
                Some(want),
                "{income}"
            );
        }
        let later = StageBoundaries {
            stage2_income_max_yen: 809_000,
            ..BOUNDARIES_2024_08
        };
        assert_eq!(
            decide_cost_limit_stage_with(&exempt(809_000, 0), &later),
            Some(Stage2)
        );
    }

    #[test]
    fn savings_limits_per_stage_single_and_couple() {
        let table = [
            (700_000, 6_500_000, false, Some(Stage2)),
            (700_000, 6_500_001, false, None),
            (700_000, 16_500_000, true, Some(Stage2)),
            (700_000, 16_500_001, true, None),
            (1_000_000, 5_500_000, false, Some(Stage3a)),
            (1_000_000, 5_500_001, false, None),
            (1_000_000, 15_500_000, true, Some(Stage3a)),
            (1_500_000, 5_000_000, false, Some(Stage3b)),
            (1_500_000, 5_000_001, false, None),
            (1_500_000, 15_000_000, true, Some(Stage3b)),
            (1_500_000, 15_000_001, true, None),
        ];
        for (income, savings, has_spouse, want) in table {
            let input = CostLimitInput {
                has_spouse,
                ..exempt(income, savings)
            };
            assert_eq!(
                decide_cost_limit_stage(&input),
                want,
                "{income} {savings} {has_spouse}"
            );
        }
    }

    #[test]
    fn second_insured_have_ten_million_at_every_stage() {
        let second = |income, savings| CostLimitInput {
            insured_category: InsuredCategory::Second,
            ..exempt(income, savings)
        };
        assert_eq!(
            decide_cost_limit_stage(&second(1_500_000, 10_000_000)),
            Some(Stage3b)
        );
        assert_eq!(
            decide_cost_limit_stage(&second(1_500_000, 10_000_001)),
            None
        );
        let couple = CostLimitInput {
            has_spouse: true,
            ..second(700_000, 20_000_000)
        };
        assert_eq!(decide_cost_limit_stage(&couple), Some(Stage2));
    }

    #[test]
    fn first_stage_and_ineligible() {
        let pension = CostLimitInput {
            old_age_welfare_pension: true,
            ..exempt(2_000_000, 10_000_000)
        };
        assert_eq!(decide_cost_limit_stage(&pension), Some(Stage1));
        let rich = CostLimitInput {
            savings_yen: 10_000_001,
            ..pension
        };
        assert_eq!(decide_cost_limit_stage(&rich), None);
        let taxed = CostLimitInput {
            household_tax_exempt: false,
            ..pension
        };
        assert_eq!(decide_cost_limit_stage(&taxed), None);
        let welfare = CostLimitInput {
            welfare_recipient: true,
            savings_yen: 99_000_000,
            ..taxed
        };
        assert_eq!(decide_cost_limit_stage(&welfare), Some(Stage1));
        assert_eq!(
            decide_cost_limit_stage(&CostLimitInput {
                household_tax_exempt: false,
                ..exempt(0, 0)
            }),
            None
        );
    }

    #[test]
    fn daily_limit_table_of_2024_08() {
        let table = [
            (Stage1, [880, 550, 550, 380, 0, 300], 300),
            (Stage2, [880, 550, 550, 480, 430, 390], 600),
            (Stage3a, [1_370, 1_370, 1_370, 880, 430, 650], 1_000),
            (Stage3b, [1_370, 1_370, 1_370, 880, 430, 1_360], 1_300),
        ];
        for (stage, [up, us, cp, cpw, mb, food], short_food) in table {
            let l = daily_limits(stage);
            assert_eq!(
                [
                    l.unit_private,
                    l.unit_shared,
                    l.conventional_private,
                    l.conventional_private_welfare,
                    l.multi_bed,
                    l.food
                ],
                [up, us, cp, cpw, mb, food],
                "{stage:?}"
            );
            assert_eq!(short_stay_food_limit(stage), short_food, "{stage:?}");
            assert_eq!(residence_limit(&l, RoomType::MultiBedWelfare), mb);
        }
    }

    #[test]
    fn benefit_is_base_or_price_minus_limit() {
        let s2 = daily_limits(Stage2);
        let unit = base_residence_cost(RoomType::UnitPrivate);
        let table = [
            (
                2_066,
                unit,
                residence_limit(&s2, RoomType::UnitPrivate),
                1_186,
            ),
            (3_000, unit, 880, 1_186),
            (1_500, unit, 880, 620),
            (800, unit, 880, 0),
            (
                915,
                base_residence_cost(RoomType::MultiBedWelfare),
                daily_limits(Stage1).multi_bed,
                915,
            ),
            (1_445, BASE_FOOD_COST_YEN, s2.food, 1_055),
            (
                1_445,
                BASE_FOOD_COST_YEN,
                short_stay_food_limit(Stage3b),
                145,
            ),
        ];
        for (price, base, limit, want) in table {
            assert_eq!(
                daily_benefit(price, base, limit),
                want,
                "{price} {base} {limit}"
            );
        }
        assert_eq!(base_residence_cost(RoomType::MultiBed), 437);
        assert_eq!(
            base_residence_cost(RoomType::ConventionalPrivateWelfare),
            1_231
        );
    }
}
