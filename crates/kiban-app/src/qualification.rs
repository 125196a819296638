//! 資格確認 and what follows it at the office: the qualification summary, registering as 担当
//! 事業所, taking consent (card or witnessed paper) with per-category opt-out, and the person's
//! revocation. Every step goes through [`crate::access`] and leaves an audit event.

use crate::access::decided;
use crate::access::{audit_entry, decide_only, denied, party_number, Caller, Denied, Outcome};
use crate::Connection;
use crate::Result;
use kiban_crypto::time::OffsetDateTime;
use kiban_domain::access::{
    Action, Actor, Category, ConsentCategory, ConsentMethod, PaperReason, PersonRef, Reason,
    Timestamp,
};
use kiban_domain::date::Date;
use kiban_domain::records::{current_as_of, ledger_as_of, RecordBody, RecordKind, Version};
use kiban_domain::rules;
use kiban_store::{ConsentRow, ServingRow, Store};

/// What an office sees after 資格確認: the current certificates and remaining allowances.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QualificationSummary {
    pub as_of: String,
    pub insured_card: Option<Version>,
    pub copay: Option<Version>,
    pub reduction: Option<Version>,
    /// 福祉用具購入費: yen left in the current April–March year.
    pub equipment_allowance_left: u32,
    /// 住宅改修費: yen left of the ¥200,000.
    pub home_modification_allowance_left: u32,
}

/// Reads the qualification summary if the policy allows it; audited either way.
pub fn read_summary(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<QualificationSummary>> {
    let store = conn.store();
    let decision = crate::access::authorize(
        store,
        caller,
        Action::Read,
        Category::Qualification,
        person,
        at,
        None,
    )?;
    decided!(decision);
    let summary = crate::in_read(store, |s| summary(s, person, at.jst_date()))?;
    Ok(Outcome::Allowed(summary))
}

fn summary(store: &mut dyn Store, person: PersonRef, on: Date) -> Result<QualificationSummary> {
    let records = store.person_records(person.insurer, person.insured)?;
    let current = |kind| {
        let h = records.of(kind);
        current_as_of(&h.versions, &h.withdrawn, on).cloned()
    };
    let ledger = |kind| {
        let h = records.of(kind);
        ledger_as_of(&h.versions, &h.withdrawn, on)
    };
    let insured_card = current(RecordKind::InsuredCard);
    let level = insured_card.as_ref().and_then(|v| match &v.body {
        RecordBody::InsuredCard(c) => c.certification.as_ref().map(|x| x.level),
        _ => None,
    });
    let purchases: Vec<_> = ledger(RecordKind::EquipmentPurchaseUsage)
        .into_iter()
        .filter_map(|v| match &v.body {
            RecordBody::EquipmentPurchaseUsage(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    let works: Vec<_> = ledger(RecordKind::HomeModificationUsage)
        .into_iter()
        .filter_map(|v| match &v.body {
            RecordBody::HomeModificationUsage(u) => Some(u.clone()),
            _ => None,
        })
        .collect();
    Ok(QualificationSummary {
        as_of: on.to_string(),
        copay: current(RecordKind::CopayCertificate),
        reduction: current(RecordKind::ReductionCertificate),
        equipment_allowance_left: rules::allowance::remaining_equipment_allowance(&purchases, on),
        home_modification_allowance_left: match level {
            Some(level) => rules::allowance::remaining_home_modification_allowance(&works, level),
            None => rules::allowance::HOME_MODIFICATION_LIMIT_YEN,
        },
        insured_card,
    })
}

/// At contract time: registers the office as 担当事業所 from `started_on` and records consent
/// for every category except `opted_out`, all in one transaction with their audit events. The
/// person proves identity with the card (verified by the caller) or a witnessed paper form.
pub fn enrol(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    identity: &ConsentMethod,
    opted_out: &[ConsentCategory],
    valid_until: Option<Date>,
    at: Timestamp,
) -> Result<Outcome<Vec<i64>>> {
    let store = conn.store();
    let decision = decide_only(
        store,
        caller,
        Action::Enrol,
        Category::Qualification,
        person,
        at,
        Some(identity),
    )?;
    let entry = audit_entry(
        caller,
        Action::Enrol,
        Category::Qualification,
        person,
        at,
        &decision,
    );
    let Some(party) = caller.party().filter(|_| decision.allowed()) else {
        crate::group_commit::append(store, vec![entry])?;
        return Ok(Outcome::Denied(denied(&decision)));
    };
    let number = party_number(party);
    let (insurer, insured) = (person.insurer.to_string(), person.insured.to_string());
    let office = crate::access::party_office(party);
    let ids = crate::in_transaction(store, |store| {
        let open = store
            .serving(&number, &insurer, &insured)?
            .iter()
            .any(|s| s.ended_on.is_none());
        if !open {
            store.start_serving(&ServingRow {
                id: 0,
                office_number: office,
                insurer: person.insurer,
                insured: person.insured,
                started_on: at.jst_date(),
                ended_on: None,
                ended_by: None,
                last_service_on: None,
            })?;
        }
        let mut ids = Vec::new();
        for category in ConsentCategory::ALL
            .iter()
            .filter(|c| !opted_out.contains(c))
        {
            ids.push(store.insert_consent(&ConsentRow {
                id: 0,
                office_number: office,
                insurer: person.insurer,
                insured: person.insured,
                category: *category,
                granted_at_ms: at.as_millis(),
                method: identity.clone(),
                valid_until,
                revoked_at_ms: None,
            })?);
        }
        store.append_audit(vec![entry])?;
        Ok(ids)
    })?;
    Ok(Outcome::Allowed(ids))
}

/// How the person proved identity at the counter, for [`enrol_with_proof`].
pub enum Proof {
    /// The card signed this enrolment's one-time challenge: the checks of
    /// [`crate::citizen::check_card`], made by the caller under its challenge lock.
    Card(crate::citizen::CardCheck),
    /// A paper form, witnessed by `witness` or, when `None`, by the staff member enrolling.
    Paper {
        reason: PaperReason,
        witness: Option<String>,
    },
    /// The card was verified at 資格確認 a few minutes before in the same session (the office
    /// pages' card presence proof), so the consent is recorded with method `card`.
    PresentedCard,
}

/// What became of an enrolment.
#[derive(Debug, Clone, PartialEq)]
pub enum Enrolment {
    /// Registered as 担当事業所; the ids of the consents recorded.
    Enrolled(Vec<i64>),
    /// Refused by the policy (audited).
    Denied(Denied),
    /// The card did not prove the person's identity: refused as `IDENTITY_NOT_VERIFIED` (or the
    /// policy's own reason, when it refuses the caller anyway), decided and audited like any
    /// other refusal; `detail` names the card check's reason.
    Unverified { denied: Denied, detail: String },
}

/// Enrolment with its proof of identity, shared by the API and the office's consent page. A
/// card must verify against the card trust root, answer an unused challenge and be linked to
/// exactly this person; otherwise the attempt is asked of the access gateway without an
/// identity, so the refusal is decided and audited. Then [`enrol`] decides and audits.
#[allow(clippy::too_many_arguments)]
pub fn enrol_with_proof(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    proof: Proof,
    opted_out: &[ConsentCategory],
    valid_until: Option<Date>,
    now: OffsetDateTime,
) -> Result<Enrolment> {
    let at = Timestamp::from_millis(crate::millis(now));
    let identity = match proof {
        Proof::Paper { reason, witness } => ConsentMethod::Paper {
            reason,
            witness: witness.unwrap_or_else(|| caller.account.clone()),
        },
        Proof::PresentedCard => ConsentMethod::Card,
        Proof::Card(check) => match crate::citizen::finish_card_login(conn, check, now)? {
            Ok(p) if p == person => ConsentMethod::Card,
            Ok(_) => {
                let why = "CARD_PERSON_MISMATCH: このカードは別の被保険者に紐付けられています / the card is linked to another person";
                return unverified(conn, caller, person, at, why.to_string());
            }
            Err(r) => {
                let why = format!("{}: {}", r.code, r.message);
                return unverified(conn, caller, person, at, why);
            }
        },
    };
    Ok(
        match enrol(conn, caller, person, &identity, opted_out, valid_until, at)? {
            Outcome::Allowed(ids) => Enrolment::Enrolled(ids),
            Outcome::Denied(d) => Enrolment::Denied(d),
        },
    )
}

/// An enrolment whose card did not prove the person's identity.
fn unverified(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
    detail: String,
) -> Result<Enrolment> {
    let decision = crate::access::authorize(
        conn.store(),
        caller,
        Action::Enrol,
        Category::Qualification,
        person,
        at,
        None,
    )?;
    let reason = if decision.allowed() {
        Reason::IdentityNotVerified
    } else {
        decision.reason()
    };
    Ok(Enrolment::Unverified {
        denied: Denied {
            reason: reason.code(),
            message_ja: reason.message_ja().to_string(),
            message_en: reason.message_en().to_string(),
        },
        detail,
    })
}

/// The person revokes one of their consents; effective from this instant. Only the person
/// themself (logged in with the card) may; the attempt is audited either way.
pub fn revoke_consent(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    consent_id: i64,
    at: Timestamp,
) -> Result<Outcome<()>> {
    let store = conn.store();
    let owns = matches!(caller.actor, Actor::Citizen { person: p } if p == person);
    // Only the person's own request looks the consent up, so nobody else learns whether an id
    // exists; their attempt is refused (and audited) by the policy below.
    let category = if owns {
        let rows = store.consents(
            &person.insurer.to_string(),
            &person.insured.to_string(),
            None,
        )?;
        let Some(row) = rows.iter().find(|r| r.id == consent_id) else {
            return Ok(Outcome::Denied(crate::access::Denied {
                reason: "CONSENT_NOT_FOUND",
                message_ja: "指定された同意はありません".into(),
                message_en: "no such consent".into(),
            }));
        };
        representative(row.category)
    } else {
        Category::Qualification
    };
    let decision = decide_only(store, caller, Action::Enrol, category, person, at, None)?;
    let entry = audit_entry(caller, Action::Enrol, category, person, at, &decision);
    crate::in_transaction(store, |store| {
        if decision.allowed() && owns {
            store.revoke_consent(consent_id, at.as_millis())?;
        }
        store.append_audit(vec![entry])?;
        Ok(())
    })?;
    Ok(if decision.allowed() && owns {
        Outcome::Allowed(())
    } else {
        Outcome::Denied(denied(&decision))
    })
}

/// The category an audit event names for a consent category.
fn representative(c: ConsentCategory) -> Category {
    match c {
        ConsentCategory::Qualification => Category::Qualification,
        ConsentCategory::Certification => Category::CertificationSurvey,
        ConsentCategory::CarePlan => Category::CarePlan,
        ConsentCategory::Life => Category::Life,
        ConsentCategory::HousingEquipment => Category::HousingEquipment,
    }
}
