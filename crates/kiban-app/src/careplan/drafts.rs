//! The care manager's side of 同意・確認用登録: the plans the office sent for the person's
//! answer, with where each stands (waiting, agreed, answered with a comment), so nobody has to
//! open every person to learn who answered. Each listed person is a policy decision and an audit
//! event (Read on ケアプラン), as each folder read is; a draft replaced by a newer plan of the same
//! date is no longer listed.

use super::reads::{current, readable_persons};
use super::DocStatus;
use crate::access::Caller;
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Actor, Timestamp};
use kiban_domain::careplan::DocKey;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use serde::Serialize;

/// One plan sent for 同意・確認 and the person's latest answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftEntry {
    pub id: i64,
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    /// 計画作成(変更)日 (sent as YYYYMMDD).
    pub plan_date: Date,
    pub status: DocStatus,
    pub status_label: &'static str,
    pub sent_at_ms: i64,
    pub answered_at_ms: Option<i64>,
    pub comment: String,
}

/// The office's plans sent for 同意・確認 (newest first, at most `limit`) that are still the
/// current plan of their date, for the persons the policy lets the office read now.
pub fn drafts(
    conn: &mut Connection,
    caller: &Caller,
    limit: i64,
    at: Timestamp,
) -> Result<Vec<DraftEntry>> {
    let store = conn.store();
    let Actor::OfficeStaff { office, .. } = caller.actor else {
        return Ok(Vec::new());
    };
    let rows = crate::in_read(store, |s| {
        Ok(s.careplan_drafts_from(&office.to_string(), limit)?)
    })?;
    let allowed = readable_persons(store, caller, &rows, at)?;
    crate::in_read(store, |s| {
        let mut out = Vec::new();
        for p in &allowed {
            let (insurer, insured) = (p.insurer.to_string(), p.insured.to_string());
            let live: Vec<i64> = current(s.careplan_documents_of(&insurer, &insured)?)
                .into_iter()
                .map(|r| r.id)
                .collect();
            for row in rows
                .iter()
                .filter(|r| r.insurer == p.insurer && r.insured == p.insured)
            {
                if !live.contains(&row.id) {
                    continue;
                }
                // Every row listed is a plan (`careplan_drafts_from`), keyed by its date.
                let DocKey::PlanDate(plan_date) = row.doc_key else {
                    continue;
                };
                let last = s.plan_confirmations(row.id)?.pop();
                out.push(DraftEntry {
                    id: row.id,
                    insurer: row.insurer,
                    insured: row.insured,
                    plan_date,
                    status: row.status,
                    status_label: row.status.label(),
                    sent_at_ms: row.registered_at_ms,
                    answered_at_ms: last.as_ref().map(|a| a.at_ms),
                    comment: last.map(|a| a.comment).unwrap_or_default(),
                });
            }
        }
        out.sort_by_key(|d| std::cmp::Reverse(d.id));
        Ok(out)
    })
}
