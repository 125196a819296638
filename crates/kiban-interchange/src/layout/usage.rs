//! 住宅改修費利用情報 and 福祉用具購入費利用情報 layouts: one payment decision per version.

use super::{col, Column, Fields, ADDRESS, COMMON, NAME, SHORT};
use kiban_domain::codes::CareLevel;
use kiban_domain::records::{
    EquipmentItem, EquipmentPurchaseUsage, HomeModificationUsage, ResetReason,
};

pub const HOME_COLUMNS: [Column; 11] = [
    COMMON[0],
    COMMON[1],
    COMMON[2],
    COMMON[3],
    COMMON[4],
    col("着工年月日", "started_on", SHORT),
    col("住宅改修住所", "address", ADDRESS),
    col("着工時要介護状態区分", "level_at_start", SHORT),
    col("費用額", "cost_yen", SHORT),
    col("保険給付額", "paid_yen", SHORT),
    col("リセット事由", "reset_reason", SHORT),
];

fn check_paid(f: &mut Fields, paid_col: usize, cost: Option<u32>, paid: Option<u32>) {
    if let (Some(cost), Some(paid)) = (cost, paid) {
        if paid > cost {
            f.fail(
                paid_col,
                "AMOUNT_EXCEEDS_COST",
                format!("保険給付額（{paid}円）が費用額（{cost}円）を超えています"),
                format!("paid amount ({paid} yen) exceeds the cost ({cost} yen)"),
            );
        }
    }
}

pub fn parse_home(f: &mut Fields) -> Option<HomeModificationUsage> {
    let started_on = f.date(5);
    let address = f.text(6, true);
    let level = f.required(7, "CODE_UNKNOWN", CareLevel::from_code);
    let cost = f.amount(8);
    let paid = f.amount(9);
    check_paid(f, 9, cost, paid);
    let reset = f.optional(10, "CODE_UNKNOWN", |s| {
        ResetReason::from_code(s).ok_or_else(|| {
            format!("リセット事由は1/2です: {s:?} / reset reason must be 1 or 2: {s:?}")
        })
    });
    Some(HomeModificationUsage {
        started_on: started_on?,
        address: address?,
        level_at_start: level?,
        cost_yen: cost?,
        paid_yen: paid?,
        reset: reset?,
    })
}

pub fn format_home(u: &HomeModificationUsage, out: &mut Vec<String>) {
    out.extend([
        u.started_on.yyyymmdd(),
        u.address.clone(),
        u.level_at_start.code().to_string(),
        u.cost_yen.to_string(),
        u.paid_yen.to_string(),
        u.reset.map(|r| r.code().to_string()).unwrap_or_default(),
    ]);
}

pub const EQUIPMENT_COLUMNS: [Column; 10] = [
    COMMON[0],
    COMMON[1],
    COMMON[2],
    COMMON[3],
    COMMON[4],
    col("購入年月日", "purchased_on", SHORT),
    col("種目コード", "item_code", SHORT),
    col("商品名", "product_name", NAME),
    col("購入金額", "cost_yen", SHORT),
    col("保険給付額", "paid_yen", SHORT),
];

pub fn parse_equipment(f: &mut Fields) -> Option<EquipmentPurchaseUsage> {
    let purchased_on = f.date(5);
    let item = f.required(6, "CODE_UNKNOWN", |s| {
        EquipmentItem::from_code(s)
            .ok_or_else(|| format!("種目コードが不明です: {s:?} / unknown equipment item: {s:?}"))
    });
    let product = f.text(7, true);
    let cost = f.amount(8);
    let paid = f.amount(9);
    check_paid(f, 9, cost, paid);
    Some(EquipmentPurchaseUsage {
        purchased_on: purchased_on?,
        item: item?,
        product: product?,
        cost_yen: cost?,
        paid_yen: paid?,
    })
}

pub fn format_equipment(u: &EquipmentPurchaseUsage, out: &mut Vec<String>) {
    out.extend([
        u.purchased_on.yyyymmdd(),
        u.item.code().to_string(),
        u.product.clone(),
        u.cost_yen.to_string(),
        u.paid_yen.to_string(),
    ]);
}
