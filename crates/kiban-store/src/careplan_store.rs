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
//! Names, comments and actor ids are text too; every other text column is a domain type, parsed
//! once where the row is read and written back as the same text (office numbers, YYYYMM months,
//! codes, 法人番号). A value that does not parse is a [`StoreError::CorruptValue`]; an aggregate
//! row has no key, so its error names none. Two columns hold the empty text for "none":
//! `to_office` (of documents and of service-month keys) and the "any kind" total of
//! [`CarePlanStore::plan_month_totals`]. Query parameters stay text.
//!
//! Both engines run the same statements (below) except the two bulk writes, which each engine
//! does its fastest way ([`Db::bulk_careplan_documents`], [`Db::bulk_replace_service_months`]).
//! The aggregates count distinct person-months with a `SELECT DISTINCT` below the `GROUP BY`
//! and order text by bytes on both engines. An unknown document on a status update is read
//! from the changed-row count, never from a failed statement.

use crate::db::{params, stored, stored_code, Db, Fields, Inline, SqlRow, Stored, ToValue, Value};
use crate::{Result, StoreError};
use kiban_domain::careplan::{
    CorporationKey, DocKey, DocKind, DocStatus, JudgmentPeriod, PlanDecision, YearMonth,
};
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::ids::{CorporationNumber, InsuredNumber, InsurerNumber, OfficeNumber};
use std::collections::HashMap;

stored_code! {
    DocKind, "a care-plan document kind code (plan, service_use, results)";
    DocStatus, "a care-plan document status code";
    PlanDecision, "a plan answer code (confirmed, commented)";
    ServiceKind, "a サービス種類コード (service kind)";
    CareLevel, "a 要介護状態区分コード (care level)";
}

/// One care-plan document as sent. Document key: (kind, insurer, insured, doc_key,
/// from_office, to_office); a later row with the same key supersedes the earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarePlanDocRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    pub kind: DocKind,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    /// plan: 計画作成(変更)日 (stored YYYYMMDD); service_use, results: 対象年月 (stored YYYYMM).
    /// Read by the kind: a plan's key is a date, the others' a month.
    pub doc_key: DocKey,
    /// The sender: the 居宅介護支援事業所 (plan, service_use) or the service office (results).
    pub from_office: OfficeNumber,
    /// The receiver of a service_use or results document; none for a plan (交付 reaches the
    /// offices it names) and for a deletion sent without one. Stored as the empty text then.
    pub to_office: Option<OfficeNumber>,
    pub status: DocStatus,
    pub body_json: String,
    /// 利用者補足情報 sent with it, if any.
    pub supplement_json: Option<String>,
    pub registered_at_ms: i64,
    pub registered_by: String,
}

/// One flattened 第6表 fact: in `month`, the plan of `care_office` for the person uses
/// `service_kind` from `provider_office`, in the rows sent to `to_office`. Written only: what
/// is read back are the aggregates over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMonthRow {
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub month: YearMonth,
    pub care_office: OfficeNumber,
    pub to_office: OfficeNumber,
    pub service_kind: ServiceKind,
    pub provider_office: OfficeNumber,
    /// 要介護状態区分 of the 利用票 (the changed level if it changed).
    pub care_level: CareLevel,
}

/// The service months of one (person, month, care office, receiving office): replaces what was
/// stored for that key (an empty `rows` removes it, as 第6表_削除 does). `to_office` is none
/// for a deletion sent without a receiver (stored as the empty text, as on the documents); its
/// rows, if any, are sent to `to_office`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMonthSet {
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub month: YearMonth,
    pub care_office: OfficeNumber,
    pub to_office: Option<OfficeNumber>,
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
    pub decision: PlanDecision,
    pub comment: String,
}

/// One LIFE 利用者フィードバック票.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeFeedbackRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub office_number: OfficeNumber,
    /// 対象期間: the month of the feedback.
    pub period: YearMonth,
    pub body_json: String,
    pub submitted_at_ms: i64,
    pub submitted_by: String,
}

/// 法人: 13-digit 法人番号 and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporationRow {
    pub corporation_number: CorporationNumber,
    pub name: String,
    pub registered_at_ms: i64,
}

/// Which corporation runs an office (any office, not only those with logins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporationOfficeRow {
    pub office_number: OfficeNumber,
    pub corporation_number: CorporationNumber,
    pub office_name: String,
}

/// A 正当な理由 recorded by the municipality for one office, 判定期間 and service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcentrationExclusionRow {
    /// Assigned on insert (ignored there).
    pub id: i64,
    pub insurer: InsurerNumber,
    pub office_number: OfficeNumber,
    /// 判定期間, stored as its code: "<year>-1" (前期 Mar–Aug) or "<year>-2" (後期 Sep–Feb).
    pub period: JudgmentPeriod,
    pub service_kind: ServiceKind,
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
    pub office_number: OfficeNumber,
    pub month: YearMonth,
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
/// corporation: the provider's registered 法人, or the provider itself when its corporation is
/// not registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorporationCountRow {
    pub care_office: OfficeNumber,
    pub service_kind: ServiceKind,
    pub corporation: CorporationKey,
    pub plan_months: i64,
}

/// Plan-months of one care office, for one service kind or (`service_kind` none, the empty text
/// in the statement) for any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanMonthTotalRow {
    pub care_office: OfficeNumber,
    pub service_kind: Option<ServiceKind>,
    pub plan_months: i64,
}

/// Distinct persons per (care office, care level) in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadCountRow {
    pub care_office: OfficeNumber,
    pub care_level: CareLevel,
    pub persons: i64,
}

/// Distinct persons per (service kind, care level) in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCountRow {
    pub service_kind: ServiceKind,
    pub care_level: CareLevel,
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
    fn set_careplan_status(&mut self, id: i64, status: DocStatus) -> Result<()>;
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

const DOCUMENT_COLUMNS: &str = "id, kind, insurer, insured, doc_key, from_office, to_office, status, body_json, supplement_json, registered_at_ms, registered_by";
const CONFIRMATION_COLUMNS: &str = "id, document_id, at_ms, account, decision, comment";
const FEEDBACK_COLUMNS: &str =
    "id, insurer, insured, office_number, period, body_json, submitted_at_ms, submitted_by";
const CORPORATION_COLUMNS: &str = "corporation_number, name, registered_at_ms";
const CORPORATION_OFFICE_COLUMNS: &str = "office_number, corporation_number, office_name";
const EXCLUSION_COLUMNS: &str = "id, insurer, office_number, period, service_kind, reason, excluded_plan_months, note, recorded_at_ms, recorded_by";
const STAFFING_COLUMNS: &str = "office_number, month, care_managers_centi, data_exchange, clerical_staff, recorded_at_ms, recorded_by";

/// 集中減算 numerators: insurer, from, to, the kinds.
const CORPORATION_COUNTS: &str = "SELECT care_office, service_kind, corporation, COUNT(*) FROM (\
       SELECT DISTINCT s.care_office, s.service_kind, \
              COALESCE(c.corporation_number, 'office:' || s.provider_office) AS corporation, \
              s.insured, s.month \
       FROM service_months s LEFT JOIN corporation_offices c ON c.office_number = s.provider_office \
       WHERE s.insurer = ?1 AND s.month BETWEEN ?2 AND ?3 AND s.service_kind {IN:?4}\
     ) AS d GROUP BY care_office, service_kind, corporation \
     ORDER BY care_office{BYTEWISE}, service_kind{BYTEWISE}, corporation{BYTEWISE}";

/// 集中減算 denominators: insurer, from, to, the kinds.
const PLAN_MONTH_TOTALS: &str = "SELECT care_office, service_kind, plan_months FROM (\
       SELECT care_office, service_kind, COUNT(*) AS plan_months FROM (\
         SELECT DISTINCT care_office, service_kind, insured, month FROM service_months \
         WHERE insurer = ?1 AND month BETWEEN ?2 AND ?3 AND service_kind {IN:?4}\
       ) AS k GROUP BY care_office, service_kind \
       UNION ALL \
       SELECT care_office, '' AS service_kind, COUNT(*) AS plan_months FROM (\
         SELECT DISTINCT care_office, insured, month FROM service_months \
         WHERE insurer = ?1 AND month BETWEEN ?2 AND ?3\
       ) AS a GROUP BY care_office\
     ) AS t ORDER BY care_office{BYTEWISE}, service_kind{BYTEWISE}";

// The column names of the aggregates' rows, for a corrupt value's error (the statements name
// their columns themselves).
const CORPORATION_COUNT_COLUMNS: &str = "care_office, service_kind, corporation, plan_months";
const PLAN_MONTH_TOTAL_COLUMNS: &str = "care_office, service_kind, plan_months";
const CASELOAD_COUNT_COLUMNS: &str = "care_office, care_level, persons";
const USER_COUNT_COLUMNS: &str = "service_kind, care_level, persons";

stored! {
    YearMonth, "a YYYYMM month",
        |s| YearMonth::parse(s).ok(),
        |v| Value::Inline(Inline::new(&v.yyyymm()));
    JudgmentPeriod, "a 判定期間 code (<year>-1, <year>-2)",
        |s| JudgmentPeriod::parse(s).ok(),
        |v| Value::Inline(Inline::new(&v.code()));
    CorporationNumber, "a 法人番号 (corporation number)",
        |s| CorporationNumber::parse(s).ok(),
        |v| Value::Inline(Inline::display(v));
    CorporationKey, "a 法人番号 or office:<事業所番号> (corporation key)",
        |s| CorporationKey::parse(s).ok(),
        |v| Value::Inline(Inline::display(v));
}

/// The stored text of a receiving office: its number, or the empty text for none.
pub(crate) fn to_office_value(office: &Option<OfficeNumber>) -> Value<'_> {
    office.as_ref().map_or(Value::Text(""), ToValue::to_value)
}

/// The stored text of a document key: YYYYMMDD or YYYYMM.
pub(crate) fn doc_key_value(key: &DocKey) -> Value<'_> {
    match key {
        DocKey::PlanDate(day) => day.to_value(),
        DocKey::Month(month) => month.to_value(),
    }
}

/// The error of updating a document that does not exist (no id in the message).
fn unknown_document() -> StoreError {
    StoreError::Conflict("careplan_documents".into())
}

/// The key a [`ServiceMonthSet`] replaces.
pub(crate) type MonthKey = (
    InsurerNumber,
    InsuredNumber,
    YearMonth,
    OfficeNumber,
    Option<OfficeNumber>,
);

pub(crate) fn set_key(s: &ServiceMonthSet) -> MonthKey {
    (s.insurer, s.insured, s.month, s.care_office, s.to_office)
}

fn row_key(r: &ServiceMonthRow) -> MonthKey {
    (
        r.insurer,
        r.insured,
        r.month,
        r.care_office,
        Some(r.to_office),
    )
}

/// What replacing `sets` one after the other leaves, computed up front so an engine can write
/// it in two statements: every key to delete (each once, first-seen order) and the rows that
/// survive — a row of set i survives unless a later set replaces the row's own key.
pub(crate) fn plan_replacement(sets: &[ServiceMonthSet]) -> (Vec<MonthKey>, Vec<&ServiceMonthRow>) {
    let mut last: HashMap<MonthKey, usize> = HashMap::new();
    let mut keys = Vec::new();
    for (i, set) in sets.iter().enumerate() {
        if last.insert(set_key(set), i).is_none() {
            keys.push(set_key(set));
        }
    }
    let rows = sets
        .iter()
        .enumerate()
        .flat_map(|(i, set)| set.rows.iter().map(move |r| (i, r)))
        .filter(|(i, r)| last.get(&row_key(r)).is_none_or(|&j| j <= *i))
        .map(|(_, r)| r)
        .collect();
    (keys, rows)
}

fn to_document(r: &dyn SqlRow) -> Result<CarePlanDocRow> {
    let f = Fields::new(r, "careplan_documents", DOCUMENT_COLUMNS, 0)?;
    let kind = f.parse(1)?;
    Ok(CarePlanDocRow {
        id: r.get(0)?,
        kind,
        insurer: f.parse(2)?,
        insured: f.parse(3)?,
        doc_key: match kind {
            DocKind::Plan | DocKind::BasicInfo | DocKind::PreventionPlan => {
                DocKey::PlanDate(f.parse(4)?)
            }
            DocKind::ServiceUse | DocKind::Results => DocKey::Month(f.parse(4)?),
        },
        from_office: f.parse(5)?,
        to_office: f.parse_or_empty(6)?,
        status: f.parse(7)?,
        body_json: r.get(8)?,
        supplement_json: r.get(9)?,
        registered_at_ms: r.get(10)?,
        registered_by: r.get(11)?,
    })
}

fn to_confirmation(r: &dyn SqlRow) -> Result<PlanConfirmationRow> {
    let f = Fields::new(r, "plan_confirmations", CONFIRMATION_COLUMNS, 0)?;
    Ok(PlanConfirmationRow {
        id: r.get(0)?,
        document_id: r.get(1)?,
        at_ms: r.get(2)?,
        account: r.get(3)?,
        decision: f.parse(4)?,
        comment: r.get(5)?,
    })
}

fn to_feedback(r: &dyn SqlRow) -> Result<LifeFeedbackRow> {
    let f = Fields::new(r, "life_feedback", FEEDBACK_COLUMNS, 0)?;
    Ok(LifeFeedbackRow {
        id: r.get(0)?,
        insurer: f.parse(1)?,
        insured: f.parse(2)?,
        office_number: f.parse(3)?,
        period: f.parse(4)?,
        body_json: r.get(5)?,
        submitted_at_ms: r.get(6)?,
        submitted_by: r.get(7)?,
    })
}

fn to_corporation(r: &dyn SqlRow) -> Result<CorporationRow> {
    let f = Fields::new(r, "corporations", CORPORATION_COLUMNS, 0)?;
    Ok(CorporationRow {
        corporation_number: f.parse(0)?,
        name: r.get(1)?,
        registered_at_ms: r.get(2)?,
    })
}

fn to_corporation_office(r: &dyn SqlRow) -> Result<CorporationOfficeRow> {
    let f = Fields::new(r, "corporation_offices", CORPORATION_OFFICE_COLUMNS, 0)?;
    Ok(CorporationOfficeRow {
        office_number: f.parse(0)?,
        corporation_number: f.parse(1)?,
        office_name: r.get(2)?,
    })
}

fn to_exclusion(r: &dyn SqlRow) -> Result<ConcentrationExclusionRow> {
    let f = Fields::new(r, "concentration_exclusions", EXCLUSION_COLUMNS, 0)?;
    Ok(ConcentrationExclusionRow {
        id: r.get(0)?,
        insurer: f.parse(1)?,
        office_number: f.parse(2)?,
        period: f.parse(3)?,
        service_kind: f.parse(4)?,
        reason: r.get(5)?,
        excluded_plan_months: r.get(6)?,
        note: r.get(7)?,
        recorded_at_ms: r.get(8)?,
        recorded_by: r.get(9)?,
    })
}

fn to_staffing(r: &dyn SqlRow) -> Result<StaffingRow> {
    let f = Fields::new(r, "care_manager_staffing", STAFFING_COLUMNS, 0)?;
    Ok(StaffingRow {
        office_number: f.parse(0)?,
        month: f.parse(1)?,
        care_managers_centi: r.get(2)?,
        data_exchange: r.get(3)?,
        clerical_staff: r.get(4)?,
        recorded_at_ms: r.get(5)?,
        recorded_by: r.get(6)?,
    })
}

fn to_corporation_count(r: &dyn SqlRow) -> Result<CorporationCountRow> {
    let f = Fields::aggregate(r, "service_months", CORPORATION_COUNT_COLUMNS);
    Ok(CorporationCountRow {
        care_office: f.parse(0)?,
        service_kind: f.parse(1)?,
        corporation: f.parse(2)?,
        plan_months: r.get(3)?,
    })
}

fn to_plan_month_total(r: &dyn SqlRow) -> Result<PlanMonthTotalRow> {
    let f = Fields::aggregate(r, "service_months", PLAN_MONTH_TOTAL_COLUMNS);
    Ok(PlanMonthTotalRow {
        care_office: f.parse(0)?,
        service_kind: f.parse_or_empty(1)?,
        plan_months: r.get(2)?,
    })
}

fn to_caseload_count(r: &dyn SqlRow) -> Result<CaseloadCountRow> {
    let f = Fields::aggregate(r, "service_months", CASELOAD_COUNT_COLUMNS);
    Ok(CaseloadCountRow {
        care_office: f.parse(0)?,
        care_level: f.parse(1)?,
        persons: r.get(2)?,
    })
}

fn to_user_count(r: &dyn SqlRow) -> Result<UserCountRow> {
    let f = Fields::aggregate(r, "service_months", USER_COUNT_COLUMNS);
    Ok(UserCountRow {
        service_kind: f.parse(0)?,
        care_level: f.parse(1)?,
        persons: r.get(2)?,
    })
}

/// An aggregate over a whole 判定期間, between the engine's preparations for one.
fn aggregate<D: Db, T>(
    db: &mut D,
    sql: &str,
    params: &[crate::db::Value],
    map: crate::db::Map<T>,
) -> Result<Vec<T>> {
    db.aggregate_begin()?;
    let rows = db.query_all(sql, params, map);
    db.aggregate_end()?;
    rows
}

impl<D: Db> CarePlanStore for D {
    fn insert_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>> {
        self.bulk_careplan_documents(rows)
    }

    fn careplan_document(&mut self, id: i64) -> Result<Option<CarePlanDocRow>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE id = ?1");
        self.query_opt(&sql, params![id], to_document)
    }

    fn careplan_documents_of(
        &mut self,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE insurer = ?1 AND insured = ?2 ORDER BY id DESC"
        );
        self.query_all(&sql, params![insurer, insured], to_document)
    }

    fn careplan_documents_to(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE to_office = ?1 ORDER BY id DESC LIMIT ?2"
        );
        self.query_all(&sql, params![office, limit], to_document)
    }

    fn careplan_drafts_from(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        // The predicate repeats the partial index's, so the planner can use it.
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE from_office = ?1 AND kind = 'plan' \
             AND status IN ('draft', 'confirmed', 'commented') ORDER BY id DESC LIMIT ?2"
        );
        self.query_all(&sql, params![office, limit], to_document)
    }

    fn set_careplan_status(&mut self, id: i64, status: DocStatus) -> Result<()> {
        let changed = self.execute(
            "UPDATE careplan_documents SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        if changed == 0 {
            return Err(unknown_document());
        }
        Ok(())
    }

    fn insert_plan_confirmation(&mut self, c: &PlanConfirmationRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO plan_confirmations (document_id, at_ms, account, decision, comment) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
            params![c.document_id, c.at_ms, c.account, c.decision, c.comment],
        )
    }

    fn plan_confirmations(&mut self, document_id: i64) -> Result<Vec<PlanConfirmationRow>> {
        let sql = format!(
            "SELECT {CONFIRMATION_COLUMNS} FROM plan_confirmations WHERE document_id = ?1 ORDER BY id"
        );
        self.query_all(&sql, params![document_id], to_confirmation)
    }

    fn replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()> {
        self.bulk_replace_service_months(sets)
    }

    fn corporation_counts(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<CorporationCountRow>> {
        let params = params![insurer, from, to, kinds];
        aggregate(self, CORPORATION_COUNTS, params, to_corporation_count)
    }

    fn plan_month_totals(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<PlanMonthTotalRow>> {
        let params = params![insurer, from, to, kinds];
        aggregate(self, PLAN_MONTH_TOTALS, params, to_plan_month_total)
    }

    fn caseload_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<CaseloadCountRow>> {
        self.query_all(
            "SELECT care_office, care_level, COUNT(DISTINCT insured) FROM service_months \
             WHERE insurer = ?1 AND month = ?2 GROUP BY care_office, care_level \
             ORDER BY care_office{BYTEWISE}, care_level{BYTEWISE}",
            params![insurer, month],
            to_caseload_count,
        )
    }

    fn user_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<UserCountRow>> {
        self.query_all(
            "SELECT service_kind, care_level, COUNT(DISTINCT insured) FROM service_months \
             WHERE insurer = ?1 AND month = ?2 GROUP BY service_kind, care_level \
             ORDER BY service_kind{BYTEWISE}, care_level{BYTEWISE}",
            params![insurer, month],
            to_user_count,
        )
    }

    fn insert_life_feedback(&mut self, f: &LifeFeedbackRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO life_feedback (insurer, insured, office_number, period, body_json, submitted_at_ms, submitted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
            params![f.insurer, f.insured, f.office_number, f.period, f.body_json, f.submitted_at_ms, f.submitted_by],
        )
    }

    fn life_feedback_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<LifeFeedbackRow>> {
        let sql = format!(
            "SELECT {FEEDBACK_COLUMNS} FROM life_feedback WHERE insurer = ?1 AND insured = ?2 ORDER BY period DESC, id DESC"
        );
        self.query_all(&sql, params![insurer, insured], to_feedback)
    }

    fn put_corporation(&mut self, c: &CorporationRow) -> Result<()> {
        self.execute(
            "INSERT INTO corporations (corporation_number, name, registered_at_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (corporation_number) DO UPDATE SET name = excluded.name, registered_at_ms = excluded.registered_at_ms",
            params![c.corporation_number, c.name, c.registered_at_ms],
        )?;
        Ok(())
    }

    fn put_corporation_office(&mut self, o: &CorporationOfficeRow) -> Result<()> {
        self.execute(
            "INSERT INTO corporation_offices (office_number, corporation_number, office_name) VALUES (?1, ?2, ?3) \
             ON CONFLICT (office_number) DO UPDATE SET corporation_number = excluded.corporation_number, office_name = excluded.office_name",
            params![o.office_number, o.corporation_number, o.office_name],
        )?;
        Ok(())
    }

    fn corporations(&mut self) -> Result<Vec<CorporationRow>> {
        let sql =
            format!("SELECT {CORPORATION_COLUMNS} FROM corporations ORDER BY corporation_number");
        self.query_all(&sql, &[], to_corporation)
    }

    fn corporation_offices(&mut self) -> Result<Vec<CorporationOfficeRow>> {
        let sql = format!(
            "SELECT {CORPORATION_OFFICE_COLUMNS} FROM corporation_offices ORDER BY office_number"
        );
        self.query_all(&sql, &[], to_corporation_office)
    }

    fn insert_concentration_exclusion(&mut self, e: &ConcentrationExclusionRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO concentration_exclusions (insurer, office_number, period, service_kind, reason, excluded_plan_months, note, recorded_at_ms, recorded_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
            params![e.insurer, e.office_number, e.period, e.service_kind, e.reason, e.excluded_plan_months, e.note, e.recorded_at_ms, e.recorded_by],
        )
    }

    fn concentration_exclusions(
        &mut self,
        insurer: &str,
        period: &str,
    ) -> Result<Vec<ConcentrationExclusionRow>> {
        let sql = format!(
            "SELECT {EXCLUSION_COLUMNS} FROM concentration_exclusions WHERE insurer = ?1 AND period = ?2 ORDER BY id"
        );
        self.query_all(&sql, params![insurer, period], to_exclusion)
    }

    fn put_staffing(&mut self, s: &StaffingRow) -> Result<()> {
        self.execute(
            "INSERT INTO care_manager_staffing (office_number, month, care_managers_centi, data_exchange, clerical_staff, recorded_at_ms, recorded_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (office_number, month) DO UPDATE SET care_managers_centi = excluded.care_managers_centi, data_exchange = excluded.data_exchange, \
             clerical_staff = excluded.clerical_staff, recorded_at_ms = excluded.recorded_at_ms, recorded_by = excluded.recorded_by",
            params![s.office_number, s.month, s.care_managers_centi, s.data_exchange, s.clerical_staff, s.recorded_at_ms, s.recorded_by],
        )?;
        Ok(())
    }

    fn staffing(&mut self, month: &str) -> Result<Vec<StaffingRow>> {
        let sql = format!(
            "SELECT {STAFFING_COLUMNS} FROM care_manager_staffing WHERE month = ?1 ORDER BY office_number"
        );
        self.query_all(&sql, params![month], to_staffing)
    }
}
