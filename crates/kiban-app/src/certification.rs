//! 要介護認定 electronically: the application (申請), its progress through the guarded status
//! machine of `kiban_domain::certification`, the documents (認定調査票, 主治医意見書, 一次判定,
//! 審査会) and the decision that writes the next 被保険者証.
//!
//! **Who does what.** The 保険者 receives every application (whether the person, the family or
//! an office brings it: 代行 is recorded with the office's number) and records each step, as
//! municipal staff under the purpose 認定事務 — a write of 認定調査票 in the access matrix. The
//! physician submits the 主治医意見書 under an open 作成依頼 (a write of 主治医意見書, which the
//! matrix grants only then). Every step is decided by the policy and audited; a refused
//! transition is answered with the status it was refused in.
//!
//! **Who sees the progress.** For staff, progress and documents are 要介護認定情報 (a read of
//! 認定調査票): the 計画作成依頼届出 office that serves the person sees it on the consent given on
//! the application (申請時同意, the matrix's `CA` cell), any other office only with its own
//! certification consent; municipal staff under 認定事務. The person reads the progress of
//! their own applications as 資格情報 (its result is their card).

mod card_version;
mod documents;
mod reads;
mod steps;

pub use documents::{
    decide, record_primary_judgment, submit_opinion, submit_survey, Decided, PhysicianTrust,
    SignedOpinion,
};
pub use reads::{opinions, survey_documents, OpinionVersion, SurveyDocuments};
pub use steps::{extend_deadline, overdue, record_step, Step};

use crate::access::decided;
use crate::access::{audit_entry, decide_only, Caller, Denied, Outcome, Permit};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Actor, Category, PersonRef, Reason, Timestamp};
use kiban_domain::certification::{
    Applicant, ApplicationKind, Deadline, Progress, Status, StepKind,
};
use kiban_domain::date::Date;
use kiban_domain::ids::OfficeNumber;
use kiban_domain::records::CarePlanAuthor;
use kiban_store::{ApplicationEventRow, ApplicationRow, Store};

/// An application as the 保険者 receives it.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub person: PersonRef,
    pub kind: ApplicationKind,
    pub applicant: Applicant,
    /// The office that filed on the person's behalf (代行).
    pub proxy_office: Option<OfficeNumber>,
    pub applied_on: Date,
    /// 申請時同意: the person agrees that the 計画作成依頼届出 office sees 要介護認定情報.
    pub share_with_care_manager: bool,
    /// 計画作成依頼届出 filed with the application: the 居宅介護支援事業所 and its name.
    pub care_plan_office: Option<(OfficeNumber, String)>,
}

/// One recorded step, as the progress view shows it (codes serialised as their codes).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepView {
    pub at_ms: i64,
    pub actor: String,
    pub event: StepKind,
    pub status_after: Status,
}

/// An application's progress: what the person and the care manager see.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApplicationView {
    pub id: i64,
    pub insurer: String,
    pub insured: String,
    /// Serialised as its code.
    pub kind: ApplicationKind,
    pub applicant: String,
    pub proxy_office: Option<String>,
    /// Serialised as YYYYMMDD.
    pub applied_on: Date,
    pub share_with_care_manager: bool,
    pub care_manager_office: Option<String>,
    pub status: String,
    pub status_label: String,
    /// The day the decision is due (30 days, or the extended date); serialised as YYYYMMDD.
    pub due_on: Date,
    pub extension: Option<serde_json::Value>,
    pub steps: Vec<StepView>,
}

/// The audit category of everything about an application.
pub(crate) const CATEGORY: Category = Category::CertificationSurvey;

/// Records an application received by the 保険者: the first step (申請受付), its deadline, and,
/// when a 計画作成依頼届出 comes with it, the next 被保険者証 version naming that office.
pub fn file(
    conn: &mut Connection,
    caller: &Caller,
    new: NewApplication,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    let person = new.person;
    let decision = municipal_write(store, caller, person, at)?;
    if let Some(denied) = log_write(store, caller, CATEGORY, person, at, &decision)? {
        return Ok(Outcome::Denied(denied));
    }
    // Only a 被保険者 can apply: a mistyped number must not open a file on nobody.
    if !insured_on(store, person, new.applied_on)? {
        return Ok(Outcome::Denied(refused(
            "PERSON_NOT_INSURED",
            "申請日に有効な被保険者証がありません / no insured card is in force on the application day",
        )));
    }
    let progress = Progress::INITIAL;
    let deadline = Deadline::new(new.applied_on);
    let mut row = ApplicationRow {
        id: 0,
        insurer: person.insurer,
        insured: person.insured,
        kind: new.kind,
        applicant: new.applicant,
        proxy_office: new.proxy_office,
        applied_on: new.applied_on,
        share_with_care_manager: new.share_with_care_manager,
        care_manager_office: new.care_plan_office.as_ref().map(|(o, _)| *o),
        progress_json: to_json(&progress),
        status: progress.status(),
        due_on: deadline.effective_due(),
        extension_json: None,
        created_at_ms: at.as_millis(),
        updated_at_ms: at.as_millis(),
    };
    let id = crate::in_transaction(store, |store| {
        row.id = store.insert_application(&row)?;
        let step = step_row(row.id, caller, at, StepKind::Filed, row.status, "{}".into());
        store.append_application_event(&step)?;
        if let Some((office, name)) = &new.care_plan_office {
            let (office, name) = (*office, name.clone());
            let notified_on = new.applied_on;
            let source = format!("計画作成依頼届出 申請 {}", row.id);
            card_version::append_card_version(store, person, notified_on, &source, at, |card| {
                card.care_plan = Some(CarePlanAuthor::Office {
                    office,
                    name,
                    notified_on,
                });
            })?;
        }
        Ok(row.id)
    })?;
    view(store, id).map(Outcome::Allowed)
}

/// Whether `person` holds a 被保険者証 in force on `on`.
fn insured_on(store: &mut dyn Store, person: PersonRef, on: Date) -> Result<bool> {
    use kiban_domain::records::{current_as_of, RecordKind};
    let history = store.person_history(RecordKind::InsuredCard, person.insurer, person.insured)?;
    Ok(current_as_of(&history.versions, &history.withdrawn, on).is_some())
}

/// The progress of application `id`, if the policy lets the caller read it; audited.
pub fn progress(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    let Some(row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let category = read_category(caller);
    let decision =
        crate::access::authorize(store, caller, Action::Read, category, person, at, None)?;
    decided!(decision, else not_found());
    view(store, id).map(Outcome::Allowed)
}

/// The person's own applications, newest first: one policy decision (a citizen reads only
/// their own) and one audit event for the list.
pub fn applications_of(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<Vec<ApplicationView>>> {
    let store = conn.store();
    let category = read_category(caller);
    let decision =
        crate::access::authorize(store, caller, Action::Read, category, person, at, None)?;
    decided!(decision);
    let rows = store.applications_of(&person.insurer.to_string(), &person.insured.to_string())?;
    let views = rows
        .into_iter()
        .map(|r| view_of(store, r))
        .collect::<Result<Vec<_>>>()?;
    Ok(Outcome::Allowed(views))
}

/// What a progress read is, for the policy: the person reads the progress of their own
/// application as 資格情報 (it ends up on their card, and the platform does not show the person
/// the 認定調査票 itself); staff read it as 要介護認定情報, which reaches the 計画作成依頼届出
/// office through the application-time consent and anyone else only with their own consent.
fn read_category(caller: &Caller) -> Category {
    match caller.actor {
        Actor::Citizen { .. } => Category::Qualification,
        _ => CATEGORY,
    }
}

/// Appends the decision on a write of `category` to the audit log at once, through the group
/// commit, before anything is written — as a read's decision is logged before its data leaves.
/// Writes thus never hold the audit chain's lock through their own commit; a step refused or
/// failing afterwards leaves its decision in the log, an attempt like any other. `Some` is the
/// policy's refusal.
pub(crate) fn log_write(
    store: &mut dyn Store,
    caller: &Caller,
    category: Category,
    person: PersonRef,
    at: Timestamp,
    decision: &kiban_domain::access::Decision,
) -> Result<Option<Denied>> {
    let entry = audit_entry(caller, Action::Write, category, person, at, decision);
    crate::group_commit::append(store, vec![entry])?;
    Ok(decision.permit().err())
}

/// One recorded step of application `id`, done by `caller` at `at`.
pub(crate) fn step_row(
    id: i64,
    caller: &Caller,
    at: Timestamp,
    event: StepKind,
    status_after: Status,
    detail_json: String,
) -> ApplicationEventRow {
    ApplicationEventRow {
        id: 0,
        application_id: id,
        at_ms: at.as_millis(),
        actor: caller.account.clone(),
        event,
        status_after,
        detail_json,
    }
}

/// Only the 保険者's staff record the steps of an application; the matrix then decides by
/// purpose (認定事務 may write 認定調査票).
pub(crate) fn municipal_write(
    store: &mut dyn Store,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<kiban_domain::access::Decision> {
    Ok(match caller.actor {
        Actor::MunicipalStaff { .. } => {
            decide_only(store, caller, Action::Write, CATEGORY, person, at, None)?
        }
        Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. } => {
            kiban_domain::access::Decision::from(Reason::CategoryNotPermittedForOfficeKind)
        }
        Actor::Citizen { .. } => {
            kiban_domain::access::Decision::from(Reason::CategoryNotPermittedForCitizen)
        }
        Actor::PlatformOperator => {
            kiban_domain::access::Decision::from(Reason::OperatorNoPersonalData)
        }
    })
}

/// The answer to an application named by its id that does not exist, and equally to one the
/// caller may not see or act on: the policy's refusal would tell that the id exists (and, by its
/// reason, something of the person's relation to the caller). The refusal is still decided and
/// audited with its own reason; only the answer is the same. Consent revocation answers an id
/// of someone else's consent the same way (`qualification::revoke_consent`).
pub(crate) fn not_found() -> Denied {
    Denied {
        reason: "APPLICATION_NOT_FOUND",
        message_ja: "指定された申請はありません".into(),
        message_en: "no such application".into(),
    }
}

/// A refusal of the workflow itself (not of the policy): an illegal transition, a document
/// that does not validate.
pub(crate) fn refused(reason: &'static str, message: impl std::fmt::Display) -> Denied {
    let text = message.to_string();
    let (ja, en) = match text.split_once(" / ") {
        Some((ja, en)) => (ja.to_string(), en.to_string()),
        None => (text.clone(), text),
    };
    Denied {
        reason,
        message_ja: ja,
        message_en: en,
    }
}

pub(crate) fn person_of(row: &ApplicationRow) -> Result<PersonRef> {
    Ok(PersonRef {
        insurer: row.insurer,
        insured: row.insured,
    })
}

pub(crate) fn progress_of(row: &ApplicationRow) -> Result<Progress> {
    serde_json::from_str(&row.progress_json).map_err(|e| {
        crate::AppError::Store(kiban_store::StoreError::Corrupt(format!(
            "application {} progress: {e}",
            row.id
        )))
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

/// The stored application and its steps, as the progress view.
pub(crate) fn view(store: &mut dyn Store, id: i64) -> Result<ApplicationView> {
    let row = store.application(id)?.ok_or_else(|| {
        crate::AppError::Store(kiban_store::StoreError::Corrupt(format!(
            "application {id} vanished"
        )))
    })?;
    view_of(store, row)
}

/// [`view`] of a row already read (lists): only its steps are read.
pub(crate) fn view_of(store: &mut dyn Store, row: ApplicationRow) -> Result<ApplicationView> {
    let status = progress_of(&row)?.status();
    let steps = store
        .application_events(row.id)?
        .into_iter()
        .map(|e| StepView {
            at_ms: e.at_ms,
            actor: e.actor,
            event: e.event,
            status_after: e.status_after,
        })
        .collect();
    Ok(ApplicationView {
        id: row.id,
        insurer: row.insurer.to_string(),
        insured: row.insured.to_string(),
        kind: row.kind,
        applicant: row.applicant.code().to_string(),
        proxy_office: row.proxy_office.map(|o| o.to_string()),
        applied_on: row.applied_on,
        share_with_care_manager: row.share_with_care_manager,
        care_manager_office: row.care_manager_office.map(|o| o.to_string()),
        status: status.code().to_string(),
        status_label: status.label().to_string(),
        due_on: row.due_on,
        extension: row
            .extension_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        steps,
    })
}

/// One open application on the list of the office named in its 計画作成依頼届出.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OfficeApplication {
    pub id: i64,
    pub insurer: String,
    pub insured: String,
    /// Serialised as its code (`received`, `requested`, …).
    pub status: Status,
    /// The day the decision is due (30 days, or the extended date); serialised as YYYYMMDD.
    pub due_on: Date,
}

/// The open applications whose 計画作成依頼届出 names the caller's own office, newest first, for
/// the care manager's list. A status and a due day say where a person stands in 要介護認定, so
/// each listed person is one policy decision and one audit event (a read of 認定調査票, as the
/// progress page is), and only those the office may read are listed: the registered office that
/// serves the person sees them on the application-time consent. Anyone but office staff gets an
/// empty list without a read.
pub fn applications_for_office(
    conn: &mut Connection,
    caller: &Caller,
    at: Timestamp,
) -> Result<Vec<OfficeApplication>> {
    let store = conn.store();
    let Actor::OfficeStaff { office, .. } = caller.actor else {
        return Ok(Vec::new());
    };
    let terminal: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| s.code())
        .collect();
    let rows = store.applications_for_care_manager(&office.to_string(), &terminal)?;
    let persons = rows.iter().map(person_of).collect::<Result<Vec<_>>>()?;
    let decisions =
        crate::access::authorize_each(store, caller, Action::Read, CATEGORY, &persons, at)?;
    Ok(rows
        .into_iter()
        .zip(decisions)
        .filter(|(_, decision)| decision.allowed())
        .map(|(r, _)| OfficeApplication {
            id: r.id,
            insurer: r.insurer.to_string(),
            insured: r.insured.to_string(),
            status: r.status,
            due_on: r.due_on,
        })
        .collect())
}
