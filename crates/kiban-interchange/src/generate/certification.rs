//! The chain of certifications of one certified person and the care plans and 認定審査会意見
//! printed with them.

use super::people::{Cert, Person, LEVELS};
use super::{between, Context};
use kiban_domain::codes::{CareLevel, ServiceKind};
use kiban_domain::date::Date;
use kiban_domain::records::CarePlanAuthor;
use rand::Rng;

pub(super) const OPINIONS: [&str; 4] = [
    "転倒の危険があるため、住環境の整備が望ましい。",
    "認知症の進行に留意し、通所系サービスの利用が望ましい。",
    "医療系サービスの利用が望ましい。",
    "状態の変化に応じて区分変更申請を検討されたい。",
];

pub(super) fn cert(level: CareLevel, certified_on: Date, valid_from: Date, valid_to: Date) -> Cert {
    Cert {
        level,
        certified_on,
        valid_from,
        valid_to,
        plan: None,
        opinion: "",
        designated: &[],
    }
}

fn step(level: CareLevel, delta: i32) -> CareLevel {
    let i = LEVELS.iter().position(|&(l, _)| l == level).unwrap_or(0) as i32;
    LEVELS[(i + delta).clamp(0, LEVELS.len() as i32 - 1) as usize].0
}

/// 新規 then 更新s, the last covering as-of (or, if lapsed, ending shortly before it). A 新規
/// runs from the application to the end of the month 6 or 12 months later and is decided
/// 25–60 days after the application (facts.md §8: 40.8 days on average); an 更新 runs 12, 24
/// or 36 whole months and is decided 1–6 weeks before it starts. Levels drift: going back in
/// time, each earlier certification is the same level (55%), one lighter (33%) or heavier.
pub(super) fn certification_chain<R: Rng>(
    rng: &mut R,
    level: CareLevel,
    earliest: Date,
    as_of: Date,
    lapsed: bool,
) -> Vec<Cert> {
    let anchor = if lapsed {
        as_of.add_days(-rng.gen_range(20..=180))
    } else {
        as_of
    };
    let wanted = [1, 1, 1, 2, 2, 2, 2, 3, 3, 3][rng.gen_range(0..10)];
    for k in (1..=wanted).rev() {
        let mut chain: Vec<Cert> = Vec::with_capacity(k);
        let mut level = level;
        for i in (0..k).rev() {
            let renewal = i > 0;
            let (from, to) = match chain.last() {
                None if renewal => {
                    let months = [12, 12, 12, 24, 24, 36][rng.gen_range(0..6)];
                    let from = anchor
                        .first_of_month()
                        .add_months(-rng.gen_range(0..months));
                    (from, from.add_months(months).add_days(-1))
                }
                None => {
                    let months = if rng.gen_bool(0.5) { 6 } else { 12 };
                    // Applied at least 25 days ago: a newer application is still undecided.
                    let latest = anchor.add_days(-25);
                    let from = between(rng, anchor.first_of_month().add_months(-months), latest)
                        .unwrap_or(latest);
                    (from, from.add_months(months).last_of_month())
                }
                Some(next) => {
                    let to = next.valid_from.add_days(-1);
                    if renewal {
                        let months = [12, 12, 24, 24, 36][rng.gen_range(0..5)];
                        (to.add_days(1).add_months(-months), to)
                    } else {
                        let months = if rng.gen_bool(0.5) { 6 } else { 12 };
                        let month = to.first_of_month().add_months(-months);
                        (
                            between(rng, month, month.last_of_month()).unwrap_or(month),
                            to,
                        )
                    }
                }
            };
            let certified_on = if renewal {
                from.add_days(-rng.gen_range(7..=45))
            } else {
                from.add_days(rng.gen_range(25..=60)).min(as_of)
            };
            chain.push(cert(level, certified_on, from, to));
            level = match rng.gen_range(0..100) {
                0..=54 => level,
                55..=87 => step(level, -1),
                _ => step(level, 1),
            };
        }
        chain.reverse();
        if chain[0].valid_from >= earliest {
            return chain;
        }
    }
    // Qualified too recently for the drawn chain: one 新規 starting after qualification.
    let lo = earliest.max(anchor.first_of_month().add_months(-11));
    let from = between(rng, lo, anchor.add_days(-25)).or_else(|| between(rng, lo, anchor));
    match from {
        Some(from) => {
            let certified_on = from.add_days(rng.gen_range(25..=60)).min(as_of);
            vec![cert(
                level,
                certified_on,
                from,
                from.add_months(12).last_of_month(),
            )]
        }
        None => Vec::new(),
    }
}

pub(super) fn assign_care_plans<R: Rng>(ctx: &Context, rng: &mut R, person: &mut Person) {
    let m = &ctx.municipality;
    let mut previous: Option<(bool, CarePlanAuthor)> = None;
    for c in &mut person.certs {
        let preventive = !matches!(
            c.level,
            CareLevel::Care1
                | CareLevel::Care2
                | CareLevel::Care3
                | CareLevel::Care4
                | CareLevel::Care5
        );
        if let Some((was_preventive, plan)) = &previous {
            if *was_preventive == preventive && rng.gen_bool(0.85) {
                c.plan = Some(plan.clone());
                continue;
            }
        }
        let notified_on = c.valid_from.add_days(rng.gen_range(0..=20)).min(ctx.as_of);
        let roll = rng.gen_range(0..1000);
        let office = match (preventive, c.level == CareLevel::ProjectEligible) {
            (true, true) if roll < 700 => {
                Some(&m.support_centers[rng.gen_range(0..m.support_centers.len())])
            }
            (true, false) if roll < 800 => {
                Some(&m.support_centers[rng.gen_range(0..m.support_centers.len())])
            }
            // 介護予防支援 entrusted to a 居宅介護支援事業所.
            (true, false) if roll < 880 => {
                Some(&m.care_offices[rng.gen_range(0..m.care_offices.len())])
            }
            (false, _) if roll < 850 => {
                Some(&m.care_offices[rng.gen_range(0..m.care_offices.len())])
            }
            _ => None,
        };
        c.plan = match office {
            Some(o) => Some(CarePlanAuthor::Office {
                office: o.number,
                name: o.name.clone(),
                notified_on,
            }),
            None if !preventive && roll < 855 => Some(CarePlanAuthor::SelfMade { notified_on }),
            None => None,
        };
        previous = c.plan.clone().map(|p| (preventive, p));
    }
}

/// 認定審査会意見 on 2% of certifications; services designated on 0.2%.
pub(super) fn assign_opinions<R: Rng>(rng: &mut R, person: &mut Person) {
    for c in &mut person.certs {
        if !c.level.is_certified() {
            continue;
        }
        match rng.gen_range(0..1000) {
            0..=1 if c.level.is_support() => {
                c.opinion = "介護予防訪問看護及び介護予防通所リハビリテーションに限る。";
                c.designated = &[
                    ServiceKind::PreventiveHomeVisitNursing,
                    ServiceKind::PreventiveDayRehabilitation,
                ];
            }
            0..=1 => {
                c.opinion = "訪問看護及び通所リハビリテーションに限る。";
                c.designated = &[
                    ServiceKind::HomeVisitNursing,
                    ServiceKind::DayRehabilitation,
                ];
            }
            2..=19 => c.opinion = OPINIONS[rng.gen_range(0..OPINIONS.len())],
            _ => {}
        }
    }
}
