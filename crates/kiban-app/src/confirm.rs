//! 資格確認 without a card: an office (or the municipality) identifies a person who cannot
//! present a My Number card by the 基本4情報 or by 被保険者番号 + 生年月日. The pure rules are
//! `kiban_domain::matching`; this service loads the candidates, asks the matcher, and audits
//! every attempt. It returns only *who* the person is: the certificates are then read through
//! [`crate::qualification::read_summary`], which applies the access policy and audits the read.
//!
//! Who may search: office and medical staff (that is what 資格確認 at the counter is) and
//! municipal staff for their own 保険者. The platform operator never touches personal data and
//! a citizen may not look up other people, so both are refused before anything is read.
//!
//! Audit: category `qualification`, action `match`, decision allow or deny with the reason code
//! (`MATCH_UNIQUE`, `MATCH_NOT_FOUND`, `MATCH_AMBIGUOUS`, `MATCH_PARTIAL`, or the policy's
//! refusal). The person's numbers are recorded only for a unique match: on any other outcome no
//! single person was identified, and naming the near-misses would log people who were not
//! looked up.

use crate::access::{audit_entry, Caller, Denied, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Actor, Category, PersonRef, Reason, Timestamp};
use kiban_domain::audit::{self, AuditEntry};
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::matching::{match_person, Candidate, MatchOutcome, MatchQuery};
use kiban_domain::records::{current_as_of, RecordBody, Version};
use kiban_store::Store;

/// The audit action of a search.
pub const ACTION_MATCH: &str = "match";

/// Identifies the person `query` describes among the 被保険者 of `insurer`, as of `at` (JST
/// date), or says why not. Every call appends one audit event.
pub fn confirm_without_card(
    conn: &mut Connection,
    caller: &Caller,
    insurer: InsurerNumber,
    query: MatchQuery,
    at: Timestamp,
) -> Result<Outcome<PersonRef>> {
    let store = conn.store();
    if let Some(reason) = refusal(&caller.actor, insurer) {
        record(store, caller, insurer, at, None, reason.code())?;
        return Ok(Outcome::Denied(Denied {
            reason: reason.code(),
            message_ja: reason.message_ja().to_string(),
            message_en: reason.message_en().to_string(),
        }));
    }
    let versions = store.cards_born_on(insurer, query.birth_date())?;
    let today = at.jst_date();
    // One entry per person: the card in force today. Someone whose card is no longer current
    // (資格喪失) is not a candidate, so a former 被保険者 is "not found" rather than confirmed.
    let current: Vec<&Version> = versions
        .chunk_by(|a, b| a.key.insured == b.key.insured)
        .filter_map(|history| current_as_of(history, &[], today))
        .collect();
    let candidates: Vec<Candidate> = current
        .iter()
        .filter_map(|v| match &v.body {
            RecordBody::InsuredCard(card) => Some(Candidate::from_card(v.key.insured, card)),
            _ => None,
        })
        .collect();
    let outcome = match_person(&query, &candidates);
    let person = match outcome {
        MatchOutcome::Unique(i) => Some(PersonRef {
            insurer,
            insured: candidates[i].insured,
        }),
        _ => None,
    };
    record(store, caller, insurer, at, person, outcome.code())?;
    Ok(match person {
        Some(person) => Outcome::Allowed(person),
        None => Outcome::Denied(Denied {
            reason: outcome.code(),
            message_ja: outcome.message_ja(),
            message_en: outcome.message_en(),
        }),
    })
}

/// The actors that may not search at all, checked before anything is read.
fn refusal(actor: &Actor, insurer: InsurerNumber) -> Option<Reason> {
    match actor {
        Actor::OfficeStaff { .. } | Actor::MedicalStaff { .. } => None,
        Actor::MunicipalStaff { insurer: own, .. } if *own == insurer => None,
        Actor::MunicipalStaff { .. } => Some(Reason::OtherInsurer),
        Actor::Citizen { .. } => Some(Reason::NotSelf),
        Actor::PlatformOperator => Some(Reason::OperatorNoPersonalData),
    }
}

/// Appends the search's audit event in its own transaction.
fn record(
    store: &mut dyn Store,
    caller: &Caller,
    insurer: InsurerNumber,
    at: Timestamp,
    person: Option<PersonRef>,
    reason: &str,
) -> Result<()> {
    crate::group_commit::append(store, vec![entry(caller, insurer, at, person, reason)])?;
    Ok(())
}

fn entry(
    caller: &Caller,
    insurer: InsurerNumber,
    at: Timestamp,
    person: Option<PersonRef>,
    reason: &str,
) -> AuditEntry {
    // The actor's fields (kind, account, office, 職種, purpose) come from the gateway's own
    // builder, so a search reads like every other event in the log. Everything about the person
    // and the decision is then set here; the placeholder person never reaches the log.
    let placeholder = PersonRef {
        insurer,
        insured: InsuredNumber::from_u64(0).expect("0 is a valid number"),
    };
    let any = Reason::OperatorNoPersonalData.into();
    let mut e = audit_entry(
        caller,
        Action::Read,
        Category::Qualification,
        placeholder,
        at,
        &any,
    );
    e.insurer = person.map(|p| p.insurer.to_string()).unwrap_or_default();
    e.insured = person.map(|p| p.insured.to_string()).unwrap_or_default();
    e.action = ACTION_MATCH.to_string();
    e.decision = if person.is_some() {
        audit::Decision::Allow
    } else {
        audit::Decision::Deny
    };
    e.reason = reason.to_string();
    e
}
