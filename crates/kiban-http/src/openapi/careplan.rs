//! The ケアプラン, LIFE and municipal care-plan operations (`routes::careplan`,
//! `routes::careplan_municipal`). Document bodies are described in docs/interface/careplan-v5.md
//! and docs/interface/life.md; here they are objects with their required keys.

use serde_json::{json, Value};

use super::formats::{self, codes, pattern};
use super::{op, query, reference, required, Auth, Operation, QuerySchema};

pub(super) const OPERATIONS: &[Operation] = &[
    op("get", "/api/v1/persons/{insurer}/{insured}/careplans", "careplan",
        "利用者のケアプラン（届いた書類のみ）/ a person's care-plan documents that reached the caller",
        Auth::Staff, None, "CarePlanFolder"),
    op("get", "/api/v1/me/careplans", "careplan",
        "わたしのケアプラン / my care plans", Auth::Citizen, None, "CarePlanFolder"),
    op("post", "/api/v1/me/careplans/{id}/answer", "careplan",
        "同意・確認用の計画への回答（確認または意見）/ confirm or comment on a draft plan",
        Auth::Citizen, Some("PlanAnswer"), "PlanDocument"),
    Operation {
        query: &[query("limit", "1–1000 に丸める (既定 200) / clamped to 1–1000 (default 200)",
            QuerySchema::Int { min: i64::MIN, max: i64::MAX as u64 })],
        ..op("get", "/api/v1/careplans/inbox", "careplan",
            "事業所に届いた利用票・実績 / documents addressed to the caller's office",
            Auth::Staff, None, "Inbox")
    },
    op("post", "/api/v1/careplans/v5", "careplan",
        "ケアプランの登録（V5 JSON、交付用／同意・確認用）/ register V5 JSON documents",
        Auth::Staff, Some("V5Registration"), "RegisterReport"),
    op("post", "/api/v1/careplans/v4", "careplan",
        "ケアプランの登録（V4/4.1 CSV、送信単位）/ register V4 CSV files of one or more send units",
        Auth::Staff, Some("V4Registration"), "RegisterReport"),
    op("get", "/api/v1/persons/{insurer}/{insured}/life", "life",
        "LIFE フィードバック票の閲覧 / a person's LIFE feedback sheets", Auth::Staff, None, "LifeSheets"),
    op("post", "/api/v1/persons/{insurer}/{insured}/life", "life",
        "LIFE フィードバック票の登録 / store one LIFE feedback sheet", Auth::Staff, Some("LifeSheetIn"), "LifeSubmitted"),
    op("get", "/api/v1/me/life", "life",
        "わたしの LIFE フィードバック票 / my LIFE feedback sheets", Auth::Citizen, None, "LifeSheets"),
    Operation {
        query: &[required("period", "判定期間: 2026-1 (前期 3〜8月) / 2026-2 (後期 9〜翌2月)",
            QuerySchema::Pattern(formats::PERIOD))],
        ..op("get", "/api/v1/municipal/careplans/concentration", "municipal",
            "特定事業所集中減算の判定（集計のみ）/ concentration reduction of every care office",
            Auth::Staff, None, "ConcentrationReport")
    },
    op("post", "/api/v1/municipal/careplans/concentration/exclusions", "municipal",
        "正当な理由の記録 / record a justified reason", Auth::Staff, Some("Exclusion"), "Recorded"),
    Operation {
        query: &[required("month", "YYYYMM", QuerySchema::Pattern(formats::MONTH))],
        ..op("get", "/api/v1/municipal/careplans/caseload", "municipal",
            "ケアマネジャー1人あたり取扱件数（要支援は1/3）/ caseload per care manager",
            Auth::Staff, None, "CaseloadReport")
    },
    op("post", "/api/v1/municipal/careplans/staffing", "municipal",
        "介護支援専門員の常勤換算数の届出 / file the care-manager staffing of an office",
        Auth::Staff, Some("Staffing"), "Filed"),
    Operation {
        query: &[required("month", "YYYYMM", QuerySchema::Pattern(formats::MONTH))],
        ..op("get", "/api/v1/municipal/careplans/statistics", "municipal",
            "地域統計（10人未満のセルは秘匿）/ regional statistics, cells under 10 suppressed",
            Auth::Staff, None, "RegionalStats")
    },
    op("post", "/api/v1/municipal/corporations", "municipal",
        "法人・事業所の登録（CSV）/ register corporations and their offices",
        Auth::Staff, Some("Corporations"), "CorporationReport"),
];

use crate::routes::careplan_municipal::{MAX_CARE_MANAGERS, MIN_CARE_MANAGERS};

pub(super) fn schemas() -> Value {
    use kiban_domain::careplan::concentration::JustReason;
    use kiban_domain::codes::ServiceKind;
    let string = json!({ "type": "string" });
    let integer = json!({ "type": "integer" });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties });
    let docs =
        |what: &str| json!({ "type": "array", "items": { "type": "object", "description": what } });
    json!({
        "CarePlanFolder": object(&["plans", "service_uses", "results"], json!({
            "plans": docs("PlanDocument: 第1表・第2表"), "service_uses": docs("第6表・第7表"), "results": docs("実績") })),
        "PlanDocument": object(&["id", "status", "document"], json!({
            "id": integer, "status": { "enum": ["issued", "draft", "confirmed", "commented"] },
            "status_label": string, "from_office": string, "to_office": string,
            "registered_at_ms": integer, "document": { "type": "object", "description": "docs/interface/careplan-v5.md" },
            "supplement": { "type": ["object", "null"] },
            "answers": { "type": "array", "items": object(&["at_ms", "decision"], json!({
                "at_ms": integer, "decision": string, "comment": string })) } })),
        "PlanAnswer": object(&["decision"], json!({
            "decision": { "enum": ["confirm", "comment"] }, "comment": string })),
        "Inbox": { "type": "array", "items": object(&["id", "insurer", "insured", "kind"], json!({
            "id": integer, "insurer": string, "insured": string, "kind": string, "doc_key": string,
            "from_office": string, "registered_at_ms": integer })) },
        "V5Registration": object(&["registration", "documents"], json!({
            "registration": { "enum": ["issue", "confirm"], "description": "交付用登録 / 同意・確認用登録" },
            // Any JSON value: each document is checked on its own and a wrong one is reported
            // in `issues` (V5_REFUSED, with its JSON path) while the others are registered.
            "documents": { "type": "array", "items": {
                "description": "V5 document: docs/interface/careplan-v5.md (anything else: an issue V5_REFUSED)" } } })),
        "V4Registration": object(&["registration", "files"], json!({
            "registration": { "enum": ["issue", "confirm"] },
            "files": { "type": "array", "items": object(&["name", "content_base64"], json!({
                "name": { "type": "string", "description": "UP1KYO_…CSV (docs/interface/careplan-v4.md)" },
                "content_base64": pattern(formats::BASE64, "the file's bytes (Shift_JIS), base64") })) } })),
        "RegisterReport": object(&["persons_registered", "documents_registered", "persons_refused", "issues"], json!({
            "persons_registered": integer, "documents_registered": integer, "persons_refused": integer,
            "issues": { "type": "array", "items": object(&["code", "message_ja", "message_en"], json!({
                "insurer": string, "insured": string, "source": string, "code": string,
                "message_ja": string, "message_en": string })) } })),
        "LifeSheet": { "type": "object", "description": "docs/interface/life.md" },
        // Any JSON value: a sheet that is not one is answered `result: invalid` with its problems.
        "LifeSheetIn": { "description": "docs/interface/life.md (anything else: result invalid, with problems)" },
        "LifeSheets": { "type": "array", "items": object(&["id", "sheet"], json!({
            "id": integer, "submitted_at_ms": integer, "sheet": reference("LifeSheet") })) },
        "LifeSubmitted": object(&["result"], json!({
            "result": { "enum": ["stored", "invalid"] }, "id": integer,
            "problems": { "type": "array", "items": { "type": "object" } } })),
        "ConcentrationReport": object(&["period", "offices"], json!({
            "period": string, "period_label": string, "filing_deadline": string,
            "offices": { "type": "array", "items": { "type": "object", "description": "OfficeJudgment: per covered service the top corporation, ratio, over_80, 正当な理由, reduced" } } })),
        "Exclusion": object(&["office", "period", "service_kind", "reason"], json!({
            "office": pattern(formats::OFFICE, "事業所番号"),
            "period": pattern(formats::PERIOD, "判定期間 YYYY-1 / YYYY-2"),
            "service_kind": codes(ServiceKind::ALL.iter().map(|k| k.code())),
            "reason": { "enum": JustReason::ALL.iter().map(|r| r.code()).collect::<Vec<_>>() },
            "excluded_plan_months": formats::uint32(), "note": string })),
        "Recorded": object(&["id"], json!({ "id": integer })),
        "CaseloadReport": object(&["month", "offices"], json!({
            "month": string, "over_limit": integer, "without_staffing": integer,
            "offices": { "type": "array", "items": { "type": "object" } } })),
        "Staffing": object(&["office", "month", "care_managers"], json!({
            "office": pattern(formats::OFFICE, "事業所番号"), "month": pattern(formats::MONTH, "YYYYMM"),
            "care_managers": { "type": "number", "minimum": MIN_CARE_MANAGERS, "maximum": MAX_CARE_MANAGERS,
                "description": "常勤換算数 (0.01 単位に丸める) / full-time equivalents, rounded to 0.01" },
            "data_exchange": { "type": "boolean" }, "clerical_staff": { "type": "boolean" } })),
        "Filed": object(&["filed"], json!({ "filed": { "type": "boolean" } })),
        "RegionalStats": object(&["month", "table"], json!({
            "month": string, "service_kinds": { "type": "array" }, "care_levels": { "type": "array" },
            "table": { "type": "object", "description": "cells: numbers, or null where suppressed (under 10 persons)" } })),
        "Corporations": object(&["csv"], json!({ "csv": string })),
        "CorporationReport": object(&["offices_registered", "issues"], json!({
            "offices_registered": integer, "issues": { "type": "array", "items": { "type": "object" } } })),
    })
}
