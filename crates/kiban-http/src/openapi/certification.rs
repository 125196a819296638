//! The 要介護認定 operations and their schemas (`routes::certification`). The document bodies
//! (認定調査票, 一次判定, 審査会の結果, 主治医意見書) are described in docs/interface/certification.md;
//! here they are objects with their required keys.

use serde_json::{json, Value};

use super::{op, reference, Auth, Operation};

const APPS: &str = "/api/v1/certification/applications";

pub(super) const OPERATIONS: &[Operation] = &[
    op("get", "/api/v1/me/applications", "certification",
        "わたしの要介護認定申請と進捗 / my certification applications and their progress",
        Auth::Citizen, None, "ApplicationList"),
    op("post", APPS, "certification",
        "申請受付（保険者・認定事務）/ record an application received by the insurer",
        Auth::Staff, Some("FileApplication"), "Application"),
    op("get", "/api/v1/certification/applications/{id}", "certification",
        "申請の進捗（本人・計画作成依頼届出の事業所・保険者）/ progress of an application",
        Auth::Staff, None, "Application"),
    op("post", "/api/v1/certification/applications/{id}/steps", "certification",
        "調査依頼・意見書依頼・審査会割当・取下げ / record a step without a document",
        Auth::Staff, Some("StepRequest"), "Application"),
    op("post", "/api/v1/certification/applications/{id}/survey", "certification",
        "認定調査票の登録 / record the certification survey (74 items)",
        Auth::Staff, Some("Survey"), "Application"),
    op("post", "/api/v1/certification/applications/{id}/opinion", "certification",
        "主治医意見書の提出（医師の電子署名）/ submit the signed physician's opinion",
        Auth::Staff, Some("SignedOpinion"), "Application"),
    op("get", "/api/v1/certification/applications/{id}/survey", "certification",
        "認定調査票と一次判定の閲覧 / read the survey and the primary judgment",
        Auth::Staff, None, "SurveyDocuments"),
    op("get", "/api/v1/certification/applications/{id}/opinions", "certification",
        "主治医意見書の全版の閲覧 / read every version of the physician's opinion",
        Auth::Staff, None, "OpinionVersions"),
    op("post", "/api/v1/certification/applications/{id}/primary-judgment", "certification",
        "一次判定結果の登録（検証のみ）/ record the primary judgment (checked, not computed)",
        Auth::Staff, Some("PrimaryJudgment"), "Application"),
    op("post", "/api/v1/certification/applications/{id}/decision", "certification",
        "審査会の結果（二次判定・認定／却下）と被保険者証の更新 / committee result and the new card version",
        Auth::Staff, Some("CommitteeResult"), "Decided"),
    op("post", "/api/v1/certification/applications/{id}/extension", "certification",
        "処理延期（理由・通知日・見込日）/ extend the 30-day deadline",
        Auth::Staff, Some("Extension"), "Application"),
    op("get", "/api/v1/certification/overdue", "certification",
        "期限を過ぎた申請の一覧（保険者）/ overdue applications of an insurer (?insurer=&today=)",
        Auth::Staff, None, "ApplicationList"),
    op("get", "/api/v1/certification/events", "certification",
        "認定の進捗通知（text/event-stream、個人情報なし）/ notice stream for the care-plan office",
        Auth::Staff, None, "Object"),
];

pub(super) fn schemas() -> Value {
    let string = json!({ "type": "string" });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties });
    json!({
        "FileApplication": object(&["insurer", "insured", "kind", "applicant", "applied_on"], json!({
            "insurer": string, "insured": string,
            "kind": { "enum": ["new", "renewal", "level_change"] },
            "applicant": { "enum": ["person", "family", "office"] },
            "proxy_office": string, "applied_on": string,
            "share_with_care_manager": { "type": "boolean", "description": "申請時同意" },
            "care_plan_office": string, "care_plan_office_name": string })),
        "Application": object(&["id", "insurer", "insured", "status", "due_on", "steps"], json!({
            "id": { "type": "integer" }, "insurer": string, "insured": string, "kind": string,
            "status": string, "status_label": string, "due_on": string,
            "care_manager_office": { "type": ["string", "null"] },
            "steps": { "type": "array", "items": { "type": "object" } } })),
        "ApplicationList": { "type": "array", "items": reference("Application") },
        "StepRequest": object(&["step"], json!({
            "step": { "enum": ["request_survey", "request_opinion", "assign_committee", "withdraw"] },
            "institution": string, "committee_on": string })),
        "Survey": { "type": "object", "description": "認定調査票: docs/interface/certification.md" },
        "SignedOpinion": object(&["body", "signature"], json!({
            "body": { "type": "string", "description": "主治医意見書 JSON, exactly as signed" },
            "signature": { "type": "object", "description": "{cert_pem, signature}: physician certificate and ECDSA P-256 signature over body" } })),
        "PrimaryJudgment": { "type": "object", "description": "一次判定: docs/interface/certification.md" },
        "CommitteeResult": { "type": "object", "description": "審査会の結果: docs/interface/certification.md" },
        "Extension": object(&["reason", "notified_on", "expected_on"], json!({
            "reason": string, "notified_on": string, "expected_on": string })),
        "SurveyDocuments": object(&[], json!({
            "survey": { "type": ["object", "null"] }, "primary_judgment": { "type": ["object", "null"] } })),
        "OpinionVersions": { "type": "array", "items": object(&["version", "institution_code", "body", "signature"], json!({
            "version": { "type": "integer" }, "institution_code": string, "physician": string,
            "body": string, "signature": { "type": "object" }, "certificate_fingerprint": string,
            "submitted_at_ms": { "type": "integer" } })) },
        "Decided": object(&["application"], json!({
            "application": reference("Application"),
            "card_history": { "type": ["integer", "null"], "description": "新しい被保険者証の履歴番号" } })),
    })
}
