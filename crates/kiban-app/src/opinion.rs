//! 主治医意見書作成依頼: the 保険者 asks a medical institution for the physician's opinion, and
//! the institution lists what it has been asked for. An open request is the link that lets the
//! institution's staff see the person (consent still decides each category), so sending one is
//! decided and audited like any write of 主治医意見書.

use crate::access::{audit_entry, decide_only, decided, Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Actor, Category, Decision, PersonRef, Reason, Timestamp};
use kiban_domain::ids::MedicalInstitutionCode;
use kiban_store::{OpinionRequestRow, Store};

/// Sends a request to `institution` for `person`; the id of the open request. Only municipal
/// staff send requests (under 認定事務, the matrix's 主治医意見書 write). The request and its
/// audit event commit in one transaction, so no institution gains a view that the log lacks.
/// Sending again while a request to the same institution is open returns that request: a
/// second row would change nothing but the list's length.
pub fn request_opinion(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    institution: MedicalInstitutionCode,
    at: Timestamp,
) -> Result<Outcome<i64>> {
    let store = conn.store();
    let (action, category) = (Action::Write, Category::PhysicianOpinion);
    let decision = match caller.actor {
        Actor::MunicipalStaff { .. } => {
            decide_only(store, caller, action, category, person, at, None)?
        }
        // The matrix would let a physician under an open request "write" 主治医意見書, which
        // means writing the opinion, not opening requests: that is the insurer's act alone.
        Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. } => {
            Decision::from(Reason::CategoryNotPermittedForOfficeKind)
        }
        Actor::Citizen { .. } => Decision::from(Reason::CategoryNotPermittedForCitizen),
        Actor::PlatformOperator => Decision::from(Reason::OperatorNoPersonalData),
    };
    let entry = audit_entry(caller, action, category, person, at, &decision);
    if !decision.allowed() {
        // Refused: the decision is all that is written.
        crate::group_commit::append(store, vec![entry.clone()])?;
    }
    decided!(decision);
    let id = crate::in_transaction(store, |store| {
        let id = open_request(store, person, institution, at)?;
        store.append_audit(vec![entry])?;
        Ok(id)
    })?;
    Ok(Outcome::Allowed(id))
}

/// The open request to `institution` for `person`, inserted if there is none. Call inside
/// the caller's transaction, next to its audit event (the certification workflow opens requests
/// as one of its steps).
pub(crate) fn open_request(
    store: &mut dyn Store,
    person: PersonRef,
    institution: MedicalInstitutionCode,
    at: Timestamp,
) -> Result<i64> {
    let code = institution.to_string();
    let (insurer, insured) = (person.insurer.to_string(), person.insured.to_string());
    let open = store
        .opinion_requests(&insurer, &insured, &code)?
        .into_iter()
        .find(|r| r.closed_at_ms.is_none());
    match open {
        Some(row) => Ok(row.id),
        None => Ok(store.insert_opinion_request(&OpinionRequestRow {
            id: 0,
            institution_code: institution,
            insurer: person.insurer,
            insured: person.insured,
            requested_at_ms: at.as_millis(),
            closed_at_ms: None,
        })?),
    }
}

/// An open request addressed to the caller's institution.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenRequest {
    pub id: i64,
    pub insurer: String,
    pub insured: String,
    pub requested_at: Timestamp,
}

/// The open requests addressed to the caller's own institution, oldest first. They are the
/// institution's own mail (numbers and a date, no certificate content), so listing them is not
/// a read of a person's data: opening a person still goes through the policy. Anyone but
/// medical staff gets an empty list.
pub fn open_requests_for(conn: &mut Connection, caller: &Caller) -> Result<Vec<OpenRequest>> {
    let store = conn.store();
    let Actor::MedicalStaff { institution, .. } = caller.actor else {
        return Ok(Vec::new());
    };
    Ok(store
        .open_opinion_requests(&institution.to_string())?
        .into_iter()
        .map(|r| OpenRequest {
            id: r.id,
            insurer: r.insurer.to_string(),
            insured: r.insured.to_string(),
            requested_at: Timestamp::from_millis(r.requested_at_ms),
        })
        .collect())
}
