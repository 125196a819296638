//! What the platform records about each care-plan document it exchanges: which of the three
//! documents it is ([`DocKind`]), the date or month that names it among the person's documents
//! ([`DocKey`]), where it stands ([`DocStatus`]) and, for a plan sent for 同意・確認, the person's
//! answer ([`PlanDecision`]). Each travels as a stable lowercase code (stored and sent over the
//! API) and prints as its Japanese label.

use super::month::YearMonth;
use crate::code_enum::code_enum;
use crate::date::Date;
use serde::Serialize;
use std::fmt;

code_enum! {
    /// The kind of an exchanged document.
    DocKind ("ケアプラン書類の種類", "care-plan document kind") {
        /// 第1表–第3表 (居宅サービス計画書), named by its 計画作成(変更)日.
        Plan = "plan", "居宅サービス計画書";
        /// 第6表・第7表 (サービス利用票・別表), named by its 対象年月.
        ServiceUse = "service_use", "サービス利用票";
        /// サービス提供実績, named by its 対象年月.
        Results = "results", "実績";
        /// 利用者基本情報 (介護予防), named by its 相談日.
        BasicInfo = "basic_info", "利用者基本情報";
        /// 介護予防サービス・支援計画書, named by its 計画作成(変更)日.
        PreventionPlan = "prevention_plan", "介護予防サービス・支援計画書";
    }
}

code_enum! {
    /// Where an exchanged document stands.
    DocStatus ("ケアプラン書類の状態", "care-plan document status") {
        /// 交付: a finalised plan, or a 利用票 / 実績 as sent.
        Issued = "issued", "交付済";
        /// 同意・確認用: sent to the person, not yet answered.
        Draft = "draft", "確認待ち";
        /// The person confirmed the draft.
        Confirmed = "confirmed", "本人確認済";
        /// The person answered the draft with a comment.
        Commented = "commented", "本人意見あり";
        /// Withdrawn by a 削除 send unit.
        Deleted = "deleted", "削除";
    }
}

impl DocStatus {
    /// A draft and its answers are between the care manager and the person only.
    pub fn is_draft_stage(self) -> bool {
        matches!(self, Self::Draft | Self::Confirmed | Self::Commented)
    }
}

code_enum! {
    /// The person's answer to a plan sent for 同意・確認.
    PlanDecision ("同意・確認の回答", "answer to a plan sent for confirmation") {
        /// The person agrees with the plan.
        Confirmed = "confirmed", "本人確認済";
        /// The person answers with a comment.
        Commented = "commented", "本人意見あり";
    }
}

impl PlanDecision {
    /// The status the plan takes when answered so (the same code).
    pub fn status(self) -> DocStatus {
        match self {
            Self::Confirmed => DocStatus::Confirmed,
            Self::Commented => DocStatus::Commented,
        }
    }
}

/// What names a document among the person's documents of its kind: a plan its 計画作成(変更)日
/// (written YYYYMMDD), a 利用票 or 実績 its 対象年月 (written YYYYMM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKey {
    PlanDate(Date),
    Month(YearMonth),
}

impl DocKey {
    /// The written form: YYYYMMDD or YYYYMM.
    pub fn text(self) -> String {
        match self {
            Self::PlanDate(d) => d.yyyymmdd(),
            Self::Month(m) => m.yyyymm(),
        }
    }
}

impl fmt::Display for DocKey {
    /// The written form, as [`DocKey::text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for DocKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_a_decision_is_the_status_it_leaves() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::from_code(kind.code()), Ok(*kind));
        }
        for status in DocStatus::ALL {
            assert_eq!(DocStatus::from_code(status.code()), Ok(*status));
        }
        for decision in PlanDecision::ALL {
            assert_eq!(decision.status().code(), decision.code());
            assert!(decision.status().is_draft_stage());
        }
        assert!(DocStatus::from_code("Issued").is_err());
        assert!(DocKind::from_code("").is_err());
        assert!(!DocStatus::Issued.is_draft_stage());
        assert_eq!(
            serde_json::to_string(&DocStatus::Draft).unwrap(),
            r#""draft""#
        );
    }

    #[test]
    fn a_key_is_written_as_its_date_or_month() {
        let day = DocKey::PlanDate(Date::parse_yyyymmdd("20260401").unwrap());
        let month = DocKey::Month(YearMonth::parse("202604").unwrap());
        assert_eq!(day.to_string(), "20260401");
        assert_eq!(month.text(), "202604");
        assert_eq!(serde_json::to_string(&month).unwrap(), r#""202604""#);
    }
}
