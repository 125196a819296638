//! Reading an application's documents, each under its own category so the policy decides per
//! document: the 認定調査票 (and the 一次判定 recorded with it) as 認定調査票, every version of
//! the 主治医意見書 as 主治医意見書 — which 介護老人保健施設 and 介護医療院 may see with consent and
//! which the asked institution reads back under its open 作成依頼.

use super::{not_found, person_of};
use crate::access::decided;
use crate::access::{Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Category, Timestamp};

/// One version of a 主治医意見書, as submitted and signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpinionVersion {
    pub version: i64,
    pub institution_code: String,
    pub physician: String,
    /// The signed body, byte for byte.
    pub body: String,
    /// The detached signature (JSON `{cert_pem, signature}`), so anyone may check it again.
    pub signature: serde_json::Value,
    pub certificate_fingerprint: String,
    pub submitted_at_ms: i64,
}

/// Every version of the application's 主治医意見書, oldest first; decided and audited.
pub fn opinions(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    at: Timestamp,
) -> Result<Outcome<Vec<OpinionVersion>>> {
    let store = conn.store();
    let Some(row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let category = Category::PhysicianOpinion;
    let decision =
        crate::access::authorize(store, caller, Action::Read, category, person, at, None)?;
    decided!(decision, else not_found());
    let versions = store
        .opinions(id)?
        .into_iter()
        .map(|o| OpinionVersion {
            version: o.version,
            institution_code: o.institution_code.to_string(),
            physician: o.physician,
            body: o.body_json,
            signature: serde_json::from_str(&o.signature).unwrap_or(serde_json::Value::Null),
            certificate_fingerprint: o.cert_fingerprint,
            submitted_at_ms: o.submitted_at_ms,
        })
        .collect();
    Ok(Outcome::Allowed(versions))
}

/// The 認定調査票 and the 一次判定 of an application, as recorded (absent until recorded).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SurveyDocuments {
    pub survey: Option<serde_json::Value>,
    pub primary_judgment: Option<serde_json::Value>,
}

/// The application's 認定調査票 and 一次判定; decided and audited as a read of 認定調査票.
pub fn survey_documents(
    conn: &mut Connection,
    caller: &Caller,
    id: i64,
    at: Timestamp,
) -> Result<Outcome<SurveyDocuments>> {
    let store = conn.store();
    let Some(row) = store.application(id)? else {
        return Ok(Outcome::Denied(not_found()));
    };
    let person = person_of(&row)?;
    let category = Category::CertificationSurvey;
    let decision =
        crate::access::authorize(store, caller, Action::Read, category, person, at, None)?;
    decided!(decision, else not_found());
    let parse = |text: &str| serde_json::from_str(text).ok();
    Ok(Outcome::Allowed(SurveyDocuments {
        survey: store.survey(id)?.and_then(|s| parse(&s.body_json)),
        primary_judgment: store
            .primary_judgment(id)?
            .and_then(|p| parse(&p.body_json)),
    }))
}
