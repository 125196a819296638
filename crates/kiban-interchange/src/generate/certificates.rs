//! 負担割合証 and 減免減額認定証 of one person, and the shares of the ledgers in [`super::usage`].
//!
//! - 負担割合証 for everyone certified (and 事業対象者): the Aug 1–Jul 31 period containing
//!   as-of and the one before it, each starting no earlier than the first certification.
//!   Rates: 住民税非課税 and 第2号 are always 1割; the others are drawn so that the whole mix
//!   is about 1割 91%, 2割 5%, 3割 4%. A renewal is issued in late July; a first card with the
//!   certification.
//! - 減免減額認定証 for about 20% of the certified: 住民税非課税 persons, most of those in a
//!   facility and about a third of the others (short stays). 90% are 負担限度額認定 (kind 1)
//!   with the daily limits of `rules::daily_limits` (段階 mix 第1 10%, 第2 40%, 第3① 25%,
//!   第3② 25%, an assumption), 4% 利用者負担額減額・免除 (給付率 95 or 100), 6% 社会福祉法人等
//!   軽減 (軽減率 25, 50 or 100). Same periods as the 負担割合証.
//! - 住宅改修 for about 3% of the certified: 1–2 works, ≤ ¥200,000 in total, before any admission.
//! - 福祉用具購入 for about 5% of the certified: 1–3 purchases before any admission, each 種目 once per 年度 and
//!   ≤ ¥100,000 per 年度. 固定用スロープ, 歩行器 and 杖 only from 2024-04 (選択制).
//!   Paid amounts are the cost times the 給付率 of the 負担割合 in force, rounded down.

use super::people::Person;
use super::{between, version, Context};
use kiban_domain::codes::{CopayRate, CostLimitStage};
use kiban_domain::date::Date;
use kiban_domain::records::{
    CopayCertificate, RecordBody, Reduction, ReductionCertificate, Version,
};
use kiban_domain::rules;
use rand::Rng;

/// The yearly periods (previous, current) as of `as_of` that overlap `[start, end]`, each
/// clipped to start no earlier than `start`.
fn periods(as_of: Date, start: Date, end: Date) -> Vec<(Date, Date)> {
    let current = rules::copay_period(as_of);
    let previous = rules::copay_period(current.0.add_days(-1));
    [previous, current]
        .into_iter()
        .filter(|&(from, to)| from <= end && to >= start)
        .map(|(from, to)| (from.max(start), to))
        .collect()
}

/// 交付年月日 of a yearly certificate: late July for a renewal, else with the decision.
fn issued_on<R: Rng>(rng: &mut R, valid_from: Date, decided_on: Date, as_of: Date) -> Date {
    if valid_from.month() == 8 && valid_from.day() == 1 {
        Date::new(valid_from.year(), 7, rng.gen_range(10..=25)).expect("July day")
    } else {
        decided_on
            .max(valid_from)
            .add_days(rng.gen_range(0..=7))
            .min(as_of)
    }
}

/// Draws the current and previous 負担割合 (previous first).
pub(super) fn copay_rates<R: Rng>(rng: &mut R, p: &Person) -> [CopayRate; 2] {
    if p.low_income || p.second {
        return [CopayRate::One; 2];
    }
    // 2割 and 3割 among the 55% who are taxed, for 5% and 4% overall.
    let draw = |rng: &mut R| match rng.gen_range(0..1000) {
        0..=90 => CopayRate::Two,
        91..=163 => CopayRate::Three,
        _ => CopayRate::One,
    };
    let current = draw(rng);
    let previous = if rng.gen_bool(0.85) {
        current
    } else {
        draw(rng)
    };
    [previous, current]
}

pub(super) fn copay<R: Rng>(
    ctx: &Context,
    rng: &mut R,
    p: &Person,
    rates: [CopayRate; 2],
    out: &mut Vec<Version>,
) {
    let (Some(first), Some(end)) = (p.certs.first(), p.covered_until(ctx.as_of)) else {
        return;
    };
    let periods = periods(ctx.as_of, first.valid_from, end);
    let skip = 2 - periods.len();
    for (i, (from, to)) in periods.into_iter().enumerate() {
        let body = CopayCertificate {
            rate: rates[skip + i],
            valid_from: from,
            valid_to: to,
            issued_on: issued_on(rng, from, first.certified_on, ctx.as_of),
        };
        let history = out.len() as u16 + 1;
        out.push(version(
            ctx,
            p.insured,
            history,
            from,
            RecordBody::CopayCertificate(body),
        ));
    }
}

pub(super) fn reduction<R: Rng>(ctx: &Context, rng: &mut R, p: &Person, out: &mut Vec<Version>) {
    if !p.low_income || !p.is_certified() {
        return;
    }
    let share = if p.facility.is_some() { 0.9 } else { 0.35 };
    if !rng.gen_bool(share) {
        return;
    }
    let (first, Some(end)) = (&p.certs[0], p.covered_until(ctx.as_of)) else {
        return;
    };
    // Applied for on admission, or at some point while certified (before a short stay).
    let applied = match &p.facility {
        Some(f) => f.admitted_on,
        None => between(rng, first.valid_from, end).unwrap_or(first.valid_from),
    };
    let start = applied.first_of_month().max(first.valid_from);
    let kind = rng.gen_range(0..100);
    let mut stage = match rng.gen_range(0..100) {
        0..=9 => CostLimitStage::Stage1,
        10..=49 => CostLimitStage::Stage2,
        50..=74 => CostLimitStage::Stage3a,
        _ => CostLimitStage::Stage3b,
    };
    let mut stages = Vec::with_capacity(2);
    let periods = periods(ctx.as_of, start, end);
    for _ in &periods {
        stages.push(stage);
        // Income moves a little from year to year; going back, the stage may differ.
        if rng.gen_bool(0.2) {
            let i = CostLimitStage::ALL
                .iter()
                .position(|&s| s == stage)
                .unwrap_or(1);
            stage = CostLimitStage::ALL[if i == 0 { 1 } else { i - 1 }];
        }
    }
    stages.reverse();
    let welfare_rate = [95, 100][rng.gen_range(0..2)];
    let social_rate = match rng.gen_range(0..20) {
        0..=15 => 25,
        16..=18 => 50,
        _ => 100,
    };
    for ((from, to), stage) in periods.into_iter().zip(stages) {
        let reduction = match kind {
            0..=89 => Reduction::CostLimit {
                stage,
                limits: rules::daily_limits(stage),
            },
            90..=93 => Reduction::CopayReduction {
                benefit_rate_percent: welfare_rate,
            },
            _ => Reduction::SocialWelfareReduction {
                reduction_rate_percent: social_rate,
            },
        };
        let decided = applied.add_days(rng.gen_range(7..=21));
        let body = ReductionCertificate {
            reduction,
            valid_from: from,
            valid_to: to,
            issued_on: issued_on(rng, from, decided, ctx.as_of),
        };
        let history = out.len() as u16 + 1;
        out.push(version(
            ctx,
            p.insured,
            history,
            from,
            RecordBody::ReductionCertificate(body),
        ));
    }
}
