//! Linking a My Number card (its certificate fingerprint) to a 被保険者: the municipality's act
//! that lets the card log in as that person. A write of 資格情報, so the access policy decides
//! (under the municipal purpose 資格管理) and the audit log records it.

use crate::access::decided;
use crate::access::{Caller, Denied};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Category, PersonRef, Timestamp};
use kiban_domain::records::RecordKind;
use kiban_store::{CardLinkRow, StoreError};

/// What became of a link request.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkOutcome {
    Linked,
    Denied(Denied),
    /// No 被保険者証 is stored for the person.
    NotRegistered,
    /// The card is linked already (to this or another person).
    AlreadyLinked,
}

impl crate::access::Refusable for LinkOutcome {
    fn refused(denied: Denied) -> Self {
        LinkOutcome::Denied(denied)
    }
}

/// Links the card with `fingerprint` to `person`, recorded as linked by `caller.account`.
pub fn link_card(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    fingerprint: &str,
    at: Timestamp,
) -> Result<LinkOutcome> {
    let store = conn.store();
    let decision = crate::access::authorize(
        store,
        caller,
        Action::Write,
        Category::Qualification,
        person,
        at,
        None,
    )?;
    decided!(decision);
    let history = store.person_history(RecordKind::InsuredCard, person.insurer, person.insured)?;
    if history.versions.is_empty() {
        return Ok(LinkOutcome::NotRegistered);
    }
    let link = CardLinkRow {
        fingerprint: fingerprint.to_string(),
        insurer: person.insurer,
        insured: person.insured,
        linked_at_ms: at.as_millis(),
        linked_by: caller.account.clone(),
        unlinked_at_ms: None,
    };
    match store.link_card(&link) {
        Ok(()) => Ok(LinkOutcome::Linked),
        Err(StoreError::Conflict(_)) => Ok(LinkOutcome::AlreadyLinked),
        Err(e) => Err(e.into()),
    }
}
