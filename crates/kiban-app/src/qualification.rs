//! 資格確認 and what follows it at the office: the qualification summary, registering as 担当
//! 事業所, taking consent (card or witnessed paper) with per-category opt-out, and the person's
//! revocation. Every step goes through [`crate::access`] and leaves an audit event.

use crate::access::{audit_entry, decide_only, denied, party_number, Caller, Outcome};
use crate::Result;
use kiban_domain::access::{
    Action, Actor, Category, ConsentCategory, ConsentMethod, PersonRef, Timestamp,
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
    store: &mut dyn Store,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<QualificationSummary>> {
    let decision = crate::access::authorize(
        store,
        caller,
        Action::Read,
        Category::Qualification,
        person,
        at,
        None,
    )?;
    if !decision.allowed() {
        return Ok(Outcome::Denied(denied(&decision)));
    }
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
    store: &mut dyn Store,
    caller: &Caller,
    person: PersonRef,
    identity: &ConsentMethod,
    opted_out: &[ConsentCategory],
    valid_until: Option<Date>,
    at: Timestamp,
) -> Result<Outcome<Vec<i64>>> {
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
        crate::audit::record(store, vec![entry])?;
        return Ok(Outcome::Denied(denied(&decision)));
    };
    let number = party_number(party);
    let (insurer, insured) = (person.insurer.to_string(), person.insured.to_string());
    let (method, witness, paper_reason) = match identity {
        ConsentMethod::Card => ("card", String::new(), String::new()),
        ConsentMethod::Paper { reason, witness } => {
            ("paper", witness.clone(), reason.code().to_string())
        }
    };
    let ids = crate::in_transaction(store, |store| {
        let open = store
            .serving(&number, &insurer, &insured)?
            .iter()
            .any(|s| s.ended_on.is_none());
        if !open {
            store.start_serving(&ServingRow {
                id: 0,
                office_number: number.clone(),
                insurer: insurer.clone(),
                insured: insured.clone(),
                started_on: at.jst_date().yyyymmdd(),
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
                office_number: number.clone(),
                insurer: insurer.clone(),
                insured: insured.clone(),
                category: category.code().to_string(),
                granted_at_ms: at.as_millis(),
                method: method.to_string(),
                witness: witness.clone(),
                paper_reason: paper_reason.clone(),
                valid_until: valid_until.map(Date::yyyymmdd),
                revoked_at_ms: None,
            })?);
        }
        store.append_audit(vec![entry])?;
        Ok(ids)
    })?;
    Ok(Outcome::Allowed(ids))
}

/// The person revokes one of their consents; effective from this instant. Only the person
/// themself (logged in with the card) may; the attempt is audited either way.
pub fn revoke_consent(
    store: &mut dyn Store,
    caller: &Caller,
    person: PersonRef,
    consent_id: i64,
    at: Timestamp,
) -> Result<Outcome<()>> {
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
        ConsentCategory::from_code(&row.category)
            .map(representative)
            .unwrap_or(Category::Qualification)
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
