//! A care-plan folder ([`CarePlanFolder`]) and LIFE feedback sheets as the pages show them,
//! shared by the office's category page, the person's portal and the municipal individual view:
//! 第1表 as label/value rows, each 第2表 line as its own small table (phones stack them), 第3表 as
//! a week table, the 利用者補足情報's 限度額 and its サービス種類別 枠, the 利用票 / 実績 as in
//! [`crate::pages::careplan_sheets`], the 介護予防 documents, and the person's answers with date
//! and time.
//! What the caller may see was decided by `kiban_app` before this module gets the folder.

use kiban_app::careplan::{Answer, CarePlanFolder, DocStatus, DocumentView, PlanDecision};
use kiban_app::life::LifeView;
use kiban_domain::careplan::official::{Field, LivingAidReason, Plan3Record};
use kiban_domain::careplan::{BasicInfo, CarePlan, PreventionPlan, Supplement, YearMonth};
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

/// One line of 第3表: when, and what happens then.
pub(crate) struct WeekShown {
    pub when: String,
    pub service: String,
    pub activity: String,
    pub other: String,
}

/// One plan (第1表, 第2表, 第3表 and its 補足).
pub(crate) struct PlanShown {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    /// Sent for 同意・確認 and not answered yet: the person's forms are shown.
    pub awaiting: bool,
    pub overview: Vec<Row>,
    pub lines: Vec<Block>,
    pub week: Vec<WeekShown>,
    pub supplement: Vec<Row>,
    pub answers: Vec<AnswerShown>,
}

/// Everything of the folder, newest first as read.
pub(crate) struct FolderShown {
    pub plans: Vec<PlanShown>,
    pub uses: Vec<SheetShown>,
    pub results: Vec<SheetShown>,
    /// 介護予防 documents, shown like the 利用票: a head and titled blocks.
    pub prevention: Vec<SheetShown>,
    /// Documents in kiban's earlier layout, counted, not shown.
    pub earlier_layout: u32,
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

fn text_of<T: Field>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "－".to_string(), Field::format)
}

/// "月 10:00〜11:00"; "－" without a day or time.
fn week_when(day: Option<&'static str>, start: Option<String>, end: Option<String>) -> String {
    let time = match (start, end) {
        (Some(s), Some(e)) => format!("{s}〜{e}"),
        (Some(s), None) => format!("{s}〜"),
        (None, Some(e)) => format!("〜{e}"),
        (None, None) => String::new(),
    };
    match (day, time.is_empty()) {
        (Some(d), false) => format!("{d}曜 {time}"),
        (Some(d), true) => format!("{d}曜"),
        (None, false) => time,
        (None, true) => "－".to_string(),
    }
}

fn week_line(w: &Plan3Record) -> WeekShown {
    let hm = |t: Option<kiban_domain::careplan::official::Hhmm>| t.map(|t| t.display());
    let when = if w.daily_activity.is_empty() {
        week_when(w.weekday.map(|d| d.label()), hm(w.start), hm(w.end))
    } else {
        week_when(None, hm(w.activity_start), hm(w.activity_end))
    };
    WeekShown {
        when,
        service: or_dash(&w.service_content),
        activity: or_dash(&w.daily_activity),
        other: or_dash(&w.non_weekly_service),
    }
}

/// 利用者補足情報 as rows: the level, the 区分支給限度基準額 and each サービス種類別 枠.
pub(crate) fn supplement_rows(s: &Supplement) -> Vec<Row> {
    let r = &s.record;
    let mut rows = vec![
        row(
            "要介護状態区分",
            r.care_level.map_or("－", |l| l.label()).to_string(),
        ),
        row(
            "区分支給限度基準額",
            r.limit_units
                .as_ref()
                .map_or_else(|| "－".to_string(), |n| format!("{}単位／月", n.as_str())),
        ),
        row(
            "限度額適用期間",
            match (r.limit_from, r.limit_to) {
                (Some(f), Some(t)) => format!("{}〜{}", wareki(f), wareki(t)),
                _ => "－".to_string(),
            },
        ),
    ];
    for k in r.kind_limits() {
        rows.push(row(
            "サービス種類別限度額",
            format!(
                "枠{}：{}　限度 {}　合計 {}　超過 {}（単位）",
                k.slot,
                k.service_kind.map_or("－", |s| s.label()),
                text_of(&k.limit_units),
                text_of(&k.total_units),
                text_of(&k.over_units),
            ),
        ));
    }
    rows
}

fn plan(view: &DocumentView<CarePlan>) -> PlanShown {
    let p = &view.document;
    let o = &p.overview;
    let living = match o.living_aid_reason {
        Some(LivingAidReason::Other) => format!("3 その他（{}）", o.living_aid_note),
        Some(r) => format!("{} {}", r.code(), r.label()),
        None => "－".to_string(),
    };
    let valid = match (o.valid_from, o.valid_to) {
        (Some(from), Some(to)) => format!("{}〜{}", wareki(from), wareki(to)),
        (Some(from), None) => format!("{}〜", wareki(from)),
        _ => "－".to_string(),
    };
    let overview = vec![
        row("作成年月日", wareki(o.created_on)),
        row("計画作成（変更）日", wareki(p.plan_date())),
        row(
            "計画書区分",
            o.category.map_or("－", |c| c.label()).to_string(),
        ),
        row(
            "認定状況区分",
            o.certification_state
                .map_or("－", |c| c.label())
                .to_string(),
        ),
        row(
            "要介護状態区分",
            o.care_level.map_or("－", |l| l.label()).to_string(),
        ),
        row("認定日", date_or_dash(o.certified_on)),
        row("認定の有効期間", valid),
        row("初回居宅サービス計画作成日", wareki(o.first_plan_date)),
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
            title: format!("第2表 {}行目（課題{}）", i + 1, text_of(&n.need_no)),
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
                        match n.coverage {
                            Some(c) => format!("（保険給付の{}）", c.label()),
                            None => String::new(),
                        }
                    ),
                ),
                row("サービス種別", or_dash(&n.service_type)),
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
        title: format!("居宅サービス計画（{}作成）", wareki(p.plan_date())),
        status: view.status_label,
        awaiting: view.status == DocStatus::Draft,
        overview,
        lines,
        week: p.week.iter().map(week_line).collect(),
        supplement: view
            .supplement
            .as_ref()
            .map(supplement_rows)
            .unwrap_or_default(),
        answers: view.answers.iter().map(answer).collect(),
    }
}

fn basic_info(view: &DocumentView<BasicInfo>) -> SheetShown {
    let b = &view.document.info;
    let mut lines: Vec<Block> = view
        .document
        .schedule
        .iter()
        .map(|s| Block {
            title: format!("１日の生活 {}", or_dash(&s.time)),
            rows: vec![
                row("本人の生活状況", or_dash(&s.person_life)),
                row("介護者・家族の生活状況", or_dash(&s.carer_life)),
            ],
        })
        .collect();
    lines.extend(view.document.history.iter().map(|h| Block {
        title: format!("現病歴・既往歴 {}", or_dash(&h.disease)),
        rows: vec![
            row("年月日", or_dash(&h.date_text)),
            row("医療機関・医師名", or_dash(&h.institution)),
            row("経過", h.course.map_or("－", |c| c.label()).to_string()),
            row("治療中の内容", or_dash(&h.treatment)),
        ],
    }));
    SheetShown {
        title: format!("利用者基本情報（{}相談）", wareki(b.consulted_on)),
        status: view.status_label,
        head: vec![
            row("計画種類", b.plan_kind.label()),
            row("作成担当者", or_dash(&b.author)),
            row(
                "要介護状態区分",
                b.care_level.map_or("－", |l| l.label()).to_string(),
            ),
            row("今までの生活", or_dash(&b.life_history)),
            row("１日の生活・すごし方", or_dash(&b.daily_life)),
            row("趣味・楽しみ・特技", or_dash(&b.hobbies)),
            row("家族関係等の状況", or_dash(&b.family_situation)),
        ],
        lines,
    }
}

fn prevention_plan(view: &DocumentView<PreventionPlan>) -> SheetShown {
    let p = &view.document.plan;
    let area = |name: &'static str, situation: &str, issue: &str| {
        row(
            name,
            format!("{}／課題：{}", or_dash(situation), or_dash(issue)),
        )
    };
    SheetShown {
        title: format!(
            "介護予防サービス・支援計画書（{}作成）",
            wareki(p.plan_date)
        ),
        status: view.status_label,
        head: vec![
            row("計画種類", p.plan_kind.label()),
            row(
                "要支援状態区分",
                p.support_level.map_or("－", |l| l.label()).to_string(),
            ),
            row("担当地域包括支援センター", or_dash(&p.center)),
            row("目標とする生活（1日）", or_dash(&p.day_goal)),
            row("目標とする生活（1年）", or_dash(&p.year_goal)),
            area(
                "運動・移動",
                &p.mobility_situation,
                &p.mobility_issue_background,
            ),
            area(
                "日常生活（家庭生活）",
                &p.household_situation,
                &p.household_issue_background,
            ),
            area(
                "社会参加・対人関係",
                &p.social_situation,
                &p.social_issue_background,
            ),
            area("健康管理", &p.health_situation, &p.health_issue_background),
            row("総合的な方針", or_dash(&p.overall_policy)),
        ],
        lines: view
            .document
            .support
            .iter()
            .map(|s| Block {
                title: format!("支援計画 {}", or_dash(&s.goal)),
                rows: vec![
                    row("総合的課題", or_dash(&s.overall_issue)),
                    row("支援のポイント", or_dash(&s.support_point)),
                    row(
                        "介護保険サービス・地域支援事業",
                        or_dash(&s.insured_services),
                    ),
                    row("サービス種別", or_dash(&s.service_type)),
                    row("事業所", or_dash(&s.service_office)),
                    row("期間", or_dash(&s.service_period)),
                ],
            })
            .collect(),
    }
}

/// The folder as the pages show it.
pub(crate) fn folder(f: &CarePlanFolder) -> FolderShown {
    FolderShown {
        plans: f.plans.iter().map(plan).collect(),
        uses: f.service_uses.iter().map(sheets::service_use).collect(),
        results: f.results.iter().map(sheets::results).collect(),
        prevention: f
            .basic_infos
            .iter()
            .map(basic_info)
            .chain(f.prevention_plans.iter().map(prevention_plan))
            .collect(),
        earlier_layout: f.earlier_layout,
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
