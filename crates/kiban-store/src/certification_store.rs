//! Storage of the 要介護認定 electronic workflow, a supertrait of [`crate::Store`]: the
//! application (申請) with its current progress, the log of its transitions, the 認定調査票,
//! the 主治医意見書 versions, the 一次判定 and the 介護認定審査会. Rows hold codes, numbers and
//! dates (stored YYYYMMDD) as domain values, parsed once where the row is read, and
//! unix-millisecond times and JSON bodies as stored; the workflow rules (which transition is
//! allowed, what the status and due date are) live in the domain, which writes the results
//! here. Only the application row is updated in place; its history is the event
//! log, and 意見書 versions are appended, never replaced.
//!
//! Both engines run the same statements (below); the flag is 0/1 in an integer column and the
//! terminal statuses one list parameter. Refusals (an unknown application on update, a
//! duplicate 意見書 version) are read from the changed-row count or the missing `RETURNING` row,
//! never from a failed statement, so the caller's transaction stays usable on both engines.

use crate::db::{params, stored_code, Db, Fields, SqlRow};
use crate::{Result, StoreError};
use kiban_domain::certification::{Applicant, ApplicationKind, Status, StepKind};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber, MedicalInstitutionCode, OfficeNumber};

stored_code! {
    ApplicationKind, "an application kind code (new, renewal, level_change)";
    Applicant, "an applicant code (person, family, office)";
    Status, "a certification status code";
    StepKind, "a certification step code";
}

/// 要介護認定の申請 (one application and its current progress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// Assigned by [`CertificationStore::insert_application`] (ignored there).
    pub id: i64,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub kind: ApplicationKind,
    pub applicant: Applicant,
    /// 代行 office number.
    pub proxy_office: Option<OfficeNumber>,
    /// Stored as YYYYMMDD.
    pub applied_on: Date,
    /// 申請時同意: results may be shared with the care manager.
    pub share_with_care_manager: bool,
    /// 計画作成依頼届出: the 居宅介護支援事業所.
    pub care_manager_office: Option<OfficeNumber>,
    /// The domain's Progress, serialised.
    pub progress_json: String,
    /// The display status (stored as its code, for filtering).
    pub status: Status,
    /// Effective due date (extension applied), stored as YYYYMMDD.
    pub due_on: Date,
    /// The extension (reason, notice day, new date), serialised.
    pub extension_json: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// One transition: who did what when (申請受付 → … → 認定).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationEventRow {
    /// Assigned by [`CertificationStore::append_application_event`] (ignored there).
    pub id: i64,
    pub application_id: i64,
    pub at_ms: i64,
    pub actor: String,
    pub event: StepKind,
    pub status_after: Status,
    pub detail_json: String,
}

/// 認定調査票: one per application (a resubmission replaces it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub application_id: i64,
    pub surveyed_on: Date,
    pub surveyor: String,
    pub body_json: String,
    pub submitted_at_ms: i64,
}

/// One version of a 主治医意見書, with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionRow {
    /// Assigned by [`CertificationStore::insert_opinion`] (ignored there).
    pub id: i64,
    pub application_id: i64,
    pub institution_code: MedicalInstitutionCode,
    pub physician: String,
    pub version: i64,
    pub body_json: String,
    pub signature: String,
    pub cert_fingerprint: String,
    pub submitted_at_ms: i64,
}

/// 一次判定: one per application (a re-run replaces it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryJudgmentRow {
    pub application_id: i64,
    pub body_json: String,
    pub recorded_at_ms: i64,
    pub recorded_by: String,
}

/// 介護認定審査会: the scheduled day and, once decided, the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeRow {
    pub application_id: i64,
    pub committee_on: Date,
    pub result_json: Option<String>,
    pub decided_at_ms: Option<i64>,
}

pub trait CertificationStore {
    /// Inserts an application (its `id` is ignored) and returns the assigned id.
    fn insert_application(&mut self, row: &ApplicationRow) -> Result<i64>;
    fn application(&mut self, id: i64) -> Result<Option<ApplicationRow>>;
    /// A person's applications, newest first (by applied_on, then by id).
    fn applications_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ApplicationRow>>;
    /// Updates progress_json, status, due_on, extension_json, care_manager_office and
    /// updated_at_ms of `row.id`; [`crate::StoreError::Conflict`] if there is no such id.
    fn update_application(&mut self, row: &ApplicationRow) -> Result<()>;
    /// Appends an event (its `id` is ignored) and returns the assigned id.
    fn append_application_event(&mut self, row: &ApplicationEventRow) -> Result<i64>;
    /// Oldest first.
    fn application_events(&mut self, application_id: i64) -> Result<Vec<ApplicationEventRow>>;
    /// Applications of `insurer` whose status is not one of `terminal` and whose due_on <
    /// today, oldest due first (then by id). Due today is not overdue.
    fn overdue_applications(
        &mut self,
        insurer: &str,
        today: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>>;
    /// Applications whose care_manager_office is `office` and status not in `terminal` (the
    /// care manager's list), newest first (by applied_on, then by id).
    fn applications_for_care_manager(
        &mut self,
        office: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>>;
    /// Inserts or replaces the survey of an application.
    fn put_survey(&mut self, row: &SurveyRow) -> Result<()>;
    fn survey(&mut self, application_id: i64) -> Result<Option<SurveyRow>>;
    /// Appends a version (its `id` is ignored) and returns the assigned id; a duplicate
    /// (application_id, version) is [`crate::StoreError::Conflict`], refused without aborting
    /// the caller's transaction.
    fn insert_opinion(&mut self, row: &OpinionRow) -> Result<i64>;
    /// All versions, oldest first.
    fn opinions(&mut self, application_id: i64) -> Result<Vec<OpinionRow>>;
    /// Inserts or replaces the 一次判定 of an application.
    fn put_primary_judgment(&mut self, row: &PrimaryJudgmentRow) -> Result<()>;
    fn primary_judgment(&mut self, application_id: i64) -> Result<Option<PrimaryJudgmentRow>>;
    /// Inserts or replaces the 審査会 row of an application.
    fn put_committee(&mut self, row: &CommitteeRow) -> Result<()>;
    fn committee(&mut self, application_id: i64) -> Result<Option<CommitteeRow>>;
}

const APPLICATION_COLUMNS: &str = "id, insurer, insured, kind, applicant, proxy_office, applied_on, share_with_care_manager, care_manager_office, progress_json, status, due_on, extension_json, created_at_ms, updated_at_ms";
const EVENT_COLUMNS: &str = "id, application_id, at_ms, actor, event, status_after, detail_json";
const SURVEY_COLUMNS: &str = "application_id, surveyed_on, surveyor, body_json, submitted_at_ms";
const OPINION_COLUMNS: &str = "id, application_id, institution_code, physician, version, body_json, signature, cert_fingerprint, submitted_at_ms";
const PRIMARY_COLUMNS: &str = "application_id, body_json, recorded_at_ms, recorded_by";
const COMMITTEE_COLUMNS: &str = "application_id, committee_on, result_json, decided_at_ms";

/// Newest first: by application day, then by insertion.
const NEWEST_FIRST: &str = "ORDER BY applied_on DESC, id DESC";

/// The error of updating an application that does not exist (no id in the message).
fn unknown_application() -> StoreError {
    StoreError::Conflict("certification_applications".into())
}

/// The error of inserting an 意見書 version that is already stored.
fn duplicate_opinion_version() -> StoreError {
    StoreError::Conflict("certification_opinions".into())
}

fn to_application(r: &dyn SqlRow) -> Result<ApplicationRow> {
    let f = Fields::new(r, "certification_applications", APPLICATION_COLUMNS, 0)?;
    Ok(ApplicationRow {
        id: r.get(0)?,
        insurer: f.parse(1)?,
        insured: f.parse(2)?,
        kind: f.parse(3)?,
        applicant: f.parse(4)?,
        proxy_office: f.parse_opt(5)?,
        applied_on: f.parse(6)?,
        share_with_care_manager: r.get(7)?,
        care_manager_office: f.parse_opt(8)?,
        progress_json: r.get(9)?,
        status: f.parse(10)?,
        due_on: f.parse(11)?,
        extension_json: r.get(12)?,
        created_at_ms: r.get(13)?,
        updated_at_ms: r.get(14)?,
    })
}

fn to_event(r: &dyn SqlRow) -> Result<ApplicationEventRow> {
    let f = Fields::new(r, "certification_events", EVENT_COLUMNS, 0)?;
    Ok(ApplicationEventRow {
        id: r.get(0)?,
        application_id: r.get(1)?,
        at_ms: r.get(2)?,
        actor: r.get(3)?,
        event: f.parse(4)?,
        status_after: f.parse(5)?,
        detail_json: r.get(6)?,
    })
}

fn to_survey(r: &dyn SqlRow) -> Result<SurveyRow> {
    let f = Fields::new(r, "certification_surveys", SURVEY_COLUMNS, 0)?;
    Ok(SurveyRow {
        application_id: r.get(0)?,
        surveyed_on: f.parse(1)?,
        surveyor: r.get(2)?,
        body_json: r.get(3)?,
        submitted_at_ms: r.get(4)?,
    })
}

fn to_opinion(r: &dyn SqlRow) -> Result<OpinionRow> {
    let f = Fields::new(r, "certification_opinions", OPINION_COLUMNS, 0)?;
    Ok(OpinionRow {
        id: r.get(0)?,
        application_id: r.get(1)?,
        institution_code: f.parse(2)?,
        physician: r.get(3)?,
        version: r.get(4)?,
        body_json: r.get(5)?,
        signature: r.get(6)?,
        cert_fingerprint: r.get(7)?,
        submitted_at_ms: r.get(8)?,
    })
}

fn to_primary(r: &dyn SqlRow) -> Result<PrimaryJudgmentRow> {
    Ok(PrimaryJudgmentRow {
        application_id: r.get(0)?,
        body_json: r.get(1)?,
        recorded_at_ms: r.get(2)?,
        recorded_by: r.get(3)?,
    })
}

fn to_committee(r: &dyn SqlRow) -> Result<CommitteeRow> {
    let f = Fields::new(r, "certification_committees", COMMITTEE_COLUMNS, 0)?;
    Ok(CommitteeRow {
        application_id: r.get(0)?,
        committee_on: f.parse(1)?,
        result_json: r.get(2)?,
        decided_at_ms: r.get(3)?,
    })
}

impl<D: Db> CertificationStore for D {
    fn insert_application(&mut self, a: &ApplicationRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO certification_applications (insurer, insured, kind, applicant, proxy_office, applied_on, share_with_care_manager, care_manager_office, progress_json, status, due_on, extension_json, created_at_ms, updated_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
            params![a.insurer, a.insured, a.kind, a.applicant, a.proxy_office, a.applied_on, a.share_with_care_manager, a.care_manager_office, a.progress_json, a.status, a.due_on, a.extension_json, a.created_at_ms, a.updated_at_ms],
        )
    }

    fn application(&mut self, id: i64) -> Result<Option<ApplicationRow>> {
        let sql =
            format!("SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE id = ?1");
        self.query_opt(&sql, params![id], to_application)
    }

    fn applications_of(&mut self, insurer: &str, insured: &str) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE insurer = ?1 AND insured = ?2 {NEWEST_FIRST}"
        );
        self.query_all(&sql, params![insurer, insured], to_application)
    }

    fn update_application(&mut self, a: &ApplicationRow) -> Result<()> {
        let changed = self.execute(
            "UPDATE certification_applications SET progress_json = ?2, status = ?3, due_on = ?4, extension_json = ?5, care_manager_office = ?6, updated_at_ms = ?7 WHERE id = ?1",
            params![a.id, a.progress_json, a.status, a.due_on, a.extension_json, a.care_manager_office, a.updated_at_ms],
        )?;
        if changed == 0 {
            return Err(unknown_application());
        }
        Ok(())
    }

    fn append_application_event(&mut self, e: &ApplicationEventRow) -> Result<i64> {
        self.insert_id(
            "INSERT INTO certification_events (application_id, at_ms, actor, event, status_after, detail_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![e.application_id, e.at_ms, e.actor, e.event, e.status_after, e.detail_json],
        )
    }

    fn application_events(&mut self, application_id: i64) -> Result<Vec<ApplicationEventRow>> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM certification_events WHERE application_id = ?1 ORDER BY id"
        );
        self.query_all(&sql, params![application_id], to_event)
    }

    fn overdue_applications(
        &mut self,
        insurer: &str,
        today: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        // YYYYMMDD compares as text; no terminal status excludes nothing.
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE insurer = ?1 AND due_on < ?2 AND status {{NOT_IN:?3}} ORDER BY due_on, id"
        );
        self.query_all(&sql, params![insurer, today, terminal], to_application)
    }

    fn applications_for_care_manager(
        &mut self,
        office: &str,
        terminal: &[&str],
    ) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM certification_applications WHERE care_manager_office = ?1 AND status {{NOT_IN:?2}} {NEWEST_FIRST}"
        );
        self.query_all(&sql, params![office, terminal], to_application)
    }

    fn put_survey(&mut self, s: &SurveyRow) -> Result<()> {
        self.execute(
            "INSERT INTO certification_surveys (application_id, surveyed_on, surveyor, body_json, submitted_at_ms) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (application_id) DO UPDATE SET surveyed_on = excluded.surveyed_on, surveyor = excluded.surveyor, body_json = excluded.body_json, submitted_at_ms = excluded.submitted_at_ms",
            params![s.application_id, s.surveyed_on, s.surveyor, s.body_json, s.submitted_at_ms],
        )?;
        Ok(())
    }

    fn survey(&mut self, application_id: i64) -> Result<Option<SurveyRow>> {
        let sql =
            format!("SELECT {SURVEY_COLUMNS} FROM certification_surveys WHERE application_id = ?1");
        self.query_opt(&sql, params![application_id], to_survey)
    }

    fn insert_opinion(&mut self, o: &OpinionRow) -> Result<i64> {
        // A duplicate version returns no row instead of failing the statement.
        let id = self.query_opt(
            "INSERT INTO certification_opinions (application_id, institution_code, physician, version, body_json, signature, cert_fingerprint, submitted_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (application_id, version) DO NOTHING RETURNING id",
            params![o.application_id, o.institution_code, o.physician, o.version, o.body_json, o.signature, o.cert_fingerprint, o.submitted_at_ms],
            |r| r.get(0),
        )?;
        id.ok_or_else(duplicate_opinion_version)
    }

    fn opinions(&mut self, application_id: i64) -> Result<Vec<OpinionRow>> {
        let sql = format!(
            "SELECT {OPINION_COLUMNS} FROM certification_opinions WHERE application_id = ?1 ORDER BY id"
        );
        self.query_all(&sql, params![application_id], to_opinion)
    }

    fn put_primary_judgment(&mut self, p: &PrimaryJudgmentRow) -> Result<()> {
        self.execute(
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
        self.query_opt(&sql, params![application_id], to_primary)
    }

    fn put_committee(&mut self, c: &CommitteeRow) -> Result<()> {
        self.execute(
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
        self.query_opt(&sql, params![application_id], to_committee)
    }
}
