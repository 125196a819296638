//! The one write path of care-plan documents, whatever the format they arrived in (V4 files
//! through [`super::v4`], V5 JSON through the API).
//!
//! Per person, in this order:
//! 1. file consistency, which needs no personal data: the sender is the office logged in, a
//!    plan or 利用票 comes from a plan author (居宅介護支援・介護予防支援・小規模多機能), 実績 from a
//!    service office, a 利用票 carries only the receiving office's rows;
//! 2. the send rule (facts.md §4): the receiving office of a 利用票 or 実績 serves the person;
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

use super::{kind, DocStatus};
use crate::access::{audit_entry, decide_only, servings, BulkEvidence, Caller, AUDIT_BATCH};
use crate::Result;
use kiban_domain::access::{
    serving_state, Action, Actor, Category, OfficeKind, PersonRef, ServingState, Timestamp,
};
use kiban_domain::careplan::{CarePlan, Deletion, ServiceResults, ServiceUse, Supplement};
use kiban_domain::ids::OfficeNumber;
use kiban_store::{CarePlanDocRow, ServiceMonthRow, ServiceMonthSet, Store};
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
    Plan {
        plan: CarePlan,
        supplement: Option<Supplement>,
    },
    /// A 利用票 (第6・7表) for the receiving office `to`.
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
    /// `to` is the receiving office of a 利用票 or 実績 deletion.
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
    store: &mut dyn Store,
    caller: &Caller,
    incoming: Vec<Incoming>,
    mode: Registration,
    at: Timestamp,
) -> Result<RegisterReport> {
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
            crate::audit::record(store, entries)?;
        }
        if allowed.is_empty() {
            continue;
        }
        let mut rows = Vec::new();
        let mut months = Vec::new();
        for who in &allowed {
            for doc in &who.documents {
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
        report.persons_registered += allowed.len() as u64;
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

type Refusal = (&'static str, String, String);

fn refusal(code: &'static str, ja: &str, en: &str) -> Refusal {
    (code, ja.to_string(), en.to_string())
}

/// The offices a plan or 利用票 may come from: the plan authors of the matrix.
fn plans_here(kind: OfficeKind) -> bool {
    matches!(
        kind,
        OfficeKind::HomeCareSupport
            | OfficeKind::PreventiveCareSupport
            | OfficeKind::CommunityBased
    )
}

/// The offices 実績 come from: those providing 居宅・地域密着型 services.
fn provides_here(kind: OfficeKind) -> bool {
    matches!(kind, OfficeKind::HomeService | OfficeKind::CommunityBased)
}

/// Step 1: what the upload itself must get right.
fn consistent(
    who: &Incoming,
    office: OfficeNumber,
    kind: OfficeKind,
) -> std::result::Result<(), Refusal> {
    let not_author = || {
        refusal(
            "DOCUMENT_NOT_FOR_OFFICE_KIND",
            "ケアプラン・利用票を送信できるのは居宅介護支援・介護予防支援・小規模多機能の事業所です",
            "plans and service-use sheets come from care-management offices",
        )
    };
    let not_provider = || {
        refusal(
            "DOCUMENT_NOT_FOR_OFFICE_KIND",
            "実績を送信できるのはサービス事業所です",
            "service results come from service offices",
        )
    };
    let other_sender = || {
        refusal(
            "SENDER_MISMATCH",
            "書類の作成事業所（送信元）がログイン中の事業所と違います",
            "the document's sending office is not the office logged in",
        )
    };
    if who.documents.is_empty() {
        return Err(refusal(
            "NO_DOCUMENTS",
            "書類がありません",
            "there are no documents",
        ));
    }
    for doc in &who.documents {
        let person = match doc {
            Document::Plan { plan, .. } => {
                if !plans_here(kind) {
                    return Err(not_author());
                }
                if plan.overview.office != office {
                    return Err(other_sender());
                }
                plan.person
            }
            Document::ServiceUse { usage, to, .. } => {
                if !plans_here(kind) {
                    return Err(not_author());
                }
                if usage.header.care_office != office {
                    return Err(other_sender());
                }
                let foreign = usage
                    .plan_rows
                    .iter()
                    .map(|r| r.provider)
                    .chain(usage.limit_rows.iter().map(|r| r.provider))
                    .any(|p| p != *to);
                if foreign {
                    return Err(refusal(
                        "ROWS_OF_OTHER_OFFICE",
                        "利用票に送信先以外の事業所の行があります（送信先の事業所の行だけを送ります）",
                        "the service-use sheet holds rows of an office other than the receiver",
                    ));
                }
                usage.person
            }
            Document::Results { results, .. } => {
                if !provides_here(kind) {
                    return Err(not_provider());
                }
                if results.provider != office {
                    return Err(other_sender());
                }
                results.person
            }
            Document::Delete { deletion, .. } => {
                let results = matches!(deletion, Deletion::Results { .. });
                if results && !provides_here(kind) {
                    return Err(not_provider());
                }
                if !results && !plans_here(kind) {
                    return Err(not_author());
                }
                match deletion {
                    Deletion::Plan { person, .. }
                    | Deletion::ServiceUse { person, .. }
                    | Deletion::Results { person, .. } => *person,
                }
            }
        };
        if person.insurer != who.person.insurer || person.insured != who.person.insured {
            return Err(refusal(
                "PERSON_MISMATCH",
                "書類の被保険者が送信単位の被保険者と違います",
                "a document names another person than its send unit",
            ));
        }
    }
    Ok(())
}

/// The offices the documents are addressed to, which must serve the person.
fn receivers(who: &Incoming) -> impl Iterator<Item = OfficeNumber> + '_ {
    who.documents.iter().filter_map(|doc| match doc {
        Document::ServiceUse { to, .. } | Document::Results { to, .. } => Some(*to),
        Document::Delete { .. } | Document::Plan { .. } => None,
    })
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("care-plan documents serialise")
}

/// The stored row of one document and, for a 利用票, its flattened service months.
fn stored(
    doc: &Document,
    person: PersonRef,
    office: OfficeNumber,
    mode: Registration,
    at: Timestamp,
    by: &str,
) -> (CarePlanDocRow, Option<ServiceMonthSet>) {
    let row = |kind: &str,
               key: String,
               to: String,
               status: DocStatus,
               body: String,
               sup: Option<String>| CarePlanDocRow {
        id: 0,
        kind: kind.to_string(),
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        doc_key: key,
        from_office: office.to_string(),
        to_office: to,
        status: status.code().to_string(),
        body_json: body,
        supplement_json: sup,
        registered_at_ms: at.as_millis(),
        registered_by: by.to_string(),
    };
    let empty_set = |month: String, to: String| ServiceMonthSet {
        insurer: person.insurer.to_string(),
        insured: person.insured.to_string(),
        month,
        care_office: office.to_string(),
        to_office: to,
        rows: Vec::new(),
    };
    match doc {
        Document::Plan { plan, supplement } => {
            let status = match mode {
                Registration::Issue => DocStatus::Issued,
                Registration::ForConfirmation => DocStatus::Draft,
            };
            let sup = supplement.as_ref().map(json);
            (
                row(
                    kind::PLAN,
                    plan.plan_date.yyyymmdd(),
                    String::new(),
                    status,
                    json(plan),
                    sup,
                ),
                None,
            )
        }
        Document::ServiceUse {
            usage,
            to,
            supplement,
        } => {
            let month = usage.month.yyyymm();
            let level = usage
                .header
                .changed_level
                .unwrap_or(usage.header.care_level);
            let mut set = empty_set(month.clone(), to.to_string());
            for r in &usage.plan_rows {
                let (service_kind, provider) = (r.service_code.kind.code(), r.provider.to_string());
                if set
                    .rows
                    .iter()
                    .any(|m| m.service_kind == service_kind && m.provider_office == provider)
                {
                    continue;
                }
                set.rows.push(ServiceMonthRow {
                    insurer: set.insurer.clone(),
                    insured: set.insured.clone(),
                    month: month.clone(),
                    care_office: set.care_office.clone(),
                    to_office: set.to_office.clone(),
                    service_kind: service_kind.to_string(),
                    provider_office: provider,
                    care_level: level.code().to_string(),
                });
            }
            let sup = supplement.as_ref().map(json);
            let r = row(
                kind::SERVICE_USE,
                month,
                to.to_string(),
                DocStatus::Issued,
                json(usage),
                sup,
            );
            (r, Some(set))
        }
        Document::Results { results, to } => (
            row(
                kind::RESULTS,
                results.month.yyyymm(),
                to.to_string(),
                DocStatus::Issued,
                json(results),
                None,
            ),
            None,
        ),
        Document::Delete { deletion, to } => {
            let to = to.map(|o| o.to_string()).unwrap_or_default();
            let body = json(deletion);
            match deletion {
                Deletion::Plan { plan_date, .. } => (
                    row(
                        kind::PLAN,
                        plan_date.yyyymmdd(),
                        String::new(),
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
                Deletion::ServiceUse { month, .. } => {
                    let set = empty_set(month.yyyymm(), to.clone());
                    (
                        row(
                            kind::SERVICE_USE,
                            month.yyyymm(),
                            to,
                            DocStatus::Deleted,
                            body,
                            None,
                        ),
                        Some(set),
                    )
                }
                Deletion::Results { month, .. } => (
                    row(
                        kind::RESULTS,
                        month.yyyymm(),
                        to,
                        DocStatus::Deleted,
                        body,
                        None,
                    ),
                    None,
                ),
            }
        }
    }
}
