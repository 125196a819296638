//! Ledger bodies: 住宅改修費利用情報 and 福祉用具購入費利用情報. Each version is one payment
//! decision; the remaining allowance is computed by [`crate::rules::allowance`].

use crate::codes::CareLevel;
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// Why the ¥200,000 住宅改修 allowance starts afresh with this entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetReason {
    /// 1 転居: the person moved house.
    Moved,
    /// 2 介護の必要の程度が3段階以上上昇.
    ThreeStepRise,
}

impl ResetReason {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "1" => Some(Self::Moved),
            "2" => Some(Self::ThreeStepRise),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Moved => "1",
            Self::ThreeStepRise => "2",
        }
    }
}

/// One 住宅改修費 payment decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeModificationUsage {
    /// 着工年月日
    pub started_on: Date,
    /// 住宅改修の住所
    pub address: String,
    /// 着工時の要介護状態区分, the base of the 3-step rule.
    pub level_at_start: CareLevel,
    /// 費用額 (yen, before the copay)
    pub cost_yen: u32,
    /// 保険給付額 (yen)
    pub paid_yen: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<ResetReason>,
}

/// 特定福祉用具 種目 (kiban's codes; the national code list is not public).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EquipmentItem {
    /// 01 腰掛便座
    ToiletSeat,
    /// 02 自動排泄処理装置の交換可能部品
    ExcretionDeviceParts,
    /// 03 排泄予測支援機器
    ExcretionPredictor,
    /// 04 入浴補助用具
    BathAid,
    /// 05 簡易浴槽
    PortableBath,
    /// 06 移動用リフトのつり具の部分
    LiftSling,
    /// 07 固定用スロープ (2024 選択制)
    FixedSlope,
    /// 08 歩行器 (歩行車を除く, 2024 選択制)
    Walker,
    /// 09 単点杖・多点杖 (松葉杖を除く, 2024 選択制)
    Cane,
}

impl EquipmentItem {
    pub const ALL: [EquipmentItem; 9] = [
        Self::ToiletSeat,
        Self::ExcretionDeviceParts,
        Self::ExcretionPredictor,
        Self::BathAid,
        Self::PortableBath,
        Self::LiftSling,
        Self::FixedSlope,
        Self::Walker,
        Self::Cane,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::ToiletSeat => "01",
            Self::ExcretionDeviceParts => "02",
            Self::ExcretionPredictor => "03",
            Self::BathAid => "04",
            Self::PortableBath => "05",
            Self::LiftSling => "06",
            Self::FixedSlope => "07",
            Self::Walker => "08",
            Self::Cane => "09",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.code() == code)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::ToiletSeat => "腰掛便座",
            Self::ExcretionDeviceParts => "自動排泄処理装置の交換可能部品",
            Self::ExcretionPredictor => "排泄予測支援機器",
            Self::BathAid => "入浴補助用具",
            Self::PortableBath => "簡易浴槽",
            Self::LiftSling => "移動用リフトのつり具の部分",
            Self::FixedSlope => "固定用スロープ",
            Self::Walker => "歩行器",
            Self::Cane => "杖",
        }
    }
}

/// One 特定福祉用具購入費 payment decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquipmentPurchaseUsage {
    /// 購入年月日; the April–March year of this date is charged.
    pub purchased_on: Date,
    pub item: EquipmentItem,
    /// 商品名
    pub product: String,
    /// 購入金額 (yen)
    pub cost_yen: u32,
    /// 保険給付額 (yen)
    pub paid_yen: u32,
}
