//! Care plans on PostgreSQL: the same tables and aggregates as on SQLite, with the flags as
//! BOOLEAN and the service kinds as one text array. The bulk writes cost a fixed number of round
//! trips whatever the row count: documents take their ids from one sequence fetch and go in with
//! one `INSERT … SELECT FROM unnest(…)`; service months are one `DELETE … USING unnest(…)` of
//! every key (planned per call, see there) and one insert of every surviving row. An unknown document on a status update is
//! read from the row count, never from a failed statement, which would abort the caller's
//! transaction.

use crate::careplan_sql::*;
use crate::careplan_store::*;
use crate::{PostgresStore, Result};
use postgres::Row;
use std::convert::Infallible;

use crate::postgres_query::Param;

impl PlanRow for Row {
    type Error = Infallible;
    fn text(&self, i: usize) -> Read<String, Self> {
        Ok(self.get(i))
    }
    fn maybe_text(&self, i: usize) -> Read<Option<String>, Self> {
        Ok(self.get(i))
    }
    fn int(&self, i: usize) -> Read<i64, Self> {
        Ok(self.get(i))
    }
    fn flag(&self, i: usize) -> Read<bool, Self> {
        Ok(self.get(i))
    }
}

/// The shared mapper of `T`, as the `map` of the helpers below.
fn read<T: FromPlanRow>(r: &Row) -> T {
    match T::from_row(r) {
        Ok(row) => row,
        Err(never) => match never {},
    }
}

/// One column of `rows` as an array parameter.
fn column<'a, T>(rows: &'a [T], field: fn(&'a T) -> &'a str) -> Vec<&'a str> {
    rows.iter().map(field).collect()
}

impl PostgresStore {
    /// [`Self::query_all`] for the aggregates over a whole 判定期間 (hundreds of thousands of
    /// service months): their DISTINCT and GROUP BY spill to disk under the default 4 MB of
    /// work_mem, which made them three times slower, and their cost estimate set off JIT
    /// compilation, which cost more than it saved (1.44 → 0.96 s at 10,000 persons). Both
    /// settings are changed for these queries only.
    fn aggregate_all<T>(
        &mut self,
        sql: &str,
        params: &[Param],
        map: fn(&Row) -> T,
    ) -> Result<Vec<T>> {
        self.fresh_statistics()?;
        self.client()
            .batch_execute("SET work_mem = '64MB'; SET jit = off")?;
        let rows = self.query_all(sql, params, map);
        self.client().batch_execute("RESET work_mem; RESET jit")?;
        rows
    }

    /// Analyses `service_months` (and the corporation registry it joins) when a fifth of it, and
    /// at least 10,000 rows, changed since its last analysis. A month of uploads adds hundreds of
    /// thousands of rows faster than autovacuum analyses them; with the old estimates (one row)
    /// the planner read 600,000 rows through the index with a heap fetch each and probed the
    /// registry once per row: 5.9 s for the 判定期間 of 50,000 persons. One ANALYZE samples
    /// 30,000 rows, so it stays cheap at any size.
    fn fresh_statistics(&mut self) -> Result<()> {
        let row = self.client().query_one(
            "SELECT COALESCE(s.n_mod_since_analyze, 0)::FLOAT8, GREATEST(c.reltuples, 0)::FLOAT8 \
             FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
             WHERE c.oid = 'service_months'::regclass",
            &[],
        )?;
        let (changed, rows): (f64, f64) = (row.get(0), row.get(1));
        if changed >= 10_000.0 && changed >= rows / 5.0 {
            self.client()
                .batch_execute("ANALYZE service_months; ANALYZE corporation_offices")?;
        }
        Ok(())
    }
}

impl CarePlanStore for PostgresStore {
    fn insert_careplan_documents(&mut self, rows: &[CarePlanDocRow]) -> Result<Vec<i64>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // The ids first, sorted, so the n-th row gets the n-th smallest: ids follow input order
        // by construction, not by trusting the order in which an INSERT … SELECT consumes its
        // rows.
        let count = rows.len() as i64;
        let mut ids = self.query_all(
            "SELECT nextval('careplan_documents_id_seq') FROM generate_series(1, $1::BIGINT)",
            &[&count],
            |r| r.get::<_, i64>(0),
        )?;
        ids.sort_unstable();
        let supplements: Vec<Option<&str>> =
            rows.iter().map(|d| d.supplement_json.as_deref()).collect();
        let registered_at: Vec<i64> = rows.iter().map(|d| d.registered_at_ms).collect();
        let texts = [
            column(rows, |d| &d.kind),
            column(rows, |d| &d.insurer),
            column(rows, |d| &d.insured),
            column(rows, |d| &d.doc_key),
            column(rows, |d| &d.from_office),
            column(rows, |d| &d.to_office),
            column(rows, |d| &d.status),
            column(rows, |d| &d.body_json),
        ];
        let registered_by = column(rows, |d| &d.registered_by);
        let mut params: Vec<Param> = vec![&ids];
        params.extend(texts.iter().map(|t| t as Param));
        params.extend([&supplements as Param, &registered_at, &registered_by]);
        self.exec_prepared(
            "INSERT INTO careplan_documents (id, kind, insurer, insured, doc_key, from_office, to_office, status, body_json, supplement_json, registered_at_ms, registered_by) \
             SELECT * FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BIGINT[], $12::TEXT[])",
            &params,
        )?;
        Ok(ids)
    }

    fn careplan_document(&mut self, id: i64) -> Result<Option<CarePlanDocRow>> {
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE id = $1");
        self.query_one(&sql, &[&id], read)
    }

    fn careplan_documents_of(
        &mut self,
        insurer: &str,
        insured: &str,
    ) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE insurer = $1 AND insured = $2 ORDER BY id DESC"
        );
        self.query_all(&sql, &[&insurer, &insured], read)
    }

    fn careplan_documents_to(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE to_office = $1 ORDER BY id DESC LIMIT $2"
        );
        self.query_all(&sql, &[&office, &limit], read)
    }

    fn careplan_drafts_from(&mut self, office: &str, limit: i64) -> Result<Vec<CarePlanDocRow>> {
        // The predicate repeats the partial index's, so the planner can use it.
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM careplan_documents WHERE from_office = $1 AND kind = 'plan' \
             AND status IN ('draft', 'confirmed', 'commented') ORDER BY id DESC LIMIT $2"
        );
        self.query_all(&sql, &[&office, &limit], read)
    }

    fn set_careplan_status(&mut self, id: i64, status: &str) -> Result<()> {
        let changed = self.exec_prepared(
            "UPDATE careplan_documents SET status = $2 WHERE id = $1",
            &[&id, &status],
        )?;
        if changed == 0 {
            return Err(unknown_document());
        }
        Ok(())
    }

    fn insert_plan_confirmation(&mut self, c: &PlanConfirmationRow) -> Result<i64> {
        self.insert_returning_id(
            "INSERT INTO plan_confirmations (document_id, at_ms, account, decision, comment) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            &[&c.document_id, &c.at_ms, &c.account, &c.decision, &c.comment],
        )
    }

    fn plan_confirmations(&mut self, document_id: i64) -> Result<Vec<PlanConfirmationRow>> {
        let sql = format!(
            "SELECT {CONFIRMATION_COLUMNS} FROM plan_confirmations WHERE document_id = $1 ORDER BY id"
        );
        self.query_all(&sql, &[&document_id], read)
    }

    fn replace_service_months(&mut self, sets: &[ServiceMonthSet]) -> Result<()> {
        let (keys, rows) = plan_replacement(sets);
        if !keys.is_empty() {
            let key_columns: [Vec<&str>; 5] = [
                keys.iter().map(|k| k.0).collect(),
                keys.iter().map(|k| k.1).collect(),
                keys.iter().map(|k| k.2).collect(),
                keys.iter().map(|k| k.3).collect(),
                keys.iter().map(|k| k.4).collect(),
            ];
            let params: Vec<Param> = key_columns.iter().map(|c| c as Param).collect();
            // Each key is looked up on its own (LATERAL, kept from being flattened by OFFSET 0)
            // and the found rows deleted by their ctid. A plain join let the planner pick a
            // sequential scan and a sort of the whole table whenever its statistics were stale
            // (a table filling during a month's upload is never analysed in time): every call
            // then cost a scan of everything loaded so far, quadratic over the upload. Per-key
            // index lookups are right at every table size, so the plan can also be cached.
            self.exec_prepared(
                "DELETE FROM service_months WHERE ctid = ANY (ARRAY( \
                 SELECT x.ctid FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[]) AS k (insurer, insured, month, care_office, to_office) \
                 CROSS JOIN LATERAL (SELECT s.ctid FROM service_months s WHERE s.insurer = k.insurer AND s.insured = k.insured \
                 AND s.month = k.month AND s.care_office = k.care_office AND s.to_office = k.to_office OFFSET 0) x))",
                &params,
            )?;
        }
        if !rows.is_empty() {
            let row_columns: [Vec<&str>; 8] = [
                rows.iter().map(|r| r.insurer.as_str()).collect(),
                rows.iter().map(|r| r.insured.as_str()).collect(),
                rows.iter().map(|r| r.month.as_str()).collect(),
                rows.iter().map(|r| r.care_office.as_str()).collect(),
                rows.iter().map(|r| r.to_office.as_str()).collect(),
                rows.iter().map(|r| r.service_kind.as_str()).collect(),
                rows.iter().map(|r| r.provider_office.as_str()).collect(),
                rows.iter().map(|r| r.care_level.as_str()).collect(),
            ];
            let params: Vec<Param> = row_columns.iter().map(|c| c as Param).collect();
            self.exec_prepared(
                "INSERT INTO service_months (insurer, insured, month, care_office, to_office, service_kind, provider_office, care_level) \
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[])",
                &params,
            )?;
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
        let sql = corporation_counts_sql(Dialect::Postgres, kinds.len());
        self.aggregate_all(&sql, &[&insurer, &from, &to, &kinds], read)
    }

    fn plan_month_totals(
        &mut self,
        insurer: &str,
        from: &str,
        to: &str,
        kinds: &[&str],
    ) -> Result<Vec<PlanMonthTotalRow>> {
        let sql = plan_month_totals_sql(Dialect::Postgres, kinds.len());
        self.aggregate_all(&sql, &[&insurer, &from, &to, &kinds], read)
    }

    fn caseload_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<CaseloadCountRow>> {
        self.query_all(
            &caseload_counts_sql(Dialect::Postgres),
            &[&insurer, &month],
            read,
        )
    }

    fn user_counts(&mut self, insurer: &str, month: &str) -> Result<Vec<UserCountRow>> {
        self.query_all(
            &user_counts_sql(Dialect::Postgres),
            &[&insurer, &month],
            read,
        )
    }

    fn insert_life_feedback(&mut self, f: &LifeFeedbackRow) -> Result<i64> {
        self.insert_returning_id(
            "INSERT INTO life_feedback (insurer, insured, office_number, period, body_json, submitted_at_ms, submitted_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[&f.insurer, &f.insured, &f.office_number, &f.period, &f.body_json, &f.submitted_at_ms, &f.submitted_by],
        )
    }

    fn life_feedback_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<LifeFeedbackRow>> {
        let sql = format!(
            "SELECT {FEEDBACK_COLUMNS} FROM life_feedback WHERE insurer = $1 AND insured = $2 ORDER BY period DESC, id DESC"
        );
        self.query_all(&sql, &[&insurer, &insured], read)
    }

    fn put_corporation(&mut self, c: &CorporationRow) -> Result<()> {
        self.exec_prepared(
            "INSERT INTO corporations (corporation_number, name, registered_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (corporation_number) DO UPDATE SET name = excluded.name, registered_at_ms = excluded.registered_at_ms",
            &[&c.corporation_number, &c.name, &c.registered_at_ms],
        )?;
        Ok(())
    }

    fn put_corporation_office(&mut self, o: &CorporationOfficeRow) -> Result<()> {
        self.exec_prepared(
            "INSERT INTO corporation_offices (office_number, corporation_number, office_name) VALUES ($1, $2, $3) \
             ON CONFLICT (office_number) DO UPDATE SET corporation_number = excluded.corporation_number, office_name = excluded.office_name",
            &[&o.office_number, &o.corporation_number, &o.office_name],
        )?;
        Ok(())
    }

    fn corporations(&mut self) -> Result<Vec<CorporationRow>> {
        let sql =
            format!("SELECT {CORPORATION_COLUMNS} FROM corporations ORDER BY corporation_number");
        self.query_all(&sql, &[], read)
    }

    fn corporation_offices(&mut self) -> Result<Vec<CorporationOfficeRow>> {
        let sql = format!(
            "SELECT {CORPORATION_OFFICE_COLUMNS} FROM corporation_offices ORDER BY office_number"
        );
        self.query_all(&sql, &[], read)
    }

    fn insert_concentration_exclusion(&mut self, e: &ConcentrationExclusionRow) -> Result<i64> {
        self.insert_returning_id(
            "INSERT INTO concentration_exclusions (insurer, office_number, period, service_kind, reason, excluded_plan_months, note, recorded_at_ms, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[&e.insurer, &e.office_number, &e.period, &e.service_kind, &e.reason, &e.excluded_plan_months, &e.note, &e.recorded_at_ms, &e.recorded_by],
        )
    }

    fn concentration_exclusions(
        &mut self,
        insurer: &str,
        period: &str,
    ) -> Result<Vec<ConcentrationExclusionRow>> {
        let sql = format!(
            "SELECT {EXCLUSION_COLUMNS} FROM concentration_exclusions WHERE insurer = $1 AND period = $2 ORDER BY id"
        );
        self.query_all(&sql, &[&insurer, &period], read)
    }

    fn put_staffing(&mut self, s: &StaffingRow) -> Result<()> {
        self.exec_prepared(
            "INSERT INTO care_manager_staffing (office_number, month, care_managers_centi, data_exchange, clerical_staff, recorded_at_ms, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (office_number, month) DO UPDATE SET care_managers_centi = excluded.care_managers_centi, data_exchange = excluded.data_exchange, \
             clerical_staff = excluded.clerical_staff, recorded_at_ms = excluded.recorded_at_ms, recorded_by = excluded.recorded_by",
            &[&s.office_number, &s.month, &s.care_managers_centi, &s.data_exchange, &s.clerical_staff, &s.recorded_at_ms, &s.recorded_by],
        )?;
        Ok(())
    }

    fn staffing(&mut self, month: &str) -> Result<Vec<StaffingRow>> {
        let sql = format!(
            "SELECT {STAFFING_COLUMNS} FROM care_manager_staffing WHERE month = $1 ORDER BY office_number"
        );
        self.query_all(&sql, &[&month], read)
    }
}
