//! The 住宅改修費 and 福祉用具購入費 ledgers of one person (see [`super::certificates`] for the
//! shares). Each payment is one version applying from its 支給決定年月日.

use super::people::Person;
use super::{between, version, Context};
use kiban_domain::codes::{CareLevel, CopayRate};
use kiban_domain::date::Date;
use kiban_domain::records::EquipmentItem::{Cane, FixedSlope, Walker};
use kiban_domain::records::{
    EquipmentItem, EquipmentPurchaseUsage, HomeModificationUsage, RecordBody, Version,
};
use kiban_domain::rules;
use kiban_domain::rules::allowance::{EQUIPMENT_LIMIT_YEN, HOME_MODIFICATION_LIMIT_YEN};
use rand::Rng;

/// The 給付率 in tenths for a payment on `date`: the previous period's rate before the current
/// period starts.
fn paid(cost: u32, date: Date, as_of: Date, rates: [CopayRate; 2]) -> u32 {
    let rate = if date < rules::copay_period(as_of).0 {
        rates[0]
    } else {
        rates[1]
    };
    (u64::from(cost) * u64::from(10 - rate.tenths()) / 10) as u32
}

/// (start, decision) dates of `n` payments in decision order: each starts (着工・購入) inside
/// the certification, at least `lag` days before as-of, and is decided (支給決定, the
/// version's 適用開始年月日) `lag`/2 to `lag` days later.
fn usage_dates<R: Rng>(
    rng: &mut R,
    p: &Person,
    as_of: Date,
    n: usize,
    lag: i64,
) -> Vec<(Date, Date)> {
    let (Some(first), Some(mut end)) = (p.certs.first(), p.covered_until(as_of)) else {
        return Vec::new();
    };
    if let Some(f) = &p.facility {
        // A facility provides what is needed; works and purchases happen before admission.
        end = end.min(f.admitted_on.add_days(-1));
    }
    let lo = first.valid_from.add_days(14).max(as_of.add_months(-60));
    let mut dates: Vec<(Date, Date)> = (0..n)
        .filter_map(|_| {
            let start = between(rng, lo, end.add_days(-lag))?;
            Some((
                start,
                start.add_days(rng.gen_range(lag / 2..=lag)).min(as_of),
            ))
        })
        .collect();
    dates.sort_by_key(|&(start, decided)| (decided, start));
    dates
}

pub(super) fn home<R: Rng>(
    ctx: &Context,
    rng: &mut R,
    p: &Person,
    rates: [CopayRate; 2],
    out: &mut Vec<Version>,
) {
    if !p.is_certified() || !rng.gen_bool(0.035) {
        return;
    }
    let n = if rng.gen_bool(0.7) { 1 } else { 2 };
    let mut left = HOME_MODIFICATION_LIMIT_YEN;
    for (started_on, decided_on) in usage_dates(rng, p, ctx.as_of, n, 75) {
        let Some(level_at_start) = p.level_on(started_on) else {
            continue;
        };
        if left < 10_000 || level_at_start == CareLevel::ProjectEligible {
            break;
        }
        // Handrails and steps are cheap, bathrooms and floors dear: mostly ¥30k–¥200k.
        let cost = (rng.gen_range(10_000..=left.min(200_000))
            + rng.gen_range(10_000..=left.min(200_000)))
            / 2
            / 10
            * 10;
        left -= cost;
        let body = HomeModificationUsage {
            started_on,
            address: p.residence.address.clone(),
            level_at_start,
            cost_yen: cost,
            paid_yen: paid(cost, started_on, ctx.as_of, rates),
            reset: None,
        };
        let history = out.len() as u16 + 1;
        out.push(version(
            ctx,
            p.insured,
            history,
            decided_on,
            RecordBody::HomeModificationUsage(body),
        ));
    }
}

/// One 特定福祉用具 種目: draw weight, price range in yen and product names.
struct Equipment {
    item: EquipmentItem,
    weight: u32,
    price: (u32, u32),
    products: &'static [&'static str],
}

const fn eq(
    item: EquipmentItem,
    weight: u32,
    price: (u32, u32),
    products: &'static [&'static str],
) -> Equipment {
    Equipment {
        item,
        weight,
        price,
        products,
    }
}

#[rustfmt::skip]
const EQUIPMENT: [Equipment; 9] = [
    eq(EquipmentItem::ToiletSeat, 33, (12_000, 60_000), &["ポータブルトイレ（木製いす型）", "ポータブルトイレ（樹脂製）", "補高便座", "昇降便座"]),
    eq(EquipmentItem::ExcretionDeviceParts, 2, (20_000, 60_000), &["自動排泄処理装置用レシーバー", "自動排泄処理装置用チューブ"]),
    eq(EquipmentItem::ExcretionPredictor, 1, (40_000, 90_000), &["排尿予測支援機器（超音波式）"]),
    eq(EquipmentItem::BathAid, 40, (8_000, 45_000), &["シャワーチェア", "浴槽用手すり", "入浴台", "浴室内すのこ", "浴槽内いす", "入浴用介助ベルト"]),
    eq(EquipmentItem::PortableBath, 2, (30_000, 90_000), &["簡易浴槽（空気式）", "簡易浴槽（折りたたみ式）"]),
    eq(EquipmentItem::LiftSling, 3, (20_000, 70_000), &["スリングシート（脚分離型）", "スリングシート（シート型）"]),
    eq(EquipmentItem::FixedSlope, 4, (10_000, 80_000), &["段差解消スロープ（固定式）"]),
    eq(EquipmentItem::Walker, 6, (15_000, 50_000), &["固定型歩行器", "交互型歩行器"]),
    eq(EquipmentItem::Cane, 9, (4_000, 20_000), &["多点杖", "単点杖（Ｔ字型）"]),
];

pub(super) fn equipment<R: Rng>(
    ctx: &Context,
    rng: &mut R,
    p: &Person,
    rates: [CopayRate; 2],
    out: &mut Vec<Version>,
) {
    if !p.is_certified() || !rng.gen_bool(0.056) {
        return;
    }
    let n = rng.gen_range(1..=3);
    let selective_from = Date::new(2024, 4, 1).expect("valid date");
    let mut bought: Vec<(i32, EquipmentItem, u32)> = Vec::with_capacity(n);
    for (purchased_on, decided_on) in usage_dates(rng, p, ctx.as_of, n, 45) {
        let year = purchased_on.fiscal_year();
        let spent: u32 = bought.iter().filter(|b| b.0 == year).map(|b| b.2).sum();
        let left = EQUIPMENT_LIMIT_YEN - spent;
        let allowed = |e: &&Equipment| {
            e.price.0 <= left
                && !bought.iter().any(|b| b.0 == year && b.1 == e.item)
                && (purchased_on >= selective_from || !matches!(e.item, FixedSlope | Walker | Cane))
        };
        let choices: Vec<&Equipment> = EQUIPMENT.iter().filter(allowed).collect();
        let total: u32 = choices.iter().map(|c| c.weight).sum();
        if total == 0 {
            continue;
        }
        let mut pick = rng.gen_range(0..total);
        let mut chosen = choices[0];
        for c in choices {
            if pick < c.weight {
                chosen = c;
                break;
            }
            pick -= c.weight;
        }
        let Equipment {
            item,
            price: (lo, hi),
            products,
            ..
        } = *chosen;
        let cost = rng.gen_range(lo..=hi.min(left)) / 10 * 10;
        bought.push((year, item, cost));
        let body = EquipmentPurchaseUsage {
            purchased_on,
            item,
            product: products[rng.gen_range(0..products.len())].to_string(),
            cost_yen: cost,
            paid_yen: paid(cost, purchased_on, ctx.as_of, rates),
        };
        let history = out.len() as u16 + 1;
        out.push(version(
            ctx,
            p.insured,
            history,
            decided_on,
            RecordBody::EquipmentPurchaseUsage(body),
        ));
    }
}

/// Every product name, for the repertoire tests.
#[cfg(test)]
pub(super) fn all_products() -> Vec<&'static str> {
    EQUIPMENT
        .iter()
        .flat_map(|e| e.products.iter().copied())
        .collect()
}
