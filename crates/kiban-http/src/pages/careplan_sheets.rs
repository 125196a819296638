//! A 利用票 (第6表) or 実績 as the pages show it: each line with the days of the month written
//! out and their total (no 31-column grid, which would need sideways scrolling on a phone).
//! Part of the folder of [`crate::pages::careplan_sections`].

use kiban_app::careplan::DocumentView;
use kiban_domain::careplan::{ResultRow, ServiceCode, ServiceResults, ServiceUse, ServiceUseRow};
use kiban_domain::ids::OfficeNumber;

use crate::pages::careplan_sections::{date_or_dash, month_label, office, row, Block};
use crate::pages::cert_view::when;
use crate::pages::office::summary::Row;
use crate::pages::view::{grouped, wareki};

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

/// "09:00〜10:00" from "0900"/"1000"; empty for services without a time of day.
fn hours(start: &str, end: &str) -> String {
    let hm = |t: &str| {
        if t.len() == 4 && t.is_ascii() {
            format!("{}:{}", &t[..2], &t[2..])
        } else {
            t.to_string()
        }
    };
    if start.is_empty() && end.is_empty() {
        "－".to_string()
    } else {
        format!("{}〜{}", hm(start), hm(end))
    }
}

/// One line of a 利用票 or 実績: its time of day and service code, then `more`.
fn service_line(
    name: &str,
    (start, end): (&str, &str),
    code: &ServiceCode,
    more: impl IntoIterator<Item = Row>,
) -> Block {
    let mut rows = vec![
        row("提供時間帯", hours(start, end)),
        row("サービスコード", code.code()),
        row("サービス種類", code.kind.label()),
    ];
    rows.extend(more);
    Block {
        title: name.to_string(),
        rows,
    }
}

fn use_line(r: &ServiceUseRow) -> Block {
    let more = [
        row("事業所", office(&r.provider_name, r.provider)),
        row("予定日", days(&r.days)),
    ];
    service_line(&r.service_name, (&r.start, &r.end), &r.service_code, more)
}

/// The receiving office of a 利用票 or 実績 (every one sent has one).
fn receiver(office: Option<OfficeNumber>) -> String {
    office.map_or_else(|| "－".to_string(), |o| format!("事業所番号 {o}"))
}

pub(super) fn service_use(view: &DocumentView<ServiceUse>) -> SheetShown {
    let u = &view.document;
    let h = &u.header;
    let mut head = vec![
        row("作成年月日", wareki(h.created_on)),
        row(
            "居宅介護支援事業所",
            format!("事業所番号 {}", h.care_office),
        ),
        row("送信先の事業所", receiver(view.to_office)),
        row("要介護状態区分", h.care_level.label()),
    ];
    if let Some(level) = h.changed_level {
        let on = date_or_dash(h.changed_on);
        head.push(row(
            "変更後の要介護状態区分",
            format!("{}（{on}から）", level.label()),
        ));
    }
    head.push(row(
        "区分支給限度基準額",
        format!("{}単位／月", grouped(u64::from(h.limit_units))),
    ));
    head.push(row(
        "限度額適用期間",
        format!("{}〜{}", wareki(h.limit_from), wareki(h.limit_to)),
    ));
    let planned: u32 = u.plan_rows.iter().map(ServiceUseRow::total).sum();
    head.push(row("予定の合計", format!("{planned}回")));
    SheetShown {
        title: format!("{}分 サービス利用票（第6表）", month_label(u.month)),
        status: view.status_label,
        head,
        lines: u.plan_rows.iter().map(use_line).collect(),
    }
}

fn result_line(r: &ResultRow) -> Block {
    let more = [row("実績の日", days(&r.days))];
    service_line(&r.service_name, (&r.start, &r.end), &r.service_code, more)
}

pub(super) fn results(view: &DocumentView<ServiceResults>) -> SheetShown {
    let r = &view.document;
    let total: u32 = r
        .rows
        .iter()
        .flat_map(|l| l.days.iter())
        .map(|&n| u32::from(n))
        .sum();
    SheetShown {
        title: format!("{}分 実績", month_label(r.month)),
        status: view.status_label,
        head: vec![
            row("サービス事業所", format!("事業所番号 {}", r.provider)),
            row("送信先の事業所", receiver(view.to_office)),
            row("実績の合計", format!("{total}回")),
            row("受け付けた日時", when(view.registered_at_ms)),
        ],
        lines: r.rows.iter().map(result_line).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiban_domain::careplan::YearMonth;

    #[test]
    fn days_are_written_out_with_their_total() {
        let mut d = vec![0u8; 31];
        d[0] = 1;
        d[7] = 2;
        assert_eq!(days(&d), "1日・8日（2回）／計3回");
        assert_eq!(days(&[0; 31]), "なし");
        assert_eq!(hours("0900", "1000"), "09:00〜10:00");
        assert_eq!(hours("", ""), "－");
        let m = YearMonth::parse("202604").unwrap();
        assert_eq!(month_label(m), "令和8年4月");
    }
}
