//! Ending 担当事業所 relationships: by the office, by the person, or after a period with no
//! recorded service (the national design detects continuing service from claims; kiban takes
//! `record_service` calls and sweeps the rest). An ended relationship closes every consent-based
//! view of that office at once, because the policy requires an active relationship.

use crate::access::{audit_entry, decide_only, party_number, Caller, Outcome, Permit};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Actor, Category, EndedBy, PersonRef, Timestamp};
use kiban_domain::date::Date;

/// Ends the acting office's open relationship with the person (office staff), or — called by
/// the person — the named office's. Audited as an enrolment act either way.
pub fn end_serving(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    office_number: &str,
    at: Timestamp,
) -> Result<Outcome<usize>> {
    let store = conn.store();
    let by = match caller.actor {
        Actor::Citizen { person: p } if p == person => Some(EndedBy::Person),
        Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. }
            if caller.party().map(party_number).as_deref() == Some(office_number) =>
        {
            Some(EndedBy::Office)
        }
        _ => None,
    };
    // Ending needs no identity proof from the person: it only ever takes access away.
    let identity = kiban_domain::access::ConsentMethod::Card;
    let decision = if by.is_none() {
        kiban_domain::access::Decision::from(kiban_domain::access::Reason::NotSelf)
    } else {
        decide_only(
            store,
            caller,
            Action::Enrol,
            Category::Qualification,
            person,
            at,
            Some(&identity),
        )?
    };
    let entry = audit_entry(
        caller,
        Action::Enrol,
        Category::Qualification,
        person,
        at,
        &decision,
    );
    let ended = crate::in_transaction(store, |store| {
        let mut ended = 0;
        if let Some(by) = by.filter(|_| decision.allowed()) {
            let today = at.jst_date();
            for row in store.serving(
                office_number,
                &person.insurer.to_string(),
                &person.insured.to_string(),
            )? {
                if row.ended_on.is_none() {
                    store.end_serving(row.id, today, by)?;
                    ended += 1;
                }
            }
        }
        store.append_audit(vec![entry])?;
        Ok(ended)
    })?;
    Ok(decision.permit().map(|()| ended).into())
}

/// Ends an office's relationships with no recorded service (nor start) within `period_days`
/// before `today`. Returns how many ended. A system task, not a person's access: nothing is
/// read, so nothing is audited beyond the relationship rows themselves.
pub fn end_inactive(
    conn: &mut Connection,
    office_number: &str,
    period_days: i64,
    today: Date,
) -> Result<usize> {
    let store = conn.store();
    let cutoff = today.add_days(-period_days);
    crate::in_transaction(store, |store| {
        let mut ended = 0;
        for row in store.persons_served(office_number)? {
            let last = row.last_service_on.unwrap_or(row.started_on);
            if last < cutoff {
                store.end_serving(row.id, today, EndedBy::Inactivity)?;
                ended += 1;
            }
        }
        Ok(ended)
    })
}

/// A person the acting office serves now, as the office itself registered it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Served {
    pub insurer: String,
    pub insured: String,
    /// Serialised as YYYYMMDD.
    pub started_on: Date,
    pub last_service_on: Option<Date>,
}

/// The open 担当 relationships of the caller's own office, for its list of persons. These are
/// the office's own registrations (numbers and dates, no certificate content), so listing them
/// is not a read of a person's data: opening any person still goes through the policy. Anyone
/// but office staff gets an empty list.
pub fn served_by(conn: &mut Connection, caller: &Caller) -> Result<Vec<Served>> {
    let store = conn.store();
    let Actor::OfficeStaff { office, .. } = caller.actor else {
        return Ok(Vec::new());
    };
    // The store returns open relationships only, already in (保険者番号, 被保険者番号) order.
    Ok(store
        .persons_served(&office.to_string())?
        .into_iter()
        .map(|r| Served {
            insurer: r.insurer.to_string(),
            insured: r.insured.to_string(),
            started_on: r.started_on,
            last_service_on: r.last_service_on,
        })
        .collect())
}
