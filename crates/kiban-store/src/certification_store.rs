//! Storage of the 要介護認定 electronic workflow, a supertrait of [`crate::Store`]: the
//! application (申請) with its current progress, the log of its transitions, the 認定調査票,
//! the 主治医意見書 versions, the 一次判定 and the 介護認定審査会. Rows hold codes, dates
//! (YYYYMMDD text), unix-millisecond times and JSON bodies as text; the workflow rules (which
//! transition is allowed, what the status and due date are) live in the domain, which writes
//! the results here. Only the application row is updated in place; its history is the event
//! log, and 意見書 versions are appended, never replaced.

use crate::Result;

/// 要介護認定の申請 (one application and its current progress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// Assigned by [`CertificationStore::insert_application`] (ignored there).
    pub id: i64,
    pub insurer: String,
    pub insured: String,
    /// new | renewal | level_change.
    pub kind: String,
    /// person | family | office.
    pub applicant: String,
    /// 代行 office number.
    pub proxy_office: Option<String>,
    /// YYYYMMDD.
    pub applied_on: String,
    /// 申請時同意: results may be shared with the care manager.
    pub share_with_care_manager: bool,
    /// 計画作成依頼届出: the 居宅介護支援事業所.
    pub care_manager_office: Option<String>,
    /// The domain's Progress, serialised.
    pub progress_json: String,
    /// The display status code (for filtering).
    pub status: String,
    /// Effective due date (extension applied), YYYYMMDD.
    pub due_on: String,
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
    pub event: String,
    pub status_after: String,
    pub detail_json: String,
}

/// 認定調査票: one per application (a resubmission replaces it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub application_id: i64,
    pub surveyed_on: String,
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
    pub institution_code: String,
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
    pub committee_on: String,
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
