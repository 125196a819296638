//! 一次判定 as a checked record. kiban does not compute the 樹形モデル (平成12年厚生省告示第91号,
//! run by 市町村 in MHLW's 一次判定ソフト; facts.md §3): it stores the software's result and checks
//! what can be checked without the trees — the 特別な医療 minutes against the survey, the total,
//! and the level against the time bands.
//!
//! Minutes are held as whole tenths ([`Minutes`]): every published figure has one decimal, and
//! integer tenths make "equals the sum" an exact comparison, which `f64` would not.

use super::survey::Survey;
use crate::codes::CareLevel;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A duration of 要介護認定等基準時間 in tenths of a minute (`Minutes(255)` = 25.5 分).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Minutes(#[serde(deserialize_with = "crate::whole::number")] pub u32);

impl Minutes {
    pub const fn from_tenths(tenths: u32) -> Self {
        Self(tenths)
    }

    pub const fn tenths(self) -> u32 {
        self.0
    }
}

impl std::ops::Add for Minutes {
    type Output = Minutes;
    fn add(self, rhs: Minutes) -> Minutes {
        Minutes(self.0 + rhs.0)
    }
}

impl std::iter::Sum for Minutes {
    fn sum<I: Iterator<Item = Minutes>>(iter: I) -> Minutes {
        iter.fold(Minutes(0), |a, b| a + b)
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}分", self.0 / 10, self.0 % 10)
    }
}

/// 特別な医療 item → added minutes (facts.md §3 table, from the public kaigo-app and "as
/// remembered" from the 告示).
pub const SPECIAL_MEDICAL_MINUTES: [(&str, Minutes); 12] = [
    ("6-1", Minutes(85)),  // 点滴の管理
    ("6-2", Minutes(85)),  // 中心静脈栄養
    ("6-3", Minutes(85)),  // 透析
    ("6-4", Minutes(38)),  // ストーマの処置
    ("6-5", Minutes(8)),   // 酸素療法
    ("6-6", Minutes(45)),  // レスピレーター
    ("6-7", Minutes(56)),  // 気管切開の処置
    ("6-8", Minutes(21)),  // 疼痛の看護
    ("6-9", Minutes(91)),  // 経管栄養
    ("6-10", Minutes(36)), // モニター測定
    ("6-11", Minutes(40)), // じょくそうの処置
    ("6-12", Minutes(82)), // カテーテル
];

/// The 特別な医療 minutes the survey implies: the sum over the items answered ある.
pub fn special_medical_minutes(survey: &Survey) -> Minutes {
    survey
        .special_medical_present()
        .filter_map(|code| SPECIAL_MEDICAL_MINUTES.iter().find(|(c, _)| *c == code))
        .map(|(_, m)| *m)
        .sum()
}

/// Minutes per 行為区分, as the 一次判定ソフト prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActMinutes {
    /// 食事
    pub meal: Minutes,
    /// 排泄
    pub excretion: Minutes,
    /// 移動
    pub movement: Minutes,
    /// 清潔保持
    pub hygiene: Minutes,
    /// 間接生活介助
    pub indirect: Minutes,
    /// BPSD関連行為
    pub bpsd: Minutes,
    /// 機能訓練関連行為
    pub functional_training: Minutes,
    /// 医療関連行為 (without the 特別な医療 minutes, see [`PrimaryJudgment::total`]).
    pub medical: Minutes,
}

impl ActMinutes {
    pub fn sum(&self) -> Minutes {
        [
            self.meal,
            self.excretion,
            self.movement,
            self.hygiene,
            self.indirect,
            self.bpsd,
            self.functional_training,
            self.medical,
        ]
        .into_iter()
        .sum()
    }
}

/// The recorded 一次判定.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryJudgment {
    pub acts: ActMinutes,
    pub special_medical: Minutes,
    /// 要介護認定等基準時間 = Σ 8 行為区分 + 特別な医療. **[unverified]** whether the software
    /// folds the 特別な医療 minutes into 医療関連行為 or adds them on top; kiban assumes on top.
    pub total: Minutes,
    pub level: CareLevel,
    /// 認知症加算 applied. The exact rule is a **[gap]** in facts.md; kiban only allows the level
    /// to sit one band above the total's band when this is set.
    pub dementia_addition: bool,
}

/// A problem of a recorded 一次判定.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JudgmentError {
    #[error("特別な医療の時間{recorded}が調査票から求めた{expected}と一致しません / special medical minutes {recorded} differ from {expected} implied by the survey")]
    SpecialMedical {
        recorded: Minutes,
        expected: Minutes,
    },
    #[error("基準時間{recorded}が8行為区分と特別な医療の合計{expected}と一致しません / total {recorded} differs from the sum {expected}")]
    Total {
        recorded: Minutes,
        expected: Minutes,
    },
    #[error("一次判定{level}は基準時間{total}の区分（{allowed}）にありません / level {} is not allowed for {total} (allowed: {allowed})", .level.code())]
    Level {
        level: CareLevel,
        total: Minutes,
        allowed: String,
    },
}

/// Lower bounds of the bands of facts.md §3 (in tenths) and the levels each band allows.
const BANDS: [(u32, &[CareLevel]); 7] = [
    (0, &[CareLevel::NotApplicable]),
    (250, &[CareLevel::Support1]),
    (320, &[CareLevel::Support2, CareLevel::Care1]),
    (500, &[CareLevel::Care2]),
    (700, &[CareLevel::Care3]),
    (900, &[CareLevel::Care4]),
    (1100, &[CareLevel::Care5]),
];

/// The band index (0 = 非該当 … 6 = 要介護5) of a total: `< 25` 非該当, `25–<32` 要支援1,
/// `32–<50` 要支援2 or 要介護1 (split by 認知機能 and 状態の安定性, which the 審査会 weighs),
/// `50–<70` 要介護2, `70–<90` 要介護3, `90–<110` 要介護4, `≥ 110` 要介護5.
fn band_index(total: Minutes) -> usize {
    BANDS
        .iter()
        .rposition(|(low, _)| total.0 >= *low)
        .unwrap_or(0)
}

/// The levels the time band of `total` allows.
pub fn level_band(total: Minutes) -> &'static [CareLevel] {
    BANDS[band_index(total)].1
}

/// Checks a recorded 一次判定 against its survey. The first problem is returned, in the order
/// 特別な医療 → total → level, because a wrong input sum makes the later checks meaningless.
pub fn check(judgment: &PrimaryJudgment, survey: &Survey) -> Result<(), JudgmentError> {
    let expected = special_medical_minutes(survey);
    if judgment.special_medical != expected {
        return Err(JudgmentError::SpecialMedical {
            recorded: judgment.special_medical,
            expected,
        });
    }
    let sum = judgment.acts.sum() + judgment.special_medical;
    if judgment.total != sum {
        return Err(JudgmentError::Total {
            recorded: judgment.total,
            expected: sum,
        });
    }
    let index = band_index(judgment.total);
    let mut allowed: Vec<CareLevel> = BANDS[index].1.to_vec();
    if judgment.dementia_addition {
        if let Some((_, higher)) = BANDS.get(index + 1) {
            allowed.extend_from_slice(higher);
        }
    }
    if !allowed.contains(&judgment.level) {
        let names: Vec<&str> = allowed.iter().map(|l| l.label()).collect();
        return Err(JudgmentError::Level {
            level: judgment.level,
            total: judgment.total,
            allowed: names.join("・"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
