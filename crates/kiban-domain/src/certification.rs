//! 要介護認定: the pure rules of the electronic certification workflow (issue 5). No IO: the
//! store keeps [`Progress`], [`Deadline`], [`Survey`] and the judgments as JSON, and the
//! application layer calls these checks before it appends anything.
//!
//! The model follows the MHLW diagram quoted in `/work/shared/domain/facts.md` §3 "要介護認定":
//! 申請受付 → 認定調査依頼 and 主治医意見書依頼 (in parallel) → 調査完了 / 意見書受領 → 一次判定
//! → 介護認定審査会 (二次判定) → 認定 / 却下, with 取下げ possible until the end.
//!
//! - [`application`]: 申請区分, 申請者, and [`Progress`], the state machine of one application.
//!   Survey and opinion are two independent sub-states, so that neither waits for the other; the
//!   later stages are a plain sequence. [`Status`] is the one display status for care managers,
//!   who today phone the municipality to learn it.
//! - [`deadline`]: the 30-day decision deadline of 介護保険法27条11項 and its 処理延期.
//! - [`survey`] and [`survey_items`]: the 認定調査票 (概況調査, 74 基本調査 items, 日常生活自立度,
//!   特記事項) and its validation, reporting every problem at once.
//! - [`judgment`]: the 一次判定 as recorded from the municipality's MHLW software. kiban does not
//!   compute the 樹形モデル (告示 平成12年厚生省告示第91号); it checks the record's arithmetic,
//!   the 特別な医療 minutes against the survey, and the level against the time bands.
//! - [`committee`]: the 介護認定審査会's 二次判定 and the legal ranges of the 有効期間.
//!
//! Facts marked **[unverified]** in facts.md stay marked here; where facts.md has a **[gap]**
//! the rule chosen is documented at the place it is applied.

pub mod application;
pub mod committee;
pub mod deadline;
pub mod judgment;
pub mod survey;
pub mod survey_items;

pub use application::{
    Applicant, ApplicationKind, Event, OpinionState, Outcome, Progress, Status, StepKind,
    SurveyState, TransitionError,
};
pub use committee::{
    check as check_committee, month_range, CommitteeError, CommitteeResult, ValidityPeriod,
};
pub use deadline::{Deadline, DeadlineError, Extension, DECISION_DAYS};
pub use judgment::{
    check as check_primary_judgment, level_band, special_medical_minutes, ActMinutes,
    JudgmentError, Minutes, PrimaryJudgment, SPECIAL_MEDICAL_MINUTES,
};
pub use survey::{
    validate as validate_survey, DementiaIndependence, PhysicalIndependence, PlaceKind, ServiceUse,
    Survey, SurveyError, SurveyPlace, Surveyor,
};
pub use survey_items::{item, Group, Item, ITEMS, ITEM_COUNT};

/// The 基本調査 item table of docs/interface/certification.md: every item with its code, group
/// and allowed answers, rendered from [`ITEMS`] (a test keeps the document in step).
pub fn survey_item_table() -> String {
    let mut out =
        String::from("| 項目コード | 群 | 項目 | 選択肢（回答コード） |\n|---|---|---|---|\n");
    for item in ITEMS {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            item.code,
            item.group.label(),
            item.label,
            item.allowed()
        ));
    }
    out
}

#[cfg(test)]
mod doc_tests {
    const DOC: &str = include_str!("../../../docs/interface/certification.md");

    #[test]
    fn the_interface_document_lists_every_survey_item_as_the_code_does() {
        let table = super::survey_item_table();
        assert!(
            DOC.contains(&table),
            "docs/interface/certification.md item table differs from certification::ITEMS; \
             replace it with:\n{table}"
        );
    }
}
