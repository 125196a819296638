//! The care-plan documents of ケアプランデータ連携: what the official files make, one per person and key (本文 2.3, 3.3): what kiban
//! stores, shows and converts to V5 JSON. A document holds its records whole (every field of the
//! layout has its place) and the CSVバージョン of the file it came from, so that it is written
//! back as the same lines.

use super::official::*;
use super::YearMonth;
use crate::codes::ServiceKind;
use crate::date::Date;
use crate::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use serde::{Deserialize, Serialize};

/// Whose document: the person, by 保険者番号 + 被保険者番号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PlanPerson {
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
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

/// 居宅サービス計画書 第1表–第3表 of one 居宅サービス計画作成（変更）日 (key: 保険者番号 +
/// 被保険者番号 + 作成（変更）日).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarePlan {
    pub version: CsvVersion,
    pub person: PlanPerson,
    /// 第1表.
    pub overview: Plan1Record,
    /// 第2表, in form order.
    pub needs: Vec<Plan2Record>,
    /// 第3表 週間サービス計画表, in file order.
    pub week: Vec<Plan3Record>,
}

impl CarePlan {
    /// 居宅サービス計画作成（変更）日: the plan's identity for this person.
    pub fn plan_date(&self) -> Date {
        self.overview.plan_date
    }

    /// The offices the plan names (第2表 サービス事業者コード), each once, in first-named order.
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

/// サービス利用票 第6表 (予定) and its 別表 第7表 for one person and month (key: 保険者番号 +
/// 被保険者番号 + 対象年月). The 第6表 carries the services of every office of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUse {
    pub person: PlanPerson,
    pub month: YearMonth,
    /// The CSVバージョン of the 第6表 file.
    pub version: CsvVersion,
    /// 第6表: one service on one day per record.
    pub rows: Vec<UseRecord>,
    /// The CSVバージョン of the 第7表 file.
    pub limit_version: CsvVersion,
    /// 第7表, subtotals and 全合計 included.
    pub limits: Vec<LimitRecord>,
}

impl ServiceUse {
    /// The service offices of the month's plan, each once, in first-row order.
    pub fn providers(&self) -> Vec<OfficeNumber> {
        let mut out: Vec<OfficeNumber> = Vec::new();
        for r in &self.rows {
            if !out.contains(&r.provider) {
                out.push(r.provider);
            }
        }
        out
    }

    /// The 全合計 line of 第7表 (always written by the sender).
    pub fn total(&self) -> Option<&LimitRecord> {
        self.limits
            .iter()
            .find(|l| l.service_code == LimitCode::Total)
    }
}

/// 実績: what a service office provided to one person in a month, sent back to the care manager
/// (same records as 第6表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceResults {
    pub version: CsvVersion,
    pub person: PlanPerson,
    pub month: YearMonth,
    pub rows: Vec<UseRecord>,
}

/// 利用者補足情報: who the person is and the month's 限度額, sent with 第1表 or with 第6表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplement {
    pub version: CsvVersion,
    pub person: PlanPerson,
    pub record: SupplementRecord,
}

/// One サービス種類別限度額 slot of 利用者補足情報 (枠 1–9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindLimit {
    pub slot: u8,
    pub service_kind: Option<ServiceKind>,
    pub limit_units: Option<Number>,
    pub total_units: Option<Number>,
    pub over_units: Option<Number>,
}

impl SupplementRecord {
    /// A 補足 with its key and the person's 基本情報 (the required fields); everything else
    /// empty. `plan_date` for one sent with 第1表, `month` for one sent with 第6表.
    pub fn new(
        plan_date: Option<Date>,
        month: Option<YearMonth>,
        kana: &str,
        name: &str,
        sex: crate::codes::Sex,
        birth_date: Date,
    ) -> Self {
        Self {
            plan_date: ZeroOr(plan_date),
            kana: kana.to_string(),
            name: name.to_string(),
            sex,
            birth_date,
            postal_code: None,
            address1: String::new(),
            address2: String::new(),
            phone: None,
            certified_on: None,
            limit_from: None,
            limit_to: None,
            certification_state: None,
            level_changed_on: None,
            care_level: None,
            limit_units: None,
            kind1_service_kind: None,
            kind1_limit_units: None,
            kind1_total_units: None,
            kind1_over_units: None,
            kind2_service_kind: None,
            kind2_limit_units: None,
            kind2_total_units: None,
            kind2_over_units: None,
            kind3_service_kind: None,
            kind3_limit_units: None,
            kind3_total_units: None,
            kind3_over_units: None,
            kind4_service_kind: None,
            kind4_limit_units: None,
            kind4_total_units: None,
            kind4_over_units: None,
            kind5_service_kind: None,
            kind5_limit_units: None,
            kind5_total_units: None,
            kind5_over_units: None,
            kind6_service_kind: None,
            kind6_limit_units: None,
            kind6_total_units: None,
            kind6_over_units: None,
            kind7_service_kind: None,
            kind7_limit_units: None,
            kind7_total_units: None,
            kind7_over_units: None,
            kind8_service_kind: None,
            kind8_limit_units: None,
            kind8_total_units: None,
            kind8_over_units: None,
            kind9_service_kind: None,
            kind9_limit_units: None,
            kind9_total_units: None,
            kind9_over_units: None,
            total_over_units: None,
            days_before_admission: None,
            cumulative_stay_days: None,
            previous_care_level: None,
            consent_office: None,
            vendor_code: None,
            identifier: None,
            month: ZeroOr(month),
        }
    }

    /// The filled サービス種類別限度額 slots, in slot order.
    pub fn kind_limits(&self) -> Vec<KindLimit> {
        let slots = [
            (
                1,
                &self.kind1_service_kind,
                &self.kind1_limit_units,
                &self.kind1_total_units,
                &self.kind1_over_units,
            ),
            (
                2,
                &self.kind2_service_kind,
                &self.kind2_limit_units,
                &self.kind2_total_units,
                &self.kind2_over_units,
            ),
            (
                3,
                &self.kind3_service_kind,
                &self.kind3_limit_units,
                &self.kind3_total_units,
                &self.kind3_over_units,
            ),
            (
                4,
                &self.kind4_service_kind,
                &self.kind4_limit_units,
                &self.kind4_total_units,
                &self.kind4_over_units,
            ),
            (
                5,
                &self.kind5_service_kind,
                &self.kind5_limit_units,
                &self.kind5_total_units,
                &self.kind5_over_units,
            ),
            (
                6,
                &self.kind6_service_kind,
                &self.kind6_limit_units,
                &self.kind6_total_units,
                &self.kind6_over_units,
            ),
            (
                7,
                &self.kind7_service_kind,
                &self.kind7_limit_units,
                &self.kind7_total_units,
                &self.kind7_over_units,
            ),
            (
                8,
                &self.kind8_service_kind,
                &self.kind8_limit_units,
                &self.kind8_total_units,
                &self.kind8_over_units,
            ),
            (
                9,
                &self.kind9_service_kind,
                &self.kind9_limit_units,
                &self.kind9_total_units,
                &self.kind9_over_units,
            ),
        ];
        slots
            .into_iter()
            .filter(|(_, k, l, t, o)| k.is_some() || l.is_some() || t.is_some() || o.is_some())
            .map(|(slot, k, l, t, o)| KindLimit {
                slot,
                service_kind: *k,
                limit_units: l.clone(),
                total_units: t.clone(),
                over_units: o.clone(),
            })
            .collect()
    }
}

/// 利用者基本情報 (介護予防) of one 相談日, with its 別表1 and 別表2 (key: 保険者番号 +
/// 被保険者番号 + 相談日).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicInfo {
    pub version: CsvVersion,
    pub person: PlanPerson,
    pub info: BasicInfoRecord,
    /// 別表1 １日の生活・すごし方.
    pub schedule: Vec<DailyScheduleRecord>,
    /// 別表2 現病歴・既往歴.
    pub history: Vec<MedicalHistoryRecord>,
}

/// 介護予防サービス・支援計画書 of one 計画作成(変更)日, with its 別表 (key: 保険者番号 +
/// 被保険者番号 + 計画作成(変更)日).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionPlan {
    pub version: CsvVersion,
    pub person: PlanPerson,
    pub plan: PreventionPlanRecord,
    /// 別表 支援計画.
    pub support: Vec<SupportPlanRecord>,
}

/// A deletion (DLT… files): withdraws what was sent under its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deletion {
    /// DLT1KYO: the plan of `plan_date` (第2表 and 第3表 with it).
    Plan {
        version: CsvVersion,
        person: PlanPerson,
        plan_date: Date,
    },
    /// DLTPLAN: the 利用票 of `month` (第7表 with it).
    ServiceUse {
        version: CsvVersion,
        person: PlanPerson,
        month: YearMonth,
    },
    /// DLTJSK: one office's 実績 of one サービス種類 in `month`.
    Results {
        version: CsvVersion,
        person: PlanPerson,
        month: YearMonth,
        provider: OfficeNumber,
        service_kind: ServiceKind,
    },
    /// DLTKIHON: the 利用者基本情報 of `consulted_on` (別表 and image with it).
    BasicInfo {
        version: CsvVersion,
        person: PlanPerson,
        consulted_on: Date,
    },
    /// DLTYOBO: the 介護予防サービス・支援計画書 of `plan_date` (its 別表 with it).
    PreventionPlan {
        version: CsvVersion,
        person: PlanPerson,
        plan_date: Date,
    },
}

impl Deletion {
    pub fn person(&self) -> PlanPerson {
        match self {
            Self::Plan { person, .. }
            | Self::ServiceUse { person, .. }
            | Self::Results { person, .. }
            | Self::BasicInfo { person, .. }
            | Self::PreventionPlan { person, .. } => *person,
        }
    }

    pub fn version(&self) -> CsvVersion {
        match self {
            Self::Plan { version, .. }
            | Self::ServiceUse { version, .. }
            | Self::Results { version, .. }
            | Self::BasicInfo { version, .. }
            | Self::PreventionPlan { version, .. } => *version,
        }
    }
}

/// What the 第6表 and 第7表 lines of one sender's sheet share: everything but the day, the
/// service and its office. Used by whoever writes a 利用票 or 実績 (the generator, the demo,
/// tests) so that a line's many empty fields are written in one place.
#[derive(Debug, Clone)]
pub struct SheetHead<'a> {
    pub created_on: Date,
    pub month: YearMonth,
    /// プラン担当業者コード.
    pub plan_office: Option<OfficeNumber>,
    pub planner_name: &'a str,
    /// 更新業者コード.
    pub vendor: Option<Plain>,
}

impl UseRecord {
    /// One visit on `date`: サービス回数 1, the 福祉用具 and other optional fields empty.
    pub fn visit(
        head: &SheetHead,
        date: Date,
        service_code: ServiceCode,
        units: i64,
        (start, end): (ServiceTime, ServiceTime),
        (provider, provider_name): (OfficeNumber, &str),
    ) -> Self {
        Self {
            created_on: head.created_on,
            month: head.month,
            plan_office: head.plan_office,
            planner_name: head.planner_name.to_string(),
            units: Some(Number::new(units)),
            short_stay_days_before: None,
            service_date: date,
            per_day_days: None,
            start,
            end,
            count: Number::new(1),
            service_code,
            tais_code: None,
            notified_code: None,
            equipment_name: String::new(),
            detail_code: None,
            provider,
            provider_name: provider_name.to_string(),
            satellite_no: None,
            over_30_days: Applies::No,
            vendor_code: head.vendor.clone(),
            identifier: None,
        }
    }
}

/// The sums a 第7表 line states (of one service, a kind's subtotal or the 全合計).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LimitSums {
    /// 回数／日数.
    pub count: i64,
    /// サービス単位, all within the limits.
    pub units: i64,
    /// 費用総額.
    pub cost: i64,
    /// 保険給付額 (給付率 90 %).
    pub claim: i64,
}

impl LimitSums {
    pub fn add(&mut self, other: LimitSums) {
        self.count += other.count;
        self.units += other.units;
        self.cost += other.cost;
        self.claim += other.claim;
    }
}

impl LimitRecord {
    /// A 第7表 line within the limits, 給付率 90 %: `units` per time (0 on a subtotal or the
    /// 全合計), `count` as printed, the money of `sums`, `unit_price` as 99.99.
    pub fn line(
        head: &SheetHead,
        (provider, provider_name): (LimitOffice, &str),
        service_code: LimitCode,
        units: i64,
        count: i64,
        sums: LimitSums,
        unit_price: &str,
    ) -> Self {
        let number = |n| Some(Number::new(n));
        Self {
            created_on: head.created_on,
            month: head.month,
            provider_name: provider_name.to_string(),
            provider,
            satellite_no: None,
            service_code,
            tais_code: None,
            notified_code: None,
            equipment_name: String::new(),
            units: Number::new(units),
            discount_rate: None,
            discounted_units: None,
            count: Number::new(count),
            service_units: number(sums.units),
            managed_units: number(sums.units),
            over_kind_limit: number(0),
            within_kind_limit: number(sums.units),
            over_level_limit: number(0),
            within_level_limit: number(sums.units),
            unit_price: <Decimal as Field>::parse(unit_price, Some(6)).ok(),
            total_cost: number(sums.cost),
            benefit_rate: number(90),
            claim: number(sums.claim),
            fixed_copay_price: None,
            copay_insured: number(sums.cost - sums.claim),
            copay_full: number(0),
            days_before: None,
            planned_days: None,
            cumulative_days: None,
            over_30_days: Applies::No,
            office_code: None,
            operator_code: None,
            vendor_code: head.vendor.clone(),
            identifier: None,
        }
    }
}

impl ServiceUse {
    /// A month of one service: `units` per visit on each of `dates` at `times` from
    /// `provider`, with its 第7表 line, the kind's subtotal and the 全合計 (地域単価
    /// `unit_price` in hundredths of a yen, 給付率 90 %). The demo's and the tests' 利用票.
    pub fn one_service(
        person: PlanPerson,
        head: &SheetHead,
        (code, units): (ServiceCode, i64),
        dates: &[Date],
        times: (ServiceTime, ServiceTime),
        provider: (OfficeNumber, &str),
        unit_price: i64,
    ) -> Self {
        let rows = dates
            .iter()
            .map(|&d| UseRecord::visit(head, d, code.clone(), units, times, provider))
            .collect();
        let count = dates.len() as i64;
        let total = units * count;
        let cost = total * unit_price / 100;
        let sums = LimitSums {
            count,
            units: total,
            cost,
            claim: cost * 9 / 10,
        };
        let price = format!("{}.{:02}", unit_price / 100, unit_price % 100);
        let office = (LimitOffice::Office(provider.0), provider.1);
        let line = |provider, service_code, per_time, count| {
            LimitRecord::line(head, provider, service_code, per_time, count, sums, &price)
        };
        let kind = code.kind;
        Self {
            person,
            month: head.month,
            version: CsvVersion::CURRENT,
            rows,
            limit_version: CsvVersion::CURRENT,
            limits: vec![
                line(office, LimitCode::Service(code), units, count),
                line(office, LimitCode::KindSubtotal(kind), 0, count),
                line((LimitOffice::AllOffices, ""), LimitCode::Total, 0, 0),
            ],
        }
    }
}
