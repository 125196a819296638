//! The person's own side (マイナポータル-like): logging in with the card (`card`; a failed
//! attempt with a linked card is audited for its person), reading their access history
//! (やりとり履歴) and downloading all their data. Viewing one's own history is itself a read of
//! personal data and is audited like any other.

mod card;

pub use card::{
    card_login, check_card, finish_card_login, issue_challenge, take_challenge,
    unattributed_failures, CardCheck, CardLoginRefusal, CHALLENGE_CAPACITY, CHALLENGE_TTL_MS,
};
pub use sessions::{end_session, session, start_session, CitizenSession, SESSION_MS};

mod sessions;

use crate::access::decided;
use crate::access::{audit_entry, authorize, Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{
    Action, Actor, Category, ConsentCategory, ConsentMethodKind, Decision, Job, PersonRef, Reason,
    Timestamp,
};
use kiban_domain::date::Date;
use kiban_domain::records::{RecordKind, Version};
use kiban_store::Store;

/// One line of the access history as the person reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryLine {
    pub seq: u64,
    pub at_ms: i64,
    /// The office or institution name (its number when not registered), 保険者 for municipal staff.
    pub who: String,
    /// 職種 label, empty when not staff.
    pub job: String,
    pub category: String,
    pub action: String,
    pub allowed: bool,
    pub reason: String,
}

/// A page of the person's access history, newest first; `before` is the last `seq` of the
/// previous page.
pub fn access_history(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    before: Option<u64>,
    limit: u32,
    at: Timestamp,
) -> Result<Outcome<Vec<HistoryLine>>> {
    let store = conn.store();
    let decision = own_only(store, caller, Action::Read, person, at)?;
    decided!(decision);
    let events = store.audit_for_person(
        &person.insurer.to_string(),
        &person.insured.to_string(),
        before,
        limit,
    )?;
    let mut lines = Vec::with_capacity(events.len());
    for e in events {
        let who = match e.entry.actor_kind.as_str() {
            "citizen" => "本人".to_string(),
            "municipal_staff" => format!("保険者 {}", e.entry.office),
            _ => store
                .office(&e.entry.office)?
                .map(|o| o.name)
                .unwrap_or_else(|| e.entry.office.clone()),
        };
        lines.push(HistoryLine {
            seq: e.seq,
            at_ms: e.entry.at_ms,
            who,
            job: Job::from_code(&e.entry.job)
                .map(|j| j.label().to_string())
                .unwrap_or_default(),
            category: Category::from_code(&e.entry.category)
                .map(|c| c.label().to_string())
                .unwrap_or(e.entry.category),
            action: e.entry.action,
            allowed: e.entry.decision == kiban_domain::audit::Decision::Allow,
            reason: e.entry.reason,
        });
    }
    Ok(Outcome::Allowed(lines))
}

/// The access log and the full download belong to the person alone: anyone else is refused
/// (and the refusal audited) before the policy's category rules are even asked.
fn own_only(
    store: &mut dyn Store,
    caller: &Caller,
    action: Action,
    person: PersonRef,
    at: Timestamp,
) -> Result<Decision> {
    if matches!(caller.actor, Actor::Citizen { .. }) {
        return authorize(
            store,
            caller,
            action,
            Category::Qualification,
            person,
            at,
            None,
        );
    }
    let decision = Decision::from(Reason::NotSelf);
    let entry = audit_entry(
        caller,
        action,
        Category::Qualification,
        person,
        at,
        &decision,
    );
    crate::group_commit::append(store, vec![entry])?;
    Ok(decision)
}

/// Everything kiban holds about the person, for download (JSON).
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyData {
    pub insurer: String,
    pub insured: String,
    pub records: Vec<(String, Vec<Version>)>,
    pub consents: Vec<ConsentLine>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ConsentLine {
    pub id: i64,
    pub office: String,
    /// Serialised as its code.
    pub category: ConsentCategory,
    pub granted_at_ms: i64,
    /// Serialised as its code.
    pub method: ConsentMethodKind,
    /// YYYYMMDD.
    pub valid_until: Option<String>,
    pub revoked_at_ms: Option<i64>,
}

pub fn my_data(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<MyData>> {
    let store = conn.store();
    let decision = own_only(store, caller, Action::Export, person, at)?;
    decided!(decision);
    let mut records = Vec::new();
    for kind in RecordKind::ALL {
        let h = store.person_history(kind, person.insurer, person.insured)?;
        records.push((kind.code().to_string(), h.versions));
    }
    let consents = consent_lines(store, person)?;
    Ok(Outcome::Allowed(MyData {
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        records,
        consents,
    }))
}

/// The person's own consents, for the page that lists them with a revoke button: a read of
/// the person's own data (their history shows 資格情報を見る), not the whole download.
pub fn my_consents(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<Vec<ConsentLine>>> {
    let store = conn.store();
    let decision = own_only(store, caller, Action::Read, person, at)?;
    decided!(decision);
    Ok(Outcome::Allowed(consent_lines(store, person)?))
}

fn consent_lines(store: &mut dyn Store, person: PersonRef) -> Result<Vec<ConsentLine>> {
    Ok(store
        .consents(
            &person.insurer.to_string(),
            &person.insured.to_string(),
            None,
        )?
        .into_iter()
        .map(|c| ConsentLine {
            id: c.id,
            office: c.office_number.to_string(),
            category: c.category,
            granted_at_ms: c.granted_at_ms,
            method: c.method.kind(),
            valid_until: c.valid_until.map(Date::yyyymmdd),
            revoked_at_ms: c.revoked_at_ms,
        })
        .collect())
}

/// The registered names of `offices` (事業所番号 or 医療機関コード), for the person's consent
/// list; an unregistered number maps to itself. Names are not personal data: not audited.
pub fn office_names<'a>(
    conn: &mut Connection,
    offices: impl IntoIterator<Item = &'a str>,
) -> Result<std::collections::HashMap<String, String>> {
    let store = conn.store();
    let mut names = std::collections::HashMap::new();
    for number in offices {
        if !names.contains_key(number) {
            let name = store
                .office(number)?
                .map_or_else(|| number.to_string(), |o| o.name);
            names.insert(number.to_string(), name);
        }
    }
    Ok(names)
}
