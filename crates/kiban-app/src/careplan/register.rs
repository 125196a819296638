//! The one write path of care-plan documents, whatever the format they arrived in (V4 files
//! through [`super::v4`], V5 JSON through the API).
//!
//! Per person, in this order:
//! 1. file consistency, which needs no personal data: the sender is the office logged in, a
//!    plan or 利用票 comes from a plan author (居宅介護支援・介護予防支援・小規模多機能), 実績 from a
//!    service office, 介護予防 documents from a plan author;
//! 2. the send rule (facts.md §4): the receiving office of a unit serves the person;
//! 3. the access policy: one decision, Write on ケアプラン, appended to the audit log;
//! 4. the documents of every allowed person.
//!
//! Persons go through steps 2–4 in batches of [`AUDIT_BATCH`]: the batch's evidence is loaded
//! at once ([`BulkEvidence`]), its audit events are committed in one transaction, and only then
//! are its documents written, in one more.
//!
//! Commit policy: valid persons are committed, refused persons are reported with the reason and
//! the file lines they came from, and a person is never half-written (all their documents of the
//! upload or none: an upload's entries for one person are merged first, so the upload is one
//! access to that person, one decision and one audit event). A person refused at step 1 or 2 is
//! not decided: nothing of theirs is written.

mod checks;
mod rows;

use crate::access::{audit_entry, decide_only, servings, BulkEvidence, Caller, AUDIT_BATCH};
use crate::Connection;
use crate::Result;
use checks::{consistent, receivers};
use kiban_domain::access::{
    serving_state, Action, Actor, Category, PersonRef, ServingState, Timestamp,
};
use kiban_domain::careplan::{
    BasicInfo, CarePlan, Deletion, PreventionPlan, ServiceResults, ServiceUse, Supplement,
};
use kiban_domain::ids::OfficeNumber;
use kiban_store::Store;
pub use rows::service_month_set;
use rows::stored;
use serde::Serialize;

/// How a plan is registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// 交付用登録: the finalised plan, visible to the offices it names and to the person.
    Issue,
    /// 同意・確認用登録: a draft sent to the person for confirmation or comment; no office but
    /// the author sees it.
    ForConfirmation,
}

/// One document of an upload. Uploads hold tens of thousands of them and few are small, so the
/// size difference between variants costs nothing worth a box.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Document {
    /// A plan (第1–3表) sent to the office `to` (none when it is registered without a
    /// transmission, as the demo does); it reaches the offices it names once issued.
    Plan {
        plan: CarePlan,
        supplement: Option<Supplement>,
        to: Option<OfficeNumber>,
    },
    /// A 利用票 (第6・7表: the person's month, every office's services) for the receiving
    /// office `to`.
    ServiceUse {
        usage: ServiceUse,
        to: OfficeNumber,
        supplement: Option<Supplement>,
    },
    /// 実績 for the care office `to`.
    Results {
        results: ServiceResults,
        to: OfficeNumber,
    },
    /// 利用者基本情報 (介護予防) for the receiving office `to`.
    BasicInfo { info: BasicInfo, to: OfficeNumber },
    /// 介護予防サービス・支援計画書 for the receiving office `to`.
    PreventionPlan {
        plan: PreventionPlan,
        to: OfficeNumber,
    },
    /// `to` is the receiving office of the deletion's unit.
    Delete {
        deletion: Deletion,
        to: Option<OfficeNumber>,
    },
}

/// One person's documents of an upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub person: PersonRef,
    pub documents: Vec<Document>,
    /// Where they came from, for the report ("UP1KYO_….CSV 3–5行目").
    pub source: String,
}

/// Why one person (or one file, or one line naming no readable person) of an upload was not
/// registered. `line` and `column_no` are 0, and `column` empty, where they do not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonIssue {
    pub insurer: String,
    pub insured: String,
    pub source: String,
    pub line: u64,
    pub column_no: usize,
    pub column: String,
    pub code: &'static str,
    pub message_ja: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegisterReport {
    pub persons_registered: u64,
    pub documents_registered: u64,
    pub persons_refused: u64,
    pub issues: Vec<PersonIssue>,
}

impl RegisterReport {
    pub(crate) fn refuse(&mut self, who: &Incoming, code: &'static str, ja: String, en: String) {
        self.persons_refused += 1;
        self.issues.push(PersonIssue {
            insurer: who.person.insurer.to_string(),
            insured: who.person.insured.to_string(),
            source: who.source.clone(),
            line: 0,
            column_no: 0,
            column: String::new(),
            code,
            message_ja: ja,
            message_en: en,
        });
    }
}

/// Registers the documents of `incoming` sent by `caller`'s office (see the module doc).
pub fn register(
    conn: &mut Connection,
    caller: &Caller,
    incoming: Vec<Incoming>,
    mode: Registration,
    at: Timestamp,
) -> Result<RegisterReport> {
    let store = conn.store();
    register_into(store, caller, incoming, mode, at, RegisterReport::default())
}

/// [`register`], adding to a report that already holds the upload's file and line problems.
pub(crate) fn register_into(
    store: &mut dyn Store,
    caller: &Caller,
    incoming: Vec<Incoming>,
    mode: Registration,
    at: Timestamp,
    mut report: RegisterReport,
) -> Result<RegisterReport> {
    let Actor::OfficeStaff { office, kind, .. } = caller.actor else {
        for who in &incoming {
            report.refuse(
                who,
                "CAREPLAN_SENDER_NOT_OFFICE",
                "ケアプランを送信できるのは事業所の職員です".into(),
                "only office staff send care-plan documents".into(),
            );
        }
        return Ok(report);
    };
    let today = at.jst_date();
    let by = caller.account.clone();
    let mut incoming = merged(incoming).into_iter().peekable();
    while incoming.peek().is_some() {
        let chunk: Vec<Incoming> = incoming.by_ref().take(AUDIT_BATCH).collect();
        let mut candidates = Vec::with_capacity(chunk.len());
        for who in chunk {
            match consistent(&who, office, kind) {
                Ok(()) => candidates.push(who),
                Err((code, ja, en)) => report.refuse(&who, code, ja, en),
            }
        }
        let persons: Vec<PersonRef> = candidates.iter().map(|w| w.person).collect();
        let bulk = BulkEvidence::load(store, caller, Category::CarePlan, &persons)?;
        let mut allowed = Vec::new();
        let mut entries = Vec::new();
        for who in candidates {
            let loaded;
            let relations = match &bulk {
                Some(b) => b.servings(who.person),
                None => {
                    loaded = crate::in_read(store, |s| servings(s, who.person))?;
                    &loaded
                }
            };
            if let Some(to) = receivers(&who)
                .find(|&to| serving_state(relations, to, today) != ServingState::Active)
            {
                report.refuse(
                    &who,
                    "RECEIVER_NOT_SERVING",
                    format!("送信先の事業所 {to} はこの利用者を担当していません（送信できるのは担当する利用者の分のみ）"),
                    format!("the receiving office {to} does not serve this person (a file may hold only the persons the receiver serves)"),
                );
                continue;
            }
            let decision = match &bulk {
                Some(b) => b.decide(caller, Action::Write, Category::CarePlan, who.person, at),
                None => decide_only(
                    store,
                    caller,
                    Action::Write,
                    Category::CarePlan,
                    who.person,
                    at,
                    None,
                )?,
            };
            entries.push(audit_entry(
                caller,
                Action::Write,
                Category::CarePlan,
                who.person,
                at,
                &decision,
            ));
            if decision.allowed() {
                allowed.push(who);
            } else {
                let reason = decision.reason();
                report.refuse(
                    &who,
                    reason.code(),
                    reason.message_ja().to_string(),
                    reason.message_en().to_string(),
                );
            }
        }
        // The decisions are in the log before anything of theirs is written.
        if !entries.is_empty() {
            crate::group_commit::append(store, entries)?;
        }
        if allowed.is_empty() {
            continue;
        }
        let persons_allowed = allowed.len() as u64;
        let mut rows = Vec::new();
        let mut months = Vec::new();
        for who in allowed {
            for doc in who.documents {
                let (row, set) = stored(doc, who.person, office, mode, at, &by);
                rows.push(row);
                months.extend(set);
            }
        }
        crate::in_transaction(store, |s| {
            s.insert_careplan_documents(&rows)?;
            s.replace_service_months(&months)?;
            Ok(())
        })?;
        report.persons_registered += persons_allowed;
        report.documents_registered += rows.len() as u64;
    }
    Ok(report)
}

/// One entry per person: an upload is one access to each person it names (one decision, one
/// audit event), and a person's documents of the upload are written together or not at all.
fn merged(incoming: Vec<Incoming>) -> Vec<Incoming> {
    let mut at: std::collections::HashMap<PersonRef, usize> = std::collections::HashMap::new();
    let mut out: Vec<Incoming> = Vec::with_capacity(incoming.len());
    for who in incoming {
        match at.get(&who.person) {
            Some(&i) => {
                let into = &mut out[i];
                into.documents.extend(who.documents);
                if !who.source.is_empty() {
                    into.source = format!("{}, {}", into.source, who.source);
                }
            }
            None => {
                at.insert(who.person, out.len());
                out.push(who);
            }
        }
    }
    out
}
