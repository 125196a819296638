//! The care-plan documents exchanged between a 居宅介護支援事業所 and service offices (ケアプラン
//! データ連携, facts.md §4), in one canonical form that both the V4/4.1 CSV files and the V5 JSON
//! API convert to and from. Free text stays exactly as written (the round trip V4 → V5 → V4 is
//! byte-identical); codes, numbers and dates are parsed types.
//!
//! What the public V4 layout does not fix (the 第1表 text fields, the 第6/7表 columns, 実績) is
//! kiban's documented equivalent of the paper forms (老企第29号 様式), column by column in
//! `docs/interface/careplan-v4.md`.

use super::month::YearMonth;
use crate::codes::{CareLevel, ServiceKind};
use crate::date::Date;
use crate::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use serde::{Deserialize, Serialize};

/// Whose plan: the person, by 保険者番号 + 被保険者番号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlanPerson {
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
}

/// 居宅サービス計画書: 第1表 and 第2表 of one plan (one 計画作成(変更)日), as one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarePlan {
    pub person: PlanPerson,
    /// 居宅サービス計画作成(変更)日: the plan's identity for this person.
    pub plan_date: Date,
    pub overview: PlanOverview,
    /// 第2表, in form order.
    pub needs: Vec<NeedRow>,
}

/// 第1表 (居宅サービス計画書(1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOverview {
    /// 作成年月日 (the day the sheet was written).
    pub created_on: Date,
    /// 初回・紹介・継続.
    pub origin: PlanOrigin,
    /// 認定済・申請中.
    pub certified: bool,
    pub user_postal_code: String,
    pub user_address1: String,
    pub user_address2: String,
    /// 居宅サービス計画作成者氏名.
    pub planner_name: String,
    /// 居宅介護支援事業者・事業所名 and its place.
    pub office: OfficeNumber,
    pub office_name: String,
    pub office_postal_code: String,
    pub office_address1: String,
    pub office_address2: String,
    /// 初回居宅サービス計画作成日.
    pub first_plan_date: Option<Date>,
    /// 認定日.
    pub certified_on: Option<Date>,
    /// 認定の有効期間.
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    /// 要介護状態区分.
    pub care_level: Option<CareLevel>,
    /// 利用者及び家族の生活に対する意向を踏まえた課題分析の結果.
    pub intentions: String,
    /// 介護認定審査会の意見及びサービスの種類の指定.
    pub committee_opinion: String,
    /// 総合的な援助の方針.
    pub policy: String,
    /// 生活援助中心型の算定理由: 1 一人暮らし, 2 家族等が障害・疾病等, 3 その他.
    pub living_support_reason: Option<LivingSupportReason>,
    /// The text written next to 3 その他.
    pub living_support_note: String,
}

/// 初回・紹介・継続 (第1表).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanOrigin {
    /// 1 初回
    First,
    /// 2 紹介
    Referral,
    /// 3 継続
    Continued,
}

impl PlanOrigin {
    pub fn code(self) -> &'static str {
        match self {
            Self::First => "1",
            Self::Referral => "2",
            Self::Continued => "3",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::First),
            "2" => Some(Self::Referral),
            "3" => Some(Self::Continued),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::First => "初回",
            Self::Referral => "紹介",
            Self::Continued => "継続",
        }
    }
}

/// 生活援助中心型の算定理由 (第1表).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivingSupportReason {
    /// 1 一人暮らし
    LivesAlone,
    /// 2 家族等が障害、疾病等
    FamilyUnable,
    /// 3 その他
    Other,
}

impl LivingSupportReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::LivesAlone => "1",
            Self::FamilyUnable => "2",
            Self::Other => "3",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::LivesAlone),
            "2" => Some(Self::FamilyUnable),
            "3" => Some(Self::Other),
            _ => None,
        }
    }
}

/// One line of 第2表 (居宅サービス計画書(2)): a need, its goals and one service that serves it.
/// The public V4 第2表 layout repeats the need and goal columns on every service line, with
/// their numbers (課題NO, 援助目標NO, 援助内容NO) tying the lines together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedRow {
    /// 居宅計画書作成年月日.
    pub written_on: Date,
    pub need_no: u32,
    /// 生活全般の解決すべき課題(ニーズ).
    pub need: String,
    pub goal_no: u32,
    pub long_term_goal: String,
    pub short_term_goal: String,
    /// (期間) as written, e.g. "R8.4.1〜R9.3.31".
    pub long_term_period: String,
    pub short_term_period: String,
    pub service_no: u32,
    /// サービス内容.
    pub service_content: String,
    /// 保険給付の対象か (※1).
    pub insured_service: bool,
    /// サービス種別: the サービス種類 when it is a 介護保険 service.
    pub service_kind: Option<ServiceKind>,
    /// サービス事業者コード (※2): the office that provides it, when it is one.
    pub provider: Option<OfficeNumber>,
    pub provider_name: String,
    /// 頻度, as written ("週2回").
    pub frequency: String,
    /// (期間) of the service.
    pub period: String,
    /// 更新業者コード: the care software that wrote the line.
    pub vendor_code: String,
    /// 識別子: the line's identifier in that software.
    pub line_id: String,
}

impl CarePlan {
    /// The offices the plan names (第2表 サービス事業者コード), each once, in first-named order:
    /// the offices a 交付 reaches.
    pub fn named_offices(&self) -> Vec<OfficeNumber> {
        let mut out: Vec<OfficeNumber> = Vec::new();
        for office in self.needs.iter().filter_map(|n| n.provider) {
            if !out.contains(&office) {
                out.push(office);
            }
        }
        out
    }
}

/// サービス利用票 (第6表) and its 別表 (第7表) for one person and month, as the care manager
/// sends them to one service office (UPPLAN): the rows of that office only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUse {
    pub person: PlanPerson,
    pub month: YearMonth,
    pub header: ServiceUseHeader,
    /// 第6表 lines.
    pub plan_rows: Vec<ServiceUseRow>,
    /// 第7表 lines.
    pub limit_rows: Vec<LimitRow>,
}

/// The person part of 第6表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUseHeader {
    /// 作成年月日.
    pub created_on: Date,
    /// 居宅介護支援事業者 (the sender).
    pub care_office: OfficeNumber,
    pub care_level: CareLevel,
    /// 変更後要介護状態区分 and its 変更日, when the level changed within the month.
    pub changed_level: Option<CareLevel>,
    pub changed_on: Option<Date>,
    /// 区分支給限度基準額 (単位/月).
    pub limit_units: u32,
    /// 限度額適用期間.
    pub limit_from: Date,
    pub limit_to: Date,
    /// 前月までの短期入所利用日数.
    pub short_stay_days_before: u32,
}

/// One line of 第6表: a service at a time of day and the planned count for each day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUseRow {
    /// 提供時間帯 "HHMM"; empty for services without one (福祉用具貸与).
    pub start: String,
    pub end: String,
    /// サービス内容 (the service code's name as printed).
    pub service_name: String,
    /// サービスコード: 2-digit サービス種類 + 4-digit 項目.
    pub service_code: ServiceCode,
    pub provider: OfficeNumber,
    pub provider_name: String,
    /// 予定: count per day of the month (index 0 = day 1; always 31 entries, 0 beyond the month).
    pub days: Vec<u8>,
}

impl ServiceUseRow {
    pub fn total(&self) -> u32 {
        self.days.iter().map(|&d| u32::from(d)).sum()
    }
}

/// サービスコード: サービス種類 (2 digits) + サービス項目 (4 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceCode {
    pub kind: ServiceKind,
    pub item: String,
}

impl ServiceCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() != 6 || !raw.is_ascii() {
            return Err(format!("サービスコードは6桁です: {raw:?}"));
        }
        let kind = ServiceKind::from_code(&raw[..2]).map_err(|e| e.to_string())?;
        let item = &raw[2..];
        if !item.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("サービス項目コードは英数字4桁です: {item:?}"));
        }
        Ok(Self {
            kind,
            item: item.to_string(),
        })
    }

    pub fn code(&self) -> String {
        format!("{}{}", self.kind.code(), self.item)
    }
}

crate::serde_str::serde_via_str!(ServiceCode, |v| v.code(), |s| ServiceCode::parse(s));

/// One line of 第7表 (区分支給限度管理・利用者負担計算).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitRow {
    pub provider: OfficeNumber,
    pub provider_name: String,
    pub service_name: String,
    pub service_code: ServiceCode,
    /// 単位数 (per time).
    pub units: u32,
    /// 割引後 率 (%) and 単位数; empty when there is no 割引.
    pub discount_rate: Option<u32>,
    pub discounted_units: Option<u32>,
    /// 回数.
    pub count: u32,
    /// サービス単位/金額.
    pub service_units: u32,
    /// 種類支給限度基準を超える単位数 / 基準内単位数.
    pub over_kind_limit: u32,
    pub within_kind_limit: u32,
    /// 区分支給限度基準を超える単位数 / 基準内単位数.
    pub over_level_limit: u32,
    pub within_level_limit: u32,
    /// 単位数単価, in 1/100 yen (10.00 → 1000).
    pub unit_price_centi_yen: u32,
    /// 費用総額(保険対象分).
    pub total_cost: u64,
    /// 給付率 (%).
    pub benefit_rate: u32,
    /// 保険給付額.
    pub insurance_paid: u64,
    /// 利用者負担(保険対象分).
    pub copay_insured: u64,
    /// 利用者負担(全額負担分).
    pub copay_full: u64,
}

/// 実績 (UPJSK): what one service office actually provided to one person in a month, sent back
/// to the care manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResults {
    pub person: PlanPerson,
    pub month: YearMonth,
    /// The service office (the sender).
    pub provider: OfficeNumber,
    pub rows: Vec<ResultRow>,
}

/// One line of 実績: a service and the count provided each day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRow {
    pub start: String,
    pub end: String,
    pub service_name: String,
    pub service_code: ServiceCode,
    /// 実績: count per day (index 0 = day 1; always 31 entries).
    pub days: Vec<u8>,
}

/// 利用者補足情報 (UPHOSOKU): who the person is, sent with the plan and the 利用票 so the
/// receiver can match the person in its own system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplement {
    pub person: PlanPerson,
    /// 計画作成(変更)日 of the plan this accompanies.
    pub plan_date: Date,
    pub kana: String,
    pub name: String,
    pub sex: crate::codes::Sex,
    pub birth_date: Date,
    pub postal_code: String,
    pub address1: String,
    pub address2: String,
    pub phone: String,
    /// 認定日.
    pub certified_on: Option<Date>,
    /// 限度額適用開始年月日 / 終了年月日.
    pub limit_from: Option<Date>,
    pub limit_to: Option<Date>,
    pub care_level: Option<CareLevel>,
}

/// A 削除 send unit (第1表_削除, 第6表_削除, 実績_削除): withdraws what was sent under the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deletion {
    /// 第1表_削除: the plan of `plan_date` (第1表 and 第2表 with it).
    Plan { person: PlanPerson, plan_date: Date },
    /// 第6表_削除: the 利用票 of `month` sent to the receiving office.
    ServiceUse {
        person: PlanPerson,
        month: YearMonth,
    },
    /// 実績_削除: the results of `month` from the sending office.
    Results {
        person: PlanPerson,
        month: YearMonth,
    },
}
