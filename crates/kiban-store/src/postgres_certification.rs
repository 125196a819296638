//! The 要介護認定 workflow on PostgreSQL: the same statements as on SQLite, prepared once per
//! connection, with the flag as BIGINT 0/1 (as in the access tables) and the terminal statuses
//! passed as one text array. Refusals are read from row counts (`ON CONFLICT DO NOTHING`, an
//! UPDATE of no row), never from a failed statement, which would abort the caller's
//! transaction.

use crate::certification_store::*;
use crate::sqlite_certification::{
    duplicate_opinion_version, unknown_application, APPLICATION_COLUMNS, COMMITTEE_COLUMNS,
    EVENT_COLUMNS, NEWEST_FIRST, OPINION_COLUMNS, PRIMARY_COLUMNS, SURVEY_COLUMNS,
};
use crate::{PostgresStore, Result};
use postgres::Row;

fn flag(b: bool) -> i64 {
    i64::from(b)
}

fn to_application(r: &Row) -> ApplicationRow {
    ApplicationRow {
        id: r.get(0),
        insurer: r.get(1),
        insured: r.get(2),
        kind: r.get(3),
        applicant: r.get(4),
        proxy_office: r.get(5),
        applied_on: r.get(6),
        share_with_care_manager: r.get::<_, i64>(7) != 0,
        care_manager_office: r.get(8),
        progress_json: r.get(9),
        status: r.get(10),
        due_on: r.get(11),
        extension_json: r.get(12),
        created_at_ms: r.get(13),
        updated_at_ms: r.get(14),
    }
}

fn to_event(r: &Row) -> ApplicationEventRow {
    ApplicationEventRow {
        id: r.get(0),
        application_id: r.get(1),
        at_ms: r.get(2),
        actor: r.get(3),
        event: r.get(4),
        status_after: r.get(5),
        detail_json: r.get(6),
    }
}

fn to_survey(r: &Row) -> SurveyRow {
    SurveyRow {
        application_id: r.get(0),
        surveyed_on: r.get(1),
        surveyor: r.get(2),
        body_json: r.get(3),
        submitted_at_ms: r.get(4),
    }
}

fn to_opinion(r: &Row) -> OpinionRow {
    OpinionRow {
        id: r.get(0),
        application_id: r.get(1),
        institution_code: r.get(2),
        physician: r.get(3),
        version: r.get(4),
        body_json: r.get(5),
        signature: r.get(6),
        cert_fingerprint: r.get(7),
        submitted_at_ms: r.get(8),
    }
}

fn to_primary(r: &Row) -> PrimaryJudgmentRow {
    PrimaryJudgmentRow {
        application_id: r.get(0),
        body_json: r.get(1),
        recorded_at_ms: r.get(2),
        recorded_by: r.get(3),
    }
}

fn to_committee(r: &Row) -> CommitteeRow {
    CommitteeRow {
        application_id: r.get(0),
        committee_on: r.get(1),
        result_json: r.get(2),
        decided_at_ms: r.get(3),
    }
}

impl CertificationStore for PostgresStore {
    fn insert_application(&mut self, a: &ApplicationRow) -> Result<i64> {
        let id = self.query_one(
            "INSERT INTO certification_applications (insurer, insured, kind, applicant, proxy_office, applied_on, share_with_care_manager, care_manager_office, progress_json, status, due_on, extension_json, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            &[&a.insurer, &a.insured, &a.kind, &a.applicant, &a.proxy_office, &a.applied_on, &flag(a.share_with_care_manager), &a.care_manager_office, &a.progress_json, &a.status, &a.due_on, &a.extension_json, &a.created_at_ms, &a.updated_at_ms],
            |r| r.get::<_, i64>(0),
        )?;
        Ok(id.expect("INSERT … RETURNING returns its row"))
    }

    fn application(&mut self, id: i64) -> Result<Option<ApplicationRow>> {
        let sql =
            format!("SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE id = $1");
        self.query_one(&sql, &[&id], to_application)
    }

    fn applications_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE insurer = $1 AND insured = $2 {NEWEST_FIRST}"
        );
        self.query_all(&sql, &[&insurer, &insured], to_application)
    }

    fn update_application(&mut self, a: &ApplicationRow) -> Result<()> {
        let changed = self.exec_prepared(
            "UPDATE certification_applications SET progress_json = $2, status = $3, due_on = $4, extension_json = $5, care_manager_office = $6, updated_at_ms = $7 WHERE id = $1",
            &[&a.id, &a.progress_json, &a.status, &a.due_on, &a.extension_json, &a.care_manager_office, &a.updated_at_ms],
        )?;
        if changed == 0 {
            return Err(unknown_application());
        }
        Ok(())
    }

    fn append_application_event(&mut self, e: &ApplicationEventRow) -> Result<i64> {
        let id = self.query_one(
            "INSERT INTO certification_events (application_id, at_ms, actor, event, status_after, detail_json) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            &[&e.application_id, &e.at_ms, &e.actor, &e.event, &e.status_after, &e.detail_json],
            |r| r.get::<_, i64>(0),
        )?;
        Ok(id.expect("INSERT … RETURNING returns its row"))
    }

    fn application_events(&mut self, application_id: i64) -> Result<Vec<ApplicationEventRow>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM certification_events WHERE application_id = $1 ORDER BY id"
        );
        self.query_all(&sql, &[&application_id], to_event)
    }

    fn overdue_applications(
        &mut self,
        insurer: &str,
        today: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        // YYYYMMDD compares as text; `<> ALL` of an empty array is true.
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE insurer = $1 AND due_on < $2 AND status <> ALL($3::TEXT[]) ORDER BY due_on, id"
        );
        self.query_all(&sql, &[&insurer, &today, &terminal], to_application)
    }

    fn applications_for_care_manager(
        &mut self,
        office: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE care_manager_office = $1 AND status <> ALL($2::TEXT[]) {NEWEST_FIRST}"
        );
        self.query_all(&sql, &[&office, &terminal], to_application)
    }

    fn put_survey(&mut self, s: &SurveyRow) -> Result<()> {
        self.exec_prepared(
            "INSERT INTO certification_surveys (application_id, surveyed_on, surveyor, body_json, submitted_at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (application_id) DO UPDATE SET surveyed_on = excluded.surveyed_on, surveyor = excluded.surveyor, body_json = excluded.body_json, submitted_at_ms = excluded.submitted_at_ms",
            &[&s.application_id, &s.surveyed_on, &s.surveyor, &s.body_json, &s.submitted_at_ms],
        )?;
        Ok(())
    }

    fn survey(&mut self, application_id: i64) -> Result<Option<SurveyRow>> {
        let sql =
            format!("SELECT {SURVEY_COLUMNS} FROM certification_surveys WHERE application_id = $1");
        self.query_one(&sql, &[&application_id], to_survey)
    }

    fn insert_opinion(&mut self, o: &OpinionRow) -> Result<i64> {
        // A duplicate version returns no row instead of failing the statement.
        let id = self.query_one(
            "INSERT INTO certification_opinions (application_id, institution_code, physician, version, body_json, signature, cert_fingerprint, submitted_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (application_id, version) DO NOTHING RETURNING id",
            &[&o.application_id, &o.institution_code, &o.physician, &o.version, &o.body_json, &o.signature, &o.cert_fingerprint, &o.submitted_at_ms],
            |r| r.get::<_, i64>(0),
        )?;
        id.ok_or_else(duplicate_opinion_version)
    }

    fn opinions(&mut self, application_id: i64) -> Result<Vec<OpinionRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM certification_opinions WHERE application_id = $1 ORDER BY id"
        );
        self.query_all(&sql, &[&application_id], to_opinion)
    }

    fn put_primary_judgment(&mut self, p: &PrimaryJudgmentRow) -> Result<()> {
        self.exec_prepared(
            "INSERT INTO certification_primary_judgments (application_id, body_json, recorded_at_ms, recorded_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (application_id) DO UPDATE SET body_json = excluded.body_json, recorded_at_ms = excluded.recorded_at_ms, recorded_by = excluded.recorded_by",
            &[&p.application_id, &p.body_json, &p.recorded_at_ms, &p.recorded_by],
        )?;
        Ok(())
    }

    fn primary_judgment(&mut self, application_id: i64) -> Result<Option<PrimaryJudgmentRow>> {
        let sql = format!(
            "SELECT {PRIMARY_COLUMNS} FROM certification_primary_judgments WHERE application_id = $1"
        );
        self.query_one(&sql, &[&application_id], to_primary)
    }

    fn put_committee(&mut self, c: &CommitteeRow) -> Result<()> {
        self.exec_prepared(
            "INSERT INTO certification_committees (application_id, committee_on, result_json, decided_at_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (application_id) DO UPDATE SET committee_on = excluded.committee_on, result_json = excluded.result_json, decided_at_ms = excluded.decided_at_ms",
            &[&c.application_id, &c.committee_on, &c.result_json, &c.decided_at_ms],
        )?;
        Ok(())
    }

    fn committee(&mut self, application_id: i64) -> Result<Option<CommitteeRow>> {
        let sql = format!(
            "SELECT {COMMITTEE_COLUMNS} FROM certification_committees WHERE application_id = $1"
        );
        self.query_one(&sql, &[&application_id], to_committee)
    }
}
