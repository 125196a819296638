//! Storage of care plans and what the municipality computes from them, a supertrait of
//! [`crate::Store`]:
//! - care-plan documents (第1+2表 `plan`, 第6+7表 `service_use`, 実績 `results`), appended,
//!   never updated except their status; the newest row of a document key is the current one;
//! - the confirmations of a plan sent for the person's 同意・確認;
//! - `service_months`: one row per (plan-month, receiving office, service kind, provider), the
//!   flattened 第6表 that 特定事業所集中減算, caseloads and regional statistics count;
//! - LIFE feedback, the corporation (法人) registry, 正当な理由 exclusions and care-manager
//!   staffing.
//!
//! Bodies are JSON text written and read by the application layer; the store decides nothing.

use crate::Result;

/// One care-plan document as sent. Document key: (kind, insurer, insured, doc_key,
/// from_office, to_office); a later row with the same key supersedes the earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanDocRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    /// plan | service_use | results.
    pub kind: String,
    pub insurer: String,
    pub insured: String,
    /// plan: 計画作成(変更)日 YYYYMMDD; service_use, results: 対象年月 YYYYMM.
    pub doc_key: String,
    /// The sender: the 居宅介護支援事業所 (plan, service_use) or the service office (results).
    pub from_office: String,
    /// The receiver of a service_use or results document; empty for a plan (交付 reaches the
    /// offices it names).
    pub to_office: String,
    /// issued | draft | confirmed | commented | deleted.
    pub status: String,
    pub body_json: String,
    /// 利用者補足情報 sent with it, if any.
    pub supplement_json: Option<String>,
    pub registered_at_ms: i64,
    pub registered_by: String,
}

/// One flattened 第6表 fact: in `month`, the plan of `care_office` for the person uses
/// `service_kind` from `provider_office`, in the rows sent to `to_office`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMonthRow {
    pub insurer: String,
    pub insured: String,
    /// YYYYMM.
    pub month: String,
    pub care_office: String,
    pub to_office: String,
    /// 2-digit サービス種類コード.
    pub service_kind: String,
    pub provider_office: String,
    /// 要介護状態区分コード of the 利用票 (the changed level if it changed).
    pub care_level: String,
}

/// The service months of one (person, month, care office, receiving office): replaces what was
/// stored for that key (an empty `rows` removes it, as 第6表_削除 does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMonthSet {
    pub insurer: String,
    pub insured: String,
    pub month: String,
    pub care_office: String,
    pub to_office: String,
    pub rows: Vec<ServiceMonthRow>,
}

/// The person's answer to a plan sent for 同意・確認.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanConfirmationRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    pub document_id: i64,
    pub at_ms: i64,
    /// The citizen account (card fingerprint-derived id), never a My Number.
    pub account: String,
    /// confirmed | commented.
    pub decision: String,
    pub comment: String,
}

/// One LIFE 利用者フィードバック票.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeFeedbackRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    pub insurer: String,
    pub insured: String,
    pub office_number: String,
    /// 対象期間: YYYYMM (the month of the feedback).
    pub period: String,
    pub body_json: String,
    pub submitted_at_ms: i64,
    pub submitted_by: String,
}

/// 法人: 13-digit 法人番号 and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporationRow {
    pub corporation_number: String,
    pub name: String,
    pub registered_at_ms: i64,
}

/// Which corporation runs an office (any office, not only those with logins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporationOfficeRow {
    pub office_number: String,
    pub corporation_number: String,
    pub office_name: String,
}

/// A 正当な理由 recorded by the municipality for one office, 判定期間 and service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcentrationExclusionRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    pub insurer: String,
    pub office_number: String,
    /// 判定期間 code: "<year>-1" (前期 Mar–Aug) or "<year>-2" (後期 Sep–Feb).
    pub period: String,
    pub service_kind: String,
    /// 正当な理由 number (1–7 of 老企第36号 第3の10).
    pub reason: i64,
    /// For reason 5 (地域ケア会議で確認): plan-months excluded from the count; 0 otherwise.
    pub excluded_plan_months: i64,
    pub note: String,
    pub recorded_at_ms: i64,
    pub recorded_by: String,
}

/// The care managers of a 居宅介護支援事業所 in a month (常勤換算) and the two conditions of
/// the 49-user line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffingRow {
    pub office_number: String,
    /// YYYYMM.
    pub month: String,
    /// 常勤換算 care managers × 100 (2.5 → 250).
    pub care_managers_centi: i64,
    /// ケアプランデータ連携 in use.
    pub data_exchange: bool,
    /// 事務職員 employed.
    pub clerical_staff: bool,
    pub recorded_at_ms: i64,
    pub recorded_by: String,
}

/// Plan-months (distinct person × month) of one care office and service kind that use one
/// corporation: `corporation` is the 法人番号, or "office:<事業所番号>" for a provider whose
/// corporation is not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporationCountRow {
    pub care_office: String,
    pub service_kind: String,
    pub corporation: String,
    pub plan_months: i64,
}

/// Plan-months of one care office, for one service kind or (`service_kind` empty) for any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanMonthTotalRow {
    pub care_office: String,
    pub service_kind: String,
    pub plan_months: i64,
}

/// Distinct persons per (care office, care level) in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadCountRow {
    pub care_office: String,
    pub care_level: String,
    pub persons: i64,
}

/// Distinct persons per (service kind, care level) in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCountRow {
    pub service_kind: String,
    pub care_level: String,
    pub persons: i64,
}

pub trait CarePlanStore {
    /// Appends documents (their ids are ignored) and returns the assigned ids in order. Bulk:
    /// the import calls it with thousands of rows inside one transaction.
    fn insert_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>>;
    fn careplan_document(&mut self, id: i64) -> Result<Option<CarePlanDocRow>>;
    /// Every document of a person, newest first (by id).
    fn careplan_documents_of(
        &mut self,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<CarePlanDocRow>>;
    /// Documents whose `to_office` is `office` (a service office's inbox), newest first, at most
    /// `limit`.
    fn careplan_documents_to(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>>;
    /// Plans `office` sent for 同意・確認 (status draft, confirmed or commented), newest first, at
    /// most `limit`: the care manager's list of drafts and the persons' answers.
    fn careplan_drafts_from(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>>;
    /// Sets the status of a document; [`crate::StoreError::Conflict`] if there is no such id.
    fn set_careplan_status(&mut self, id: i64, status: &str) -> Result<()>;
    fn insert_plan_confirmation(&mut self, row: &PlanConfirmationRow) -> Result<i64>;
    /// Oldest first.
    fn plan_confirmations(&mut self, document_id: i64) -> Result<Vec<PlanConfirmationRow>>;

    /// Replaces the service months of each set's key. Bulk, like the documents.
    fn replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()>;
    /// 集中減算 numerators: plan-months per (care office, kind, corporation) for persons of
    /// `insurer` in months `from..=to` (YYYYMM) and the given service kinds.
    fn corporation_counts(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<CorporationCountRow>>;
    /// 集中減算 denominators: plan-months per (care office, kind) for the given kinds, plus one
    /// row per care office with `service_kind` empty counting its plan-months of any kind.
    fn plan_month_totals(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<PlanMonthTotalRow>>;
    fn caseload_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<CaseloadCountRow>>;
    fn user_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<UserCountRow>>;

    fn insert_life_feedback(&mut self, row: &LifeFeedbackRow) -> Result<i64>;
    /// Newest first (by period, then id).
    fn life_feedback_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<LifeFeedbackRow>>;

    /// Inserts or replaces (by 法人番号).
    fn put_corporation(&mut self, row: &CorporationRow) -> Result<()>;
    /// Inserts or replaces (by 事業所番号).
    fn put_corporation_office(&mut self, row: &CorporationOfficeRow) -> Result<()>;
    /// Ordered by 法人番号.
    fn corporations(&mut self) -> Result<Vec<CorporationRow>>;
    /// Ordered by 事業所番号.
    fn corporation_offices(&mut self) -> Result<Vec<CorporationOfficeRow>>;

    fn insert_concentration_exclusion(&mut self, row: &ConcentrationExclusionRow) -> Result<i64>;
    /// Of one insurer and 判定期間, oldest first.
    fn concentration_exclusions(
        &mut self,
        insurer: &str,
        period: &str,
    ) -> Result<Vec<ConcentrationExclusionRow>>;

    /// Inserts or replaces (by office and month).
    fn put_staffing(&mut self, row: &StaffingRow) -> Result<()>;
    /// Ordered by office.
    fn staffing(&mut self, month: &str) -> Result<Vec<StaffingRow>>;
}
