//! The console's aggregates as the page shows them: the 特定事業所集中減算 table of a 判定期間,
//! the caseloads and the regional statistics of a month (a cell under 10 persons is printed
//! "＊", as `kiban_app` suppressed it), and what registering the 法人 of offices reported.

use kiban_app::careplan::corporations::CorporationReport;
use kiban_app::careplan::municipal::{CaseloadReport, ConcentrationReport, RegionalStats};
use kiban_domain::careplan::{Cell, YearMonth};

use crate::pages::careplan_sections::month_label;
use crate::pages::view::{wareki, wareki_yyyymmdd};

/// One covered service of one office in the 集中減算 table.
pub(crate) struct ServiceShown {
    pub service: &'static str,
    pub plan_months: String,
    pub top: String,
    pub ratio: String,
    pub over: &'static str,
    pub reasons: String,
    pub reduced: &'static str,
}

pub(crate) struct OfficeJudgmentShown {
    pub office: String,
    pub verdict: String,
    pub services: Vec<ServiceShown>,
}

pub(crate) struct ConcentrationShown {
    pub label: String,
    pub deadline: String,
    pub offices: Vec<OfficeJudgmentShown>,
}

pub(crate) struct CaseloadRow {
    pub office: String,
    pub care: u32,
    pub support: u32,
    pub per_manager: String,
    pub verdict: String,
    pub over: bool,
}

pub(crate) struct CaseloadShown {
    pub month: String,
    pub over_limit: usize,
    pub without_staffing: usize,
    pub offices: Vec<CaseloadRow>,
}

pub(crate) struct StatsRow {
    pub kind: String,
    pub cells: Vec<String>,
    pub total: String,
}

pub(crate) struct StatsShown {
    pub month: String,
    pub levels: Vec<String>,
    pub rows: Vec<StatsRow>,
    pub totals: Vec<String>,
    pub total: String,
}

pub(crate) struct CorporationShown {
    pub registered: usize,
    pub issues: Vec<String>,
}

pub(in crate::pages) fn concentration(c: &ConcentrationReport) -> ConcentrationShown {
    let offices = c
        .offices
        .iter()
        .map(|o| {
            let verdict = if o.reduced {
                let period = o
                    .reduction_period
                    .map(|(from, to)| format!("（適用期間 {}〜{}）", wareki(from), wareki(to)))
                    .unwrap_or_default();
                format!(
                    "減算あり：1月につき{}単位{period}",
                    o.reduction_units_per_month
                )
            } else if o.any_over_80 {
                "80%を超えるサービスがあります（正当な理由により減算なし）。届出が必要です。"
                    .to_string()
            } else {
                "80%を超えるサービスはありません。".to_string()
            };
            let services = o
                .services
                .iter()
                .map(|s| ServiceShown {
                    service: s.service.label(),
                    plan_months: format!("{}件", s.plan_months),
                    top: match &s.top_corporation {
                        Some(key) => format!("{key}（{}件）", s.top_plan_months),
                        None => "－".to_string(),
                    },
                    ratio: format!("{}%", s.ratio_percent),
                    over: if s.over_80 { "超える" } else { "－" },
                    reasons: if s.justified_by.is_empty() {
                        "－".to_string()
                    } else {
                        s.justified_by
                            .iter()
                            .map(|r| format!("{} {}", r.code(), r.label_ja()))
                            .collect::<Vec<_>>()
                            .join("／")
                    },
                    reduced: if s.reduced { "減算" } else { "－" },
                })
                .collect();
            OfficeJudgmentShown {
                office: o.office.to_string(),
                verdict,
                services,
            }
        })
        .collect();
    ConcentrationShown {
        label: c.period_label.clone(),
        deadline: wareki_yyyymmdd(&c.filing_deadline),
        offices,
    }
}

pub(in crate::pages) fn caseloads(l: &CaseloadReport, month: YearMonth) -> CaseloadShown {
    CaseloadShown {
        month: month_label(month),
        over_limit: l.over_limit,
        without_staffing: l.without_staffing,
        offices: l
            .offices
            .iter()
            .map(|o| {
                let (per_manager, verdict, over) = match &o.caseload {
                    Some(c) => (
                        format!("{}人", c.per_care_manager),
                        format!(
                            "{}（基準 {}人、基本報酬{}{}）",
                            if c.over_limit {
                                "基準超過"
                            } else {
                                "基準内"
                            },
                            c.limit,
                            c.fee_table.label(),
                            c.band.label()
                        ),
                        c.over_limit,
                    ),
                    None => ("－".to_string(), "体制の届出なし".to_string(), false),
                };
                CaseloadRow {
                    office: o.office.to_string(),
                    care: o.care_persons,
                    support: o.support_persons,
                    per_manager,
                    verdict,
                    over,
                }
            })
            .collect(),
    }
}

fn cell(c: Cell) -> String {
    match c.count() {
        Some(n) => n.to_string(),
        None => "＊".to_string(),
    }
}

pub(in crate::pages) fn stats(s: &RegionalStats, month: YearMonth) -> StatsShown {
    StatsShown {
        month: month_label(month),
        levels: s.care_levels.iter().map(|(_, l)| l.clone()).collect(),
        rows: s
            .service_kinds
            .iter()
            .enumerate()
            .map(|(i, (_, label))| StatsRow {
                kind: label.clone(),
                cells: s
                    .table
                    .cells
                    .get(i)
                    .map(|r| r.iter().copied().map(cell).collect())
                    .unwrap_or_default(),
                total: s
                    .table
                    .row_totals
                    .get(i)
                    .copied()
                    .map_or_else(String::new, cell),
            })
            .collect(),
        totals: s.table.column_totals.iter().copied().map(cell).collect(),
        total: cell(s.table.total),
    }
}

/// What registering the 法人 of offices did, with each problem of the CSV by line and column.
pub(in crate::pages) fn corporations(r: &CorporationReport) -> CorporationShown {
    CorporationShown {
        registered: r.offices_registered,
        issues: r
            .issues
            .iter()
            .map(|i| {
                format!(
                    "{}行目 {}列（{}）：{}",
                    i.line, i.column, i.field, i.message_ja
                )
            })
            .collect(),
    }
}
