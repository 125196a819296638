//! Code tables of the 国保連 interface as printed on cards and carried in files.

pub mod service_kind;

pub use service_kind::ServiceKind;

use std::fmt;

/// An unknown value for a code table, naming the table in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table}に存在しないコードです: {got:?} / unknown {english} code {got:?}")]
pub struct CodeError {
    pub table: &'static str,
    pub english: &'static str,
    pub got: String,
}

fn unknown(table: &'static str, english: &'static str, got: &str) -> CodeError {
    CodeError {
        table,
        english,
        got: got.to_string(),
    }
}

/// 要介護状態区分コード (facts.md §2). 01 and 11 are kept for legacy records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CareLevel {
    /// 01 非該当
    NotApplicable,
    /// 06 事業対象者 (総合事業の対象者, by 基本チェックリスト)
    ProjectEligible,
    /// 11 経過的要介護 (legacy)
    TransitionalCare,
    /// 12 要支援1
    Support1,
    /// 13 要支援2
    Support2,
    /// 21–25 要介護1–5
    Care1,
    Care2,
    Care3,
    Care4,
    Care5,
}

impl CareLevel {
    pub const ALL: [CareLevel; 10] = [
        Self::NotApplicable,
        Self::ProjectEligible,
        Self::TransitionalCare,
        Self::Support1,
        Self::Support2,
        Self::Care1,
        Self::Care2,
        Self::Care3,
        Self::Care4,
        Self::Care5,
    ];

    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        Self::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .ok_or_else(|| unknown("要介護状態区分", "care level", code))
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::NotApplicable => "01",
            Self::ProjectEligible => "06",
            Self::TransitionalCare => "11",
            Self::Support1 => "12",
            Self::Support2 => "13",
            Self::Care1 => "21",
            Self::Care2 => "22",
            Self::Care3 => "23",
            Self::Care4 => "24",
            Self::Care5 => "25",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotApplicable => "非該当",
            Self::ProjectEligible => "事業対象者",
            Self::TransitionalCare => "経過的要介護",
            Self::Support1 => "要支援1",
            Self::Support2 => "要支援2",
            Self::Care1 => "要介護1",
            Self::Care2 => "要介護2",
            Self::Care3 => "要介護3",
            Self::Care4 => "要介護4",
            Self::Care5 => "要介護5",
        }
    }

    /// Whether the level is a certification of need (要支援 or 要介護), i.e. a 認定者.
    pub fn is_certified(self) -> bool {
        matches!(
            self,
            Self::TransitionalCare
                | Self::Support1
                | Self::Support2
                | Self::Care1
                | Self::Care2
                | Self::Care3
                | Self::Care4
                | Self::Care5
        )
    }

    /// Whether the level is 要支援 (counted as ⅓ in caseloads).
    pub fn is_support(self) -> bool {
        matches!(self, Self::Support1 | Self::Support2)
    }
}

impl fmt::Display for CareLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// 性別コード: 1 = 男, 2 = 女.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        match code {
            "1" => Ok(Self::Male),
            "2" => Ok(Self::Female),
            _ => Err(unknown("性別", "sex", code)),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "1",
            Self::Female => "2",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// 負担割合: the share of the fee the user pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CopayRate {
    /// 1割
    One,
    /// 2割
    Two,
    /// 3割
    Three,
}

impl CopayRate {
    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        match code {
            "1" => Ok(Self::One),
            "2" => Ok(Self::Two),
            "3" => Ok(Self::Three),
            _ => Err(unknown("負担割合", "copay rate", code)),
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::One => "1",
            Self::Two => "2",
            Self::Three => "3",
        }
    }
    /// Tenths of the fee paid by the user.
    pub fn tenths(self) -> u32 {
        match self {
            Self::One => 1,
            Self::Two => 2,
            Self::Three => 3,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::One => "1割",
            Self::Two => "2割",
            Self::Three => "3割",
        }
    }
}

/// 負担限度額 段階 of the 負担限度額認定証 (特定入所者介護サービス費).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CostLimitStage {
    /// 第1段階
    Stage1,
    /// 第2段階
    Stage2,
    /// 第3段階①
    Stage3a,
    /// 第3段階②
    Stage3b,
}

impl CostLimitStage {
    pub const ALL: [CostLimitStage; 4] = [Self::Stage1, Self::Stage2, Self::Stage3a, Self::Stage3b];

    /// Interchange codes: 1, 2, 31 (第3段階①), 32 (第3段階②).
    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| unknown("負担限度額段階", "cost limit stage", code))
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Stage1 => "1",
            Self::Stage2 => "2",
            Self::Stage3a => "31",
            Self::Stage3b => "32",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Stage1 => "第1段階",
            Self::Stage2 => "第2段階",
            Self::Stage3a => "第3段階①",
            Self::Stage3b => "第3段階②",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_care_level_code_round_trips() {
        for level in CareLevel::ALL {
            assert_eq!(CareLevel::from_code(level.code()).unwrap(), level);
        }
        let err = CareLevel::from_code("26").unwrap_err();
        assert!(err.to_string().contains("要介護状態区分"), "{err}");
    }

    #[test]
    fn small_tables_reject_unknown_codes() {
        assert!(Sex::from_code("3").is_err());
        assert!(CopayRate::from_code("4").is_err());
        assert!(CostLimitStage::from_code("3").is_err());
        assert_eq!(
            CostLimitStage::from_code("31").unwrap(),
            CostLimitStage::Stage3a
        );
    }
}
