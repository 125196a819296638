//! The 要介護認定 workflow on SQLite. The flag is stored as 0/1. Refusals (an unknown
//! application on update, a duplicate 意見書 version) are detected from the changed-row count,
//! never from a failed statement, so the caller's transaction stays usable on both engines.

use crate::certification_store::*;
use crate::{Result, SqliteStore, StoreError};
use rusqlite::types::ToSql;
use rusqlite::{params, Row};

pub(crate) const APPLICATION_COLUMNS: &str = "id, insurer, insured, kind, applicant, proxy_office, applied_on, share_with_care_manager, care_manager_office, progress_json, status, due_on, extension_json, created_at_ms, updated_at_ms";
pub(crate) const EVENT_COLUMNS: &str =
    "id, application_id, at_ms, actor, event, status_after, detail_json";
pub(crate) const SURVEY_COLUMNS: &str =
    "application_id, surveyed_on, surveyor, body_json, submitted_at_ms";
pub(crate) const OPINION_COLUMNS: &str = "id, application_id, institution_code, physician, version, body_json, signature, cert_fingerprint, submitted_at_ms";
pub(crate) const PRIMARY_COLUMNS: &str = "application_id, body_json, recorded_at_ms, recorded_by";
pub(crate) const COMMITTEE_COLUMNS: &str =
    "application_id, committee_on, result_json, decided_at_ms";

/// Newest first: by application day, then by insertion.
pub(crate) const NEWEST_FIRST: &str = "ORDER BY applied_on DESC, id DESC";

/// The error of updating an application that does not exist (no id in the message).
pub(crate) fn unknown_application() -> StoreError {
    StoreError::Conflict("certification_applications".into())
}

/// The error of inserting an 意見書 version that is already stored.
pub(crate) fn duplicate_opinion_version() -> StoreError {
    StoreError::Conflict("certification_opinions".into())
}

/// `AND status NOT IN (?first, …)` over `count` placeholders numbered from `first`; nothing
/// when there are no terminal statuses.
fn not_terminal(first: usize, count: usize) -> String {
    if count == 0 {
        return String::new();
    }
    let marks: Vec<String> = (first..first + count).map(|n| format!("?{n}")).collect();
    format!(" AND status NOT IN ({})", marks.join(", "))
}

fn to_application(r: &Row) -> rusqlite::Result<ApplicationRow> {
    Ok(ApplicationRow {
        id: r.get(0)?,
        insurer: r.get(1)?,
        insured: r.get(2)?,
        kind: r.get(3)?,
        applicant: r.get(4)?,
        proxy_office: r.get(5)?,
        applied_on: r.get(6)?,
        share_with_care_manager: r.get(7)?,
        care_manager_office: r.get(8)?,
        progress_json: r.get(9)?,
        status: r.get(10)?,
        due_on: r.get(11)?,
        extension_json: r.get(12)?,
        created_at_ms: r.get(13)?,
        updated_at_ms: r.get(14)?,
    })
}

fn to_event(r: &Row) -> rusqlite::Result<ApplicationEventRow> {
    Ok(ApplicationEventRow {
        id: r.get(0)?,
        application_id: r.get(1)?,
        at_ms: r.get(2)?,
        actor: r.get(3)?,
        event: r.get(4)?,
        status_after: r.get(5)?,
        detail_json: r.get(6)?,
    })
}

fn to_survey(r: &Row) -> rusqlite::Result<SurveyRow> {
    Ok(SurveyRow {
        application_id: r.get(0)?,
        surveyed_on: r.get(1)?,
        surveyor: r.get(2)?,
        body_json: r.get(3)?,
        submitted_at_ms: r.get(4)?,
    })
}

fn to_opinion(r: &Row) -> rusqlite::Result<OpinionRow> {
    Ok(OpinionRow {
        id: r.get(0)?,
        application_id: r.get(1)?,
        institution_code: r.get(2)?,
        physician: r.get(3)?,
        version: r.get(4)?,
        body_json: r.get(5)?,
        signature: r.get(6)?,
        cert_fingerprint: r.get(7)?,
        submitted_at_ms: r.get(8)?,
    })
}

fn to_primary(r: &Row) -> rusqlite::Result<PrimaryJudgmentRow> {
    Ok(PrimaryJudgmentRow {
        application_id: r.get(0)?,
        body_json: r.get(1)?,
        recorded_at_ms: r.get(2)?,
        recorded_by: r.get(3)?,
    })
}

fn to_committee(r: &Row) -> rusqlite::Result<CommitteeRow> {
    Ok(CommitteeRow {
        application_id: r.get(0)?,
        committee_on: r.get(1)?,
        result_json: r.get(2)?,
        decided_at_ms: r.get(3)?,
    })
}

impl SqliteStore {
    /// Applications selected by `filter` (which numbers its own parameters from ?1) with the
    /// terminal statuses excluded by the parameters after `fixed`.
    fn applications_where(
        &mut self,
        filter: &str,
        order: &str,
        fixed: &[&dyn ToSql],
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE {filter}{} {order}",
            not_terminal(fixed.len() + 1, terminal.len())
        );
        let mut all: Vec<&dyn ToSql> = fixed.to_vec();
        all.extend(terminal.iter().map(|t| t as &dyn ToSql));
        self.query_all(&sql, all.as_slice(), to_application)
    }
}

impl CertificationStore for SqliteStore {
    fn insert_application(&mut self, a: &ApplicationRow) -> Result<i64> {
        self.exec_cached(
            "INSERT INTO certification_applications (insurer, insured, kind, applicant, proxy_office, applied_on, share_with_care_manager, care_manager_office, progress_json, status, due_on, extension_json, created_at_ms, updated_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![a.insurer, a.insured, a.kind, a.applicant, a.proxy_office, a.applied_on, a.share_with_care_manager, a.care_manager_office, a.progress_json, a.status, a.due_on, a.extension_json, a.created_at_ms, a.updated_at_ms],
        )?;
        Ok(self.connection().last_insert_rowid())
    }

    fn application(&mut self, id: i64) -> Result<Option<ApplicationRow>> {
        let sql =
            format!("SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE id = ?1");
        self.query_one(&sql, [id], to_application)
    }

    fn applications_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE insurer = ?1 AND insured = ?2 {NEWEST_FIRST}"
        );
        self.query_all(&sql, [insurer, insured], to_application)
    }

    fn update_application(&mut self, a: &ApplicationRow) -> Result<()> {
        let changed = self.exec_cached(
            "UPDATE certification_applications SET progress_json = ?2, status = ?3, due_on = ?4, extension_json = ?5, care_manager_office = ?6, updated_at_ms = ?7 WHERE id = ?1",
            params![a.id, a.progress_json, a.status, a.due_on, a.extension_json, a.care_manager_office, a.updated_at_ms],
        )?;
        if changed == 0 {
            return Err(unknown_application());
        }
        Ok(())
    }

    fn append_application_event(&mut self, e: &ApplicationEventRow) -> Result<i64> {
        self.exec_cached(
            "INSERT INTO certification_events (application_id, at_ms, actor, event, status_after, detail_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![e.application_id, e.at_ms, e.actor, e.event, e.status_after, e.detail_json],
        )?;
        Ok(self.connection().last_insert_rowid())
    }

    fn application_events(&mut self, application_id: i64) -> Result<Vec<ApplicationEventRow>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM certification_events WHERE application_id = ?1 ORDER BY id"
        );
        self.query_all(&sql, [application_id], to_event)
    }

    fn overdue_applications(
        &mut self,
        insurer: &str,
        today: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        // YYYYMMDD compares as text.
        self.applications_where(
            "insurer = ?1 AND due_on < ?2",
            "ORDER BY due_on, id",
            &[&insurer, &today],
            terminal,
        )
    }

    fn applications_for_care_manager(
        &mut self,
        office: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        self.applications_where(
            "care_manager_office = ?1",
            NEWEST_FIRST,
            &[&office],
            terminal,
        )
    }

    fn put_survey(&mut self, s: &SurveyRow) -> Result<()> {
        self.exec_cached(
            "INSERT INTO certification_surveys (application_id, surveyed_on, surveyor, body_json, submitted_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (application_id) DO UPDATE SET surveyed_on = excluded.surveyed_on, surveyor = excluded.surveyor, body_json = excluded.body_json, submitted_at_ms = excluded.submitted_at_ms",
            params![s.application_id, s.surveyed_on, s.surveyor, s.body_json, s.submitted_at_ms],
        )?;
        Ok(())
    }

    fn survey(&mut self, application_id: i64) -> Result<Option<SurveyRow>> {
        let sql =
            format!("SELECT {SURVEY_COLUMNS} FROM certification_surveys WHERE application_id = ?1");
        self.query_one(&sql, [application_id], to_survey)
    }

    fn insert_opinion(&mut self, o: &OpinionRow) -> Result<i64> {
        let changed = self.exec_cached(
            "INSERT INTO certification_opinions (application_id, institution_code, physician, version, body_json, signature, cert_fingerprint, submitted_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (application_id, version) DO NOTHING",
            params![o.application_id, o.institution_code, o.physician, o.version, o.body_json, o.signature, o.cert_fingerprint, o.submitted_at_ms],
        )?;
        if changed == 0 {
            return Err(duplicate_opinion_version());
        }
        Ok(self.connection().last_insert_rowid())
    }

    fn opinions(&mut self, application_id: i64) -> Result<Vec<OpinionRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM certification_opinions WHERE application_id = ?1 ORDER BY id"
        );
        self.query_all(&sql, [application_id], to_opinion)
    }

    fn put_primary_judgment(&mut self, p: &PrimaryJudgmentRow) -> Result<()> {
        self.exec_cached(
            "INSERT INTO certification_primary_judgments (application_id, body_json, recorded_at_ms, recorded_by) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (application_id) DO UPDATE SET body_json = excluded.body_json, recorded_at_ms = excluded.recorded_at_ms, recorded_by = excluded.recorded_by",
            params![p.application_id, p.body_json, p.recorded_at_ms, p.recorded_by],
        )?;
        Ok(())
    }

    fn primary_judgment(&mut self, application_id: i64) -> Result<Option<PrimaryJudgmentRow>> {
        let sql = format!(
            "SELECT {PRIMARY_COLUMNS} FROM certification_primary_judgments WHERE application_id = ?1"
        );
        self.query_one(&sql, [application_id], to_primary)
    }

    fn put_committee(&mut self, c: &CommitteeRow) -> Result<()> {
        self.exec_cached(
            "INSERT INTO certification_committees (application_id, committee_on, result_json, decided_at_ms) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (application_id) DO UPDATE SET committee_on = excluded.committee_on, result_json = excluded.result_json, decided_at_ms = excluded.decided_at_ms",
            params![c.application_id, c.committee_on, c.result_json, c.decided_at_ms],
        )?;
        Ok(())
    }

    fn committee(&mut self, application_id: i64) -> Result<Option<CommitteeRow>> {
        let sql = format!(
            "SELECT {COMMITTEE_COLUMNS} FROM certification_committees WHERE application_id = ?1"
        );
        self.query_one(&sql, [application_id], to_committee)
    }
}
