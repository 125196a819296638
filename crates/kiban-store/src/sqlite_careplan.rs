//! Care plans on SQLite: documents and the rows the municipality counts. The flags are stored
//! as 0/1. Bulk writes go through one cached statement per row inside the caller's transaction
//! (SQLite has no round trips to save). The aggregates count distinct person-months with a
//! `SELECT DISTINCT` below the `GROUP BY`, the same statements on both engines apart from the
//! placeholders and the service-kind list (both written in `careplan_sql`, with the row
//! mappers). An unknown document on a status update is detected
//! from the changed-row count, never from a failed statement.

use crate::careplan_sql::*;
use crate::careplan_store::*;
use crate::{Result, SqliteStore};
use rusqlite::types::ToSql;
use rusqlite::{params, Row};

impl PlanRow for Row<'_> {
    type Error = rusqlite::Error;
    fn text(&self, i: usize) -> rusqlite::Result<String> {
        self.get(i)
    }
    fn maybe_text(&self, i: usize) -> rusqlite::Result<Option<String>> {
        self.get(i)
    }
    fn int(&self, i: usize) -> rusqlite::Result<i64> {
        self.get(i)
    }
    fn flag(&self, i: usize) -> rusqlite::Result<bool> {
        self.get(i)
    }
}

/// The shared mapper of `T`, as the `map` of the helpers below.
fn read<T: FromPlanRow>(r: &Row) -> rusqlite::Result<T> {
    T::from_row(r)
}

impl SqliteStore {
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
        self.query_all(sql, bound.as_slice(), map)
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
        self.query_one(&sql, [id], read)
    }

    fn careplan_documents_of(
        &mut self,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE insurer = ?1 AND insured = ?2 ORDER BY id DESC"
        );
        self.query_all(&sql, [insurer, insured], read)
    }

    fn careplan_documents_to(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE to_office = ?1 ORDER BY id DESC LIMIT ?2"
        );
        self.query_all(&sql, params![office, limit], read)
    }

    fn careplan_drafts_from(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        // The predicate repeats the partial index's, so the planner can use it.
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE from_office = ?1 AND kind = 'plan' \
             AND status IN ('draft', 'confirmed', 'commented') ORDER BY id DESC LIMIT ?2"
        );
        self.query_all(&sql, params![office, limit], read)
    }

    fn set_careplan_status(&mut self, id: i64, status: &str) -> Result<()> {
        let changed = self.exec_cached(
            "UPDATE careplan_documents SET status = ?2 WHERE id = ?1",
            params![id, status],
        )?;
        if changed == 0 {
            return Err(unknown_document());
        }
        Ok(())
    }

    fn insert_plan_confirmation(&mut self, c: &PlanConfirmationRow) -> Result<i64> {
        self.insert_cached(
            "INSERT INTO plan_confirmations (document_id, at_ms, account, decision, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.document_id, c.at_ms, c.account, c.decision, c.comment],
        )
    }

    fn plan_confirmations(&mut self, document_id: i64) -> Result<Vec<PlanConfirmationRow>> {
        let sql = format!(
            "SELECT {CONFIRMATION_COLUMNS} FROM plan_confirmations WHERE document_id = ?1 ORDER BY id"
        );
        self.query_all(&sql, [document_id], read)
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
        self.plan_counts(&sql, insurer, from, to, kinds, read)
    }

    fn plan_month_totals(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<PlanMonthTotalRow>> {
        let sql = plan_month_totals_sql(Dialect::Sqlite, kinds.len());
        self.plan_counts(&sql, insurer, from, to, kinds, read)
    }

    fn caseload_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<CaseloadCountRow>> {
        self.query_all(
            &caseload_counts_sql(Dialect::Sqlite),
            [insurer, month],
            read,
        )
    }

    fn user_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<UserCountRow>> {
        self.query_all(&user_counts_sql(Dialect::Sqlite), [insurer, month], read)
    }

    fn insert_life_feedback(&mut self, f: &LifeFeedbackRow) -> Result<i64> {
        self.insert_cached(
            "INSERT INTO life_feedback (insurer, insured, office_number, period, body_json, submitted_at_ms, submitted_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![f.insurer, f.insured, f.office_number, f.period, f.body_json, f.submitted_at_ms, f.submitted_by],
        )
    }

    fn life_feedback_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<LifeFeedbackRow>> {
        let sql = format!(
            "SELECT {FEEDBACK_COLUMNS} FROM life_feedback WHERE insurer = ?1 AND insured = ?2 ORDER BY period DESC, id DESC"
        );
        self.query_all(&sql, [insurer, insured], read)
    }

    fn put_corporation(&mut self, c: &CorporationRow) -> Result<()> {
        self.exec_cached(
            "INSERT INTO corporations (corporation_number, name, registered_at_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (corporation_number) DO UPDATE SET name = excluded.name, registered_at_ms = excluded.registered_at_ms",
            params![c.corporation_number, c.name, c.registered_at_ms],
        )?;
        Ok(())
    }

    fn put_corporation_office(&mut self, o: &CorporationOfficeRow) -> Result<()> {
        self.exec_cached(
            "INSERT INTO corporation_offices (office_number, corporation_number, office_name) VALUES (?1, ?2, ?3) \
             ON CONFLICT (office_number) DO UPDATE SET corporation_number = excluded.corporation_number, office_name = excluded.office_name",
            params![o.office_number, o.corporation_number, o.office_name],
        )?;
        Ok(())
    }

    fn corporations(&mut self) -> Result<Vec<CorporationRow>> {
        let sql =
            format!("SELECT {CORPORATION_COLUMNS} FROM corporations ORDER BY corporation_number");
        self.query_all(&sql, [], read)
    }

    fn corporation_offices(&mut self) -> Result<Vec<CorporationOfficeRow>> {
        let sql = format!(
            "SELECT {CORPORATION_OFFICE_COLUMNS} FROM corporation_offices ORDER BY office_number"
        );
        self.query_all(&sql, [], read)
    }

    fn insert_concentration_exclusion(&mut self, e: &ConcentrationExclusionRow) -> Result<i64> {
        self.insert_cached(
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
        self.query_all(&sql, [insurer, period], read)
    }

    fn put_staffing(&mut self, s: &StaffingRow) -> Result<()> {
        self.exec_cached(
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
        self.query_all(&sql, [month], read)
    }
}
