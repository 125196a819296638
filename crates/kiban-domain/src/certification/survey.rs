//! 認定調査票: 概況調査, 基本調査 (the 74 items of [`super::survey_items`]), 日常生活自立度 and
//! 特記事項 (facts.md §3 "認定調査票 structure").
//!
//! Answers are kept as a map item code → answer code rather than 74 typed fields, because the
//! surveyor's tablet sends them that way and because [`validate`] must be able to report an
//! unknown or malformed entry instead of failing to deserialise the whole survey.

use super::survey_items::{item, Group, ITEMS, PRESENT};
use crate::code_enum::code_enum;
use crate::codes::ServiceKind;
use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

code_enum! {
    /// 障害高齢者の日常生活自立度 (寝たきり度).
    PhysicalIndependence ("障害高齢者の日常生活自立度", "physical independence") {
        Independent = "independent", "自立";
        J1 = "J1", "J1";
        J2 = "J2", "J2";
        A1 = "A1", "A1";
        A2 = "A2", "A2";
        B1 = "B1", "B1";
        B2 = "B2", "B2";
        C1 = "C1", "C1";
        C2 = "C2", "C2";
    }
}

code_enum! {
    /// 認知症高齢者の日常生活自立度. II or higher weighs towards 要介護1 over 要支援2 (facts.md).
    DementiaIndependence ("認知症高齢者の日常生活自立度", "dementia independence") {
        Independent = "independent", "自立";
        I = "I", "Ⅰ";
        IIa = "IIa", "Ⅱa";
        IIb = "IIb", "Ⅱb";
        IIIa = "IIIa", "Ⅲa";
        IIIb = "IIIb", "Ⅲb";
        IV = "IV", "Ⅳ";
        M = "M", "M";
    }
}

code_enum! {
    /// 実施場所.
    PlaceKind ("調査実施場所", "survey place") {
        AtHome = "at_home", "自宅内";
        Elsewhere = "elsewhere", "自宅外";
    }
}

/// 調査実施者 (概況調査 I).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surveyor {
    pub name: String,
    /// 所属機関 (市町村, 指定市町村事務受託法人, 居宅介護支援事業所 …).
    pub affiliation: String,
}

/// 実施場所: kind, and free text (the facility's name when 自宅外, or a note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyPlace {
    pub kind: PlaceKind,
    pub detail: String,
}

/// One line of 現在受けているサービスの状況 (概況調査 III).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUse {
    pub kind: ServiceKind,
    /// 月あたりの利用回数 (日数 for 短期入所 …, as the form asks).
    #[serde(deserialize_with = "crate::whole::number")]
    pub times_per_month: u32,
}

/// One 認定調査票.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    /// 調査実施日.
    pub surveyed_on: Date,
    pub surveyor: Surveyor,
    pub place: SurveyPlace,
    pub current_services: Vec<ServiceUse>,
    /// 置かれている環境等 (概況調査 IV): family, housing, wishes, as free text.
    pub environment: String,
    /// 基本調査: item code ("1-1-1", "2-3", "6-12") → answer code ("1" …).
    pub answers: BTreeMap<String, String>,
    pub physical_independence: PhysicalIndependence,
    pub dementia_independence: DementiaIndependence,
    /// 特記事項: free text per item code; items without a note are absent.
    #[serde(default)]
    pub special_notes: BTreeMap<String, String>,
}

impl Survey {
    pub fn answer(&self, item_code: &str) -> Option<&str> {
        self.answers.get(item_code).map(String::as_str)
    }

    /// The codes of the 特別な医療 items answered ある, in form order.
    pub fn special_medical_present(&self) -> impl Iterator<Item = &'static str> + '_ {
        ITEMS
            .iter()
            .filter(|i| i.group == Group::SpecialMedical)
            .filter(|i| self.answer(i.code) == Some(PRESENT))
            .map(|i| i.code)
    }
}

/// One problem of a survey. Every variant names the item code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SurveyError {
    #[error("基本調査{item}「{label}」が未回答です（選択肢: {allowed}） / item {item} is not answered (allowed: {allowed})")]
    Missing {
        item: &'static str,
        label: &'static str,
        allowed: String,
    },
    #[error("基本調査{item}「{label}」の回答{got:?}は選択肢にありません（選択肢: {allowed}） / item {item}: answer {got:?} is not one of {allowed}")]
    OutOfRange {
        item: &'static str,
        label: &'static str,
        got: String,
        allowed: String,
    },
    #[error("調査項目{item:?}は存在しません / unknown survey item {item:?}")]
    UnknownItem { item: String },
    #[error(
        "特記事項の調査項目{item:?}は存在しません / special note for unknown survey item {item:?}"
    )]
    UnknownNoteItem { item: String },
}

impl SurveyError {
    /// The item code the error is about.
    pub fn item(&self) -> &str {
        match self {
            Self::Missing { item, .. } | Self::OutOfRange { item, .. } => item,
            Self::UnknownItem { item } | Self::UnknownNoteItem { item } => item,
        }
    }
}

/// Checks the 基本調査 answers and 特記事項 keys, reporting every problem so that the surveyor
/// can correct the form in one pass: missing items in form order, then unknown items and
/// out-of-range answers in code order, then notes on unknown items.
pub fn validate(survey: &Survey) -> Result<(), Vec<SurveyError>> {
    let mut errors: Vec<SurveyError> = ITEMS
        .iter()
        .filter(|i| !survey.answers.contains_key(i.code))
        .map(|i| SurveyError::Missing {
            item: i.code,
            label: i.label,
            allowed: i.allowed(),
        })
        .collect();
    for (code, answer) in &survey.answers {
        match item(code) {
            None => errors.push(SurveyError::UnknownItem { item: code.clone() }),
            Some(i) if i.answer_label(answer).is_none() => errors.push(SurveyError::OutOfRange {
                item: i.code,
                label: i.label,
                got: answer.clone(),
                allowed: i.allowed(),
            }),
            Some(_) => {}
        }
    }
    for code in survey.special_notes.keys() {
        if item(code).is_none() {
            errors.push(SurveyError::UnknownNoteItem { item: code.clone() });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
pub(crate) mod tests;
