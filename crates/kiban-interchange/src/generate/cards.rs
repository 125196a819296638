//! 被保険者証 versions of one person: a snapshot of the whole card at every event.
//!
//! History 1 is the card issued at qualification (no certification). Every later event — a
//! 新規 or 更新 certification, a facility admission, a 給付制限, the loss of qualification —
//! is a new full version (操作区分 C) applying from the event's date; events on the same day
//! share one version. A 第2号被保険者 has no card before certification, so their history 1 is
//! the first certification. 交付年月日 changes only when a card is actually reissued
//! (qualification and certifications); an admission or a restriction is written on the card.

use super::people::{system_start, Person};
use super::{between, version, Context};
use kiban_domain::date::Date;
use kiban_domain::records::{CertificationOnCard, InsuredCard, RecordBody, Version};
use kiban_domain::rules;
use rand::Rng;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Qualify,
    Certify(usize),
    Admit,
    Restrict,
    Lose,
}

pub(super) fn versions<R: Rng>(ctx: &Context, rng: &mut R, p: &Person, out: &mut Vec<Version>) {
    let as_of = ctx.as_of;
    let mut events: Vec<(Date, Event)> = Vec::with_capacity(p.certs.len() + 4);
    if !p.second {
        events.push((p.qualified_on, Event::Qualify));
    }
    events.extend(
        p.certs
            .iter()
            .enumerate()
            .map(|(i, c)| (c.valid_from, Event::Certify(i))),
    );
    if let Some(f) = &p.facility {
        events.push((f.admitted_on, Event::Admit));
    }
    if let Some(r) = &p.restriction {
        events.push((r.from, Event::Restrict));
    }
    if let Some(lost) = p.lost_on {
        events.push((lost, Event::Lose));
    }
    events.sort();

    let mut card = InsuredCard {
        name: p.name.name.clone(),
        kana: p.name.kana.clone(),
        birth_date: p.birth,
        sex: p.sex,
        postal_code: p.residence.postal_code.clone(),
        address: p.residence.address.clone(),
        issued_on: p.qualified_on,
        qualified_on: p.qualified_on,
        disqualified_on: None,
        insurer_name: ctx.municipality.insurer_name.clone(),
        certification: None,
        restriction: None,
        care_plan: None,
        facility: None,
    };
    let mut admitted = false;
    for (i, &(date, event)) in events.iter().enumerate() {
        match event {
            Event::Qualify => {
                card.issued_on = if p.moved_in {
                    date.add_days(rng.gen_range(0..=7)).min(as_of)
                } else if date == system_start() {
                    // Cards for everyone already 65 went out in March 2000.
                    between(rng, date.add_days(-31), date.add_days(-7)).unwrap_or(date)
                } else {
                    // Mailed before the birthday.
                    date.add_days(-rng.gen_range(3..=20))
                };
            }
            Event::Certify(n) => {
                let c = &p.certs[n];
                card.issued_on = c
                    .certified_on
                    .add_days(rng.gen_range(0..=5))
                    .min(as_of)
                    .max(card.issued_on);
                card.certification = Some(CertificationOnCard {
                    level: c.level,
                    certified_on: c.certified_on,
                    valid_from: c.valid_from,
                    valid_to: c.valid_to,
                    monthly_limit_units: rules::monthly_limit_units(c.level),
                    kind_limits: Vec::new(),
                    committee_opinion: c.opinion.to_string(),
                    designated_services: c.designated.to_vec(),
                });
                if !admitted {
                    card.care_plan = c.plan.clone();
                }
            }
            Event::Admit => {
                admitted = true;
                // The facility's 施設サービス計画 replaces the 居宅サービス計画.
                card.care_plan = None;
                card.facility = p.facility.clone();
                if p.lost_on.is_some() {
                    // Discharged only by the loss of qualification, shown from that version.
                    if let Some(f) = card.facility.as_mut() {
                        f.discharged_on = None;
                    }
                }
            }
            Event::Restrict => card.restriction = p.restriction.clone(),
            Event::Lose => {
                card.disqualified_on = Some(date);
                card.facility = p.facility.clone().filter(|_| admitted);
            }
        }
        if events.get(i + 1).is_some_and(|&(next, _)| next == date) {
            continue;
        }
        let history = out.len() as u16 + 1;
        out.push(version(
            ctx,
            p.insured,
            history,
            date,
            RecordBody::InsuredCard(card.clone()),
        ));
    }
}
