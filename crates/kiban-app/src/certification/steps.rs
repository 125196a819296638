//! The steps the 保険者 records against an application, each one guarded transition of the
//! domain's `Progress`, decided by the policy, its decision appended to the audit log through
//! the group commit *before* the step is written (as a read's decision is logged before its
//! data leaves), then the application row and its step row written in one transaction. Writes
//! therefore do not hold the audit chain's lock through their own commit; a step that fails
//! after its decision leaves that decision in the log, an attempt like any other: requesting the 認定調査 and the 主治医意見書 (which opens the institution's
//! view), assigning the 審査会, withdrawing; the deadline extension; the overdue list.

use super::{log_write, municipal_write, not_found, person_of, progress_of, refused, step_row};
use super::{to_json, view, view_of};
use super::{ApplicationView, CATEGORY};
use crate::access::{Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Decision, Timestamp};
use kiban_domain::certification::{Deadline, Event, Extension, StepKind};
use kiban_domain::date::Date;
use kiban_domain::ids::{InsurerNumber, MedicalInstitutionCode};
use kiban_store::{ApplicationRow, Store};

/// A step the 保険者 records without a document.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    /// 認定調査依頼 (to the municipality's own surveyor or a contracted one).
    RequestSurvey,
    /// 主治医意見書作成依頼 to this institution; opens its view of the person.
    RequestOpinion(MedicalInstitutionCode),
    /// 審査会割当: the committee's meeting day.
    AssignCommittee(Date),
    /// 取下げ at the applicant's request.
    Withdraw,
}

impl Step {
    fn event(self) -> Event {
        match self {
            Self::RequestSurvey => Event::RequestSurvey,
            Self::RequestOpinion(_) => Event::RequestOpinion,
            Self::AssignCommittee(_) => Event::AssignCommittee,
            Self::Withdraw => Event::Withdraw,
        }
    }
}

/// Records `step` on application `id`.
pub fn record_step(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    step: Step,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    let detail = match step {
        Step::RequestOpinion(code) => serde_json::json!({ "institution": code.to_string() }),
        Step::AssignCommittee(on) => serde_json::json!({ "committee_on": on.yyyymmdd() }),
        _ => serde_json::json!({}),
    };
    transition(
        store,
        caller,
        id,
        step.event(),
        at,
        None,
        detail,
        |store, row| {
            let person = person_of(row)?;
            match step {
                Step::RequestOpinion(code) => {
                    crate::opinion::open_request(store, person, code, at)?;
                }
                Step::AssignCommittee(on) => store.put_committee(&kiban_store::CommitteeRow {
                    application_id: row.id,
                    committee_on: on,
                    result_json: None,
                    decided_at_ms: None,
                })?,
                Step::RequestSurvey | Step::Withdraw => {}
            }
            Ok(())
        },
    )
}

/// One guarded transition: the policy's decision (the municipal write unless `decision` is
/// given) and the domain's transition, the decision logged, then the row, its step and `also`
/// in one transaction. A refused transition is still an access the policy allowed: it is audited and
/// answered with `ILLEGAL_TRANSITION` and the status it was refused in.
#[allow(clippy::too_many_arguments)]
pub(crate) fn transition(
    store: &mut dyn Store,
    caller: &Caller,
    id: i64,
    event: Event,
    at: Timestamp,
    decision: Option<Decision>,
    detail: serde_json::Value,
    also: impl FnOnce(&mut dyn Store, &ApplicationRow) -> Result<()>,
) -> Result<Outcome<ApplicationView>> {
    let Some(mut row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let decision = match decision {
        Some(d) => d,
        None => municipal_write(store, caller, person, at)?,
    };
    if log_write(store, caller, category_of(event), person, at, &decision)?.is_some() {
        return Ok(Outcome::Denied(not_found()));
    }
    let next = match progress_of(&row)?.apply(event) {
        Ok(next) => next,
        Err(e) => return Ok(Outcome::Denied(refused("ILLEGAL_TRANSITION", e))),
    };
    row.progress_json = to_json(&next);
    row.status = next.status();
    row.updated_at_ms = at.as_millis();
    crate::in_transaction(store, |store| {
        store.update_application(&row)?;
        let step = step_row(
            row.id,
            caller,
            at,
            event.into(),
            row.status,
            detail.to_string(),
        );
        store.append_application_event(&step)?;
        also(store, &row)?;
        Ok(())
    })?;
    view(store, id).map(Outcome::Allowed)
}

/// The audit category of an event: the 主治医意見書's own steps name that category, so the
/// person's history says which document was touched.
fn category_of(event: Event) -> kiban_domain::access::Category {
    match event {
        Event::ReceiveOpinion => kiban_domain::access::Category::PhysicianOpinion,
        _ => CATEGORY,
    }
}

/// 処理延期: the decision will come after the 30 days; needs a reason and the notice day
/// (介護保険法27条11項 ただし書). Refused with the domain's reason when the extension is not
/// valid or the application is closed.
pub fn extend_deadline(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    extension: Extension,
    at: Timestamp,
) -> Result<Outcome<ApplicationView>> {
    let store = conn.store();
    let Some(mut row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let decision = municipal_write(store, caller, person, at)?;
    if log_write(store, caller, CATEGORY, person, at, &decision)?.is_some() {
        return Ok(Outcome::Denied(not_found()));
    }
    let closed = progress_of(&row)?.status().is_terminal();
    let applied_on = row.applied_on;
    let extended = if closed {
        Err(refused(
            "APPLICATION_CLOSED",
            "終結した申請の期限は延長できません / a closed application has no deadline to extend",
        ))
    } else {
        // The stored extension first, so that a second one is refused as the domain says.
        let previous: Option<Extension> = row
            .extension_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        let base = match previous {
            Some(p) => Deadline::new(applied_on).extend(p.reason, p.notified_on, p.expected_on),
            None => Ok(Deadline::new(applied_on)),
        };
        base.and_then(|d| {
            let e = extension.clone();
            d.extend(e.reason, e.notified_on, e.expected_on)
        })
        .map_err(|e| refused("INVALID_EXTENSION", e))
    };
    let deadline = match extended {
        Ok(deadline) => deadline,
        Err(refusal) => return Ok(Outcome::Denied(refusal)),
    };
    row.due_on = deadline.effective_due();
    row.extension_json = Some(super::to_json(&extension));
    row.updated_at_ms = at.as_millis();
    crate::in_transaction(store, |store| {
        store.update_application(&row)?;
        let detail = super::to_json(&extension);
        let step = step_row(
            id,
            caller,
            at,
            StepKind::DeadlineExtended,
            row.status,
            detail,
        );
        store.append_application_event(&step)?;
        Ok(())
    })?;
    view(store, id).map(Outcome::Allowed)
}

/// The applications of `insurer` past their due day on `today` and not closed, oldest due
/// first: the 保険者's list to chase. Each listed person is one policy decision and one audit
/// event (the list names them); persons the caller may not read are left out.
pub fn overdue(
    conn: &mut Connection,
    caller: &Caller,
    insurer: InsurerNumber,
    today: Date,
    at: Timestamp,
) -> Result<Vec<ApplicationView>> {
    let store = conn.store();
    let terminal: Vec<&str> = kiban_domain::certification::Status::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| s.code())
        .collect();
    let rows = store.overdue_applications(&insurer.to_string(), &today.yyyymmdd(), &terminal)?;
    let persons = rows.iter().map(person_of).collect::<Result<Vec<_>>>()?;
    let decisions =
        crate::access::authorize_each(store, caller, Action::Read, CATEGORY, &persons, at)?;
    let mut views = Vec::new();
    for (row, decision) in rows.into_iter().zip(decisions) {
        if decision.allowed() {
            views.push(view_of(store, row)?);
        }
    }
    Ok(views)
}
