//! Care plans on SQLite: documents and the rows the municipality counts. The flags are stored
//! as 0/1. Bulk writes go through one cached statement per row inside the caller's transaction
//! (SQLite has no round trips to save). The aggregates count distinct person-months with a
//! `SELECT DISTINCT` below the `GROUP BY`, the same statements on both engines apart from the
//! placeholders and the service-kind list. An unknown document on a status update is detected
//! from the changed-row count, never from a failed statement.

use crate::careplan_store::*;
use crate::{Result, SqliteStore, StoreError};
use rusqlite::types::ToSql;
use rusqlite::{params, OptionalExtension, Row};
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

fn to_document(r: &Row) -> rusqlite::Result<CarePlanDocRow> {
    Ok(CarePlanDocRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        insurer: r.get(2)?,
        insured: r.get(3)?,
        doc_key: r.get(4)?,
        from_office: r.get(5)?,
        to_office: r.get(6)?,
        status: r.get(7)?,
        body_json: r.get(8)?,
        supplement_json: r.get(9)?,
        registered_at_ms: r.get(10)?,
        registered_by: r.get(11)?,
    })
}

fn to_confirmation(r: &Row) -> rusqlite::Result<PlanConfirmationRow> {
    Ok(PlanConfirmationRow {
        id: r.get(0)?,
        document_id: r.get(1)?,
        at_ms: r.get(2)?,
        account: r.get(3)?,
        decision: r.get(4)?,
        comment: r.get(5)?,
    })
}

fn to_feedback(r: &Row) -> rusqlite::Result<LifeFeedbackRow> {
    Ok(LifeFeedbackRow {
        id: r.get(0)?,
        insurer: r.get(1)?,
        insured: r.get(2)?,
        office_number: r.get(3)?,
        period: r.get(4)?,
        body_json: r.get(5)?,
        submitted_at_ms: r.get(6)?,
        submitted_by: r.get(7)?,
    })
}

fn to_corporation(r: &Row) -> rusqlite::Result<CorporationRow> {
    Ok(CorporationRow {
        corporation_number: r.get(0)?,
        name: r.get(1)?,
        registered_at_ms: r.get(2)?,
    })
}

fn to_corporation_office(r: &Row) -> rusqlite::Result<CorporationOfficeRow> {
    Ok(CorporationOfficeRow {
        office_number: r.get(0)?,
        corporation_number: r.get(1)?,
        office_name: r.get(2)?,
    })
}

fn to_exclusion(r: &Row) -> rusqlite::Result<ConcentrationExclusionRow> {
    Ok(ConcentrationExclusionRow {
        id: r.get(0)?,
        insurer: r.get(1)?,
        office_number: r.get(2)?,
        period: r.get(3)?,
        service_kind: r.get(4)?,
        reason: r.get(5)?,
        excluded_plan_months: r.get(6)?,
        note: r.get(7)?,
        recorded_at_ms: r.get(8)?,
        recorded_by: r.get(9)?,
    })
}

fn to_staffing(r: &Row) -> rusqlite::Result<StaffingRow> {
    Ok(StaffingRow {
        office_number: r.get(0)?,
        month: r.get(1)?,
        care_managers_centi: r.get(2)?,
        data_exchange: r.get(3)?,
        clerical_staff: r.get(4)?,
        recorded_at_ms: r.get(5)?,
        recorded_by: r.get(6)?,
    })
}

fn to_corporation_count(r: &Row) -> rusqlite::Result<CorporationCountRow> {
    Ok(CorporationCountRow {
        care_office: r.get(0)?,
        service_kind: r.get(1)?,
        corporation: r.get(2)?,
        plan_months: r.get(3)?,
    })
}

fn to_plan_month_total(r: &Row) -> rusqlite::Result<PlanMonthTotalRow> {
    Ok(PlanMonthTotalRow {
        care_office: r.get(0)?,
        service_kind: r.get(1)?,
        plan_months: r.get(2)?,
    })
}

fn to_caseload(r: &Row) -> rusqlite::Result<CaseloadCountRow> {
    Ok(CaseloadCountRow {
        care_office: r.get(0)?,
        care_level: r.get(1)?,
        persons: r.get(2)?,
    })
}

fn to_user_count(r: &Row) -> rusqlite::Result<UserCountRow> {
    Ok(UserCountRow {
        service_kind: r.get(0)?,
        care_level: r.get(1)?,
        persons: r.get(2)?,
    })
}

impl SqliteStore {
    fn plan_one<T>(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
        map: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        let mut stmt = self.connection().prepare_cached(sql)?;
        Ok(stmt.query_row(params, map).optional()?)
    }

    fn plan_all<T>(
        &mut self,
        sql: &str,
        params: impl rusqlite::Params,
        map: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.connection().prepare_cached(sql)?;
        let rows = stmt.query_map(params, map)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Executes through the statement cache; returns the number of rows changed.
    fn plan_exec(&mut self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        Ok(self.connection().prepare_cached(sql)?.execute(params)?)
    }

    /// Inserts through the statement cache; returns the new rowid.
    fn plan_insert(&mut self, sql: &str, params: impl rusqlite::Params) -> Result<i64> {
        Ok(self.connection().prepare_cached(sql)?.insert(params)?)
    }

    /// An aggregate over insurer, from, to and the kinds (numbered from ?4).
    fn plan_counts<T>(
        &mut self,
        sql: &str,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
        map: fn(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut bound: Vec<&dyn ToSql> = vec![&insurer, &from, &to];
        bound.extend(kinds.iter().map(|k| k as &dyn ToSql));
        self.plan_all(sql, bound.as_slice(), map)
    }
}

impl CarePlanStore for SqliteStore {
    fn insert_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>> {
        let mut stmt = self.connection().prepare_cached(
            "INSERT INTO careplan_documents (kind, insurer, insured, doc_key, from_office, to_office, status, body_json, supplement_json, registered_at_ms, registered_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut ids = Vec::with_capacity(rows.len());
        for d in rows {
            ids.push(stmt.insert(params![
                d.kind,
                d.insurer,
                d.insured,
                d.doc_key,
                d.from_office,
                d.to_office,
                d.status,
                d.body_json,
                d.supplement_json,
                d.registered_at_ms,
                d.registered_by
            ])?);
        }
        Ok(ids)
    }

    fn careplan_document(&mut self, id: i64) -> Result<Option<CarePlanDocRow>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE id = ?1");
        self.plan_one(&sql, [id], to_document)
    }

    fn careplan_documents_of(
        &mut self,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE insurer = ?1 AND insured = ?2 ORDER BY id DESC"
        );
        self.plan_all(&sql, [insurer, insured], to_document)
    }

    fn careplan_documents_to(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE to_office = ?1 ORDER BY id DESC LIMIT ?2"
        );
        self.plan_all(&sql, params![office, limit], to_document)
    }

    fn set_careplan_status(&mut self, id: i64, status: &str) -> Result<()> {
        let changed = self.plan_exec(
            "UPDATE careplan_documents SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        if changed == 0 {
            return Err(unknown_document());
        }
        Ok(())
    }

    fn insert_plan_confirmation(&mut self, c: &PlanConfirmationRow) -> Result<i64> {
        self.plan_insert(
            "INSERT INTO plan_confirmations (document_id, at_ms, account, decision, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.document_id, c.at_ms, c.account, c.decision, c.comment],
        )
    }

    fn plan_confirmations(&mut self, document_id: i64) -> Result<Vec<PlanConfirmationRow>> {
        let sql = format!(
            "SELECT {CONFIRMATION_COLUMNS} FROM plan_confirmations WHERE document_id = ?1 ORDER BY id"
        );
        self.plan_all(&sql, [document_id], to_confirmation)
    }

    fn replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()> {
        let conn = self.connection();
        let mut delete = conn.prepare_cached(
            "DELETE FROM service_months WHERE insurer = ?1 AND insured = ?2 AND month = ?3 AND care_office = ?4 AND to_office = ?5",
        )?;
        let mut insert = conn.prepare_cached(
            "INSERT INTO service_months (insurer, insured, month, care_office, to_office, service_kind, provider_office, care_level) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for set in sets {
            delete.execute([
                &set.insurer,
                &set.insured,
                &set.month,
                &set.care_office,
                &set.to_office,
            ])?;
            for r in &set.rows {
                insert.execute([
                    &r.insurer,
                    &r.insured,
                    &r.month,
                    &r.care_office,
                    &r.to_office,
                    &r.service_kind,
                    &r.provider_office,
                    &r.care_level,
                ])?;
            }
        }
        Ok(())
    }

    fn corporation_counts(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<CorporationCountRow>> {
        let sql = corporation_counts_sql(Dialect::Sqlite, kinds.len());
        self.plan_counts(&sql, insurer, from, to, kinds, to_corporation_count)
    }

    fn plan_month_totals(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<PlanMonthTotalRow>> {
        let sql = plan_month_totals_sql(Dialect::Sqlite, kinds.len());
        self.plan_counts(&sql, insurer, from, to, kinds, to_plan_month_total)
    }

    fn caseload_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<CaseloadCountRow>> {
        self.plan_all(
            &caseload_counts_sql(Dialect::Sqlite),
            [insurer, month],
            to_caseload,
        )
    }

    fn user_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<UserCountRow>> {
        self.plan_all(
            &user_counts_sql(Dialect::Sqlite),
            [insurer, month],
            to_user_count,
        )
    }

    fn insert_life_feedback(&mut self, f: &LifeFeedbackRow) -> Result<i64> {
        self.plan_insert(
            "INSERT INTO life_feedback (insurer, insured, office_number, period, body_json, submitted_at_ms, submitted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![f.insurer, f.insured, f.office_number, f.period, f.body_json, f.submitted_at_ms, f.submitted_by],
        )
    }

    fn life_feedback_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<LifeFeedbackRow>> {
        let sql = format!(
            "SELECT {FEEDBACK_COLUMNS} FROM life_feedback WHERE insurer = ?1 AND insured = ?2 ORDER BY period DESC, id DESC"
        );
        self.plan_all(&sql, [insurer, insured], to_feedback)
    }

    fn put_corporation(&mut self, c: &CorporationRow) -> Result<()> {
        self.plan_exec(
            "INSERT INTO corporations (corporation_number, name, registered_at_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (corporation_number) DO UPDATE SET name = excluded.name, registered_at_ms = excluded.registered_at_ms",
            params![c.corporation_number, c.name, c.registered_at_ms],
        )?;
        Ok(())
    }

    fn put_corporation_office(&mut self, o: &CorporationOfficeRow) -> Result<()> {
        self.plan_exec(
            "INSERT INTO corporation_offices (office_number, corporation_number, office_name) VALUES (?1, ?2, ?3) \
             ON CONFLICT (office_number) DO UPDATE SET corporation_number = excluded.corporation_number, office_name = excluded.office_name",
            params![o.office_number, o.corporation_number, o.office_name],
        )?;
        Ok(())
    }

    fn corporations(&mut self) -> Result<Vec<CorporationRow>> {
        let sql =
            format!("SELECT {CORPORATION_COLUMNS} FROM corporations ORDER BY corporation_number");
        self.plan_all(&sql, [], to_corporation)
    }

    fn corporation_offices(&mut self) -> Result<Vec<CorporationOfficeRow>> {
        let sql = format!(
            "SELECT {CORPORATION_OFFICE_COLUMNS} FROM corporation_offices ORDER BY office_number"
        );
        self.plan_all(&sql, [], to_corporation_office)
    }

    fn insert_concentration_exclusion(&mut self, e: &ConcentrationExclusionRow) -> Result<i64> {
        self.plan_insert(
            "INSERT INTO concentration_exclusions (insurer, office_number, period, service_kind, reason, excluded_plan_months, note, recorded_at_ms, recorded_by) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
        self.plan_all(&sql, [insurer, period], to_exclusion)
    }

    fn put_staffing(&mut self, s: &StaffingRow) -> Result<()> {
        self.plan_exec(
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
        self.plan_all(&sql, [month], to_staffing)
    }
}
