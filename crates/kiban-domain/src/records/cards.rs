//! The certificate bodies: 被保険者証, 負担割合証, 減免減額認定証.

use crate::codes::{CareLevel, CopayRate, CostLimitStage, ServiceKind, Sex};
use crate::date::Date;
use crate::ids::OfficeNumber;
use serde::{Deserialize, Serialize};

/// 介護保険被保険者証: every item printed on the card (facts.md §2 "Items printed", panels
/// (一)–(三) of the 2017 format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredCard {
    /// 氏名
    pub name: String,
    /// フリガナ, normalised to full-width katakana.
    pub kana: String,
    pub birth_date: Date,
    pub sex: Sex,
    /// 郵便番号, 7 digits without hyphen.
    pub postal_code: String,
    /// 住所
    pub address: String,
    /// 交付年月日
    pub issued_on: Date,
    /// 資格取得年月日
    pub qualified_on: Date,
    /// 資格喪失年月日 (転出, 死亡 …); the card is not current from this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disqualified_on: Option<Date>,
    /// 保険者の名称 as printed.
    pub insurer_name: String,
    /// Panel (二): the certification, absent for a person never certified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification: Option<CertificationOnCard>,
    /// 給付制限, set for unpaid premiums.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<BenefitRestriction>,
    /// 居宅介護支援事業者 or 自己作成, with 届出年月日.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_plan: Option<CarePlanAuthor>,
    /// 介護保険施設等 with 入所/退所年月日.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility: Option<FacilityStay>,
}

/// Panel (二) of the card: 要介護状態区分等 to 認定審査会の意見.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationOnCard {
    pub level: CareLevel,
    /// 認定年月日; for a 事業対象者 the day of the 基本チェックリスト.
    pub certified_on: Date,
    /// 認定の有効期間
    pub valid_from: Date,
    pub valid_to: Date,
    /// 区分支給限度基準額 per month, in units; may exceed the national figure by 条例 (上乗せ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_limit_units: Option<u32>,
    /// 種類支給限度基準額, only where the municipality sets one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kind_limits: Vec<KindLimit>,
    /// 認定審査会の意見及びサービスの種類の指定
    pub committee_opinion: String,
    /// Services designated by the committee; when non-empty only these are usable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub designated_services: Vec<ServiceKind>,
}

/// One 種類支給限度基準額.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindLimit {
    pub service: ServiceKind,
    pub units: u32,
}

/// 給付制限 kinds (介護保険法 第66–69条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestrictionKind {
    /// 1 支払方法の変更 (償還払い化)
    PaymentMethodChange,
    /// 2 保険給付の支払の一時差止
    PaymentSuspension,
    /// 3 給付額の減額
    BenefitReduction,
}

impl RestrictionKind {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::PaymentMethodChange),
            "2" => Some(Self::PaymentSuspension),
            "3" => Some(Self::BenefitReduction),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::PaymentMethodChange => "1",
            Self::PaymentSuspension => "2",
            Self::BenefitReduction => "3",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::PaymentMethodChange => "支払方法変更",
            Self::PaymentSuspension => "保険給付の一時差止",
            Self::BenefitReduction => "給付額減額",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenefitRestriction {
    pub kind: RestrictionKind,
    pub from: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Date>,
}

/// Who writes the care plan, as notified by the 居宅サービス計画作成依頼届出.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CarePlanAuthor {
    /// 1: a 居宅介護支援事業者 or 介護予防支援事業者 (地域包括支援センター).
    Office {
        office: OfficeNumber,
        name: String,
        notified_on: Date,
    },
    /// 2: 自己作成 (the person plans their own services).
    SelfMade { notified_on: Date },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilityStay {
    /// サービス種類 of the facility (51 介護老人福祉施設, 52 介護老人保健施設, 55 介護医療院 …).
    pub kind: ServiceKind,
    pub name: String,
    pub admitted_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharged_on: Option<Date>,
}

/// 介護保険負担割合証: valid Aug 1 to Jul 31, reissued every July.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopayCertificate {
    pub rate: CopayRate,
    pub valid_from: Date,
    pub valid_to: Date,
    pub issued_on: Date,
}

/// 減免減額認定証 kinds carried by the reduction record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reduction {
    /// 1 負担限度額認定 (特定入所者介護サービス費): stage and the daily limits printed on the card.
    CostLimit {
        stage: CostLimitStage,
        limits: DailyLimits,
    },
    /// 2 利用者負担額減額・免除 (第50条/第60条): the 給付率 in percent (90–100).
    CopayReduction { benefit_rate_percent: u8 },
    /// 3 社会福祉法人等による利用者負担軽減: the 軽減率 in percent.
    SocialWelfareReduction { reduction_rate_percent: u8 },
}

/// Daily 負担限度額 in yen as printed on a 負担限度額認定証.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyLimits {
    /// 食費 (施設)
    pub food: u32,
    /// 居住費: ユニット型個室
    pub unit_private: u32,
    /// ユニット型個室的多床室
    pub unit_shared: u32,
    /// 従来型個室 (老健・医療院等)
    pub conventional_private: u32,
    /// 従来型個室 (特養・短期生活)
    pub conventional_private_welfare: u32,
    /// 多床室
    pub multi_bed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReductionCertificate {
    pub reduction: Reduction,
    pub valid_from: Date,
    pub valid_to: Date,
    pub issued_on: Date,
}
