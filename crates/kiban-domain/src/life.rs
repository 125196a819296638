//! LIFE 利用者フィードバック票: the feedback the 科学的介護情報システム (LIFE) returns to an office
//! for each person and period, stored so that the person and the offices the person consents to
//! can see it. The national LIFE feedback layout is distributed to offices as PDF/CSV, not as a
//! public schema; this is kiban's documented JSON equivalent (`docs/interface/life.md`): the
//! measures LIFE reports (ADL as the Barthel Index, 栄養, 口腔, 認知症, 個別機能訓練) as
//! item / value / previous value / national reference. [`check`] holds the rules serde cannot
//! express, so that a stored sheet always reads back.

use crate::careplan::YearMonth;
use crate::codes::ServiceKind;
use crate::ids::OfficeNumber;
use serde::{Deserialize, Serialize};

/// One 利用者フィードバック票.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifeFeedback {
    /// 対象年月 of the assessment the feedback is about.
    pub period: YearMonth,
    /// The office whose submission LIFE fed back on.
    pub office: OfficeNumber,
    pub service_kind: ServiceKind,
    pub measures: Vec<LifeMeasure>,
}

/// One measure of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifeMeasure {
    pub domain: LifeDomain,
    /// Stable item code, e.g. "barthel_total", "bmi", "weight_change_pct".
    pub item: String,
    /// Japanese label as printed on the sheet.
    pub label: String,
    /// Decimal numbers as text ("62.5"), so values read back exactly.
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// 全国の同じサービスの利用者の値 (median) LIFE compares with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_reference: Option<String>,
    /// "点", "kg/m²", "%", "" …
    #[serde(default)]
    pub unit: String,
}

/// The LIFE 領域 a measure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LifeDomain {
    /// ADL (Barthel Index)
    Adl,
    /// 栄養
    Nutrition,
    /// 口腔
    Oral,
    /// 認知症
    Cognition,
    /// 個別機能訓練・リハビリテーション
    Function,
    /// その他
    Other,
}

impl LifeDomain {
    pub fn label(self) -> &'static str {
        match self {
            Self::Adl => "ADL",
            Self::Nutrition => "栄養",
            Self::Oral => "口腔",
            Self::Cognition => "認知症",
            Self::Function => "機能訓練",
            Self::Other => "その他",
        }
    }
}

/// What is wrong with a sheet: the JSON path and the reason, in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LifeProblem {
    pub path: String,
    pub message_ja: String,
    pub message_en: String,
}

/// The rules serde cannot express.
pub fn check(sheet: &LifeFeedback) -> Vec<LifeProblem> {
    let mut out = Vec::new();
    let mut problem = |path: String, ja: &str, en: &str| {
        out.push(LifeProblem {
            path,
            message_ja: ja.to_string(),
            message_en: en.to_string(),
        })
    };
    if sheet.measures.is_empty() {
        problem(
            "measures".into(),
            "項目が1つもありません",
            "there are no measures",
        );
    }
    for (i, m) in sheet.measures.iter().enumerate() {
        let at = |field: &str| format!("measures[{i}].{field}");
        if m.item.is_empty()
            || !m
                .item
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            problem(
                at("item"),
                "項目コードは英小文字・数字・_ です",
                "the item code is lowercase ASCII, digits and _",
            );
        }
        if m.label.trim().is_empty() {
            problem(at("label"), "項目名が空です", "the label is empty");
        }
        for (field, value) in [
            ("value", Some(&m.value)),
            ("previous", m.previous.as_ref()),
            ("national_reference", m.national_reference.as_ref()),
        ] {
            if let Some(v) = value {
                if !is_decimal(v) {
                    problem(
                        at(field),
                        "数値（例: 62.5）で記入してください",
                        "write a decimal number (e.g. 62.5)",
                    );
                }
            }
        }
        if sheet.measures[..i].iter().any(|p| p.item == m.item) {
            problem(
                at("item"),
                "同じ項目が2回あります",
                "the item appears twice",
            );
        }
    }
    out
}

fn is_decimal(v: &str) -> bool {
    let body = v.strip_prefix('-').unwrap_or(v);
    let mut parts = body.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(item: &str, value: &str) -> LifeMeasure {
        LifeMeasure {
            domain: LifeDomain::Adl,
            item: item.into(),
            label: "Barthel Index 合計".into(),
            value: value.into(),
            previous: Some("60".into()),
            national_reference: None,
            unit: "点".into(),
        }
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let sheet = LifeFeedback {
            period: YearMonth::parse("202609").unwrap(),
            office: OfficeNumber::parse("1370000011").unwrap(),
            service_kind: ServiceKind::from_code("15").unwrap(),
            measures: vec![measure("barthel_total", "65"), measure("bmi", "19.8")],
        };
        assert!(check(&sheet).is_empty());
        let mut bad = sheet.clone();
        bad.measures[0].value = "六十五".into();
        bad.measures[1].item = "barthel_total".into();
        bad.measures.push(measure("x", "-1."));
        let paths: Vec<_> = check(&bad).into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            ["measures[0].value", "measures[1].item", "measures[2].value"]
        );
        bad.measures.clear();
        assert_eq!(check(&bad)[0].path, "measures");
    }
}
