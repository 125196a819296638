//! サービス種類コード: the first two characters of a 介護給付費単位数等サービスコード.
//!
//! The table follows the official numbering as the 国保連 statistics (業務統計表) and the JMA
//! billing software (QKANCHO) print it, not the public billing generator quoted in facts.md §2,
//! whose 32/33/36/37 disagree with both. Every choice and its confidence is listed in
//! `docs/domain/codes.md`. Codes are two uppercase ASCII characters and may be alphanumeric
//! (`2A`, `A1`, `AF`); lowercase is refused because no interchange file writes it.

use super::CodeError;
use std::fmt;

/// サービス区分: which part of the 介護保険法 the service belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceCategory {
    /// 居宅サービス, including 居宅介護支援 and the 償還払い 福祉用具購入・住宅改修.
    Home,
    /// 地域密着型サービス
    CommunityBased,
    /// 施設サービス
    Facility,
    /// 介護予防サービス, 地域密着型介護予防サービス and 介護予防支援 (予防給付 as a whole).
    Preventive,
    /// その他: 特定入所者介護サービス費 and the 総合事業 (地域支援事業, not 保険給付).
    Other,
}

impl ServiceCategory {
    pub fn label(self) -> &'static str {
        match self {
            Self::Home => "居宅",
            Self::CommunityBased => "地域密着",
            Self::Facility => "施設",
            Self::Preventive => "介護予防",
            Self::Other => "その他",
        }
    }
}

impl fmt::Display for ServiceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One macro row per code keeps the variant, code, label and category from drifting apart.
/// Rows are in code order, so the derived `Ord` sorts like the printed codes.
macro_rules! service_kinds {
    ($($variant:ident = $code:literal, $label:literal, $category:ident;)*) => {
        /// サービス種類コード (2 characters, see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ServiceKind {
            $(#[doc = concat!($code, " ", $label)] $variant,)*
        }

        impl ServiceKind {
            /// Every known kind, in code order.
            pub const ALL: &'static [ServiceKind] = &[$(Self::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The name as in the サービスコード表 (短期利用 variants say so).
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label,)* }
            }

            pub fn category(self) -> ServiceCategory {
                match self { $(Self::$variant => ServiceCategory::$category,)* }
            }
        }
    };
}

service_kinds! {
    HomeVisitCare = "11", "訪問介護", Home;
    HomeVisitBathing = "12", "訪問入浴介護", Home;
    HomeVisitNursing = "13", "訪問看護", Home;
    HomeVisitRehabilitation = "14", "訪問リハビリテーション", Home;
    DayCare = "15", "通所介護", Home;
    DayRehabilitation = "16", "通所リハビリテーション", Home;
    EquipmentRental = "17", "福祉用具貸与", Home;
    ShortStayLiving = "21", "短期入所生活介護", Home;
    ShortStayHealthFacility = "22", "短期入所療養介護（介護老人保健施設）", Home;
    ShortStayHospital = "23", "短期入所療養介護（病院等）", Home;
    PreventiveShortStayLiving = "24", "介護予防短期入所生活介護", Preventive;
    PreventiveShortStayHealthFacility = "25", "介護予防短期入所療養介護（介護老人保健施設）", Preventive;
    PreventiveShortStayHospital = "26", "介護予防短期入所療養介護（病院等）", Preventive;
    SpecifiedFacilityShortTerm = "27", "特定施設入居者生活介護（短期利用）", Home;
    CommunitySpecifiedFacilityShortTerm = "28", "地域密着型特定施設入居者生活介護（短期利用）", CommunityBased;
    ShortStayMedicalCenter = "2A", "短期入所療養介護（介護医療院）", Home;
    PreventiveShortStayMedicalCenter = "2B", "介護予防短期入所療養介護（介護医療院）", Preventive;
    HomeMedicalManagement = "31", "居宅療養管理指導", Home;
    DementiaGroupHome = "32", "認知症対応型共同生活介護（短期利用以外）", CommunityBased;
    SpecifiedFacility = "33", "特定施設入居者生活介護（短期利用以外）", Home;
    PreventiveHomeMedicalManagement = "34", "介護予防居宅療養管理指導", Preventive;
    PreventiveSpecifiedFacility = "35", "介護予防特定施設入居者生活介護", Preventive;
    CommunitySpecifiedFacility = "36", "地域密着型特定施設入居者生活介護（短期利用以外）", CommunityBased;
    PreventiveDementiaGroupHome = "37", "介護予防認知症対応型共同生活介護（短期利用以外）", Preventive;
    DementiaGroupHomeShortTerm = "38", "認知症対応型共同生活介護（短期利用）", CommunityBased;
    PreventiveDementiaGroupHomeShortTerm = "39", "介護予防認知症対応型共同生活介護（短期利用）", Preventive;
    EquipmentPurchase = "41", "特定福祉用具販売", Home;
    HomeModification = "42", "住宅改修", Home;
    CareManagement = "43", "居宅介護支援", Home;
    PreventiveEquipmentPurchase = "44", "特定介護予防福祉用具販売", Preventive;
    PreventiveHomeModification = "45", "介護予防住宅改修", Preventive;
    PreventiveCareManagement = "46", "介護予防支援", Preventive;
    WelfareFacility = "51", "介護福祉施設サービス", Facility;
    HealthFacility = "52", "介護保健施設サービス", Facility;
    SanatoriumFacility = "53", "介護療養施設サービス", Facility;
    CommunityWelfareFacility = "54", "地域密着型介護老人福祉施設入所者生活介護", CommunityBased;
    MedicalCenter = "55", "介護医療院サービス", Facility;
    SpecifiedResidentCare = "59", "特定入所者介護サービス費", Other;
    PreventiveHomeVisitCare = "61", "介護予防訪問介護", Preventive;
    PreventiveHomeVisitBathing = "62", "介護予防訪問入浴介護", Preventive;
    PreventiveHomeVisitNursing = "63", "介護予防訪問看護", Preventive;
    PreventiveHomeVisitRehabilitation = "64", "介護予防訪問リハビリテーション", Preventive;
    PreventiveDayCare = "65", "介護予防通所介護", Preventive;
    PreventiveDayRehabilitation = "66", "介護予防通所リハビリテーション", Preventive;
    PreventiveEquipmentRental = "67", "介護予防福祉用具貸与", Preventive;
    SmallMultifunctionShortTerm = "68", "小規模多機能型居宅介護（短期利用）", CommunityBased;
    PreventiveSmallMultifunctionShortTerm = "69", "介護予防小規模多機能型居宅介護（短期利用）", Preventive;
    NightVisitCare = "71", "夜間対応型訪問介護", CommunityBased;
    DementiaDayCare = "72", "認知症対応型通所介護", CommunityBased;
    SmallMultifunction = "73", "小規模多機能型居宅介護（短期利用以外）", CommunityBased;
    PreventiveDementiaDayCare = "74", "介護予防認知症対応型通所介護", Preventive;
    PreventiveSmallMultifunction = "75", "介護予防小規模多機能型居宅介護（短期利用以外）", Preventive;
    RegularRoundVisitCare = "76", "定期巡回・随時対応型訪問介護看護", CommunityBased;
    NursingSmallMultifunction = "77", "看護小規模多機能型居宅介護（短期利用以外）", CommunityBased;
    CommunityDayCare = "78", "地域密着型通所介護", CommunityBased;
    NursingSmallMultifunctionShortTerm = "79", "看護小規模多機能型居宅介護（短期利用）", CommunityBased;
    ProgramVisitDeemed = "A1", "訪問型サービス（みなし）", Other;
    ProgramVisitOwn = "A2", "訪問型サービス（独自）", Other;
    ProgramVisitOwnRate = "A3", "訪問型サービス（独自／定率）", Other;
    ProgramVisitOwnAmount = "A4", "訪問型サービス（独自／定額）", Other;
    ProgramDayDeemed = "A5", "通所型サービス（みなし）", Other;
    ProgramDayOwn = "A6", "通所型サービス（独自）", Other;
    ProgramDayOwnRate = "A7", "通所型サービス（独自／定率）", Other;
    ProgramDayOwnAmount = "A8", "通所型サービス（独自／定額）", Other;
    ProgramMealsRate = "A9", "その他の生活支援サービス（配食／定率）", Other;
    ProgramMealsAmount = "AA", "その他の生活支援サービス（配食／定額）", Other;
    ProgramWatchRate = "AB", "その他の生活支援サービス（見守り／定率）", Other;
    ProgramWatchAmount = "AC", "その他の生活支援サービス（見守り／定額）", Other;
    ProgramOtherRate = "AD", "その他の生活支援サービス（その他／定率）", Other;
    ProgramOtherAmount = "AE", "その他の生活支援サービス（その他／定額）", Other;
    ProgramCareManagement = "AF", "介護予防ケアマネジメント", Other;
}

impl ServiceKind {
    pub fn from_code(code: &str) -> Result<Self, CodeError> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.code() == code)
            .ok_or_else(|| CodeError {
                table: "サービス種類",
                english: "service kind",
                got: code.to_string(),
            })
    }

    /// 予防給付 (usable by 要支援 only).
    pub fn is_preventive(self) -> bool {
        self.category() == ServiceCategory::Preventive
    }

    /// 地域密着型, including the 地域密着型介護予防 kinds that [`Self::category`] files under
    /// 介護予防: these are only usable by residents of the 保険者 that designated the office.
    pub fn is_community_based(self) -> bool {
        use ServiceKind::*;
        self.category() == ServiceCategory::CommunityBased
            || matches!(
                self,
                PreventiveDementiaGroupHome
                    | PreventiveDementiaGroupHomeShortTerm
                    | PreventiveSmallMultifunctionShortTerm
                    | PreventiveDementiaDayCare
                    | PreventiveSmallMultifunction
            )
    }

    /// 介護予防・日常生活支援総合事業 (A1–AF): paid by the 地域支援事業, so outside the
    /// 区分支給限度基準額 of a 要支援 card unless the municipality's 要綱 says otherwise.
    pub fn is_comprehensive_program(self) -> bool {
        self.code().starts_with('A')
    }

    /// Kinds whose service codes were withdrawn: 61/65 moved to the 総合事業 by 2018-03, and
    /// 介護療養型医療施設 (53) closed on 2024-03-31. They still parse, for historic records.
    pub fn is_discontinued(self) -> bool {
        matches!(
            self,
            Self::PreventiveHomeVisitCare | Self::PreventiveDayCare | Self::SanatoriumFacility
        )
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_round_trips_and_is_unique() {
        let mut seen = HashSet::new();
        for &kind in ServiceKind::ALL {
            assert_eq!(ServiceKind::from_code(kind.code()).unwrap(), kind);
            assert!(seen.insert(kind.code()), "duplicate code {}", kind.code());
            let code = kind.code().as_bytes();
            assert!(
                code.len() == 2
                    && code
                        .iter()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            );
            assert!(!kind.label().is_empty());
        }
        assert_eq!(ServiceKind::ALL.len(), 71);
    }

    #[test]
    fn declaration_order_is_code_order() {
        let codes: Vec<&str> = ServiceKind::ALL.iter().map(|k| k.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
        assert!(ServiceKind::HomeVisitCare < ServiceKind::ProgramCareManagement);
    }

    #[test]
    fn unknown_codes_are_rejected() {
        for bad in [
            "", "1", "011", "00", "18", "30", "40", "47", "56", "60", "70", "80", "99", "2a", "a1",
            "AG", " 11", "11 ",
        ] {
            let err = ServiceKind::from_code(bad).unwrap_err();
            assert!(err.to_string().contains("サービス種類"), "{err}");
            assert!(err.to_string().contains("service kind"), "{err}");
        }
    }

    #[test]
    fn the_billing_generator_conflicts_resolve_to_the_official_table() {
        let label = |c: &str| ServiceKind::from_code(c).unwrap().label();
        assert_eq!(label("33"), "特定施設入居者生活介護（短期利用以外）");
        assert_eq!(label("71"), "夜間対応型訪問介護");
        assert_eq!(label("76"), "定期巡回・随時対応型訪問介護看護");
        assert_eq!(label("73"), "小規模多機能型居宅介護（短期利用以外）");
        assert_eq!(label("78"), "地域密着型通所介護");
        assert_eq!(label("32"), "認知症対応型共同生活介護（短期利用以外）");
        assert_eq!(
            label("36"),
            "地域密着型特定施設入居者生活介護（短期利用以外）"
        );
        assert_eq!(
            label("37"),
            "介護予防認知症対応型共同生活介護（短期利用以外）"
        );
        assert_eq!(label("38"), "認知症対応型共同生活介護（短期利用）");
        assert_eq!(label("68"), "小規模多機能型居宅介護（短期利用）");
        assert_eq!(label("2A"), "短期入所療養介護（介護医療院）");
    }

    #[test]
    fn categories_and_flags() {
        use ServiceKind::*;
        assert_eq!(HomeVisitCare.category(), ServiceCategory::Home);
        assert_eq!(SpecifiedFacility.category(), ServiceCategory::Home);
        assert_eq!(NightVisitCare.category(), ServiceCategory::CommunityBased);
        assert_eq!(
            CommunityWelfareFacility.category(),
            ServiceCategory::CommunityBased
        );
        assert_eq!(MedicalCenter.category(), ServiceCategory::Facility);
        assert_eq!(
            PreventiveCareManagement.category(),
            ServiceCategory::Preventive
        );
        assert_eq!(ProgramCareManagement.category(), ServiceCategory::Other);
        assert!(
            PreventiveDementiaDayCare.is_preventive()
                && PreventiveDementiaDayCare.is_community_based()
        );
        assert!(!DayCare.is_community_based() && CommunityDayCare.is_community_based());
        assert!(
            ProgramVisitOwn.is_comprehensive_program()
                && !ShortStayMedicalCenter.is_comprehensive_program()
        );
        assert!(SanatoriumFacility.is_discontinued() && !WelfareFacility.is_discontinued());
        assert_eq!(ServiceCategory::CommunityBased.to_string(), "地域密着");
        assert_eq!(NightVisitCare.to_string(), "71 夜間対応型訪問介護");
    }
}
