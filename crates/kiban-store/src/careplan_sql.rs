//! What the care-plan store says the same way on SQLite and PostgreSQL: the column lists, the
//! service-month replacement plan, the aggregate statements (written once, with a [`Dialect`]
//! for the placeholders, the service-kind filter and text ordering) and one mapper per row
//! type. Kept apart from both engines so neither borrows from the other and a change to a
//! table is made once.

use crate::careplan_store::*;
use crate::StoreError;
use std::collections::HashMap;

pub(crate) const DOCUMENT_COLUMNS: &str = "id, kind, insurer, insured, doc_key, from_office, to_office, status, body_json, supplement_json, registered_at_ms, registered_by";
pub(crate) const CONFIRMATION_COLUMNS: &str = "id, document_id, at_ms, account, decision, comment";
pub(crate) const FEEDBACK_COLUMNS: &str =
    "id, insurer, insured, office_number, period, body_json, submitted_at_ms, submitted_by";
pub(crate) const CORPORATION_COLUMNS: &str = "corporation_number, name, registered_at_ms";
pub(crate) const CORPORATION_OFFICE_COLUMNS: &str =
    "office_number, corporation_number, office_name";
pub(crate) const EXCLUSION_COLUMNS: &str = "id, insurer, office_number, period, service_kind, reason, excluded_plan_months, note, recorded_at_ms, recorded_by";
pub(crate) const STAFFING_COLUMNS: &str = "office_number, month, care_managers_centi, data_exchange, clerical_staff, recorded_at_ms, recorded_by";

/// The error of updating a document that does not exist (no id in the message).
pub(crate) fn unknown_document() -> StoreError {
    StoreError::Conflict("careplan_documents".into())
}

/// The key a [`ServiceMonthSet`] replaces.
pub(crate) type MonthKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

fn set_key(s: &ServiceMonthSet) -> MonthKey<'_> {
    (
        &s.insurer,
        &s.insured,
        &s.month,
        &s.care_office,
        &s.to_office,
    )
}

fn row_key(r: &ServiceMonthRow) -> MonthKey<'_> {
    (
        &r.insurer,
        &r.insured,
        &r.month,
        &r.care_office,
        &r.to_office,
    )
}

/// What replacing `sets` one after the other leaves, computed up front so an engine can write
/// it in two statements: every key to delete (each once, first-seen order) and the rows that
/// survive — a row of set i survives unless a later set replaces the row's own key.
pub(crate) fn plan_replacement(
    sets: &[ServiceMonthSet],
) -> (Vec<MonthKey<'_>>, Vec<&ServiceMonthRow>) {
    let mut last: HashMap<MonthKey<'_>, usize> = HashMap::new();
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

/// The SQL dialect of an aggregate statement: placeholders, the service-kind filter and text
/// ordering.
#[derive(Clone, Copy)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// `column` is one of the `count` kinds bound from parameter `first` (SQLite: one
    /// placeholder each; PostgreSQL: one text array).
    fn kinds(self, column: &str, first: usize, count: usize) -> String {
        match self {
            Dialect::Sqlite => {
                let marks: Vec<String> = (first..first + count).map(|n| format!("?{n}")).collect();
                format!("{column} IN ({})", marks.join(", "))
            }
            Dialect::Postgres => format!("{column} = ANY(${first}::TEXT[])"),
        }
    }

    /// `ORDER BY` these text columns in byte order, whatever the server's collation.
    fn order(self, columns: &[&str]) -> String {
        let collate = match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " COLLATE \"C\"",
        };
        let list: Vec<String> = columns.iter().map(|c| format!("{c}{collate}")).collect();
        format!("ORDER BY {}", list.join(", "))
    }
}

/// 集中減算 numerators: insurer, from, to, then the kinds.
pub(crate) fn corporation_counts_sql(d: Dialect, kinds: usize) -> String {
    let (p1, p2, p3) = (d.param(1), d.param(2), d.param(3));
    let filter = d.kinds("s.service_kind", 4, kinds);
    let order = d.order(&["care_office", "service_kind", "corporation"]);
    format!(
        "SELECT care_office, service_kind, corporation, COUNT(*) FROM (\
           SELECT DISTINCT s.care_office, s.service_kind, \
                  COALESCE(c.corporation_number, 'office:' || s.provider_office) AS corporation, \
                  s.insured, s.month \
           FROM service_months s LEFT JOIN corporation_offices c ON c.office_number = s.provider_office \
           WHERE s.insurer = {p1} AND s.month BETWEEN {p2} AND {p3} AND {filter}\
         ) AS d GROUP BY care_office, service_kind, corporation {order}"
    )
}

/// 集中減算 denominators: insurer, from, to, then the kinds.
pub(crate) fn plan_month_totals_sql(d: Dialect, kinds: usize) -> String {
    let (p1, p2, p3) = (d.param(1), d.param(2), d.param(3));
    let filter = d.kinds("service_kind", 4, kinds);
    let order = d.order(&["care_office", "service_kind"]);
    format!(
        "SELECT care_office, service_kind, plan_months FROM (\
           SELECT care_office, service_kind, COUNT(*) AS plan_months FROM (\
             SELECT DISTINCT care_office, service_kind, insured, month FROM service_months \
             WHERE insurer = {p1} AND month BETWEEN {p2} AND {p3} AND {filter}\
           ) AS k GROUP BY care_office, service_kind \
           UNION ALL \
           SELECT care_office, '' AS service_kind, COUNT(*) AS plan_months FROM (\
             SELECT DISTINCT care_office, insured, month FROM service_months \
             WHERE insurer = {p1} AND month BETWEEN {p2} AND {p3}\
           ) AS a GROUP BY care_office\
         ) AS t {order}"
    )
}

pub(crate) fn caseload_counts_sql(d: Dialect) -> String {
    let (p1, p2) = (d.param(1), d.param(2));
    let order = d.order(&["care_office", "care_level"]);
    format!(
        "SELECT care_office, care_level, COUNT(DISTINCT insured) FROM service_months \
         WHERE insurer = {p1} AND month = {p2} GROUP BY care_office, care_level {order}"
    )
}

pub(crate) fn user_counts_sql(d: Dialect) -> String {
    let (p1, p2) = (d.param(1), d.param(2));
    let order = d.order(&["service_kind", "care_level"]);
    format!(
        "SELECT service_kind, care_level, COUNT(DISTINCT insured) FROM service_months \
         WHERE insurer = {p1} AND month = {p2} GROUP BY service_kind, care_level {order}"
    )
}
/// What a column read gives on a row of type `R`.
pub(crate) type Read<T, R> = std::result::Result<T, <R as PlanRow>::Error>;

/// A result row of either engine, read by position: what lets one mapper per row type serve
/// both. SQLite reports a column of another type as an error; on PostgreSQL `Row::get` panics,
/// as the engine's own mappers always did, so its error type is uninhabited.
pub(crate) trait PlanRow {
    type Error;
    fn text(&self, i: usize) -> Read<String, Self>;
    fn maybe_text(&self, i: usize) -> Read<Option<String>, Self>;
    fn int(&self, i: usize) -> Read<i64, Self>;
    fn flag(&self, i: usize) -> Read<bool, Self>;
}

/// A row type read from the columns its `*_COLUMNS` list (or its aggregate) selects, in order.
pub(crate) trait FromPlanRow: Sized {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R>;
}

impl FromPlanRow for CarePlanDocRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(CarePlanDocRow {
            id: r.int(0)?,
            kind: r.text(1)?,
            insurer: r.text(2)?,
            insured: r.text(3)?,
            doc_key: r.text(4)?,
            from_office: r.text(5)?,
            to_office: r.text(6)?,
            status: r.text(7)?,
            body_json: r.text(8)?,
            supplement_json: r.maybe_text(9)?,
            registered_at_ms: r.int(10)?,
            registered_by: r.text(11)?,
        })
    }
}

impl FromPlanRow for PlanConfirmationRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(PlanConfirmationRow {
            id: r.int(0)?,
            document_id: r.int(1)?,
            at_ms: r.int(2)?,
            account: r.text(3)?,
            decision: r.text(4)?,
            comment: r.text(5)?,
        })
    }
}

impl FromPlanRow for LifeFeedbackRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(LifeFeedbackRow {
            id: r.int(0)?,
            insurer: r.text(1)?,
            insured: r.text(2)?,
            office_number: r.text(3)?,
            period: r.text(4)?,
            body_json: r.text(5)?,
            submitted_at_ms: r.int(6)?,
            submitted_by: r.text(7)?,
        })
    }
}

impl FromPlanRow for CorporationRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(CorporationRow {
            corporation_number: r.text(0)?,
            name: r.text(1)?,
            registered_at_ms: r.int(2)?,
        })
    }
}

impl FromPlanRow for CorporationOfficeRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(CorporationOfficeRow {
            office_number: r.text(0)?,
            corporation_number: r.text(1)?,
            office_name: r.text(2)?,
        })
    }
}

impl FromPlanRow for ConcentrationExclusionRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(ConcentrationExclusionRow {
            id: r.int(0)?,
            insurer: r.text(1)?,
            office_number: r.text(2)?,
            period: r.text(3)?,
            service_kind: r.text(4)?,
            reason: r.int(5)?,
            excluded_plan_months: r.int(6)?,
            note: r.text(7)?,
            recorded_at_ms: r.int(8)?,
            recorded_by: r.text(9)?,
        })
    }
}

impl FromPlanRow for StaffingRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(StaffingRow {
            office_number: r.text(0)?,
            month: r.text(1)?,
            care_managers_centi: r.int(2)?,
            data_exchange: r.flag(3)?,
            clerical_staff: r.flag(4)?,
            recorded_at_ms: r.int(5)?,
            recorded_by: r.text(6)?,
        })
    }
}

impl FromPlanRow for CorporationCountRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(CorporationCountRow {
            care_office: r.text(0)?,
            service_kind: r.text(1)?,
            corporation: r.text(2)?,
            plan_months: r.int(3)?,
        })
    }
}

impl FromPlanRow for PlanMonthTotalRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(PlanMonthTotalRow {
            care_office: r.text(0)?,
            service_kind: r.text(1)?,
            plan_months: r.int(2)?,
        })
    }
}

impl FromPlanRow for CaseloadCountRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(CaseloadCountRow {
            care_office: r.text(0)?,
            care_level: r.text(1)?,
            persons: r.int(2)?,
        })
    }
}

impl FromPlanRow for UserCountRow {
    fn from_row<R: PlanRow>(r: &R) -> Read<Self, R> {
        Ok(UserCountRow {
            service_kind: r.text(0)?,
            care_level: r.text(1)?,
            persons: r.int(2)?,
        })
    }
}
