//! One synthetic person: age, sex, name, residence, qualification and the chain of
//! certifications, care plans, facility stay, 給付制限 and loss of qualification.
//!
//! Distributions (approximations, \[unverified\] where not in facts.md):
//! - Ages 65–105 by five-year band, sized like Japan's population around 2026 (the 1947–49
//!   baby boom is 77–79), with the female share rising from 51% at 65–69 to 88% at 100+.
//! - 認定率 by band (about 3% at 65–69 to about 88% at 100+, MHLW 介護保険事業状況報告),
//!   scaled so that about 19% of 第1号被保険者 are certified (facts.md §8).
//! - Level mix of the certified as the brief gives it (要支援1 14%, 要支援2 14%, 要介護1 21%,
//!   要介護2 17%, 要介護3 13%, 要介護4 12%, 要介護5 9%), close to the 事業状況報告 shares; it does
//!   not depend on age. 1.5% of the uncertified 第1号 are 事業対象者 (06).
//! - 1% of persons are 第2号被保険者 aged 40–64, all certified: they only hold a card because
//!   they are.
//! - 資格取得年月日: the 65th (第2号: 40th) birthday, or 2000-04-01 for those already 65 when the
//!   system started, or for 8% a later move-in date. Legally one reaches an age the day before
//!   the birthday (年齢計算ニ関スル法律), but the importer counts age by [`Date::age_of`], which
//!   turns on the birthday, and refuses a 第2号 qualified the day before turning 40; the
//!   birthday keeps both 号 consistent with it.

use super::certification::{assign_care_plans, assign_opinions, cert, certification_chain};
use super::names::FullName;
use super::places::Residence;
use super::{between, Context};
use kiban_domain::codes::{CareLevel, ServiceKind, Sex};
use kiban_domain::date::Date;
use kiban_domain::ids::InsuredNumber;
use kiban_domain::records::{BenefitRestriction, CarePlanAuthor, FacilityStay, RestrictionKind};
use rand::distributions::Distribution;
use rand::Rng;

/// (first age, last age, weight in 10k persons, female share ‰, certified ‰).
pub(super) const AGE_BANDS: [(i32, i32, u32, u32, u32); 8] = [
    (65, 69, 730, 510, 28),
    (70, 74, 820, 520, 56),
    (75, 79, 890, 540, 116),
    (80, 84, 630, 580, 249),
    (85, 89, 420, 640, 465),
    (90, 94, 200, 720, 680),
    (95, 99, 60, 810, 825),
    (100, 105, 10, 880, 875),
];

/// 第2号 ages: (first, last, weight); certification at 40–64 is mostly after 55.
pub(super) const SECOND_BANDS: [(i32, i32, u32); 5] = [
    (40, 44, 7),
    (45, 49, 11),
    (50, 54, 17),
    (55, 59, 25),
    (60, 64, 40),
];

/// Certified levels from light to heavy, with the brief's mix in percent.
pub(super) const LEVELS: [(CareLevel, u32); 7] = [
    (CareLevel::Support1, 14),
    (CareLevel::Support2, 14),
    (CareLevel::Care1, 21),
    (CareLevel::Care2, 17),
    (CareLevel::Care3, 13),
    (CareLevel::Care4, 12),
    (CareLevel::Care5, 9),
];

pub(super) const SECOND_INSURED_SHARE: f64 = 0.01;
const PROJECT_ELIGIBLE_SHARE: f64 = 0.015;
const MOVED_IN_SHARE: f64 = 0.08;
/// Certified persons whose certification lapsed recently without renewal.
const LAPSED_SHARE: f64 = 0.02;
const RESTRICTED_SHARE: f64 = 0.003;

/// The day the 介護保険 started; nobody qualified earlier.
pub(super) fn system_start() -> Date {
    Date::new(2000, 4, 1).expect("valid date")
}

/// The day `years` after `birth`, when [`Date::age_of`] first reports that age (a Feb 29 birth
/// turns a year older on Mar 1 in common years).
pub(super) fn anniversary(birth: Date, years: i32) -> Date {
    let d = birth.add_months(12 * years);
    if birth.month() == 2 && birth.day() == 29 && d.day() == 28 {
        d.add_days(1)
    } else {
        d
    }
}

/// One 要介護認定 (or 事業対象者 check) with the care plan notified during it.
pub(super) struct Cert {
    pub level: CareLevel,
    pub certified_on: Date,
    pub valid_from: Date,
    pub valid_to: Date,
    pub plan: Option<CarePlanAuthor>,
    pub opinion: &'static str,
    pub designated: &'static [ServiceKind],
}

pub(super) struct Person {
    pub insured: InsuredNumber,
    pub birth: Date,
    pub sex: Sex,
    pub second: bool,
    pub name: FullName,
    pub residence: Residence,
    pub qualified_on: Date,
    pub moved_in: bool,
    /// Chronological and contiguous from the first 新規 on.
    pub certs: Vec<Cert>,
    pub facility: Option<FacilityStay>,
    pub restriction: Option<BenefitRestriction>,
    pub lost_on: Option<Date>,
    /// 住民税非課税 (decides 1割 and the 負担限度額 eligibility).
    pub low_income: bool,
}

impl Person {
    /// 要支援 or 要介護 on the latest certification (事業対象者 is not).
    pub fn is_certified(&self) -> bool {
        self.certs.last().is_some_and(|c| c.level.is_certified())
    }

    /// The level of the certification covering `date`.
    pub fn level_on(&self, date: Date) -> Option<CareLevel> {
        self.certs
            .iter()
            .find(|c| c.valid_from <= date && date <= c.valid_to)
            .map(|c| c.level)
    }

    /// The last day the person holds a certification and is insured, capped at as-of.
    pub fn covered_until(&self, as_of: Date) -> Option<Date> {
        let last = self.certs.last()?;
        let mut end = last.valid_to.min(as_of);
        if let Some(lost) = self.lost_on {
            end = end.min(lost.add_days(-1));
        }
        Some(end)
    }
}

pub(super) fn generate<R: Rng>(ctx: &Context, rng: &mut R, insured: InsuredNumber) -> Person {
    let as_of = ctx.as_of;
    let second = rng.gen_bool(SECOND_INSURED_SHARE);
    let (age, female_permille, certified_permille) = if second {
        let (lo, hi, _) = SECOND_BANDS[ctx.second_bands.sample(rng)];
        (rng.gen_range(lo..=hi), 500, 1000)
    } else {
        let (lo, hi, _, female, certified) = AGE_BANDS[ctx.age_bands.sample(rng)];
        (rng.gen_range(lo..=hi), female, certified)
    };
    let latest_birth = as_of.add_months(-12 * age);
    let earliest_birth = as_of.add_months(-12 * (age + 1)).add_days(1);
    let birth = between(rng, earliest_birth, latest_birth).unwrap_or(latest_birth);
    let sex = if rng.gen_range(0..1000) < female_permille {
        Sex::Female
    } else {
        Sex::Male
    };
    let name = ctx.names.sample(rng, sex, birth.year());
    let residence = ctx.municipality.residence(rng);
    let entitled = anniversary(birth, if second { 40 } else { 65 }).max(system_start());
    let moved_in = rng.gen_bool(MOVED_IN_SHARE);
    let qualified_on = if moved_in {
        between(rng, entitled.add_days(1), as_of.add_days(-1)).unwrap_or(entitled)
    } else {
        entitled
    }
    .min(as_of);
    let mut person = Person {
        insured,
        birth,
        sex,
        second,
        name,
        residence,
        qualified_on,
        moved_in,
        certs: Vec::new(),
        facility: None,
        restriction: None,
        lost_on: None,
        low_income: false,
    };
    if rng.gen_range(0..1000) < certified_permille {
        let level = LEVELS[ctx.levels.sample(rng)].0;
        let lapsed = !second && rng.gen_bool(LAPSED_SHARE);
        // A 第2号 applies as soon as insured: the card exists only because of the application.
        let earliest = if second {
            qualified_on
        } else {
            qualified_on.add_days(14)
        };
        person.certs = certification_chain(rng, level, earliest, as_of, lapsed);
    } else if rng.gen_bool(PROJECT_ELIGIBLE_SHARE) {
        // 基本チェックリスト: no fixed validity in many municipalities; kiban's files need an
        // end, so a 3-year period is used.
        if let Some(from) = between(rng, qualified_on.max(as_of.add_months(-35)), as_of) {
            let to = from.add_months(36).last_of_month();
            person
                .certs
                .push(cert(CareLevel::ProjectEligible, from, from, to));
        }
    }
    person.low_income = rng.gen_bool(if person.certs.is_empty() { 0.35 } else { 0.45 });
    if !person.certs.is_empty() {
        assign_care_plans(ctx, rng, &mut person);
        assign_facility(ctx, rng, &mut person);
        assign_opinions(rng, &mut person);
        if person.is_certified() && rng.gen_bool(RESTRICTED_SHARE) {
            assign_restriction(rng, &mut person, as_of);
        }
    }
    let lost_share = if person.is_certified() { 0.013 } else { 0.003 };
    if rng.gen_bool(lost_share) {
        let last_event = last_event(&person);
        person.lost_on = between(
            rng,
            last_event.add_days(1).max(as_of.add_days(-365)),
            as_of.add_days(-1),
        );
        if let (Some(lost), Some(stay)) = (person.lost_on, person.facility.as_mut()) {
            stay.discharged_on = Some(lost);
        }
    }
    person
}

/// Facility residents by current level (about 14% of the certified, as 施設 0.95M of 7M in
/// facts.md §8): 特養 needs 要介護3 or more, lighter levels go to 老健 or 介護医療院.
fn assign_facility<R: Rng>(ctx: &Context, rng: &mut R, person: &mut Person) {
    let Some(last) = person.certs.last() else {
        return;
    };
    let share = match last.level {
        CareLevel::Care1 => 0.03,
        CareLevel::Care2 => 0.06,
        CareLevel::Care3 => 0.25,
        CareLevel::Care4 => 0.40,
        CareLevel::Care5 => 0.50,
        _ => return,
    };
    if last.valid_to < ctx.as_of || !rng.gen_bool(share) {
        return;
    }
    let heavy = matches!(
        last.level,
        CareLevel::Care3 | CareLevel::Care4 | CareLevel::Care5
    );
    let kind = match (heavy, rng.gen_range(0..10)) {
        (true, 0..=5) => ServiceKind::WelfareFacility,
        (true, 6..=8) | (false, 0..=7) => ServiceKind::HealthFacility,
        _ => ServiceKind::MedicalCenter,
    };
    // Admitted while every certification since then allowed it (特養: 要介護3 from admission).
    let allowed = |l: CareLevel| match kind {
        ServiceKind::WelfareFacility => {
            matches!(l, CareLevel::Care3 | CareLevel::Care4 | CareLevel::Care5)
        }
        _ => l.is_certified() && !l.is_support(),
    };
    let since = person
        .certs
        .iter()
        .rev()
        .take_while(|c| allowed(c.level))
        .last()
        .map_or(last.valid_from, |c| c.valid_from);
    let lo = since
        .max(person.certs[0].valid_from.add_days(14))
        .max(ctx.as_of.add_months(-96));
    let Some(admitted_on) = between(rng, lo, ctx.as_of.add_days(-1)) else {
        return;
    };
    let choices: Vec<&String> = ctx
        .municipality
        .facilities
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, n)| n)
        .collect();
    let name = choices[rng.gen_range(0..choices.len())].clone();
    person.facility = Some(FacilityStay {
        kind,
        name,
        admitted_on,
        discharged_on: None,
    });
}

fn assign_restriction<R: Rng>(rng: &mut R, person: &mut Person, as_of: Date) {
    let last = person.certs.last().expect("certified");
    let Some(from) = between(rng, last.valid_from.add_days(1), last.valid_to.min(as_of)) else {
        return;
    };
    let kind = match rng.gen_range(0..20) {
        0..=13 => RestrictionKind::PaymentMethodChange,
        14..=16 => RestrictionKind::PaymentSuspension,
        _ => RestrictionKind::BenefitReduction,
    };
    // Still in force on as-of: a lifted restriction would need one more card version.
    let to = rng.gen_bool(0.5).then(|| {
        from.add_months(rng.gen_range(6..=24))
            .max(as_of)
            .last_of_month()
    });
    person.restriction = Some(BenefitRestriction { kind, from, to });
}

/// The latest date on which something happens to the card before a loss of qualification.
fn last_event(p: &Person) -> Date {
    let mut last = p.qualified_on;
    for c in &p.certs {
        last = last.max(c.valid_from).max(c.certified_on);
        if let Some(
            CarePlanAuthor::Office { notified_on, .. } | CarePlanAuthor::SelfMade { notified_on },
        ) = &c.plan
        {
            last = last.max(*notified_on);
        }
    }
    if let Some(f) = &p.facility {
        last = last.max(f.admitted_on);
    }
    if let Some(r) = &p.restriction {
        last = last.max(r.from);
    }
    last
}
