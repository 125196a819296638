//! 区分支給限度基準額 (units per month, unchanged since 2019-10) and the rule that the heaviest
//! level in force at any time in a month sets the limit for the whole month, without pro-rating.

use crate::codes::CareLevel;
use crate::date::Date;
use crate::records::CertificationOnCard;

/// The national 区分支給限度基準額 in units per month, or `None` when the level carries no
/// limit (非該当).
///
/// 事業対象者 gets 要支援1's 5,032 units: the 総合事業 guideline tells municipalities to use it as
/// the 目安 for 給付管理, and a municipality that sets more prints it on the card, which
/// [`month_limit_for_certifications`] prefers. 経過的要介護 (6,150) is a legacy value kept for
/// records from 2006–2009 and is \[unverified\].
pub fn monthly_limit_units(level: CareLevel) -> Option<u32> {
    match level {
        CareLevel::NotApplicable => None,
        CareLevel::ProjectEligible | CareLevel::Support1 => Some(5_032),
        CareLevel::TransitionalCare => Some(6_150),
        CareLevel::Support2 => Some(10_531),
        CareLevel::Care1 => Some(16_765),
        CareLevel::Care2 => Some(19_705),
        CareLevel::Care3 => Some(27_048),
        CareLevel::Care4 => Some(30_938),
        CareLevel::Care5 => Some(36_217),
    }
}

/// How heavy a level is, for "the heavier level wins". `CareLevel`'s derived `Ord` follows the
/// code order, which puts 経過的要介護 (11) below 要支援1 (12); its limit says otherwise.
pub fn severity(level: CareLevel) -> u8 {
    match level {
        CareLevel::NotApplicable => 0,
        CareLevel::ProjectEligible => 1,
        CareLevel::Support1 => 2,
        CareLevel::TransitionalCare => 3,
        CareLevel::Support2 => 4,
        CareLevel::Care1 => 5,
        CareLevel::Care2 => 6,
        CareLevel::Care3 => 7,
        CareLevel::Care4 => 8,
        CareLevel::Care5 => 9,
    }
}

/// The heaviest of the levels, or `None` for an empty slice.
pub fn heaviest(levels: &[CareLevel]) -> Option<CareLevel> {
    levels.iter().copied().max_by_key(|&l| severity(l))
}

/// The month's limit given every level in force at any time during the month: the heaviest
/// level's limit applies to the whole month. `None` if no level carries a limit.
pub fn month_limit_units(levels_in_month: &[CareLevel]) -> Option<u32> {
    heaviest(levels_in_month).and_then(monthly_limit_units)
}

/// The month's limit from the certifications on the card versions, for the month containing
/// `any_day_in_month`. A certification counts if its 有効期間 overlaps the month. The amount
/// printed on the card wins over the national one, because a municipality may raise it by
/// 条例 (上乗せ); the highest amount is the heaviest level's, since limits rise with the level.
pub fn month_limit_for_certifications<'a>(
    certifications: impl IntoIterator<Item = &'a CertificationOnCard>,
    any_day_in_month: Date,
) -> Option<u32> {
    let (first, last) = (
        any_day_in_month.first_of_month(),
        any_day_in_month.last_of_month(),
    );
    certifications
        .into_iter()
        .filter(|c| c.valid_from <= last && c.valid_to >= first)
        .filter_map(|c| {
            c.monthly_limit_units
                .or_else(|| monthly_limit_units(c.level))
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CareLevel::*;

    #[test]
    fn national_limits_by_level() {
        let table = [
            (NotApplicable, None),
            (ProjectEligible, Some(5_032)),
            (TransitionalCare, Some(6_150)),
            (Support1, Some(5_032)),
            (Support2, Some(10_531)),
            (Care1, Some(16_765)),
            (Care2, Some(19_705)),
            (Care3, Some(27_048)),
            (Care4, Some(30_938)),
            (Care5, Some(36_217)),
        ];
        for (level, want) in table {
            assert_eq!(monthly_limit_units(level), want, "{level}");
        }
    }

    #[test]
    fn severity_follows_the_limits() {
        let mut levels = CareLevel::ALL;
        levels.sort_by_key(|&l| severity(l));
        let limits: Vec<u32> = levels
            .iter()
            .map(|&l| monthly_limit_units(l).unwrap_or(0))
            .collect();
        assert!(limits.windows(2).all(|w| w[0] <= w[1]), "{limits:?}");
    }

    #[test]
    fn heavier_level_in_the_month_applies_to_the_whole_month() {
        let table: [(&[CareLevel], Option<u32>); 6] = [
            (&[], None),
            (&[NotApplicable], None),
            (&[Care1], Some(16_765)),
            (&[Care2, Care1], Some(19_705)),
            (&[Support2, Care1], Some(16_765)),
            (&[Support1, TransitionalCare], Some(6_150)),
        ];
        for (levels, want) in table {
            assert_eq!(month_limit_units(levels), want, "{levels:?}");
        }
        assert_eq!(
            heaviest(&[Care3, NotApplicable, Care5, Support2]),
            Some(Care5)
        );
    }

    fn cert(level: CareLevel, from: &str, to: &str, printed: Option<u32>) -> CertificationOnCard {
        let d = |s: &str| Date::parse_yyyymmdd(s).unwrap();
        CertificationOnCard {
            level,
            certified_on: d(from),
            valid_from: d(from),
            valid_to: d(to),
            monthly_limit_units: printed,
            kind_limits: Vec::new(),
            committee_opinion: String::new(),
            designated_services: Vec::new(),
        }
    }

    #[test]
    fn certifications_overlapping_the_month_set_its_limit() {
        let old = cert(Care1, "20240401", "20250614", None);
        let new = cert(Care3, "20250615", "20260630", None);
        let day = |s: &str| Date::parse_yyyymmdd(s).unwrap();
        let both = [old.clone(), new.clone()];
        // 区分変更 on 15 June: June takes 要介護3 for the whole month; May and July one each.
        assert_eq!(
            month_limit_for_certifications(&both, day("20250601")),
            Some(27_048)
        );
        assert_eq!(
            month_limit_for_certifications(&both, day("20250531")),
            Some(16_765)
        );
        assert_eq!(
            month_limit_for_certifications(&both, day("20250701")),
            Some(27_048)
        );
        assert_eq!(month_limit_for_certifications(&both, day("20270101")), None);
        // A lighter level later in the month still leaves the heavier one in force.
        let down = [
            cert(Care3, "20250101", "20250610", None),
            cert(Care1, "20250611", "20251231", None),
        ];
        assert_eq!(
            month_limit_for_certifications(&down, day("20250620")),
            Some(27_048)
        );
        // 上乗せ printed on the card wins.
        let raised = [cert(Care1, "20250101", "20251231", Some(18_000))];
        assert_eq!(
            month_limit_for_certifications(&raised, day("20250301")),
            Some(18_000)
        );
    }
}
