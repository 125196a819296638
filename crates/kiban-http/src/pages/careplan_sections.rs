//! A care-plan folder ([`CarePlanFolder`]) and LIFE feedback sheets as the pages show them,
//! shared by the office's category page, the person's portal and the municipal individual view:
//! 第1表 as label/value rows, each 第2表 line as its own small table (phones stack them), the
//! 利用票 / 実績 as in [`crate::pages::careplan_sheets`], and the person's answers with date and time.
//! What the caller may see was decided by `kiban_app` before this module gets the folder.

use kiban_app::careplan::{Answer, CarePlanFolder, DocStatus, DocumentView, PlanDecision};
use kiban_app::life::LifeView;
use kiban_domain::careplan::{CarePlan, LivingSupportReason, YearMonth};
use kiban_domain::date::Date;

use crate::pages::careplan_sheets::{self as sheets, SheetShown};
use crate::pages::cert_view::when;
use crate::pages::office::summary::Row;
use crate::pages::view::wareki;

/// A titled group of rows: one 第2表 line, one 利用票 line.
pub(crate) struct Block {
    pub title: String,
    pub rows: Vec<Row>,
}

/// The person's answer to a plan sent for 同意・確認.
pub(crate) struct AnswerShown {
    pub when: String,
    pub what: &'static str,
    pub comment: String,
}

/// One plan (第1表 and 第2表).
pub(crate) struct PlanShown {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    /// Sent for 同意・確認 and not answered yet: the person's forms are shown.
    pub awaiting: bool,
    pub overview: Vec<Row>,
    pub lines: Vec<Block>,
    pub answers: Vec<AnswerShown>,
}

/// Everything of the folder, newest first as read.
pub(crate) struct FolderShown {
    pub plans: Vec<PlanShown>,
    pub uses: Vec<SheetShown>,
    pub results: Vec<SheetShown>,
}

/// One LIFE measure: 項目, 今回, 前回, 全国の値.
pub(crate) struct MeasureShown {
    pub domain: &'static str,
    pub label: String,
    pub value: String,
    pub previous: String,
    pub national: String,
}

/// One LIFE 利用者フィードバック票.
pub(crate) struct LifeShown {
    pub title: String,
    pub head: Vec<Row>,
    pub measures: Vec<MeasureShown>,
}

pub(super) fn row(label: &'static str, value: impl Into<String>) -> Row {
    Row {
        label,
        value: value.into(),
    }
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "－".to_string()
    } else {
        text.to_string()
    }
}

pub(super) fn date_or_dash(d: Option<Date>) -> String {
    d.map(wareki).unwrap_or_else(|| "－".to_string())
}

/// "令和8年4月".
pub(crate) fn month_label(m: YearMonth) -> String {
    let day = wareki(m.first_day());
    day.strip_suffix("1日").map_or(day.clone(), str::to_string)
}

pub(super) fn office(name: &str, number: impl std::fmt::Display) -> String {
    if name.trim().is_empty() {
        format!("事業所番号 {number}")
    } else {
        format!("{name}（{number}）")
    }
}

fn answer(a: &Answer) -> AnswerShown {
    AnswerShown {
        when: when(a.at_ms),
        what: match a.decision {
            PlanDecision::Confirmed => "計画に同意しました",
            PlanDecision::Commented => "計画に意見を伝えました",
        },
        comment: a.comment.clone(),
    }
}

fn plan(view: &DocumentView<CarePlan>) -> PlanShown {
    let p = &view.document;
    let o = &p.overview;
    let living = match o.living_support_reason {
        Some(LivingSupportReason::LivesAlone) => "1 一人暮らし".to_string(),
        Some(LivingSupportReason::FamilyUnable) => "2 家族等が障害、疾病等".to_string(),
        Some(LivingSupportReason::Other) => format!("3 その他（{}）", o.living_support_note),
        None => "－".to_string(),
    };
    let valid = match (o.valid_from, o.valid_to) {
        (Some(from), Some(to)) => format!("{}〜{}", wareki(from), wareki(to)),
        (Some(from), None) => format!("{}〜", wareki(from)),
        _ => "－".to_string(),
    };
    let overview = vec![
        row("作成年月日", wareki(o.created_on)),
        row("計画作成（変更）日", wareki(p.plan_date)),
        row("初回・紹介・継続", o.origin.label()),
        row(
            "認定済・申請中",
            if o.certified {
                "認定済"
            } else {
                "申請中"
            },
        ),
        row(
            "要介護状態区分",
            o.care_level.map_or("－", |l| l.label()).to_string(),
        ),
        row("認定日", date_or_dash(o.certified_on)),
        row("認定の有効期間", valid),
        row(
            "初回居宅サービス計画作成日",
            date_or_dash(o.first_plan_date),
        ),
        row("居宅サービス計画作成者", or_dash(&o.planner_name)),
        row("居宅介護支援事業所", office(&o.office_name, o.office)),
        row(
            "利用者及び家族の生活に対する意向を踏まえた課題分析の結果",
            or_dash(&o.intentions),
        ),
        row(
            "介護認定審査会の意見及びサービスの種類の指定",
            or_dash(&o.committee_opinion),
        ),
        row("総合的な援助の方針", or_dash(&o.policy)),
        row("生活援助中心型の算定理由", living),
    ];
    let lines = p
        .needs
        .iter()
        .enumerate()
        .map(|(i, n)| Block {
            title: format!("第2表 {}行目（課題{}）", i + 1, n.need_no),
            rows: vec![
                row("生活全般の解決すべき課題（ニーズ）", or_dash(&n.need)),
                row(
                    "長期目標（期間）",
                    format!(
                        "{}（{}）",
                        or_dash(&n.long_term_goal),
                        or_dash(&n.long_term_period)
                    ),
                ),
                row(
                    "短期目標（期間）",
                    format!(
                        "{}（{}）",
                        or_dash(&n.short_term_goal),
                        or_dash(&n.short_term_period)
                    ),
                ),
                row(
                    "サービス内容",
                    format!(
                        "{}{}",
                        or_dash(&n.service_content),
                        if n.insured_service {
                            "（保険給付の対象）"
                        } else {
                            ""
                        }
                    ),
                ),
                row(
                    "サービス種別",
                    n.service_kind.map_or("－", |k| k.label()).to_string(),
                ),
                row(
                    "事業所",
                    match n.provider {
                        Some(number) => office(&n.provider_name, number),
                        None => or_dash(&n.provider_name),
                    },
                ),
                row("頻度", or_dash(&n.frequency)),
                row("期間", or_dash(&n.period)),
            ],
        })
        .collect();
    PlanShown {
        id: view.id,
        title: format!("居宅サービス計画（{}作成）", wareki(p.plan_date)),
        status: view.status_label,
        awaiting: view.status == DocStatus::Draft,
        overview,
        lines,
        answers: view.answers.iter().map(answer).collect(),
    }
}

/// The folder as the pages show it.
pub(crate) fn folder(f: &CarePlanFolder) -> FolderShown {
    FolderShown {
        plans: f.plans.iter().map(plan).collect(),
        uses: f.service_uses.iter().map(sheets::service_use).collect(),
        results: f.results.iter().map(sheets::results).collect(),
    }
}

/// The LIFE sheets as the pages show them.
pub(crate) fn life(sheets: &[LifeView]) -> Vec<LifeShown> {
    sheets
        .iter()
        .map(|v| {
            let s = &v.sheet;
            LifeShown {
                title: format!("{}分 LIFE フィードバック", month_label(s.period)),
                head: vec![
                    row("対象年月", month_label(s.period)),
                    row("事業所", format!("事業所番号 {}", s.office)),
                    row("サービス種類", s.service_kind.label()),
                    row("登録日時", when(v.submitted_at_ms)),
                ],
                measures: s
                    .measures
                    .iter()
                    .map(|m| {
                        let shown = |v: Option<&String>| match v {
                            Some(v) => format!("{v}{}", m.unit),
                            None => "－".to_string(),
                        };
                        MeasureShown {
                            domain: m.domain.label(),
                            label: m.label.clone(),
                            value: shown(Some(&m.value)),
                            previous: shown(m.previous.as_ref()),
                            national: shown(m.national_reference.as_ref()),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}
