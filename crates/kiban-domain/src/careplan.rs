//! ケアプラン: the care-plan documents of the ケアプランデータ連携 standard (facts.md §4) and the
//! municipal calculations over them (facts.md §5, §9). Pure: the interchange crate reads and
//! writes the files, the store keeps the documents, the application layer decides who may see
//! them.
//!
//! - [`official`]: the records of the official CSV layout (第4.1版), one type per file kind,
//!   declared field by field.
//! - [`documents`]: what the records make per person: 第1表–第3表 ([`CarePlan`]), 第6表/第7表
//!   ([`ServiceUse`]), 実績 ([`ServiceResults`]), 利用者補足情報 ([`Supplement`]), 利用者基本情報
//!   ([`BasicInfo`]), 介護予防サービス・支援計画書 ([`PreventionPlan`]) and 削除 ([`Deletion`]).
//! - [`month`]: [`YearMonth`], the 対象年月.
//! - [`lifecycle`]: what is recorded of each exchanged document: [`DocKind`], [`DocKey`],
//!   [`DocStatus`] and the person's answer to a draft ([`PlanDecision`]).
//! - [`period`]: [`JudgmentPeriod`], the 判定期間 (前期/後期) of 特定事業所集中減算, with its
//!   届出期限 and 減算適用期間.
//! - [`holiday`]: 国民の祝日, 振替休日, 国民の休日 and 行政機関の休日, for deadlines that move to
//!   the previous working day.
//! - [`concentration`]: 特定事業所集中減算 ([`judge`]): 紹介率最高法人 ratio per covered service,
//!   正当な理由, −200 units.
//! - [`caseload`](mod@caseload): care-manager caseload ([`caseload()`]): 要支援 as ⅓, 人員基準 44/49, 逓減 bands.
//! - [`suppress`]: small-cell suppression ([`suppress_table`]) for regional statistics.

pub mod caseload;
pub mod concentration;
pub mod documents;
pub mod holiday;
pub mod lifecycle;
pub mod month;
pub mod official;
pub mod period;
pub mod suppress;

pub use caseload::{caseload, Caseload, CaseloadError, FeeBand, FeeTable, Staffing};
pub use concentration::{
    judge, CorporationKey, Exclusion, JustReason, OfficeCounts, OfficeJudgment, ServiceCounts,
    ServiceJudgment, COVERED_SERVICES, REDUCTION_UNITS_PER_MONTH,
};
pub use documents::*;
pub use lifecycle::{DocKey, DocKind, DocStatus, PlanDecision};
pub use month::{MonthError, YearMonth};
pub use period::{Half, JudgmentPeriod, PeriodError};
pub use suppress::{suppress_table, Cell, SuppressedTable, MIN_CELL};
