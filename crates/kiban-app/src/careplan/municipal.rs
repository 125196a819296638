//! The municipal console over care plans: 特定事業所集中減算, caseloads and regional statistics.
//! Each is ONE aggregate decision (`decide_aggregate` on ケアプラン for the caller's own 保険者,
//! under a purpose whose matrix row may read care plans: 審査, 指導 or 本人対応) and one audit
//! event, which no person's history lists, because no person is read: the store returns counts,
//! never documents. Opening one person's plans is a person read ([`super::folder`]).
//!
//! What kiban counts from: the 利用票 (第6表) of the 保険者's own insured persons, flattened into
//! `service_months` as they are registered. A 居宅介護支援事業所 that also plans for persons of
//! other 保険者 is judged here on this 保険者's persons only; the 指定権者's full judgment needs
//! every 保険者's counts (kiban's documented limit: the 指定権者 relation is not in kiban).

use crate::access::{authorize_aggregate, Caller, Denied, Outcome, Permit};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Actor, Category, Timestamp};
use kiban_domain::careplan::caseload::{caseload, Caseload, Staffing};
use kiban_domain::careplan::concentration::{
    judge, Exclusion, JustReason, OfficeCounts, OfficeJudgment, ServiceCounts, COVERED_SERVICES,
};
use kiban_domain::careplan::period::JudgmentPeriod;
use kiban_domain::careplan::suppress::{suppress_table, SuppressedTable};
use kiban_domain::careplan::YearMonth;
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::ids::{InsurerNumber, OfficeNumber};
/// A care office's staffing for a month, as [`put_staffing`] records it.
pub use kiban_store::StaffingRow;
use kiban_store::{ConcentrationExclusionRow, Store};
use serde::Serialize;
use std::collections::BTreeMap;

fn municipal(caller: &Caller) -> std::result::Result<InsurerNumber, Denied> {
    match caller.actor {
        Actor::MunicipalStaff { insurer, .. } => Ok(insurer),
        _ => Err(Denied {
            reason: "MUNICIPAL_ONLY",
            message_ja: "保険者の職員だけが使える機能です".into(),
            message_en: "only the insurer's staff use this".into(),
        }),
    }
}

/// Decides and audits the aggregate read; `Err` is the refusal to return.
fn aggregate(
    store: &mut dyn Store,
    caller: &Caller,
    at: Timestamp,
) -> Result<std::result::Result<InsurerNumber, Denied>> {
    let insurer = match municipal(caller) {
        Ok(i) => i,
        Err(d) => return Ok(Err(d)),
    };
    let decision = authorize_aggregate(store, caller, Category::CarePlan, insurer, at)?;
    Ok(decision.permit().map(|()| insurer))
}

/// 特定事業所集中減算 of every 居宅介護支援事業所 with plans in the period.
#[derive(Debug, Clone, Serialize)]
pub struct ConcentrationReport {
    pub period: String,
    pub period_label: String,
    pub filing_deadline: String,
    pub offices: Vec<OfficeJudgment>,
}

pub fn concentration(
    conn: &mut Connection,
    caller: &Caller,
    period: JudgmentPeriod,
    at: Timestamp,
) -> Result<Outcome<ConcentrationReport>> {
    let store = conn.store();
    let insurer = match aggregate(store, caller, at)? {
        Ok(i) => i,
        Err(d) => return Ok(Outcome::Denied(d)),
    };
    let kinds: Vec<&str> = COVERED_SERVICES.iter().map(|k| k.code()).collect();
    let (from, to) = (period.first_month().yyyymm(), period.last_month().yyyymm());
    let ins = insurer.to_string();
    let (counts, totals, exclusions) = crate::in_read(store, |s| {
        Ok((
            s.corporation_counts(&ins, &from, &to, &kinds)?,
            s.plan_month_totals(&ins, &from, &to, &kinds)?,
            s.concentration_exclusions(&ins, &period.code())?,
        ))
    })?;
    let mut offices: BTreeMap<OfficeNumber, OfficeCounts> = BTreeMap::new();
    for t in &totals {
        let entry = offices
            .entry(t.care_office)
            .or_insert_with(|| OfficeCounts {
                office: t.care_office,
                total_plan_months: 0,
                services: Vec::new(),
            });
        match t.service_kind {
            None => entry.total_plan_months = t.plan_months as u32,
            Some(service) => entry.services.push(ServiceCounts {
                service,
                plan_months: t.plan_months as u32,
                by_corporation: Vec::new(),
            }),
        }
    }
    for c in counts {
        let Some(entry) = offices.get_mut(&c.care_office) else {
            continue;
        };
        if let Some(s) = entry
            .services
            .iter_mut()
            .find(|s| s.service == c.service_kind)
        {
            // The judgment compares corporations by their written key only.
            s.by_corporation
                .push((c.corporation.to_string(), c.plan_months as u32));
        }
    }
    let judged = offices
        .into_values()
        .map(|counts| {
            let mine: Vec<Exclusion> = exclusions
                .iter()
                .filter(|e| e.office_number == counts.office)
                .filter_map(exclusion)
                .collect();
            judge(period, &counts, &mine)
        })
        .collect();
    Ok(Outcome::Allowed(ConcentrationReport {
        period: period.code(),
        period_label: period.label(),
        filing_deadline: period.filing_deadline().yyyymmdd(),
        offices: judged,
    }))
}

fn exclusion(row: &ConcentrationExclusionRow) -> Option<Exclusion> {
    Some(Exclusion {
        service: row.service_kind,
        reason: JustReason::from_code(u8::try_from(row.reason).ok()?)?,
        excluded_plan_months: u32::try_from(row.excluded_plan_months).ok()?,
        note: row.note.clone(),
    })
}

/// A 正当な理由 to record.
#[derive(Debug, Clone)]
pub struct NewExclusion {
    pub office: OfficeNumber,
    pub period: JudgmentPeriod,
    pub service: ServiceKind,
    pub reason: JustReason,
    pub excluded_plan_months: u32,
    pub note: String,
}

/// Records a 正当な理由 for one office, period and covered service. Office-level data, not a
/// person's: gated by the same aggregate rule as the judgment it changes, and audited as one.
pub fn record_exclusion(
    conn: &mut Connection,
    caller: &Caller,
    new: NewExclusion,
    at: Timestamp,
) -> Result<Outcome<i64>> {
    let store = conn.store();
    let insurer = match aggregate(store, caller, at)? {
        Ok(i) => i,
        Err(d) => return Ok(Outcome::Denied(d)),
    };
    if !COVERED_SERVICES.contains(&new.service) {
        return Ok(Outcome::Denied(Denied {
            reason: "SERVICE_NOT_COVERED",
            message_ja: "集中減算の対象サービス（訪問介護・通所介護・地域密着型通所介護・福祉用具貸与）ではありません".into(),
            message_en: "not one of the four services the reduction covers".into(),
        }));
    }
    let row = ConcentrationExclusionRow {
        id: 0,
        insurer,
        office_number: new.office,
        period: new.period,
        service_kind: new.service,
        reason: i64::from(new.reason.code()),
        excluded_plan_months: i64::from(new.excluded_plan_months),
        note: new.note,
        recorded_at_ms: at.as_millis(),
        recorded_by: caller.account.clone(),
    };
    let id = crate::in_transaction(store, |s| Ok(s.insert_concentration_exclusion(&row)?))?;
    Ok(Outcome::Allowed(id))
}

/// One office's caseload in a month; `caseload` is `None` when no staffing was filed.
#[derive(Debug, Clone, Serialize)]
pub struct OfficeCaseload {
    pub office: OfficeNumber,
    pub care_persons: u32,
    pub support_persons: u32,
    pub caseload: Option<Caseload>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseloadReport {
    pub month: String,
    /// Offices over the 44/49 line, then those without staffing filed, then the others.
    pub offices: Vec<OfficeCaseload>,
    pub over_limit: usize,
    pub without_staffing: usize,
}

pub fn caseloads(
    conn: &mut Connection,
    caller: &Caller,
    month: YearMonth,
    at: Timestamp,
) -> Result<Outcome<CaseloadReport>> {
    let store = conn.store();
    let insurer = match aggregate(store, caller, at)? {
        Ok(i) => i,
        Err(d) => return Ok(Outcome::Denied(d)),
    };
    let m = month.yyyymm();
    let (counts, staffing) = crate::in_read(store, |s| {
        Ok((
            s.caseload_counts(&insurer.to_string(), &m)?,
            s.staffing(&m)?,
        ))
    })?;
    let mut per_office: BTreeMap<OfficeNumber, (u32, u32)> = BTreeMap::new();
    for c in counts {
        let e = per_office.entry(c.care_office).or_default();
        if c.care_level.is_support() {
            e.1 += c.persons as u32;
        } else {
            e.0 += c.persons as u32;
        }
    }
    let mut offices: Vec<OfficeCaseload> = per_office
        .into_iter()
        .map(|(office, (care, support))| {
            let filed = staffing.iter().find(|s| s.office_number == office);
            let load = filed.and_then(|s| {
                let staffing = Staffing {
                    care_managers_centi: u32::try_from(s.care_managers_centi).ok()?,
                    data_exchange: s.data_exchange,
                    clerical_staff: s.clerical_staff,
                };
                caseload(care, support, &staffing).ok()
            });
            OfficeCaseload {
                office,
                care_persons: care,
                support_persons: support,
                caseload: load,
            }
        })
        .collect();
    let rank = |o: &OfficeCaseload| match &o.caseload {
        Some(c) if c.over_limit => 0,
        None => 1,
        Some(_) => 2,
    };
    offices.sort_by_key(|o| (rank(o), o.office));
    Ok(Outcome::Allowed(CaseloadReport {
        month: m,
        over_limit: offices.iter().filter(|o| rank(o) == 0).count(),
        without_staffing: offices.iter().filter(|o| rank(o) == 1).count(),
        offices,
    }))
}

/// Files the staffing of an office for a month (体制の届出), gated like the caseload report.
pub fn put_staffing(
    conn: &mut Connection,
    caller: &Caller,
    row: StaffingRow,
    at: Timestamp,
) -> Result<Outcome<()>> {
    let store = conn.store();
    if let Err(d) = aggregate(store, caller, at)? {
        return Ok(Outcome::Denied(d));
    }
    crate::in_transaction(store, |s| Ok(s.put_staffing(&row)?))?;
    Ok(Outcome::Allowed(()))
}

/// Persons with a 利用票 in a month, by service kind × care level, small cells suppressed.
#[derive(Debug, Clone, Serialize)]
pub struct RegionalStats {
    pub month: String,
    pub service_kinds: Vec<(String, String)>,
    pub care_levels: Vec<(String, String)>,
    pub table: SuppressedTable,
}

/// The columns of the regional table: the certified levels a 利用票 can carry.
const LEVELS: [CareLevel; 7] = [
    CareLevel::Support1,
    CareLevel::Support2,
    CareLevel::Care1,
    CareLevel::Care2,
    CareLevel::Care3,
    CareLevel::Care4,
    CareLevel::Care5,
];

pub fn regional_stats(
    conn: &mut Connection,
    caller: &Caller,
    month: YearMonth,
    at: Timestamp,
) -> Result<Outcome<RegionalStats>> {
    let store = conn.store();
    let insurer = match aggregate(store, caller, at)? {
        Ok(i) => i,
        Err(d) => return Ok(Outcome::Denied(d)),
    };
    let m = month.yyyymm();
    let counts = crate::in_read(store, |s| Ok(s.user_counts(&insurer.to_string(), &m)?))?;
    let mut kinds: Vec<ServiceKind> = counts.iter().map(|c| c.service_kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut grid = vec![vec![0u32; LEVELS.len()]; kinds.len()];
    for c in &counts {
        let (Some(r), Some(col)) = (
            kinds.iter().position(|k| *k == c.service_kind),
            LEVELS.iter().position(|l| *l == c.care_level),
        ) else {
            continue;
        };
        grid[r][col] += c.persons as u32;
    }
    Ok(Outcome::Allowed(RegionalStats {
        month: m,
        service_kinds: kinds
            .iter()
            .map(|k| (k.code().to_string(), k.label().to_string()))
            .collect(),
        care_levels: LEVELS
            .iter()
            .map(|l| (l.code().to_string(), l.label().to_string()))
            .collect(),
        table: suppress_table(&grid),
    }))
}
