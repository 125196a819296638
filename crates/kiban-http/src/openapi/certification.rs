//! The 要介護認定 operations and their schemas (`routes::certification`). The document bodies
//! (認定調査票, 一次判定, 審査会の結果, 主治医意見書) are described in docs/interface/certification.md;
//! here they are objects with their required keys.

use serde_json::{json, Value};

use super::formats::{self, codes, nullable, pattern, uint32};
use super::{op, query, reference, required, Auth, Operation, QuerySchema};

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
    Operation {
        query: &[
            required("insurer", "保険者番号", QuerySchema::Pattern(formats::INSURER)),
            query("today", "基準日（既定は今日 JST）/ reference day (default: today, JST)", QuerySchema::Date),
        ],
        ..op("get", "/api/v1/certification/overdue", "certification",
            "期限を過ぎた申請の一覧（保険者）/ overdue applications of an insurer",
            Auth::Staff, None, "ApplicationList")
    },
    op("get", "/api/v1/certification/events", "certification",
        "認定の進捗通知（text/event-stream、個人情報なし）/ notice stream for the care-plan office",
        Auth::Staff, None, "Object"),
];

pub(super) fn schemas() -> Value {
    use kiban_domain::certification::survey::{
        DementiaIndependence, PhysicalIndependence, PlaceKind,
    };
    use kiban_domain::certification::{Applicant, ApplicationKind};
    use kiban_domain::codes::{CareLevel, ServiceKind};
    let string = json!({ "type": "string" });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties });
    let date_any = formats::date_any();
    let date = formats::date_compact();
    let levels = codes(CareLevel::ALL.iter().map(|l| l.code()));
    let services = codes(ServiceKind::ALL.iter().map(|k| k.code()));
    let minutes = json!({ "type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "0.1分単位 / tenths of a minute" });
    let text_map = json!({ "type": "object", "additionalProperties": string });
    json!({
        "FileApplication": object(&["insurer", "insured", "kind", "applicant", "applied_on"], json!({
            "insurer": pattern(formats::INSURER, "保険者番号"),
            "insured": pattern(formats::INSURED, "被保険者番号"),
            "kind": codes(ApplicationKind::ALL.iter().map(|k| k.code())),
            "applicant": codes(Applicant::ALL.iter().map(|a| a.code())),
            "proxy_office": nullable(pattern(formats::OFFICE, "申請代行の事業所番号 / office filing on the person's behalf")),
            "applied_on": pattern(&date_any, "申請日 YYYYMMDD / YYYY-MM-DD"),
            "share_with_care_manager": { "type": "boolean", "description": "申請時同意" },
            "care_plan_office": nullable(pattern(formats::OFFICE, "計画作成依頼届出の事業所番号")),
            "care_plan_office_name": nullable(string.clone()) })),
        "Application": object(&["id", "insurer", "insured", "status", "due_on", "steps"], json!({
            "id": { "type": "integer" }, "insurer": string, "insured": string, "kind": string,
            "status": string, "status_label": string, "due_on": string,
            "care_manager_office": { "type": ["string", "null"] },
            "steps": { "type": "array", "items": { "type": "object" } } })),
        "ApplicationList": { "type": "array", "items": reference("Application") },
        // What each step needs: the institution asked for the opinion, the committee's day.
        // The other field is not read, so any string (or null) passes there.
        "StepRequest": { "type": "object", "required": ["step"],
            "properties": {
                "step": { "enum": ["request_survey", "request_opinion", "assign_committee", "withdraw"] },
                "institution": nullable(string.clone()), "committee_on": nullable(string.clone()) },
            "oneOf": [
                { "properties": { "step": { "enum": ["request_survey", "withdraw"] } } },
                { "required": ["institution"], "properties": { "step": { "const": "request_opinion" },
                    "institution": pattern(formats::INSTITUTION, "医療機関コード") } },
                { "required": ["committee_on"], "properties": { "step": { "const": "assign_committee" },
                    "committee_on": pattern(&date_any, "審査会の開催日") } }
            ] },
        "Survey": object(&["surveyed_on", "surveyor", "place", "current_services", "environment", "answers",
                "physical_independence", "dementia_independence"], json!({
            "surveyed_on": pattern(&date, "調査実施日 YYYYMMDD"),
            "surveyor": object(&["name", "affiliation"], json!({ "name": string, "affiliation": string })),
            "place": object(&["kind", "detail"], json!({
                "kind": codes(PlaceKind::ALL.iter().map(|k| k.code())), "detail": string })),
            "current_services": { "type": "array", "items": object(&["kind", "times_per_month"], json!({
                "kind": services.clone(), "times_per_month": uint32() })) },
            "environment": string,
            "answers": { "type": "object", "additionalProperties": string,
                "description": "基本調査: 項目コード → 選択肢コード（範囲外は ok=false で返す）/ item code → answer code: docs/interface/certification.md" },
            "physical_independence": codes(PhysicalIndependence::ALL.iter().map(|k| k.code())),
            "dementia_independence": codes(DementiaIndependence::ALL.iter().map(|k| k.code())),
            "special_notes": text_map })),
        "SignedOpinion": object(&["body", "signature"], json!({
            "body": { "type": "string", "description": "主治医意見書 JSON, exactly as signed" },
            "signature": reference("CardSignature") })),
        "PrimaryJudgment": object(&["acts", "special_medical", "total", "level", "dementia_addition"], json!({
            "acts": object(&["meal", "excretion", "movement", "hygiene", "indirect", "bpsd", "functional_training", "medical"], json!({
                "meal": minutes.clone(), "excretion": minutes.clone(), "movement": minutes.clone(), "hygiene": minutes.clone(),
                "indirect": minutes.clone(), "bpsd": minutes.clone(), "functional_training": minutes.clone(), "medical": minutes.clone() })),
            "special_medical": minutes.clone(), "total": minutes, "level": levels.clone(),
            "dementia_addition": { "type": "boolean" } })),
        "CommitteeResult": object(&["committee_on", "level"], json!({
            "committee_on": pattern(&date, "審査会の開催日 YYYYMMDD"), "level": levels,
            "valid_from": nullable(pattern(&date, "有効期間の開始日（非該当は null）")),
            "valid_to": nullable(pattern(&date, "有効期間の終了日（月末）")),
            "opinion": nullable(string.clone()),
            "designated_services": { "type": "array", "items": services } })),
        "Extension": object(&["reason", "notified_on", "expected_on"], json!({
            "reason": string, "notified_on": pattern(&date, "通知日 YYYYMMDD"),
            "expected_on": pattern(&date, "処理見込期日 YYYYMMDD") })),
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
