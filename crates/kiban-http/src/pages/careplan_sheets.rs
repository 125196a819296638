//! A 利用票 (第6表) or 実績 as the pages show it: each line with the days of the month written
//! out and their total (no 31-column grid, which would need sideways scrolling on a phone).
//! Part of the folder of [`crate::pages::careplan_sections`].

use kiban_app::careplan::DocumentView;
use kiban_domain::careplan::official::{
    LimitCode, LimitOffice, LimitRecord, Number, ServiceTime, UseRecord,
};
use kiban_domain::careplan::{ServiceResults, ServiceUse};
use kiban_domain::ids::OfficeNumber;

use crate::pages::careplan_sections::{month_label, office, row, supplement_rows, Block};
use crate::pages::cert_view::when;
use crate::pages::office::summary::Row;
use crate::pages::view::wareki;

/// One 利用票 or 実績.
pub(crate) struct SheetShown {
    pub title: String,
    pub status: &'static str,
    pub head: Vec<Row>,
    pub lines: Vec<Block>,
}

/// "1日・8日・15日／計3回"; a day with 2 visits is "3日（2回）".
fn days(counts: &[u8]) -> String {
    let listed: Vec<String> = counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, &n)| {
            if n == 1 {
                format!("{}日", i + 1)
            } else {
                format!("{}日（{n}回）", i + 1)
            }
        })
        .collect();
    let total: u32 = counts.iter().map(|&n| u32::from(n)).sum();
    if listed.is_empty() {
        "なし".to_string()
    } else {
        format!("{}／計{total}回", listed.join("・"))
    }
}

/// "09:00〜10:00"; "時間指定なし" for a service without a time (9999).
fn hours(start: ServiceTime, end: ServiceTime) -> String {
    match (start, end) {
        (ServiceTime::At(s), ServiceTime::At(e)) => format!("{}〜{}", s.display(), e.display()),
        _ => "時間指定なし".to_string(),
    }
}

/// The 第6表 lines (one per service day) as one block per service, office and time: the days
/// written out and their total, in first-seen order.
fn grouped_lines(rows: &[UseRecord], day_label: &'static str) -> Vec<Block> {
    let mut groups: Vec<(&UseRecord, Vec<u8>)> = Vec::new();
    for r in rows {
        let at = groups.iter().position(|(g, _)| {
            g.service_code == r.service_code
                && g.provider == r.provider
                && g.start == r.start
                && g.end == r.end
        });
        let i = match at {
            Some(i) => i,
            None => {
                groups.push((r, vec![0u8; 31]));
                groups.len() - 1
            }
        };
        let day = r.service_date.day() as usize - 1;
        let n = u8::try_from(r.count.value().clamp(0, 99)).unwrap_or(99);
        groups[i].1[day] = groups[i].1[day].saturating_add(n);
    }
    groups
        .into_iter()
        .map(|(r, counts)| {
            let mut rows = vec![
                row("提供時間帯", hours(r.start, r.end)),
                row("サービスコード", r.service_code.code()),
                row("サービス種類", r.service_code.kind.label()),
                row("事業所", office(&r.provider_name, r.provider)),
                row(day_label, days(&counts)),
            ];
            if let Some(units) = &r.units {
                rows.push(row("単位数", format!("{}単位", units.as_str())));
            }
            if !r.equipment_name.is_empty() {
                rows.push(row("用具名称", r.equipment_name.clone()));
            }
            Block {
                title: r.service_code.kind.label().to_string(),
                rows,
            }
        })
        .collect()
}

fn limit_line(l: &LimitRecord) -> Block {
    let n = |v: &Option<Number>| {
        v.as_ref()
            .map_or("－".to_string(), |n| n.as_str().to_string())
    };
    let title = match &l.service_code {
        LimitCode::Service(c) => format!("第7表 {}（{}）", c.kind.label(), c.code()),
        LimitCode::KindSubtotal(k) => format!("第7表 {} 種類別小計", k.label()),
        LimitCode::OutsideLimitSubtotal(k) => {
            format!("第7表 {} 区分支給限度対象外 小計", k.label())
        }
        LimitCode::Over30DaysSubtotal(k) => format!("第7表 {} 30日超過分 小計", k.label()),
        LimitCode::Total => "第7表 全合計".to_string(),
    };
    let provider = match l.provider {
        LimitOffice::Office(o) => office(&l.provider_name, o),
        LimitOffice::AllOffices => "全事業所".to_string(),
    };
    Block {
        title,
        rows: vec![
            row("事業所", provider),
            row("単位数", l.units.as_str().to_string()),
            row("回数／日数", l.count.as_str().to_string()),
            row("サービス単位／金額", n(&l.service_units)),
            row("区分支給限度基準内単位数", n(&l.within_level_limit)),
            row("区分支給限度基準を超える単位数", n(&l.over_level_limit)),
            row("費用総額", n(&l.total_cost)),
            row("保険給付額", n(&l.claim)),
            row("利用者負担（保険対象分）", n(&l.copay_insured)),
            row("利用者負担（全額負担分）", n(&l.copay_full)),
        ],
    }
}

/// The receiving office of a 利用票 or 実績 (every one sent has one).
fn receiver(office: Option<OfficeNumber>) -> String {
    office.map_or_else(|| "－".to_string(), |o| format!("事業所番号 {o}"))
}

fn total_count(rows: &[UseRecord]) -> i64 {
    rows.iter().map(|r| r.count.value()).sum()
}

pub(super) fn service_use(view: &DocumentView<ServiceUse>) -> SheetShown {
    let u = &view.document;
    let first = u.rows.first();
    let mut head = vec![
        row(
            "作成年月日",
            first.map_or_else(|| "－".to_string(), |r| wareki(r.created_on)),
        ),
        row(
            "居宅介護支援事業所",
            first
                .and_then(|r| r.plan_office)
                .map_or_else(|| "－".to_string(), |o| format!("事業所番号 {o}")),
        ),
        row("送信先の事業所", receiver(view.to_office)),
    ];
    if let Some(s) = &view.supplement {
        head.extend(supplement_rows(s));
    }
    head.push(row("予定の合計", format!("{}回", total_count(&u.rows))));
    let mut lines = grouped_lines(&u.rows, "予定日");
    lines.extend(u.limits.iter().map(limit_line));
    SheetShown {
        title: format!("{}分 サービス利用票（第6表・第7表）", month_label(u.month)),
        status: view.status_label,
        head,
        lines,
    }
}

pub(super) fn results(view: &DocumentView<ServiceResults>) -> SheetShown {
    let r = &view.document;
    let provider = r.rows.first().map_or_else(
        || "－".to_string(),
        |l| office(&l.provider_name, l.provider),
    );
    SheetShown {
        title: format!("{}分 実績", month_label(r.month)),
        status: view.status_label,
        head: vec![
            row("サービス事業所", provider),
            row("送信先の事業所", receiver(view.to_office)),
            row("実績の合計", format!("{}回", total_count(&r.rows))),
            row("受け付けた日時", when(view.registered_at_ms)),
        ],
        lines: grouped_lines(&r.rows, "実績の日"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiban_domain::careplan::official::Hhmm;
    use kiban_domain::careplan::YearMonth;

    #[test]
    fn days_are_written_out_with_their_total() {
        let mut d = vec![0u8; 31];
        d[0] = 1;
        d[7] = 2;
        assert_eq!(days(&d), "1日・8日（2回）／計3回");
        assert_eq!(days(&[0; 31]), "なし");
        let at = |t: &str| ServiceTime::At(Hhmm::parse_text(t).unwrap());
        assert_eq!(hours(at("0900"), at("1000")), "09:00〜10:00");
        assert_eq!(
            hours(ServiceTime::Untimed, ServiceTime::Untimed),
            "時間指定なし"
        );
        let m = YearMonth::parse("202604").unwrap();
        assert_eq!(month_label(m), "令和8年4月");
    }
}
