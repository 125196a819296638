//! The one gateway to personal data. Every read or write of a person's data by any actor goes
//! through `authorize`: it gathers the evidence the policy needs from storage, asks the pure
//! `kiban_domain::access::decide`, and appends the decision to the audit log — allowed or
//! denied — before anything is returned. The gateway is private to this crate: only use cases
//! decide, and callers (HTTP, pages, CLI) reach personal data only through them, holding a
//! [`crate::Connection`] they cannot look into. Bulk use cases decide person by person with
//! `authorize_each` (export); counts over a whole 保険者 are one decision and one event,
//! `authorize_aggregate` (stats).

use crate::Result;
use kiban_domain::access::{
    decide, decide_aggregate, AccessRequest, Action, Actor, AggregateRequest, Category, Consent,
    ConsentCategory, ConsentMethod, Decision, Evidence, OpinionRequest, Party, PersonRef, Serving,
    Timestamp,
};
use kiban_domain::audit::{self, AuditEntry};
use kiban_domain::ids::{InsurerNumber, OfficeNumber};
use kiban_domain::records::{current_as_of, CarePlanAuthor, RecordBody, RecordKind};
use kiban_store::{ConsentRow, Store};

mod bulk;
pub(crate) use bulk::BulkEvidence;

/// Who is acting, as authenticated by the caller, with the account id the log records.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub account: String,
}

impl Caller {
    /// The acting office or institution, for staff.
    pub fn party(&self) -> Option<Party> {
        match self.actor {
            Actor::OfficeStaff { office, .. } => Some(Party::Office(office)),
            Actor::MedicalStaff { institution, .. } => Some(Party::Medical(institution)),
            _ => None,
        }
    }
}

/// A refusal, with the policy's stable reason code and its messages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Denied {
    pub reason: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

/// The result of a use case that the policy may refuse.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Outcome<T> {
    Allowed(T),
    Denied(Denied),
}

impl<T> Outcome<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Allowed(t) => Outcome::Allowed(f(t)),
            Outcome::Denied(d) => Outcome::Denied(d),
        }
    }

    pub fn allowed(self) -> Option<T> {
        match self {
            Outcome::Allowed(t) => Some(t),
            Outcome::Denied(_) => None,
        }
    }
}

impl<T> From<std::result::Result<T, Denied>> for Outcome<T> {
    fn from(r: std::result::Result<T, Denied>) -> Self {
        match r {
            Ok(t) => Outcome::Allowed(t),
            Err(d) => Outcome::Denied(d),
        }
    }
}

/// What a use case answers when the policy refuses it.
pub(crate) trait Refusable {
    fn refused(denied: Denied) -> Self;
}

impl<T> Refusable for Outcome<T> {
    fn refused(denied: Denied) -> Self {
        Outcome::Denied(denied)
    }
}

/// A policy decision as the use cases act on it: the one refusal path.
pub(crate) trait Permit {
    /// `Ok` when the policy allows, else the refusal the use case answers with (the policy's
    /// reason code and messages).
    fn permit(&self) -> std::result::Result<(), Denied>;
}

impl Permit for Decision {
    fn permit(&self) -> std::result::Result<(), Denied> {
        if self.allowed() {
            Ok(())
        } else {
            Err(denied(self))
        }
    }
}

/// The decision's reason as a refusal. Use cases answer refusals through [`decided!`] and
/// [`Permit::permit`]; this is for the two that refuse on more than the decision (enrolment
/// without an acting office, revocation of a consent that is not the caller's).
pub(crate) fn denied(decision: &Decision) -> Denied {
    let reason = decision.reason();
    Denied {
        reason: reason.code(),
        message_ja: reason.message_ja().to_string(),
        message_en: reason.message_en().to_string(),
    }
}

/// The one refusal path of the use cases: unless `decision` allows, ends the use case with the
/// policy's refusal (`return Ok(Refusable::refused(..))`, the reason from [`Permit::permit`]).
/// The decision is on the audit log already, either way:
///
/// ```text
/// let decision = authorize(store, caller, Action::Read, category, person, at, None)?;
/// decided!(decision);
/// ```
///
/// `decided!(decision, else refusal)` answers a refusal as `refusal` instead (a plan or an
/// application named by id answers as unknown, so ids cannot be probed); the audit event keeps
/// the policy's own reason.
macro_rules! decided {
    ($decision:expr) => {
        if let Err(denied) = $crate::access::Permit::permit(&$decision) {
            return Ok($crate::access::Refusable::refused(denied));
        }
    };
    ($decision:expr, else $refusal:expr) => {
        if !$decision.allowed() {
            return Ok($crate::access::Refusable::refused($refusal));
        }
    };
}
pub(crate) use decided;

/// Decides one access and records it. The audit event is committed before this returns, so a
/// caller that crashes afterwards has still left its trace.
pub(crate) fn authorize(
    store: &mut dyn Store,
    caller: &Caller,
    action: Action,
    category: Category,
    person: PersonRef,
    at: Timestamp,
    identity: Option<&ConsentMethod>,
) -> Result<Decision> {
    let decision = crate::in_read(store, |s| {
        decide_only(s, caller, action, category, person, at, identity)
    })?;
    crate::group_commit::append(
        store,
        vec![audit_entry(caller, action, category, person, at, &decision)],
    )?;
    Ok(decision)
}

/// Events per audit append in `authorize_each`: 100,000 persons are twenty transactions, and
/// one batch of entries stays around a megabyte.
pub const AUDIT_BATCH: usize = 5_000;

/// [`authorize`] for many persons at once, for bulk use cases (export): every person gets their
/// own decision from `decide` and their own audit event, so each sees the access in their
/// history. Events are appended in batches of [`AUDIT_BATCH`], one transaction each, and every
/// batch is committed before this returns the decisions (in the order of `persons`).
pub(crate) fn authorize_each(
    store: &mut dyn Store,
    caller: &Caller,
    action: Action,
    category: Category,
    persons: &[PersonRef],
    at: Timestamp,
) -> Result<Vec<Decision>> {
    let mut decisions = Vec::with_capacity(persons.len());
    for chunk in persons.chunks(AUDIT_BATCH) {
        let mut entries = Vec::with_capacity(chunk.len());
        for &person in chunk {
            let decision = decide_only(store, caller, action, category, person, at, None)?;
            entries.push(audit_entry(caller, action, category, person, at, &decision));
            decisions.push(decision);
        }
        crate::group_commit::append(store, entries)?;
    }
    Ok(decisions)
}

/// The `insured` of an aggregate's audit event: no 被保険者番号 (always 10 digits) is empty, so
/// a person's access history, which selects their own number, never lists an aggregate.
pub const AGGREGATE_INSURED: &str = "";

/// Decides a read of figures aggregated over every person of `insurer` (`decide_aggregate`) and
/// records it as ONE audit event — action `read`, `insured` [`AGGREGATE_INSURED`] — committed
/// before this returns. Callers compute counts only after an allow and return no person's values.
pub(crate) fn authorize_aggregate(
    store: &mut dyn Store,
    caller: &Caller,
    category: Category,
    insurer: InsurerNumber,
    at: Timestamp,
) -> Result<Decision> {
    let decision = decide_aggregate(&AggregateRequest {
        actor: caller.actor,
        insurer,
        category,
    });
    let entry = entry(
        caller,
        Action::Read,
        category,
        (insurer.to_string(), AGGREGATE_INSURED.to_string()),
        at,
        &decision,
    );
    crate::group_commit::append(store, vec![entry])?;
    Ok(decision)
}

/// The decision without recording it, for use inside a caller's own transaction, which must then
/// append [`audit_entry`] in that transaction.
pub(crate) fn decide_only(
    store: &mut dyn Store,
    caller: &Caller,
    action: Action,
    category: Category,
    person: PersonRef,
    at: Timestamp,
    identity: Option<&ConsentMethod>,
) -> Result<Decision> {
    let evidence = load_evidence(store, caller, category, person, at)?;
    Ok(decide_loaded(
        caller, action, category, person, at, &evidence, identity,
    ))
}

/// `decide` on evidence already loaded (by [`load_evidence`], or in bulk by [`BulkEvidence`]).
fn decide_loaded(
    caller: &Caller,
    action: Action,
    category: Category,
    person: PersonRef,
    at: Timestamp,
    evidence: &Loaded,
    identity: Option<&ConsentMethod>,
) -> Decision {
    decide(&AccessRequest {
        actor: caller.actor,
        action,
        category,
        person,
        at,
        evidence: Evidence {
            consents: &evidence.consents,
            servings: &evidence.servings,
            opinion_requests: &evidence.opinion_requests,
            care_plan_author: evidence.care_plan_author.as_ref(),
            application_consent: evidence.application_consent,
            identity,
        },
    })
}

pub(crate) fn audit_entry(
    caller: &Caller,
    action: Action,
    category: Category,
    person: PersonRef,
    at: Timestamp,
    decision: &Decision,
) -> AuditEntry {
    let whose = (person.insurer.to_string(), person.insured.to_string());
    entry(caller, action, category, whose, at, decision)
}

/// One audit entry; `whose` is (保険者番号, 被保険者番号 or [`AGGREGATE_INSURED`]).
fn entry(
    caller: &Caller,
    action: Action,
    category: Category,
    (insurer, insured): (String, String),
    at: Timestamp,
    decision: &Decision,
) -> AuditEntry {
    let (office, purpose) = match caller.actor {
        Actor::OfficeStaff { office, .. } => (office.to_string(), "service".to_string()),
        Actor::MedicalStaff { institution, .. } => (institution.to_string(), "medical".to_string()),
        Actor::MunicipalStaff { insurer, purpose } => {
            (insurer.to_string(), purpose.code().to_string())
        }
        Actor::Citizen { .. } => (String::new(), "self".to_string()),
        Actor::PlatformOperator => (String::new(), "operation".to_string()),
    };
    AuditEntry {
        at_ms: at.as_millis(),
        actor_kind: caller.actor.kind_code().to_string(),
        actor_id: caller.account.clone(),
        office,
        job: caller
            .actor
            .job()
            .map(|j| j.code().to_string())
            .unwrap_or_default(),
        insurer,
        insured,
        category: category.code().to_string(),
        action: action.code().to_string(),
        purpose,
        decision: if decision.allowed() {
            audit::Decision::Allow
        } else {
            audit::Decision::Deny
        },
        reason: decision.reason().code().to_string(),
    }
}

#[derive(Default)]
struct Loaded {
    consents: Vec<Consent>,
    servings: Vec<Serving>,
    opinion_requests: Vec<OpinionRequest>,
    care_plan_author: Option<CarePlanAuthor>,
    /// An application (not withdrawn) carries the person's consent to share 要介護認定情報 with
    /// the acting office as its 計画作成依頼届出 office.
    application_consent: bool,
}

/// Loads what the policy can use for this request and nothing more: every access costs these
/// queries, so evidence that cannot change the decision is left out. 意見書依頼 are addressed
/// to medical institutions only; the card's 計画作成依頼届出 matters only to the application
/// consent, which covers only the certification categories.
fn load_evidence(
    store: &mut dyn Store,
    caller: &Caller,
    category: Category,
    person: PersonRef,
    at: Timestamp,
) -> Result<Loaded> {
    let (insurer, insured) = (person.insurer.to_string(), person.insured.to_string());
    let mut loaded = Loaded::default();
    // Only staff decisions look at consents, relationships and requests.
    let Some(party) = caller.party() else {
        return Ok(loaded);
    };
    let number = party_number(party);
    loaded.consents = store
        .consents(&insurer, &insured, Some(&number))?
        .iter()
        .map(|r| consent(r, party))
        .collect();
    loaded.servings = servings(store, person)?;
    if let Party::Medical(_) = party {
        loaded.opinion_requests = store
            .opinion_requests(&insurer, &insured, &number)?
            .iter()
            .map(|r| OpinionRequest {
                addressee: party,
                sent_at: Timestamp::from_millis(r.requested_at_ms),
                closed_at: r.closed_at_ms.map(Timestamp::from_millis),
            })
            .collect();
    }
    if category.consent_category() != ConsentCategory::Certification {
        return Ok(loaded);
    }
    let office = party_office(party);
    loaded.application_consent = store.applications_of(&insurer, &insured)?.iter().any(|a| {
        a.share_with_care_manager
            && a.status != kiban_domain::certification::Status::Withdrawn
            && a.care_manager_office == Some(office)
    });
    let history = store.person_history(RecordKind::InsuredCard, person.insurer, person.insured)?;
    if let Some(v) = current_as_of(&history.versions, &history.withdrawn, at.jst_date()) {
        if let RecordBody::InsuredCard(card) = &v.body {
            loaded.care_plan_author = card.care_plan.clone();
        }
    }
    Ok(loaded)
}

/// The person's 担当関係 as the policy sees them.
pub(crate) fn servings(store: &mut dyn Store, person: PersonRef) -> Result<Vec<Serving>> {
    let rows = store.servers_of(&person.insurer.to_string(), &person.insured.to_string())?;
    Ok(rows.iter().map(serving).collect())
}

fn serving(r: &kiban_store::ServingRow) -> Serving {
    Serving {
        office: r.office_number,
        from: r.started_on,
        until: r.ended_on,
    }
}

/// The 事業所番号 under which a party's 担当関係 is stored: its own number (a 医療機関コード is
/// ten digits too).
pub(crate) fn party_office(party: Party) -> OfficeNumber {
    match party {
        Party::Office(o) => o,
        Party::Medical(m) => {
            OfficeNumber::parse(&m.to_string()).expect("a 医療機関コード is ten digits")
        }
    }
}

pub(crate) fn party_number(party: Party) -> String {
    party.to_string()
}

/// A stored consent row as the policy sees it.
fn consent(row: &ConsentRow, party: Party) -> Consent {
    Consent {
        holder: party,
        category: row.category,
        method: row.method.clone(),
        granted_at: Timestamp::from_millis(row.granted_at_ms),
        valid_until: row.valid_until,
        revoked_at: row.revoked_at_ms.map(Timestamp::from_millis),
    }
}
