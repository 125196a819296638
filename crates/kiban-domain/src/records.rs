//! The five versioned certificate records of the 介護情報基盤 (IF仕様書 2.0: キー項目 + 履歴番号).
//!
//! Every version is keyed by (保険者番号, 被保険者番号, 履歴番号) and never updated in place. A
//! municipality corrects a mistake by sending a higher 履歴番号 (変更) or by withdrawing one
//! version (削除), which is itself an appended fact. What is "current as of D" is derived from
//! the history by [`current_as_of`] and [`ledger_as_of`].

mod cards;
mod usage;

pub use cards::*;
pub use usage::*;

use crate::date::Date;
use crate::ids::{InsuredNumber, InsurerNumber};
use serde::{Deserialize, Serialize};

/// The record kinds, one interchange file kind each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RecordKind {
    /// 被保険者証
    InsuredCard,
    /// 負担割合証
    CopayCertificate,
    /// 減免減額認定証 (負担限度額認定証 and the other reductions)
    ReductionCertificate,
    /// 介護保険住宅改修費利用情報
    HomeModificationUsage,
    /// 介護保険福祉用具購入費利用情報
    EquipmentPurchaseUsage,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        Self::InsuredCard,
        Self::CopayCertificate,
        Self::ReductionCertificate,
        Self::HomeModificationUsage,
        Self::EquipmentPurchaseUsage,
    ];

    /// The code used in file names and in storage.
    pub fn code(self) -> &'static str {
        match self {
            Self::InsuredCard => "HIHO",
            Self::CopayCertificate => "FUTAN",
            Self::ReductionCertificate => "GENMEN",
            Self::HomeModificationUsage => "JUTAKU",
            Self::EquipmentPurchaseUsage => "FUKUSHI",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::InsuredCard => "被保険者証",
            Self::CopayCertificate => "負担割合証",
            Self::ReductionCertificate => "減免減額認定証",
            Self::HomeModificationUsage => "住宅改修費利用情報",
            Self::EquipmentPurchaseUsage => "福祉用具購入費利用情報",
        }
    }

    /// Usage kinds form a ledger of entries; the others are certificates with one current version.
    pub fn is_ledger(self) -> bool {
        matches!(
            self,
            Self::HomeModificationUsage | Self::EquipmentPurchaseUsage
        )
    }
}

/// 全件 (full) or 差分 (differential) load: the 区分 of an interchange file's name, and of its
/// entry in the import log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LoadMode {
    /// ZENKEN: the complete history of every person of this kind (初期セットアップ, 再送).
    Full,
    /// SABUN: 追加/変更/削除 rows since the last file.
    Differential,
}

impl LoadMode {
    pub fn code(self) -> &'static str {
        match self {
            Self::Full => "ZENKEN",
            Self::Differential => "SABUN",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Full, Self::Differential]
            .into_iter()
            .find(|m| m.code() == code)
    }
}

/// 操作区分 of a row in an interchange file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    /// A 追加: the first version of this kind for the person.
    Add,
    /// C 変更: a new version for a person who already has one.
    Change,
    /// D 削除: withdraws the version with this 履歴番号 (誤登録の取消).
    Delete,
}

impl Operation {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "A" => Some(Self::Add),
            "C" => Some(Self::Change),
            "D" => Some(Self::Delete),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Add => "A",
            Self::Change => "C",
            Self::Delete => "D",
        }
    }
}

/// The key of one version: (保険者番号, 被保険者番号, 履歴番号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VersionKey {
    pub insurer: InsurerNumber,
    pub insured: InsuredNumber,
    /// 履歴番号, 1..=9999, strictly increasing per person and kind.
    pub history: u16,
}

/// The body of a version, by kind.
// The 被保険者証 variant is much larger than the others; boxing it would add an allocation per
// row on the import hot path for no gain, since bodies are moved, not stored in bulk arrays.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body")]
pub enum RecordBody {
    InsuredCard(InsuredCard),
    CopayCertificate(CopayCertificate),
    ReductionCertificate(ReductionCertificate),
    HomeModificationUsage(HomeModificationUsage),
    EquipmentPurchaseUsage(EquipmentPurchaseUsage),
}

impl RecordBody {
    pub fn kind(&self) -> RecordKind {
        match self {
            Self::InsuredCard(_) => RecordKind::InsuredCard,
            Self::CopayCertificate(_) => RecordKind::CopayCertificate,
            Self::ReductionCertificate(_) => RecordKind::ReductionCertificate,
            Self::HomeModificationUsage(_) => RecordKind::HomeModificationUsage,
            Self::EquipmentPurchaseUsage(_) => RecordKind::EquipmentPurchaseUsage,
        }
    }

    /// The last day this version describes, if bounded: a certificate's 有効期間 end or a lost
    /// qualification. Ledger entries are never "expired".
    pub fn valid_until(&self) -> Option<Date> {
        match self {
            Self::InsuredCard(c) => c.disqualified_on.map(|d| d.add_days(-1)),
            Self::CopayCertificate(c) => Some(c.valid_to),
            Self::ReductionCertificate(c) => Some(c.valid_to),
            Self::HomeModificationUsage(_) | Self::EquipmentPurchaseUsage(_) => None,
        }
    }
}

/// One stored version. `applies_from` (適用開始年月日) is when this version takes effect; for a
/// ledger entry it is the 支給決定年月日.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub key: VersionKey,
    pub operation: Operation,
    pub applies_from: Date,
    pub body: RecordBody,
}

/// The version of a certificate in force on `date`: among versions that are not withdrawn and
/// apply from `date` or earlier, the one with the highest 履歴番号, provided `date` is still inside
/// its validity. Versions must all belong to one person and one kind.
pub fn current_as_of<'a>(
    versions: &'a [Version],
    withdrawn: &[u16],
    date: Date,
) -> Option<&'a Version> {
    let latest = versions
        .iter()
        .filter(|v| v.applies_from <= date && !withdrawn.contains(&v.key.history))
        .max_by_key(|v| v.key.history)?;
    match latest.body.valid_until() {
        Some(end) if end < date => None,
        _ => Some(latest),
    }
}

/// The ledger entries (住宅改修・福祉用具購入) that count on `date`: every entry not withdrawn and
/// decided on or before `date`, in 履歴番号 order.
pub fn ledger_as_of<'a>(
    versions: &'a [Version],
    withdrawn: &[u16],
    date: Date,
) -> Vec<&'a Version> {
    let mut entries: Vec<&Version> = versions
        .iter()
        .filter(|v| v.applies_from <= date && !withdrawn.contains(&v.key.history))
        .collect();
    entries.sort_by_key(|v| v.key.history);
    entries
}

#[cfg(test)]
mod tests;
