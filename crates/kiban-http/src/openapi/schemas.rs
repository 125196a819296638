//! The component schemas of the OpenAPI document.

use serde_json::{json, Value};

use super::formats::{self, nullable, pattern};
use super::reference;

pub(super) fn schemas() -> Value {
    let string = json!({ "type": "string" });
    let int = json!({ "type": "integer" });
    let object = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties });
    let categories: Vec<&str> = kiban_domain::access::ConsentCategory::ALL
        .iter()
        .map(|c| c.code())
        .collect();
    let reasons: Vec<&str> = kiban_domain::access::PaperReason::ALL
        .iter()
        .map(|c| c.code())
        .collect();
    json!({
        "Object": { "type": "object" },
        "ErrorBody": object(&["code", "message_ja", "message_en"], json!({
            "code": { "type": "string", "enum": crate::error::error_table().iter().map(|r| r.0).collect::<Vec<_>>() },
            "message_ja": string, "message_en": string, "detail": string })),
        "ErrorResponse": object(&["ok", "error"], json!({ "ok": { "const": false }, "error": reference("ErrorBody") })),
        "Health": object(&["status"], json!({ "status": { "const": "ok" } })),
        "Done": object(&["done"], json!({ "done": { "type": "boolean" } })),
        "LoginRequest": object(&["staff_id", "password", "totp"], json!({
            "staff_id": string, "password": { "type": "string", "format": "password" },
            "totp": { "type": "string", "pattern": "^[0-9]{6}$" } })),
        "RefreshRequest": object(&["refresh_token"], json!({ "refresh_token": string })),
        "Tokens": object(&["token_type", "access_token", "access_expires_at_ms", "refresh_token", "refresh_expires_at_ms"], json!({
            "token_type": { "const": "Bearer" }, "access_token": string, "access_expires_at_ms": int,
            "refresh_token": string, "refresh_expires_at_ms": int })),
        "QualificationSummary": object(&["as_of", "equipment_allowance_left", "home_modification_allowance_left"], json!({
            "as_of": string,
            "insured_card": { "type": ["object", "null"], "description": "被保険者証の現行版 / current insured card version" },
            "copay": { "type": ["object", "null"], "description": "負担割合証" },
            "reduction": { "type": ["object", "null"], "description": "負担限度額認定証等" },
            "equipment_allowance_left": int, "home_modification_allowance_left": int })),
        "CardSignature": object(&["cert_pem", "signature"], json!({
            "cert_pem": string,
            "signature": pattern(formats::BASE64URL, "ECDSA P-256/SHA-256, DER or r‖s, unpadded base64url") })),
        "EnrolmentRequest": object(&["identity"], json!({
            "identity": { "oneOf": [
                object(&["method", "challenge_id", "signature"], json!({
                    "method": { "const": "card" }, "challenge_id": string, "signature": reference("CardSignature") })),
                object(&["method", "reason"], json!({
                    "method": { "const": "paper" }, "reason": { "type": "string", "enum": reasons },
                    "witness": nullable(json!({ "type": "string", "description": "既定はログイン中の職員 / defaults to the logged-in staff" })) }))
            ] },
            "opted_out": { "type": "array", "items": { "type": "string", "enum": categories } },
            "valid_until": nullable(pattern(&formats::date_any(), "同意の最終日（なしは担当の間）/ last day of the consents (absent: while serving)")) })),
        // Either 被保険者番号 + 生年月日, or the 基本4情報; the number wins when both are sent,
        // and the other fields are then not read.
        "ConfirmRequest": { "type": "object", "required": ["birth_date"],
            "properties": {
                "birth_date": pattern(&formats::date_any(), "生年月日 YYYYMMDD / YYYY-MM-DD（和暦も可）"),
                "insured": nullable(string.clone()), "name": nullable(string.clone()),
                "sex": nullable(string.clone()), "address": nullable(string.clone()) },
            "anyOf": [
                { "required": ["insured"], "properties": {
                    "insured": pattern(formats::INSURED, "被保険者番号") } },
                { "required": ["name", "sex", "address"], "properties": {
                    "insured": { "type": "null" },
                    "name": string, "sex": { "type": "string", "enum": ["1", "2"] }, "address": string } }
            ] },
        "ConfirmedPerson": object(&["insurer", "insured"], json!({ "insurer": string, "insured": string })),
        "Ended": object(&["ended"], json!({ "ended": int })),
        "Enrolled": object(&["consent_ids"], json!({ "consent_ids": { "type": "array", "items": int } })),
        "Challenge": object(&["id", "message_hex", "expires_at_ms"], json!({
            "id": string, "message_hex": string, "expires_at_ms": int })),
        "CardLoginRequest": object(&["challenge_id", "signature"], json!({
            "challenge_id": string, "signature": reference("CardSignature") })),
        "CitizenToken": object(&["token_type", "access_token", "expires_at_ms"], json!({
            "token_type": { "const": "Bearer" }, "access_token": string, "expires_at_ms": int })),
        "HistoryLine": object(&["seq", "at_ms", "who", "job", "category", "action", "allowed", "reason"], json!({
            "seq": int, "at_ms": int, "who": string, "job": string, "category": string,
            "action": string, "allowed": { "type": "boolean" }, "reason": string })),
        "HistoryPage": object(&["lines"], json!({
            "lines": { "type": "array", "items": reference("HistoryLine") },
            "next_before": { "type": ["integer", "null"] } })),
        "ConsentLine": object(&["id", "office", "category", "granted_at_ms", "method"], json!({
            "id": int, "office": string, "category": string, "granted_at_ms": int, "method": string,
            "valid_until": { "type": ["string", "null"] }, "revoked_at_ms": { "type": ["integer", "null"] } })),
        "ConsentList": { "type": "array", "items": reference("ConsentLine") },
        "MyData": object(&["insurer", "insured", "records", "consents"], json!({
            "insurer": string, "insured": string,
            "records": { "type": "array", "description": "[記録種別, versions] pairs",
                "items": { "type": "array", "prefixItems": [string, { "type": "array", "items": { "type": "object" } }] } },
            "consents": reference("ConsentList") })),
    })
}
