//! Step 1 of [`super::register`]: what an upload must get right before any personal data is
//! looked at (who may send which document, from which office), and the offices it is
//! addressed to, which step 2 checks against the person's 担当関係. A 利用票 carries every
//! office's services of the person's month (本文 2.6), so its rows may name other offices.

use super::{Document, Incoming};
use kiban_domain::access::OfficeKind;
use kiban_domain::careplan::Deletion;
use kiban_domain::ids::OfficeNumber;

pub(super) type Refusal = (&'static str, String, String);

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
pub(super) fn consistent(
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
            Document::ServiceUse {
                usage, supplement, ..
            } => {
                if !plans_here(kind) {
                    return Err(not_author());
                }
                if supplement
                    .as_ref()
                    .and_then(|s| s.record.care_level)
                    .is_none()
                {
                    return Err(refusal(
                        "SUPPLEMENT_MISSING",
                        "利用票には、要介護状態区分を記した同じ対象年月の利用者補足情報が必要です",
                        "a 利用票 needs the supplement of its month with the care level",
                    ));
                }
                if usage
                    .rows
                    .iter()
                    .any(|r| r.plan_office.is_some_and(|o| o != office))
                {
                    return Err(other_sender());
                }
                usage.person
            }
            Document::Results { results, .. } => {
                if !provides_here(kind) {
                    return Err(not_provider());
                }
                if results.rows.iter().any(|r| r.provider != office) {
                    return Err(other_sender());
                }
                results.person
            }
            Document::BasicInfo { info, .. } => {
                if !plans_here(kind) {
                    return Err(not_author());
                }
                info.person
            }
            Document::PreventionPlan { plan, .. } => {
                if !plans_here(kind) {
                    return Err(not_author());
                }
                plan.person
            }
            Document::Delete { deletion, .. } => {
                let results = matches!(deletion, Deletion::Results { .. });
                if results && !provides_here(kind) {
                    return Err(not_provider());
                }
                if !results && !plans_here(kind) {
                    return Err(not_author());
                }
                deletion.person()
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
pub(super) fn receivers(who: &Incoming) -> impl Iterator<Item = OfficeNumber> + '_ {
    who.documents.iter().filter_map(|doc| match doc {
        Document::ServiceUse { to, .. }
        | Document::Results { to, .. }
        | Document::BasicInfo { to, .. }
        | Document::PreventionPlan { to, .. } => Some(*to),
        Document::Plan { to, .. } => *to,
        Document::Delete { .. } => None,
    })
}
