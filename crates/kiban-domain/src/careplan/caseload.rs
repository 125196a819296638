//! Care-manager caseload of a 居宅介護支援事業所 (2024 revision, facts.md §9): the 人員基準
//! (one 介護支援専門員 per 44 users, 49 with ケアプランデータ連携 and clerical staff) and the
//! 報酬逓減 band the caseload reaches.
//!
//! 介護予防支援 users (要支援) count as ⅓. All comparisons are exact: the caseload is kept in
//! thirds of a user and staffing in hundredths of a 常勤換算, so "44.00 per care manager" never
//! depends on floating-point rounding.

use serde::{Deserialize, Serialize};

/// Staffing of the office in the month being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staffing {
    /// 介護支援専門員 in 常勤換算, ×100 (2.5 persons = 250).
    pub care_managers_centi: u32,
    /// ケアプランデータ連携システム is used.
    pub data_exchange: bool,
    /// 事務職員 are employed (or contracted).
    pub clerical_staff: bool,
}

/// 居宅介護支援費 (I) or (II). (II) requires both the data exchange and clerical staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeeTable {
    I,
    II,
}

impl FeeTable {
    pub fn label(self) -> &'static str {
        match self {
            Self::I => "(I)",
            Self::II => "(II)",
        }
    }
}

/// 報酬逓減 band: i, ii or iii. The band an office *reaches*; under 逓減 the users below the
/// first threshold are still paid at i, only the part above it at ii/iii.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FeeBand {
    #[serde(rename = "i")]
    I,
    #[serde(rename = "ii")]
    Ii,
    #[serde(rename = "iii")]
    Iii,
}

impl FeeBand {
    pub fn label(self) -> &'static str {
        match self {
            Self::I => "(i)",
            Self::Ii => "(ii)",
            Self::Iii => "(iii)",
        }
    }
}

/// The caseload and what it means for staffing and fees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caseload {
    /// 要介護 users (居宅介護支援).
    pub care_persons: u32,
    /// 要支援 users (介護予防支援 accepted from the 地域包括支援センター or directly).
    pub support_persons: u32,
    /// care × 3 + support: the caseload in thirds of a user.
    pub weighted_thirds: u64,
    /// Users per care manager, two decimals, rounded down (display only).
    pub per_care_manager: String,
    /// Users allowed per care manager: 44, or 49 under table (II).
    pub limit: u32,
    /// The 人員基準 is not met.
    pub over_limit: bool,
    pub fee_table: FeeTable,
    pub band: FeeBand,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseloadError {
    #[error("介護支援専門員の常勤換算数が0です / there are no care managers (常勤換算 0)")]
    NoCareManagers,
}

const LIMIT_I: u32 = 44;
const LIMIT_II: u32 = 49;
/// (upper bound of i, upper bound of ii) in users per care manager, exclusive.
const BANDS_I: (u32, u32) = (45, 60);
const BANDS_II: (u32, u32) = (50, 60);

/// Computes the caseload of an office.
pub fn caseload(
    care_persons: u32,
    support_persons: u32,
    staffing: &Staffing,
) -> Result<Caseload, CaseloadError> {
    let centi = u64::from(staffing.care_managers_centi);
    if centi == 0 {
        return Err(CaseloadError::NoCareManagers);
    }
    let fee_table = if staffing.data_exchange && staffing.clerical_staff {
        FeeTable::II
    } else {
        FeeTable::I
    };
    let (limit, (band_i, band_ii)) = match fee_table {
        FeeTable::I => (LIMIT_I, BANDS_I),
        FeeTable::II => (LIMIT_II, BANDS_II),
    };
    let weighted_thirds = u64::from(care_persons) * 3 + u64::from(support_persons);
    // per-CM = thirds / 3 / (centi / 100), so per-CM > x ⇔ thirds × 100 > x × 3 × centi.
    let scaled = weighted_thirds * 100;
    let threshold = |per_cm: u32| u64::from(per_cm) * 3 * centi;
    let band = if scaled < threshold(band_i) {
        FeeBand::I
    } else if scaled < threshold(band_ii) {
        FeeBand::Ii
    } else {
        FeeBand::Iii
    };
    // Hundredths of a user per care manager, rounded down.
    let hundredths = scaled * 100 / (3 * centi);
    Ok(Caseload {
        care_persons,
        support_persons,
        weighted_thirds,
        per_care_manager: format!("{}.{:02}", hundredths / 100, hundredths % 100),
        limit,
        over_limit: scaled > threshold(limit),
        fee_table,
        band,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_i(centi: u32) -> Staffing {
        Staffing {
            care_managers_centi: centi,
            data_exchange: false,
            clerical_staff: false,
        }
    }

    fn table_ii(centi: u32) -> Staffing {
        Staffing {
            care_managers_centi: centi,
            data_exchange: true,
            clerical_staff: true,
        }
    }

    #[test]
    fn forty_four_is_the_limit_of_table_one() {
        let c = caseload(44, 0, &table_i(100)).unwrap();
        assert!(!c.over_limit);
        assert_eq!(
            (c.limit, c.fee_table, c.band),
            (44, FeeTable::I, FeeBand::I)
        );
        assert_eq!(c.per_care_manager, "44.00");
        let c = caseload(45, 0, &table_i(100)).unwrap();
        assert!(c.over_limit);
        assert_eq!(c.band, FeeBand::Ii);
    }

    #[test]
    fn forty_nine_with_data_exchange_and_clerical_staff() {
        let c = caseload(49, 0, &table_ii(100)).unwrap();
        assert_eq!((c.limit, c.fee_table), (49, FeeTable::II));
        assert!(!c.over_limit);
        assert_eq!(c.band, FeeBand::I);
        let c = caseload(50, 0, &table_ii(100)).unwrap();
        assert!(c.over_limit);
        assert_eq!(c.band, FeeBand::Ii);
    }

    #[test]
    fn one_condition_alone_keeps_table_one() {
        for (data_exchange, clerical_staff) in [(true, false), (false, true)] {
            let s = Staffing {
                care_managers_centi: 100,
                data_exchange,
                clerical_staff,
            };
            let c = caseload(45, 0, &s).unwrap();
            assert_eq!(
                (c.fee_table, c.limit, c.over_limit),
                (FeeTable::I, 44, true)
            );
        }
    }

    #[test]
    fn support_users_count_as_a_third() {
        // 42 + 6/3 = 44.
        let c = caseload(42, 6, &table_i(100)).unwrap();
        assert_eq!(c.weighted_thirds, 132);
        assert!(!c.over_limit);
        assert_eq!(c.per_care_manager, "44.00");
        // 42 + 9/3 = 45.
        let c = caseload(42, 9, &table_i(100)).unwrap();
        assert!(c.over_limit);
        // 42 + 7/3 = 44.33…, shown rounded down.
        let c = caseload(42, 7, &table_i(100)).unwrap();
        assert!(c.over_limit);
        assert_eq!(c.per_care_manager, "44.33");
    }

    #[test]
    fn fractional_staffing_is_exact() {
        // 2.5 care managers × 44 = 110 users exactly.
        let limit = |n| caseload(n, 0, &table_i(250)).unwrap();
        assert!(!limit(110).over_limit);
        assert_eq!(limit(110).per_care_manager, "44.00");
        assert!(limit(111).over_limit);
        assert_eq!(limit(111).per_care_manager, "44.40");
        assert!(limit(112).over_limit);
        assert_eq!(limit(112).band, FeeBand::I); // 44.8 < 45
        assert!(limit(113).over_limit);
        assert_eq!(limit(113).band, FeeBand::Ii); // 45.2
    }

    #[test]
    fn sixty_reaches_band_three() {
        assert_eq!(caseload(59, 0, &table_i(100)).unwrap().band, FeeBand::Ii);
        assert_eq!(caseload(60, 0, &table_i(100)).unwrap().band, FeeBand::Iii);
        assert_eq!(caseload(60, 0, &table_ii(100)).unwrap().band, FeeBand::Iii);
        assert_eq!(FeeBand::Iii.label(), "(iii)");
    }

    #[test]
    fn no_care_managers_is_an_error() {
        assert_eq!(
            caseload(1, 0, &table_i(0)),
            Err(CaseloadError::NoCareManagers)
        );
    }
}
