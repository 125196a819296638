//! Registry statistics as of a date, derived from the version history with the same
//! [`kiban_domain::records::current_as_of`] every other reader uses.
//!
//! Only counts leave, but they are computed from every person's 資格情報, so a run is an
//! aggregate read through the gateway (`access::authorize_aggregate`): decided for the caller
//! and recorded as one audit event before anything is read. The stored-version counts per kind
//! (including the two usage records) are registry bookkeeping and come with it.

use crate::access::decided;
use crate::access::{self, Caller, Outcome};
use crate::Connection;
use crate::Result;
use kiban_domain::access::{Category, Timestamp};
use kiban_domain::codes::CareLevel;
use kiban_domain::date::Date;
use kiban_domain::ids::{InsuredNumber, InsurerNumber};
use kiban_domain::records::{current_as_of, RecordBody, RecordKind, Version};
use kiban_store::Store;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub insurer: String,
    pub as_of: String,
    /// Stored versions per kind code.
    pub versions_by_kind: Vec<(String, i64)>,
    pub withdrawals: i64,
    pub imports: i64,
    /// Persons with a 被保険者証 current on the date.
    pub insured_persons: u64,
    /// Of those, per 要介護状態区分 label in code order, 認定なし (never certified) last.
    pub by_care_level: Vec<(String, u64)>,
    /// Current 負担割合証 per rate label.
    pub by_copay_rate: BTreeMap<String, u64>,
    /// Persons with a current 減免減額認定証.
    pub reductions: u64,
    /// Share of current insured persons who are certified (要支援・要介護), in percent.
    pub certified_percent: f64,
}

impl Stats {
    fn compute_certified_percent(&self) -> f64 {
        let certified: u64 = self
            .by_care_level
            .iter()
            .filter(|(label, _)| {
                CareLevel::ALL
                    .iter()
                    .any(|l| l.is_certified() && l.label() == label.as_str())
            })
            .map(|(_, n)| n)
            .sum();
        if self.insured_persons == 0 {
            0.0
        } else {
            certified as f64 * 100.0 / self.insured_persons as f64
        }
    }
}

pub fn stats(
    conn: &mut Connection,
    caller: &Caller,
    insurer: InsurerNumber,
    as_of: Date,
    at: Timestamp,
) -> Result<Outcome<Stats>> {
    let store = conn.store();
    let decision =
        access::authorize_aggregate(store, caller, Category::Qualification, insurer, at)?;
    decided!(decision);
    let counts = store.counts(insurer)?;
    let mut stats = Stats {
        insurer: insurer.to_string(),
        as_of: as_of.to_string(),
        versions_by_kind: counts
            .versions_by_kind
            .iter()
            .map(|(kind, n)| (kind.code().to_string(), *n))
            .collect(),
        withdrawals: counts.withdrawals,
        imports: counts.imports,
        ..Stats::default()
    };
    let mut levels: BTreeMap<Option<CareLevel>, u64> = BTreeMap::new();
    for kind in [
        RecordKind::InsuredCard,
        RecordKind::CopayCertificate,
        RecordKind::ReductionCertificate,
    ] {
        each_person_current(store, kind, insurer, as_of, &mut |v| match &v.body {
            RecordBody::InsuredCard(c) => {
                stats.insured_persons += 1;
                *levels
                    .entry(c.certification.as_ref().map(|x| x.level))
                    .or_default() += 1;
            }
            RecordBody::CopayCertificate(c) => {
                *stats
                    .by_copay_rate
                    .entry(c.rate.label().to_string())
                    .or_default() += 1
            }
            RecordBody::ReductionCertificate(_) => stats.reductions += 1,
            _ => {}
        })?;
    }
    // Option's order puts None first; the table reads better with 認定なし last.
    let (never, certified): (Vec<_>, Vec<_>) = levels.into_iter().partition(|(l, _)| l.is_none());
    stats.by_care_level = certified
        .into_iter()
        .chain(never)
        .map(|(l, n)| (l.map_or("認定なし", CareLevel::label).to_string(), n))
        .collect();
    stats.certified_percent = stats.compute_certified_percent();
    Ok(Outcome::Allowed(stats))
}

/// Streams a kind in person order and calls `visit` with each person's current version.
/// Withdrawn versions are excluded by the store, so the history passed on is already clean.
fn each_person_current(
    store: &mut dyn Store,
    kind: RecordKind,
    insurer: InsurerNumber,
    as_of: Date,
    visit: &mut dyn FnMut(&Version),
) -> Result<()> {
    let mut person: Option<InsuredNumber> = None;
    let mut versions: Vec<Version> = Vec::new();
    let mut emit = |versions: &mut Vec<Version>| {
        if let Some(v) = current_as_of(versions, &[], as_of) {
            visit(v);
        }
        versions.clear();
    };
    store.for_each_version(kind, insurer, false, &mut |v| {
        if person != Some(v.key.insured) {
            emit(&mut versions);
            person = Some(v.key.insured);
        }
        versions.push(v);
        Ok(())
    })?;
    emit(&mut versions);
    Ok(())
}

/// The insurers that have data: what `kiban stats` and `kiban export` cover when no insurer is
/// named. Numbers only, no person's data.
pub fn insurers(conn: &mut Connection) -> Result<Vec<InsurerNumber>> {
    Ok(conn.store().insurers()?)
}
