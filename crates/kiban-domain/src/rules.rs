//! The benefit rules of facts.md §2 as pure, table-tested functions: no IO, no clock. Each
//! takes the date or the facts it needs as arguments, so a caller can replay any past month.
//!
//! - [`benefit_limit`]: 区分支給限度基準額 and the heavier-level-in-month rule.
//! - [`copay`]: the 負担割合 (1割/2割/3割) decision and its Aug–Jul period.
//! - [`cost_limit`]: 負担限度額 段階, daily limits, 基準費用額 and the daily 補足給付.
//! - [`allowance`]: what is left of the 福祉用具購入費 and 住宅改修費 allowances.
//!
//! Decisions that go beyond facts.md are listed in `docs/domain/codes.md`.

pub mod allowance;
pub mod benefit_limit;
pub mod copay;
pub mod cost_limit;

pub use allowance::{
    care_step, item_purchased_in_year, remaining_equipment_allowance,
    remaining_home_modification_allowance, three_step_rise,
};
pub use benefit_limit::{
    heaviest, month_limit_for_certifications, month_limit_units, monthly_limit_units, severity,
};
pub use copay::{copay_income_year, copay_period, decide_copay, CopayInput};
pub use cost_limit::{
    daily_benefit, daily_limits, decide_cost_limit_stage, decide_cost_limit_stage_with,
    short_stay_food_limit, CostLimitInput, RoomType,
};

/// 被保険者の区分 (介護保険法 第9条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InsuredCategory {
    /// 第1号被保険者: aged 65 or over.
    First,
    /// 第2号被保険者: aged 40–64 and in a medical insurance scheme.
    Second,
}
