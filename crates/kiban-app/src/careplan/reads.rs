//! Reading care plans: a person's folder, filtered for the caller after one policy decision;
//! a service office's inbox; and the person's answer to a plan sent for 同意・確認.
//!
//! What each caller sees once the policy allows the read (the policy decides *whether*, this
//! module decides *which documents*, so an office never sees a document that did not reach it):
//! - the person and municipal staff (under the stated purpose): every current document;
//! - an office: the plans it wrote; plans that name it once issued (never a draft, which is
//!   between the care manager and the person); 利用票 and 実績 it sent or received;
//! - a medical institution (under an open 意見書依頼): issued plans only.

use super::{DocKey, DocKind, DocStatus, PlanDecision};
use crate::access::decided;
use crate::access::{authorize, authorize_each, Caller, Denied, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Actor, Category, PersonRef, Timestamp};
use kiban_domain::careplan::{
    BasicInfo, CarePlan, PreventionPlan, ServiceResults, ServiceUse, Supplement,
};
use kiban_domain::ids::{InsuredNumber, InsurerNumber, OfficeNumber};
use kiban_store::{CarePlanDocRow, PlanConfirmationRow, Store};
use serde::Serialize;

/// The person's answer to a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub at_ms: i64,
    pub decision: PlanDecision,
    pub comment: String,
}

/// One stored document as a caller sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentView<T> {
    pub id: i64,
    pub status: DocStatus,
    pub status_label: &'static str,
    pub from_office: OfficeNumber,
    /// The receiving office of a 利用票 or 実績; none for a plan (sent as the empty text).
    #[serde(serialize_with = "office_or_empty")]
    pub to_office: Option<OfficeNumber>,
    pub registered_at_ms: i64,
    pub document: T,
    pub supplement: Option<Supplement>,
    /// The person's answers, for a plan sent for 同意・確認.
    pub answers: Vec<Answer>,
}

/// A receiving office as the API has always sent it: its number, or the empty text for none.
fn office_or_empty<S: serde::Serializer>(
    office: &Option<OfficeNumber>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match office {
        Some(o) => s.collect_str(o),
        None => s.serialize_str(""),
    }
}

/// Everything of one person that reached the caller, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CarePlanFolder {
    pub plans: Vec<DocumentView<CarePlan>>,
    pub service_uses: Vec<DocumentView<ServiceUse>>,
    pub results: Vec<DocumentView<ServiceResults>>,
    /// 利用者基本情報 (介護予防).
    pub basic_infos: Vec<DocumentView<BasicInfo>>,
    /// 介護予防サービス・支援計画書.
    pub prevention_plans: Vec<DocumentView<PreventionPlan>>,
    /// Documents the caller exchanged (or, for the person and the municipality, any of the
    /// person's) whose stored body is in the layout kiban used before the official one: they
    /// are not shown, only counted, so that the pages can say they must be sent again.
    pub earlier_layout: u32,
}

impl CarePlanFolder {
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
            && self.service_uses.is_empty()
            && self.results.is_empty()
            && self.basic_infos.is_empty()
            && self.prevention_plans.is_empty()
    }
}

/// The person's care-plan folder as `caller` may see it; one decision and audit event.
pub fn folder(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<CarePlanFolder>> {
    let store = conn.store();
    let decision = authorize(
        store,
        caller,
        Action::Read,
        Category::CarePlan,
        person,
        at,
        None,
    )?;
    decided!(decision);
    crate::in_read(store, |s| load_folder(s, caller, person)).map(Outcome::Allowed)
}

/// Reads the folder after an allowed decision (also used by the category view).
pub(crate) fn load_folder(
    store: &mut dyn Store,
    caller: &Caller,
    person: PersonRef,
) -> Result<CarePlanFolder> {
    let rows =
        store.careplan_documents_of(&person.insurer.to_string(), &person.insured.to_string())?;
    let mut folder = CarePlanFolder::default();
    for row in current(rows) {
        let status = row.status;
        if status == DocStatus::Deleted {
            continue;
        }
        match row.kind {
            DocKind::Plan => {
                let Some(plan) = parse::<CarePlan>(&row.body_json) else {
                    if sees_unreadable(caller, &row) {
                        folder.earlier_layout += 1;
                    }
                    continue;
                };
                if !plan_visible(caller, &row, status, &plan) {
                    continue;
                }
                let answers = if status.is_draft_stage() {
                    store
                        .plan_confirmations(row.id)?
                        .into_iter()
                        .map(answer)
                        .collect()
                } else {
                    Vec::new()
                };
                folder.plans.push(view(&row, status, plan, answers));
            }
            DocKind::ServiceUse if exchanged_with(caller, &row) => {
                match parse::<ServiceUse>(&row.body_json) {
                    Some(doc) => folder
                        .service_uses
                        .push(view(&row, status, doc, Vec::new())),
                    None => folder.earlier_layout += 1,
                }
            }
            DocKind::Results if exchanged_with(caller, &row) => {
                match parse::<ServiceResults>(&row.body_json) {
                    Some(doc) => folder.results.push(view(&row, status, doc, Vec::new())),
                    None => folder.earlier_layout += 1,
                }
            }
            DocKind::BasicInfo if exchanged_with(caller, &row) => {
                match parse::<BasicInfo>(&row.body_json) {
                    Some(doc) => folder.basic_infos.push(view(&row, status, doc, Vec::new())),
                    None => folder.earlier_layout += 1,
                }
            }
            DocKind::PreventionPlan if exchanged_with(caller, &row) => {
                match parse::<PreventionPlan>(&row.body_json) {
                    Some(doc) => folder
                        .prevention_plans
                        .push(view(&row, status, doc, Vec::new())),
                    None => folder.earlier_layout += 1,
                }
            }
            _ => {}
        }
    }
    Ok(folder)
}

/// The newest row of each document key (rows arrive newest first). The key names the person:
/// an inbox holds many persons' documents, and one person's 利用票 never supersedes another's.
pub(crate) fn current(rows: Vec<CarePlanDocRow>) -> Vec<CarePlanDocRow> {
    let mut seen = std::collections::HashSet::new();
    rows.into_iter()
        .filter(|r| {
            seen.insert((
                r.kind,
                r.insurer,
                r.insured,
                r.doc_key,
                r.from_office,
                r.to_office,
            ))
        })
        .collect()
}

/// A stored body that does not parse is counted ([`CarePlanFolder::earlier_layout`]) rather than
/// failing the whole folder: rows written before kiban followed the official layout (kiban's
/// earlier reconstruction) hold bodies of other shapes. Rows written by this code always parse.
fn parse<T: super::body::Body>(json: &str) -> Option<T> {
    super::body::decode(json)
}

/// Whether the caller is told about a plan whose body it cannot read: who may see any plan of
/// the person (the person, the municipality) and the office that sent it.
fn sees_unreadable(caller: &Caller, row: &CarePlanDocRow) -> bool {
    match caller.actor {
        Actor::Citizen { .. } | Actor::MunicipalStaff { .. } => true,
        Actor::OfficeStaff { office, .. } => row.from_office == office,
        _ => false,
    }
}

fn plan_visible(caller: &Caller, row: &CarePlanDocRow, status: DocStatus, plan: &CarePlan) -> bool {
    match caller.actor {
        Actor::Citizen { .. } | Actor::MunicipalStaff { .. } => true,
        Actor::OfficeStaff { office, .. } => {
            row.from_office == office
                || (status == DocStatus::Issued && plan.named_offices().contains(&office))
        }
        Actor::MedicalStaff { .. } => status == DocStatus::Issued,
        Actor::PlatformOperator => false,
    }
}

fn exchanged_with(caller: &Caller, row: &CarePlanDocRow) -> bool {
    match caller.actor {
        Actor::Citizen { .. } | Actor::MunicipalStaff { .. } => true,
        Actor::OfficeStaff { office, .. } => {
            row.from_office == office || row.to_office == Some(office)
        }
        Actor::MedicalStaff { .. } | Actor::PlatformOperator => false,
    }
}

fn answer(row: PlanConfirmationRow) -> Answer {
    Answer {
        at_ms: row.at_ms,
        decision: row.decision,
        comment: row.comment,
    }
}

fn view<T>(
    row: &CarePlanDocRow,
    status: DocStatus,
    document: T,
    answers: Vec<Answer>,
) -> DocumentView<T> {
    DocumentView {
        id: row.id,
        status,
        status_label: status.label(),
        from_office: row.from_office,
        to_office: row.to_office,
        registered_at_ms: row.registered_at_ms,
        document,
        supplement: row.supplement_json.as_deref().and_then(parse),
        answers,
    }
}

/// One document addressed to an office, listed without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxEntry {
    pub id: i64,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    pub kind: DocKind,
    pub doc_key: DocKey,
    pub from_office: OfficeNumber,
    pub registered_at_ms: i64,
}

/// The newest documents addressed to the caller's office, for the persons the policy lets it
/// read now: each listed person is a decision and an audit event, as each folder read is.
pub fn inbox(
    conn: &mut Connection,
    caller: &Caller,
    limit: i64,
    at: Timestamp,
) -> Result<Vec<InboxEntry>> {
    let store = conn.store();
    let Actor::OfficeStaff { office, .. } = caller.actor else {
        return Ok(Vec::new());
    };
    let rows = crate::in_read(store, |s| {
        Ok(s.careplan_documents_to(&office.to_string(), limit)?)
    })?;
    let rows: Vec<_> = current(rows)
        .into_iter()
        .filter(|r| r.status != DocStatus::Deleted)
        .collect();
    let allowed = readable_persons(store, caller, &rows, at)?;
    Ok(rows
        .into_iter()
        .filter(|r| allowed.contains(&person_of(r)))
        .map(|r| InboxEntry {
            id: r.id,
            insurer: r.insurer,
            insured: r.insured,
            kind: r.kind,
            doc_key: r.doc_key,
            from_office: r.from_office,
            registered_at_ms: r.registered_at_ms,
        })
        .collect())
}

/// The persons of `rows` (each once) whom the caller may read now: one decision and one audit
/// event per person, as a folder read is, for lists that name persons.
pub(crate) fn readable_persons(
    store: &mut dyn Store,
    caller: &Caller,
    rows: &[CarePlanDocRow],
    at: Timestamp,
) -> Result<Vec<PersonRef>> {
    let mut persons: Vec<PersonRef> = Vec::new();
    for p in rows.iter().map(person_of) {
        if !persons.contains(&p) {
            persons.push(p);
        }
    }
    let decisions = authorize_each(
        store,
        caller,
        Action::Read,
        Category::CarePlan,
        &persons,
        at,
    )?;
    Ok(persons
        .into_iter()
        .zip(decisions)
        .filter(|(_, d)| d.allowed())
        .map(|(p, _)| p)
        .collect())
}

pub(crate) fn person_of(row: &CarePlanDocRow) -> PersonRef {
    PersonRef {
        insurer: row.insurer,
        insured: row.insured,
    }
}

/// The person's answer to a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerKind {
    Confirm,
    Comment(String),
}

/// The longest comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

fn refusal(reason: &'static str, ja: &str, en: &str) -> Denied {
    Denied {
        reason,
        message_ja: ja.into(),
        message_en: en.into(),
    }
}

/// 同意・確認: the person confirms a draft plan or answers it with a comment. Recorded with the
/// time and the person's card account; decided (Write on ケアプラン, which only the person
/// themself holds for their own plan) and audited.
pub fn answer_draft(
    conn: &mut Connection,
    caller: &Caller,
    document_id: i64,
    answer: AnswerKind,
    at: Timestamp,
) -> Result<Outcome<DocumentView<CarePlan>>> {
    let store = conn.store();
    let not_found = || {
        refusal(
            "PLAN_NOT_FOUND",
            "指定された計画はありません",
            "no such plan",
        )
    };
    if !matches!(caller.actor, Actor::Citizen { .. }) {
        return Ok(Outcome::Denied(refusal(
            "ONLY_THE_PERSON_ANSWERS",
            "計画への同意・意見は本人だけが登録できます",
            "only the person answers a plan sent for confirmation",
        )));
    }
    let row = crate::in_read(store, |s| Ok(s.careplan_document(document_id)?))?;
    let Some(row) = row.filter(|r| r.kind == DocKind::Plan) else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row);
    let decision = authorize(
        store,
        caller,
        Action::Write,
        Category::CarePlan,
        person,
        at,
        None,
    )?;
    // Someone else's plan answers as a plan that does not exist, so ids cannot be probed; the
    // refusal is audited above with its own reason (NOT_SELF), as every refusal is.
    decided!(decision, else not_found());
    let latest = crate::in_read(store, |s| {
        Ok(
            current(s.careplan_documents_of(&row.insurer.to_string(), &row.insured.to_string())?)
                .into_iter()
                .any(|r| r.id == row.id),
        )
    })?;
    if !latest || row.status != DocStatus::Draft {
        return Ok(Outcome::Denied(refusal(
            "NOT_AWAITING_ANSWER",
            "この計画は確認待ちではありません（回答済み、または新しい計画に置き換えられています）",
            "this plan is not awaiting an answer (already answered, or replaced by a newer plan)",
        )));
    }
    let (decision, comment) = match answer {
        AnswerKind::Confirm => (PlanDecision::Confirmed, String::new()),
        AnswerKind::Comment(text) => {
            let text = text.trim().to_string();
            if text.is_empty() || text.chars().count() > MAX_COMMENT_CHARS {
                return Ok(Outcome::Denied(refusal(
                    "COMMENT_LENGTH",
                    "ご意見は1〜2000文字で入力してください",
                    "a comment is 1 to 2,000 characters",
                )));
            }
            (PlanDecision::Commented, text)
        }
    };
    let status = decision.status();
    let confirmation = PlanConfirmationRow {
        id: 0,
        document_id,
        at_ms: at.as_millis(),
        account: caller.account.clone(),
        decision,
        comment,
    };
    crate::in_transaction(store, |s| {
        s.insert_plan_confirmation(&confirmation)?;
        s.set_careplan_status(document_id, status)?;
        Ok(())
    })?;
    let Some(plan) = parse::<CarePlan>(&row.body_json) else {
        return Ok(Outcome::Denied(not_found()));
    };
    let answers = crate::in_read(store, |s| Ok(s.plan_confirmations(document_id)?))?
        .into_iter()
        .map(self::answer)
        .collect();
    let mut updated = row;
    updated.status = status;
    Ok(Outcome::Allowed(view(&updated, status, plan, answers)))
}
