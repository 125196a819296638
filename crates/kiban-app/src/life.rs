//! LIFE 利用者フィードバック票: offices store the feedback LIFE returned for a person they serve
//! (Write on LIFE: serving + the person's LIFE consent), and the person and the offices the
//! person consents to read it (Read on LIFE). Each is one decision and one audit event. The
//! JSON schema is `kiban_domain::life` (docs/interface/life.md).

use crate::access::decided;
use crate::access::{authorize, Caller, Denied, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Action, Actor, Category, PersonRef, Timestamp};
use kiban_domain::life::{check, LifeFeedback, LifeProblem};
use kiban_store::{LifeFeedbackRow, Store};
use serde::Serialize;

/// The answer to a submission: stored, or every problem of the sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Submitted {
    Stored { id: i64 },
    Invalid { problems: Vec<LifeProblem> },
}

/// Parses a sheet, reporting every problem at once (the JSON error, or the domain's checks).
pub fn parse(json: &str) -> std::result::Result<LifeFeedback, Vec<LifeProblem>> {
    let sheet: LifeFeedback = serde_json::from_str(json).map_err(|e| {
        vec![LifeProblem {
            path: format!(
                "{}行 {}列 / line {} column {}",
                e.line(),
                e.column(),
                e.line(),
                e.column()
            ),
            message_ja: format!("LIFE フィードバック票の JSON が不正です: {e}"),
            message_en: format!("the LIFE feedback JSON is invalid: {e}"),
        }]
    })?;
    let problems = check(&sheet);
    if problems.is_empty() {
        Ok(sheet)
    } else {
        Err(problems)
    }
}

/// Stores one sheet for `person`, sent by the caller's office. The sheet is checked before the
/// policy is asked, so a malformed sheet touches no personal data.
pub fn submit(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    json: &str,
    at: Timestamp,
) -> Result<Outcome<Submitted>> {
    let store = conn.store();
    let sheet = match parse(json) {
        Ok(s) => s,
        Err(problems) => return Ok(Outcome::Allowed(Submitted::Invalid { problems })),
    };
    let Actor::OfficeStaff { office, .. } = caller.actor else {
        return Ok(Outcome::Denied(Denied {
            reason: "DOCUMENT_NOT_FOR_OFFICE_KIND",
            message_ja: "LIFE フィードバック票を登録できるのはサービス事業所です".into(),
            message_en: "LIFE feedback comes from service offices".into(),
        }));
    };
    if sheet.office != office {
        return Ok(Outcome::Denied(Denied {
            reason: "SENDER_MISMATCH",
            message_ja: "フィードバック票の事業所がログイン中の事業所と違います".into(),
            message_en: "the sheet's office is not the office logged in".into(),
        }));
    }
    let decision = authorize(
        store,
        caller,
        Action::Write,
        Category::Life,
        person,
        at,
        None,
    )?;
    decided!(decision);
    let row = LifeFeedbackRow {
        id: 0,
        insurer: person.insurer,
        insured: person.insured,
        office_number: office,
        period: sheet.period,
        body_json: serde_json::to_string(&sheet).expect("a LIFE sheet serialises"),
        submitted_at_ms: at.as_millis(),
        submitted_by: caller.account.clone(),
    };
    let id = crate::in_transaction(store, |s| Ok(s.insert_life_feedback(&row)?))?;
    Ok(Outcome::Allowed(Submitted::Stored { id }))
}

/// One stored sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifeView {
    pub id: i64,
    pub submitted_at_ms: i64,
    pub sheet: LifeFeedback,
}

/// The person's sheets, newest period first; one decision and audit event.
pub fn feedback(
    conn: &mut Connection,
    caller: &Caller,
    person: PersonRef,
    at: Timestamp,
) -> Result<Outcome<Vec<LifeView>>> {
    let store = conn.store();
    let decision = authorize(
        store,
        caller,
        Action::Read,
        Category::Life,
        person,
        at,
        None,
    )?;
    decided!(decision);
    crate::in_read(store, |s| load(s, person)).map(Outcome::Allowed)
}

/// The sheets after an allowed decision (also used by the category view).
pub(crate) fn load(store: &mut dyn Store, person: PersonRef) -> Result<Vec<LifeView>> {
    let rows = store.life_feedback_of(&person.insurer.to_string(), &person.insured.to_string())?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(LifeView {
                id: r.id,
                submitted_at_ms: r.submitted_at_ms,
                sheet: serde_json::from_str(&r.body_json).ok()?,
            })
        })
        .collect())
}
