//! 介護認定審査会 and its 二次判定: the level, the 有効期間, the 審査会の意見 and the サービスの種類の
//! 指定 (介護保険法27条5項・7項), checked against the legal ranges before the 認定 is issued.
//!
//! 有効期間 ranges, **[unverified]** domain knowledge (facts.md §3):
//! - 新規 and 区分変更: 3–12 months (normally 6), starting on the 申請日 (the 認定 is retroactive
//!   to the application, 介護保険法27条8項).
//! - 更新: 3–36 months (normally 12), or up to 48 when the level is unchanged from the previous
//!   certification (from 2021), starting the day after the previous period ends.
//!
//! Counting months: a period always ends on the last day of a month. A first month that starts
//! on its 1st counts in full; a partial first month (新規 applied mid-month) does not count, so
//! 2026-04-15 – 2026-10-31 is 6 months, as under 介護保険法施行規則38条 ("申請日から当該月の末日
//! までの期間 + n 月") **[unverified]**.
//!
//! 非該当 (code 01) is a decision without a 有効期間 and without service designation: it
//! certifies no need, so the period and the services must be absent; the workflow then closes
//! the application as 却下-like ([`super::Outcome::Rejected`]).

use super::application::ApplicationKind;
use crate::codes::{CareLevel, ServiceKind};
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// 有効期間: both ends inclusive; the checked form of [`CommitteeResult`]'s two dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityPeriod {
    pub valid_from: Date,
    pub valid_to: Date,
}

impl CommitteeResult {
    /// The 有効期間 when both ends are given.
    pub fn period(&self) -> Option<ValidityPeriod> {
        Some(ValidityPeriod {
            valid_from: self.valid_from?,
            valid_to: self.valid_to?,
        })
    }
}

impl ValidityPeriod {
    /// Months as the statute counts them (see the module documentation).
    pub fn months(self) -> i32 {
        let index = |d: Date| d.year() * 12 + d.month() as i32;
        index(self.valid_to) - index(self.valid_from) + i32::from(self.valid_from.day() == 1)
    }
}

/// The 審査会's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeResult {
    /// 審査会の開催日.
    pub committee_on: Date,
    /// 二次判定の結果 (may differ from the 一次判定).
    pub level: CareLevel,
    /// 有効期間の開始日; `None` exactly when the level is 非該当 (both ends together).
    pub valid_from: Option<Date>,
    /// 有効期間の終了日, always a month end.
    pub valid_to: Option<Date>,
    /// 審査会の意見 (介護保険法27条5項), printed on the 被保険者証.
    pub opinion: Option<String>,
    /// サービスの種類の指定: when set, only these kinds may be used.
    #[serde(default)]
    pub designated_services: Vec<ServiceKind>,
}

/// Why a 審査会 result was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitteeError {
    #[error("{level}は審査会の判定結果になりません / {} is not a committee result", .level.code())]
    NotACommitteeLevel { level: CareLevel },
    #[error("審査会開催日{committee_on}が申請日{applied_on}より前です / committee date {committee_on} is before the application day {applied_on}")]
    CommitteeBeforeApplication {
        committee_on: Date,
        applied_on: Date,
    },
    #[error("非該当には有効期間を付けません / a 非該当 decision has no validity period")]
    PeriodForNotApplicable,
    #[error("非該当にはサービスの種類を指定できません / a 非該当 decision designates no services")]
    ServicesForNotApplicable,
    #[error("有効期間の開始日と終了日は両方必要です / validity needs both a start and an end")]
    PartialPeriod,
    #[error("{level}の認定には有効期間が必要です / a {} certification needs a validity period", .level.code())]
    MissingPeriod { level: CareLevel },
    #[error("有効期間の開始日{valid_from}が終了日{valid_to}より後です / validity starts {valid_from} after it ends {valid_to}")]
    ReversedPeriod { valid_from: Date, valid_to: Date },
    #[error("有効期間の終了日{valid_to}が月末ではありません / validity end {valid_to} is not the last day of a month")]
    NotMonthEnd { valid_to: Date },
    #[error("{kind}の有効期間は{expected}から始まります（{got}ではありません） / a {} certification starts on {expected}, not {got}", .kind.code())]
    WrongStart {
        kind: ApplicationKind,
        expected: Date,
        got: Date,
    },
    #[error("更新申請には前回の認定が必要です / a renewal needs the previous certification")]
    MissingPrevious,
    #[error("{kind}の有効期間{months}か月は{min}〜{max}か月の範囲外です / a {} period of {months} months is outside {min}–{max}", .kind.code())]
    PeriodOutOfRange {
        kind: ApplicationKind,
        months: i32,
        min: i32,
        max: i32,
    },
    #[error("サービスの種類{kind}が重複して指定されています / service kind {} designated twice", .kind.code())]
    DuplicateService { kind: ServiceKind },
    #[error("審査会の意見が{chars}文字あり、上限{OPINION_MAX_CHARS}文字を超えています / the committee opinion has {chars} characters, over the limit of {OPINION_MAX_CHARS}")]
    OpinionTooLong { chars: usize },
    #[error("審査会の意見に JIS X 0213 にない文字があります: {0} / the committee opinion holds a character outside JIS X 0213: {0}")]
    OpinionCharacter(String),
}

/// The longest 審査会の意見, in characters: the 被保険者証 interface column it is printed into
/// (認定審査会意見, docs/interface/municipal.md) takes no more, so a longer one would make a card
/// version that kiban's own import refuses.
pub const OPINION_MAX_CHARS: usize = 500;

/// The legal range of months for `kind`; `unchanged` = same level as the previous 認定.
pub fn month_range(kind: ApplicationKind, unchanged: bool) -> (i32, i32) {
    match kind {
        ApplicationKind::New | ApplicationKind::LevelChange => (3, 12),
        ApplicationKind::Renewal if unchanged => (3, 48),
        ApplicationKind::Renewal => (3, 36),
    }
}

/// Checks a 審査会 result for an application of `kind` received on `applied_on`. `previous` is
/// the previous 認定's level and the last day of its 有効期間; it is required for 更新 and
/// ignored otherwise.
pub fn check(
    kind: ApplicationKind,
    applied_on: Date,
    previous: Option<(CareLevel, Date)>,
    result: &CommitteeResult,
) -> Result<(), CommitteeError> {
    use CommitteeError as E;
    if let Some(opinion) = &result.opinion {
        let chars = opinion.chars().count();
        if chars > OPINION_MAX_CHARS {
            return Err(E::OpinionTooLong { chars });
        }
        crate::text::check_jis_x0213(opinion).map_err(|e| E::OpinionCharacter(e.to_string()))?;
    }
    if result.committee_on < applied_on {
        return Err(E::CommitteeBeforeApplication {
            committee_on: result.committee_on,
            applied_on,
        });
    }
    if result.level == CareLevel::NotApplicable {
        if result.valid_from.is_some() || result.valid_to.is_some() {
            return Err(E::PeriodForNotApplicable);
        }
        if !result.designated_services.is_empty() {
            return Err(E::ServicesForNotApplicable);
        }
        return Ok(());
    }
    // 事業対象者 comes from the 基本チェックリスト and 経過的要介護 is legacy: neither is a
    // 審査会 decision.
    if !result.level.is_certified() || result.level == CareLevel::TransitionalCare {
        return Err(E::NotACommitteeLevel {
            level: result.level,
        });
    }
    let period = match (result.valid_from, result.valid_to) {
        (None, None) => {
            return Err(E::MissingPeriod {
                level: result.level,
            })
        }
        _ => result.period().ok_or(E::PartialPeriod)?,
    };
    let ValidityPeriod {
        valid_from,
        valid_to,
    } = period;
    if valid_from > valid_to {
        return Err(E::ReversedPeriod {
            valid_from,
            valid_to,
        });
    }
    if valid_to != valid_to.last_of_month() {
        return Err(E::NotMonthEnd { valid_to });
    }
    let (expected, unchanged) = match kind {
        ApplicationKind::New | ApplicationKind::LevelChange => (applied_on, false),
        ApplicationKind::Renewal => {
            let (level, ended_on) = previous.ok_or(E::MissingPrevious)?;
            (ended_on.add_days(1), level == result.level)
        }
    };
    if valid_from != expected {
        return Err(E::WrongStart {
            kind,
            expected,
            got: valid_from,
        });
    }
    let (min, max) = month_range(kind, unchanged);
    let months = period.months();
    if !(min..=max).contains(&months) {
        return Err(E::PeriodOutOfRange {
            kind,
            months,
            min,
            max,
        });
    }
    for (i, service) in result.designated_services.iter().enumerate() {
        if result.designated_services[..i].contains(service) {
            return Err(E::DuplicateService { kind: *service });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
