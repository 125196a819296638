//! What is left of the 特定福祉用具購入費 allowance (¥100,000 per April–March year) and of the
//! 住宅改修費 allowance (¥200,000 per residence, reset once by a move and once by a rise of
//! three or more steps in the 介護の必要の程度).
//!
//! Both limits are on the 費用額 (the price before the copay), not on the 保険給付額, so the
//! entries' `cost_yen` is what counts, capped at the limit.

use crate::codes::CareLevel;
use crate::date::Date;
use crate::records::{EquipmentItem, EquipmentPurchaseUsage, HomeModificationUsage, ResetReason};

/// 福祉用具購入費 支給限度基準額 per 年度.
pub const EQUIPMENT_LIMIT_YEN: u32 = 100_000;
/// 住宅改修費 支給限度基準額 per residence (and per reset).
pub const HOME_MODIFICATION_LIMIT_YEN: u32 = 200_000;

/// The allowance left in the 年度 (April–March) containing `on`. Every purchase dated in that
/// 年度 counts, including ones after `on`: the ledger is already the "as of" view
/// ([`crate::records::ledger_as_of`]), and a later purchase in the year has used the money.
pub fn remaining_equipment_allowance(entries: &[EquipmentPurchaseUsage], on: Date) -> u32 {
    let year = on.fiscal_year();
    let spent: u64 = entries
        .iter()
        .filter(|e| e.purchased_on.fiscal_year() == year)
        .map(|e| u64::from(e.cost_yen))
        .sum();
    let spent = u32::try_from(spent).unwrap_or(u32::MAX);
    EQUIPMENT_LIMIT_YEN.saturating_sub(spent)
}

/// Whether an item of this 種目 was already bought in the 年度 containing `on`: the same 種目
/// is paid once a year unless it broke or the person's needs changed (the municipality decides
/// such exceptions, so this only flags).
pub fn item_purchased_in_year(
    entries: &[EquipmentPurchaseUsage],
    item: EquipmentItem,
    on: Date,
) -> bool {
    entries
        .iter()
        .any(|e| e.item == item && e.purchased_on.fiscal_year() == on.fiscal_year())
}

/// The six steps of 介護の必要の程度 for the 3-step reset, or `None` for levels that cannot
/// receive 住宅改修費 (非該当, and 事業対象者, whose 総合事業 has no 住宅改修).
///
/// 1 要支援1 (経過的要介護 \[unverified\]) | 2 要支援2・要介護1 | 3 要介護2 | 4 要介護3 | 5 要介護4 |
/// 6 要介護5.
pub fn care_step(level: CareLevel) -> Option<u8> {
    match level {
        CareLevel::NotApplicable | CareLevel::ProjectEligible => None,
        CareLevel::Support1 | CareLevel::TransitionalCare => Some(1),
        CareLevel::Support2 | CareLevel::Care1 => Some(2),
        CareLevel::Care2 => Some(3),
        CareLevel::Care3 => Some(4),
        CareLevel::Care4 => Some(5),
        CareLevel::Care5 => Some(6),
    }
}

/// Whether `to` is three or more steps above `from`.
pub fn three_step_rise(from: CareLevel, to: CareLevel) -> bool {
    match (care_step(from), care_step(to)) {
        (Some(a), Some(b)) => b >= a + 3,
        _ => false,
    }
}

/// Where the 住宅改修 count stands after the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeModificationCount {
    /// 費用額 charged to the current count.
    pub spent_yen: u64,
    /// 着工時の要介護状態区分 of the first modification at the current residence: the base of
    /// the 3-step rule.
    pub base_level: Option<CareLevel>,
    /// Whether the 3-step reset was already used at the current residence.
    pub three_step_reset_used: bool,
}

/// Replays the ledger in 着工 order (ties keep the ledger's 履歴番号 order).
///
/// A count restarts only where the municipality recorded a reset on an entry: a move by
/// [`ResetReason::Moved`] (addresses are free text and differ in notation, so comparing them
/// would invent moves), a rise by [`ResetReason::ThreeStepRise`]. A move also makes the 3-step
/// reset available again and takes the new residence's first modification as the new base.
pub fn home_modification_count(entries: &[HomeModificationUsage]) -> HomeModificationCount {
    let mut ordered: Vec<&HomeModificationUsage> = entries.iter().collect();
    ordered.sort_by_key(|e| e.started_on);
    let mut count = HomeModificationCount {
        spent_yen: 0,
        base_level: None,
        three_step_reset_used: false,
    };
    for entry in ordered {
        match entry.reset {
            Some(ResetReason::Moved) => {
                count = HomeModificationCount {
                    spent_yen: 0,
                    base_level: Some(entry.level_at_start),
                    three_step_reset_used: false,
                };
            }
            Some(ResetReason::ThreeStepRise) => {
                count.spent_yen = 0;
                count.three_step_reset_used = true;
            }
            None => {}
        }
        count.base_level.get_or_insert(entry.level_at_start);
        count.spent_yen += u64::from(entry.cost_yen);
    }
    count
}

/// The 住宅改修費 allowance left for the next modification, given the level now in force.
/// If `current_level` is three or more steps above the base and the 3-step reset is unused at
/// this residence, the next modification starts a fresh ¥200,000. Entitlement itself (a 要支援
/// or 要介護 certification in force) is the caller's check.
pub fn remaining_home_modification_allowance(
    entries: &[HomeModificationUsage],
    current_level: CareLevel,
) -> u32 {
    let count = home_modification_count(entries);
    let rises = count
        .base_level
        .is_some_and(|base| three_step_rise(base, current_level));
    if rises && !count.three_step_reset_used {
        return HOME_MODIFICATION_LIMIT_YEN;
    }
    let spent = u32::try_from(count.spent_yen).unwrap_or(u32::MAX);
    HOME_MODIFICATION_LIMIT_YEN.saturating_sub(spent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CareLevel::*;

    fn d(s: &str) -> Date {
        Date::parse_yyyymmdd(s).unwrap()
    }

    fn buy(on: &str, item: EquipmentItem, cost_yen: u32) -> EquipmentPurchaseUsage {
        EquipmentPurchaseUsage {
            purchased_on: d(on),
            item,
            product: String::new(),
            cost_yen,
            paid_yen: cost_yen / 10 * 9,
        }
    }

    fn modify(
        on: &str,
        level: CareLevel,
        cost_yen: u32,
        reset: Option<ResetReason>,
    ) -> HomeModificationUsage {
        HomeModificationUsage {
            started_on: d(on),
            address: "東京都千代田区1-1".to_string(),
            level_at_start: level,
            cost_yen,
            paid_yen: cost_yen / 10 * 9,
            reset,
        }
    }

    #[test]
    fn equipment_allowance_is_per_april_to_march_year() {
        use EquipmentItem::*;
        let ledger = [
            buy("20250331", ToiletSeat, 40_000),
            buy("20250401", BathAid, 30_000),
            buy("20260115", PortableBath, 50_000),
            buy("20260401", Cane, 8_000),
        ];
        let table = [
            ("20250301", 60_000),
            ("20250401", 20_000),
            ("20260331", 20_000),
            ("20260401", 92_000),
            ("20270401", 100_000),
        ];
        for (on, want) in table {
            assert_eq!(remaining_equipment_allowance(&ledger, d(on)), want, "{on}");
        }
        let over = [
            buy("20250501", LiftSling, 90_000),
            buy("20250601", ToiletSeat, 30_000),
        ];
        assert_eq!(remaining_equipment_allowance(&over, d("20250701")), 0);
        assert_eq!(remaining_equipment_allowance(&[], d("20250701")), 100_000);
        assert!(item_purchased_in_year(&ledger, BathAid, d("20260331")));
        assert!(!item_purchased_in_year(&ledger, ToiletSeat, d("20250401")));
    }

    #[test]
    fn care_steps_and_three_step_rises() {
        let table = [
            (Support1, Care3, true),
            (Support2, Care3, false),
            (Care1, Care4, true),
            (Support1, Care2, false),
            (Care2, Care5, true),
            (Care3, Care5, false),
            (TransitionalCare, Care3, true),
            (ProjectEligible, Care5, false),
            (Care1, NotApplicable, false),
            (Care4, Support1, false),
        ];
        for (from, to, want) in table {
            assert_eq!(three_step_rise(from, to), want, "{from} → {to}");
        }
        assert_eq!(care_step(Support2), care_step(Care1));
        assert_eq!(
            CareLevel::ALL.iter().filter_map(|&l| care_step(l)).max(),
            Some(6)
        );
    }

    #[test]
    fn home_modification_allowance() {
        use ResetReason::*;
        let first = [modify("20240501", Support1, 150_000, None)];
        let table: Vec<(&str, Vec<HomeModificationUsage>, CareLevel, u32)> = vec![
            ("nothing used", vec![], Care1, 200_000),
            ("partly used", first.to_vec(), Support1, 50_000),
            (
                "over the limit",
                vec![modify("20240501", Care1, 250_000, None)],
                Care1,
                0,
            ),
            ("要支援1→要介護3 resets", first.to_vec(), Care3, 200_000),
            (
                "要支援2→要介護3 does not",
                vec![modify("20240501", Support2, 150_000, None)],
                Care3,
                50_000,
            ),
            (
                "要介護1→要介護4 resets",
                vec![modify("20240501", Care1, 180_000, None)],
                Care4,
                200_000,
            ),
            (
                "the base is the first modification, not the latest",
                vec![
                    modify("20240501", Support2, 100_000, None),
                    modify("20250101", Support1, 50_000, None),
                ],
                Care3,
                50_000,
            ),
            (
                "recorded 3-step reset starts a new count",
                vec![
                    modify("20240501", Support1, 200_000, None),
                    modify("20250501", Care3, 60_000, Some(ThreeStepRise)),
                ],
                Care3,
                140_000,
            ),
            (
                "a second 3-step rise does not reset again",
                vec![
                    modify("20240501", Support1, 100_000, None),
                    modify("20250501", Care3, 150_000, Some(ThreeStepRise)),
                    modify("20260501", Support1, 10_000, None),
                ],
                Care4,
                40_000,
            ),
            (
                "moving resets the count",
                vec![
                    modify("20240501", Care1, 200_000, None),
                    modify("20250501", Care1, 30_000, Some(Moved)),
                ],
                Care1,
                170_000,
            ),
            (
                "moving makes the 3-step reset available again, from the new base",
                vec![
                    modify("20240501", Support1, 100_000, None),
                    modify("20250501", Care3, 200_000, Some(ThreeStepRise)),
                    modify("20260501", Support2, 120_000, Some(Moved)),
                ],
                Care4,
                200_000,
            ),
            (
                "an address change without the flag is not a move",
                vec![
                    modify("20240501", Care1, 150_000, None),
                    HomeModificationUsage {
                        address: "大阪府大阪市北区1-1".to_string(),
                        ..modify("20250501", Care1, 30_000, None)
                    },
                ],
                Care1,
                20_000,
            ),
        ];
        for (case, entries, level, want) in table {
            assert_eq!(
                remaining_home_modification_allowance(&entries, level),
                want,
                "{case}"
            );
        }
    }

    #[test]
    fn ledger_order_does_not_matter() {
        let entries = [
            modify("20260501", Care1, 30_000, Some(ResetReason::Moved)),
            modify("20240501", Care1, 200_000, None),
        ];
        let count = home_modification_count(&entries);
        assert_eq!(count.spent_yen, 30_000);
        assert_eq!(count.base_level, Some(Care1));
        assert!(!count.three_step_reset_used);
    }
}
