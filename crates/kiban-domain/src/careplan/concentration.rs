//! 特定事業所集中減算 (居宅介護支援, facts.md §5): for each covered service, the share of
//! plan-months that use the 紹介率最高法人, and whether the office's 居宅介護支援費 is reduced by
//! 200 units a month in the 減算適用期間.
//!
//! Counting is per user per month (a "plan-month") over the six months of the
//! [`JudgmentPeriod`]; the caller aggregates plans into [`OfficeCounts`], this module only judges.
//! Every comparison is exact integer arithmetic; the percentage string is for display only.

use super::period::JudgmentPeriod;
use crate::codes::ServiceKind;
use crate::date::Date;
use crate::ids::{CorporationNumber, IdError, OfficeNumber};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[cfg(test)]
mod tests;

/// The services judged since FY2018 (the 2024 revision kept them).
pub const COVERED_SERVICES: [ServiceKind; 4] = [
    ServiceKind::HomeVisitCare,
    ServiceKind::DayCare,
    ServiceKind::CommunityDayCare,
    ServiceKind::EquipmentRental,
];

/// The reduction of 居宅介護支援費, per month of the 減算適用期間.
pub const REDUCTION_UNITS_PER_MONTH: u32 = 200;

/// Plans per month at or below which reason 3 (small office) applies automatically.
const SMALL_OFFICE_PLANS_PER_MONTH: u32 = 20;
/// Plans per month including a service at or below which reason 4 applies automatically.
const FEW_PLANS_PER_MONTH: u32 = 10;
const MONTHS: u32 = 6;

/// 正当な理由 (老企第36号 第3の10, numbered as in the municipal 判断基準; the list is partly
/// unverified, facts.md §5). Travels as its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum JustReason {
    /// Fewer than 5 offices of the service in the normal service area.
    FewOffices = 1,
    /// 特別地域居宅介護支援加算 is claimed.
    SpecialArea = 2,
    /// 20 or fewer plans a month on average.
    SmallOffice = 3,
    /// 10 or fewer plans a month on average include the service.
    FewPlans = 4,
    /// Quality-based choice confirmed at a 地域ケア会議: the confirmed plans are excluded.
    CareConference = 5,
    /// 支援困難事例 accepted.
    DifficultCases = 6,
    /// Anything else the municipality accepts.
    Other = 7,
}

impl JustReason {
    pub const ALL: [JustReason; 7] = [
        Self::FewOffices,
        Self::SpecialArea,
        Self::SmallOffice,
        Self::FewPlans,
        Self::CareConference,
        Self::DifficultCases,
        Self::Other,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Self::FewOffices => "通常の事業実施地域に当該サービス事業所が5事業所未満",
            Self::SpecialArea => "特別地域居宅介護支援加算を算定",
            Self::SmallOffice => "判定期間の1月当たり平均居宅サービス計画件数が20件以下",
            Self::FewPlans => "当該サービスを位置付けた計画件数が1月当たり平均10件以下",
            Self::CareConference => "地域ケア会議等で質が高いことによる利用者の希望と確認",
            Self::DifficultCases => "支援困難事例を受け入れている",
            Self::Other => "その他保険者が認めるもの",
        }
    }
}

impl Serialize for JustReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for JustReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = u8::deserialize(d)?;
        Self::from_code(code).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "正当な理由の番号は1〜7です: {code} / a reason code is 1 to 7"
            ))
        })
    }
}

/// A recorded 正当な理由 for one service. `excluded_plan_months` matters for reason 5 only: the
/// plan-months confirmed at the 地域ケア会議, which leave the count (別添1 算定から除外する件数).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub service: ServiceKind,
    pub reason: JustReason,
    #[serde(default)]
    pub excluded_plan_months: u32,
    #[serde(default)]
    pub note: String,
}

/// The corporation (法人) a provider's plan-months count under: its registered 法人番号, or, for a
/// provider whose corporation is not registered, the office itself (written
/// `office:<事業所番号>`, a corporation of its own). Ordered as the written forms are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CorporationKey {
    Registered(CorporationNumber),
    Unregistered(OfficeNumber),
}

impl CorporationKey {
    /// The prefix of an unregistered provider's key.
    const OFFICE_PREFIX: &'static str = "office:";

    /// Parses the written form: a 法人番号, or `office:` and a 事業所番号.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        match raw.strip_prefix(Self::OFFICE_PREFIX) {
            Some(office) => OfficeNumber::parse(office).map(Self::Unregistered),
            None => CorporationNumber::parse(raw).map(Self::Registered),
        }
    }
}

impl fmt::Display for CorporationKey {
    /// The written form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Registered(number) => write!(f, "{number}"),
            Self::Unregistered(office) => write!(f, "{}{office}", Self::OFFICE_PREFIX),
        }
    }
}

crate::serde_str::serde_via_str!(CorporationKey, |k| k.to_string(), |s| {
    CorporationKey::parse(s).map_err(|e| e.to_string())
});

/// Plan-months that include one service, and per corporation (法人) how many of them use it.
/// A plan-month may use several corporations for one service, so the per-corporation numbers
/// may add up to more than `plan_months`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCounts {
    pub service: ServiceKind,
    pub plan_months: u32,
    /// Corporation key (e.g. 法人番号) → plan-months using it.
    pub by_corporation: Vec<(String, u32)>,
}

/// What one office did in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeCounts {
    pub office: OfficeNumber,
    /// Plan-months of any service kind (the 居宅サービス計画 count of reason 3).
    pub total_plan_months: u32,
    pub services: Vec<ServiceCounts>,
}

/// The judgment for one covered service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceJudgment {
    pub service: ServiceKind,
    /// Plan-months including the service, after the reason-5 exclusion.
    pub plan_months: u32,
    /// Plan-months removed by reason 5.
    pub excluded_plan_months: u32,
    /// 紹介率最高法人 after the exclusion; `None` when no corporation was counted.
    pub top_corporation: Option<String>,
    pub top_plan_months: u32,
    /// top ÷ plan-months in percent, one decimal, rounded up (see [`ratio_percent`]).
    pub ratio_percent: String,
    /// Strictly above 80 %.
    pub over_80: bool,
    /// Reasons that justify the service as a whole (recorded ones, and 3/4 when they hold by
    /// arithmetic), by number. Reason 5 acts through the exclusion and is never listed here.
    pub justified_by: Vec<JustReason>,
    pub reduced: bool,
}

/// The judgment for one office and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeJudgment {
    pub office: OfficeNumber,
    pub period: JudgmentPeriod,
    /// The four covered services in [`COVERED_SERVICES`] order, zeros when absent.
    pub services: Vec<ServiceJudgment>,
    pub any_over_80: bool,
    /// 減算: some service is over 80 % without a 正当な理由.
    pub reduced: bool,
    /// [`REDUCTION_UNITS_PER_MONTH`] when reduced, else 0.
    pub reduction_units_per_month: u32,
    /// 減算適用期間 (inclusive) when reduced.
    pub reduction_period: Option<(Date, Date)>,
    /// A return is due whenever any service is over 80 %, justified or not; otherwise the sheet
    /// is only kept.
    pub filing_required: bool,
    pub filing_deadline: Date,
}

/// Judges one office for one period. Counts of services outside [`COVERED_SERVICES`] and
/// exclusions for other services are ignored; several entries for one service are added up.
pub fn judge(
    period: JudgmentPeriod,
    counts: &OfficeCounts,
    exclusions: &[Exclusion],
) -> OfficeJudgment {
    let small_office = counts.total_plan_months <= SMALL_OFFICE_PLANS_PER_MONTH * MONTHS;
    let services: Vec<ServiceJudgment> = COVERED_SERVICES
        .iter()
        .map(|&service| {
            let relevant: Vec<&Exclusion> =
                exclusions.iter().filter(|e| e.service == service).collect();
            judge_service(service, counts, &relevant, small_office)
        })
        .collect();
    let any_over_80 = services.iter().any(|s| s.over_80);
    let reduced = services.iter().any(|s| s.reduced);
    OfficeJudgment {
        office: counts.office,
        period,
        any_over_80,
        reduced,
        reduction_units_per_month: if reduced {
            REDUCTION_UNITS_PER_MONTH
        } else {
            0
        },
        reduction_period: reduced.then(|| period.reduction_period()),
        filing_required: any_over_80,
        filing_deadline: period.filing_deadline(),
        services,
    }
}

fn judge_service(
    service: ServiceKind,
    counts: &OfficeCounts,
    exclusions: &[&Exclusion],
    small_office: bool,
) -> ServiceJudgment {
    let mut raw_total: u32 = 0;
    let mut by_corporation: BTreeMap<&str, u32> = BTreeMap::new();
    for entry in counts.services.iter().filter(|c| c.service == service) {
        raw_total = raw_total.saturating_add(entry.plan_months);
        for (key, n) in &entry.by_corporation {
            let slot = by_corporation.entry(key.as_str()).or_default();
            *slot = slot.saturating_add(*n);
        }
    }
    // No corporation can account for more plan-months than include the service at all.
    for n in by_corporation.values_mut() {
        *n = (*n).min(raw_total);
    }

    // Reason 5: the confirmed plan-months are those referred to the top corporation; they
    // leave both its count and the total. Afterwards the top is chosen again, because another
    // corporation may now lead.
    let confirmed = exclusions
        .iter()
        .filter(|e| e.reason == JustReason::CareConference)
        .fold(0u32, |sum, e| sum.saturating_add(e.excluded_plan_months));
    let mut excluded = 0;
    if let Some((key, top)) = top_of(&by_corporation) {
        excluded = confirmed.min(top);
        by_corporation.insert(key, top - excluded);
    }
    let total = raw_total - excluded;
    let top = top_of(&by_corporation);
    let top_plan_months = top.map_or(0, |(_, n)| n);
    let over_80 = u64::from(top_plan_months) * 5 > u64::from(total) * 4;

    let mut justified_by: Vec<JustReason> = exclusions
        .iter()
        .map(|e| e.reason)
        .filter(|&r| r != JustReason::CareConference)
        .collect();
    if small_office {
        justified_by.push(JustReason::SmallOffice);
    }
    if raw_total <= FEW_PLANS_PER_MONTH * MONTHS {
        justified_by.push(JustReason::FewPlans);
    }
    justified_by.sort();
    justified_by.dedup();

    ServiceJudgment {
        service,
        plan_months: total,
        excluded_plan_months: excluded,
        top_corporation: top.map(|(key, _)| key.to_string()),
        top_plan_months,
        ratio_percent: ratio_percent(top_plan_months, total),
        over_80,
        reduced: over_80 && justified_by.is_empty(),
        justified_by,
    }
}

/// The 紹介率最高法人: the most plan-months; on a tie, the smallest key, so the answer does not
/// depend on input order (which of the tied corporations is named does not change the ratio).
/// `None` when no corporation has any plan-month.
fn top_of<'a>(by_corporation: &BTreeMap<&'a str, u32>) -> Option<(&'a str, u32)> {
    by_corporation
        .iter()
        .filter(|(_, &n)| n > 0)
        // Later keys lose ties: `max_by` keeps the last maximum, so compare reversed keys.
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(&k, &n)| (k, n))
}

/// `part ÷ whole` in percent with one decimal, rounded **up** to the tenth so the display is
/// never "80.0" for a ratio that is over 80 % (and "0.0" when `whole` is 0). The decision itself
/// never reads this string.
pub fn ratio_percent(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "0.0".to_string();
    }
    let tenths = (u64::from(part) * 1000).div_ceil(u64::from(whole));
    format!("{}.{}", tenths / 10, tenths % 10)
}
