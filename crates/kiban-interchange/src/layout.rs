//! Column layouts of the five record kinds and the conversion between a row's raw fields and a
//! domain [`Version`]. The layouts are kiban's documented equivalent of the non-public IF仕様書
//! 2.0 record layouts (`docs/interface/municipal.md`).

mod certificates;
mod fields;
mod insured_card;
mod usage;

pub use fields::Fields;

use crate::issue::Issue;
use kiban_domain::date::Date;
use kiban_domain::ids::{CheckDigitPolicy, InsuredNumber, InsurerNumber};
use kiban_domain::records::{Operation, RecordBody, RecordKind, Version, VersionKey};

/// One column: its header name in Japanese (the canonical CSV header), the English key
/// (accepted as a CSV header and used as the JSON Lines key) and its longest value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub ja: &'static str,
    pub en: &'static str,
    /// The most characters a value may have, after surrounding spaces are removed
    /// (docs/interface/municipal.md, column tables).
    pub max_chars: usize,
}

const fn col(ja: &'static str, en: &'static str, max_chars: usize) -> Column {
    Column { ja, en, max_chars }
}

// Length classes of the columns. The public 様式 give no lengths for free text (項目長 "―" in the
// care-plan CSV specification), so these are kiban's: generous for any real value, small enough
// that one row stays a few kilobytes.
/// Codes, identifiers, numbers and dates: every accepted form (令和元年5月1日, full-width
/// digits, a postal code with a hyphen) is well inside.
pub const SHORT: usize = 20;
/// Person, office, facility, insurer and product names and フリガナ.
pub const NAME: usize = 100;
/// Addresses (都道府県 to 方書).
pub const ADDRESS: usize = 200;
/// `;`-separated lists (種類支給限度基準額, 指定サービス種類).
pub const LIST: usize = 400;
/// 認定審査会意見: a few lines on the card.
pub const OPINION: usize = 500;

/// The key columns every kind starts with.
pub const COMMON: [Column; 5] = [
    col("操作区分", "operation", SHORT),
    col("保険者番号", "insurer_number", SHORT),
    col("被保険者番号", "insured_number", SHORT),
    col("履歴番号", "history_number", SHORT),
    col("適用開始年月日", "applies_from", SHORT),
];
const OPERATION: usize = 0;
const INSURER: usize = 1;
const INSURED: usize = 2;
const HISTORY: usize = 3;
const APPLIES_FROM: usize = 4;

/// The full column list of a kind, common columns first.
pub fn columns(kind: RecordKind) -> &'static [Column] {
    match kind {
        RecordKind::InsuredCard => &insured_card::COLUMNS,
        RecordKind::CopayCertificate => &certificates::COPAY_COLUMNS,
        RecordKind::ReductionCertificate => &certificates::REDUCTION_COLUMNS,
        RecordKind::HomeModificationUsage => &usage::HOME_COLUMNS,
        RecordKind::EquipmentPurchaseUsage => &usage::EQUIPMENT_COLUMNS,
    }
}

/// One parsed row: a new version, or the withdrawal of an existing one (操作区分 D).
// Rows are moved one at a time through a bounded batch; boxing the large variant would only
// add an allocation per row.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Version(Version),
    Withdrawal { key: VersionKey },
}

impl Row {
    pub fn key(&self) -> VersionKey {
        match self {
            Row::Version(v) => v.key,
            Row::Withdrawal { key } => *key,
        }
    }
}

/// The context a row is checked in: the file's kind and declared 保険者.
#[derive(Debug, Clone, Copy)]
pub struct RowContext {
    pub kind: RecordKind,
    pub insurer: InsurerNumber,
    pub policy: CheckDigitPolicy,
}

/// Parses one row's fields (already in canonical column order). Returns the row and any
/// warnings, or every error found in it.
pub fn parse_row(
    ctx: &RowContext,
    line: u64,
    values: &[&str],
) -> Result<(Row, Vec<Issue>), Vec<Issue>> {
    check_lengths(columns(ctx.kind), line, values)?;
    let mut f = Fields::new(line, columns(ctx.kind), values);
    let operation = f.required(OPERATION, "CODE_UNKNOWN", |s| {
        Operation::from_code(s).ok_or_else(|| {
            format!("操作区分は A/C/D です: {s:?} / operation must be A, C or D: {s:?}")
        })
    });
    let insurer = f.required(INSURER, "INSURER_INVALID", |s| {
        InsurerNumber::parse_with(s, ctx.policy)
    });
    let insurer = match insurer {
        Some(p) => {
            if let Some(w) = p.warning {
                f.warn(
                    INSURER,
                    "CHECK_DIGIT_WARNING",
                    format!("{w}"),
                    "check digit mismatch accepted by policy".into(),
                );
            }
            if p.number != ctx.insurer {
                f.fail(
                    INSURER,
                    "INSURER_MISMATCH",
                    format!(
                        "ファイル名の保険者番号 {} と異なります: {}",
                        ctx.insurer, p.number
                    ),
                    format!(
                        "differs from the insurer {} declared in the file name: {}",
                        ctx.insurer, p.number
                    ),
                );
            }
            Some(p.number)
        }
        None => None,
    };
    let insured = f.required(INSURED, "INSURED_INVALID", InsuredNumber::parse);
    let history = f.required(HISTORY, "HISTORY_INVALID", |s| match s.parse::<u16>() {
        Ok(n) if (1..=9999).contains(&n) => Ok(n),
        _ => Err(format!(
            "履歴番号は1〜9999の整数です: {s:?} / history number must be 1–9999: {s:?}"
        )),
    });
    let applies_from = f.date(APPLIES_FROM);
    let key = match (insurer, insured, history) {
        (Some(insurer), Some(insured), Some(history)) => Some(VersionKey {
            insurer,
            insured,
            history,
        }),
        _ => None,
    };
    if operation == Some(Operation::Delete) {
        let row = key.map(|key| Row::Withdrawal { key });
        return f.finish(row);
    }
    let body = match ctx.kind {
        RecordKind::InsuredCard => {
            insured_card::parse(&mut f, applies_from).map(RecordBody::InsuredCard)
        }
        RecordKind::CopayCertificate => {
            certificates::parse_copay(&mut f).map(RecordBody::CopayCertificate)
        }
        RecordKind::ReductionCertificate => {
            certificates::parse_reduction(&mut f).map(RecordBody::ReductionCertificate)
        }
        RecordKind::HomeModificationUsage => {
            usage::parse_home(&mut f).map(RecordBody::HomeModificationUsage)
        }
        RecordKind::EquipmentPurchaseUsage => {
            usage::parse_equipment(&mut f).map(RecordBody::EquipmentPurchaseUsage)
        }
    };
    let row = match (key, operation, applies_from, body) {
        (Some(key), Some(operation), Some(applies_from), Some(body)) => {
            Some(Row::Version(Version {
                key,
                operation,
                applies_from,
                body,
            }))
        }
        _ => None,
    };
    f.finish(row)
}

/// Refuses a row with a value longer than its column allows, before any other check looks at
/// (or quotes back) the value.
fn check_lengths(columns: &[Column], line: u64, values: &[&str]) -> Result<(), Vec<Issue>> {
    let mut issues = Vec::new();
    for (c, value) in columns.iter().zip(values) {
        // A value has at least as many bytes as characters: most need no count.
        if value.len() <= c.max_chars {
            continue;
        }
        let chars = value.chars().count();
        if chars > c.max_chars {
            issues.push(Issue::error(
                line,
                c.ja,
                "FIELD_TOO_LONG",
                format!(
                    "{}が長すぎます: {chars}文字（上限 {}文字）",
                    c.ja, c.max_chars
                ),
                format!(
                    "{} is too long: {chars} characters (at most {})",
                    c.en, c.max_chars
                ),
            ));
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}

/// The canonical field values of a version, in column order.
pub fn format_version(v: &Version) -> Vec<String> {
    let mut out = vec![
        v.operation.code().to_string(),
        v.key.insurer.to_string(),
        v.key.insured.to_string(),
        v.key.history.to_string(),
        v.applies_from.yyyymmdd(),
    ];
    match &v.body {
        RecordBody::InsuredCard(c) => insured_card::format(c, &mut out),
        RecordBody::CopayCertificate(c) => certificates::format_copay(c, &mut out),
        RecordBody::ReductionCertificate(c) => certificates::format_reduction(c, &mut out),
        RecordBody::HomeModificationUsage(u) => usage::format_home(u, &mut out),
        RecordBody::EquipmentPurchaseUsage(u) => usage::format_equipment(u, &mut out),
    }
    debug_assert_eq!(out.len(), columns(v.body.kind()).len());
    out
}

pub(crate) fn date_or_empty(d: Option<Date>) -> String {
    d.map(Date::yyyymmdd).unwrap_or_default()
}

/// Reports `from > to` on the column of `to`.
pub(crate) fn check_order(f: &mut Fields, to_column: usize, from: Option<Date>, to: Option<Date>) {
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            let c = f.columns[to_column];
            f.fail(
                to_column,
                "PERIOD_REVERSED",
                format!("{}（{}）が開始日（{}）より前です", c.ja, to, from),
                format!("{} ({to}) is before the start ({from})", c.en),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_documented_in_the_interface_spec() {
        let doc = include_str!("../../../docs/interface/municipal.md");
        for kind in RecordKind::ALL {
            assert!(
                doc.contains(&format!("### {}", kind.code())),
                "{kind:?} has no section"
            );
            for c in columns(kind) {
                assert!(
                    doc.contains(&format!("| {} | `{}` | {} |", c.ja, c.en, c.max_chars)),
                    "{kind:?} column {} is undocumented or its maximum ({}) differs",
                    c.ja,
                    c.max_chars
                );
            }
        }
        assert!(
            doc.contains(&format!("{} bytes", crate::reader::line::MAX_LINE_BYTES)),
            "the line cap is documented"
        );
    }

    /// The line cap must never refuse a valid row: the longest valid line (every value at its
    /// maximum, in 4-byte characters, every character a quote doubled in CSV or a surrogate
    /// pair escape in JSON) fits.
    #[test]
    fn a_valid_line_always_fits_the_cap() {
        for kind in RecordKind::ALL {
            let csv: usize = columns(kind).iter().map(|c| c.max_chars * 8 + 3).sum();
            let json: usize = columns(kind)
                .iter()
                .map(|c| c.max_chars * 12 + c.en.len().max(c.ja.len()) + 6)
                .sum::<usize>()
                + 2;
            let cap = crate::reader::line::MAX_LINE_BYTES;
            assert!(
                csv <= cap && json <= cap,
                "{kind:?}: {csv} / {json} > {cap}"
            );
        }
    }

    #[test]
    fn an_overlong_value_is_refused_with_its_column_before_other_checks() {
        let ctx = RowContext {
            kind: RecordKind::CopayCertificate,
            insurer: InsurerNumber::parse("131011").unwrap(),
            policy: CheckDigitPolicy::Enforce,
        };
        let long = "9".repeat(21);
        let values = [
            "A",
            "131011",
            "0000000001",
            "1",
            "20250801",
            &long,
            "20250801",
            "20260731",
            "20250715",
        ];
        let issues = parse_row(&ctx, 7, &values).unwrap_err();
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(
            (issues[0].line, issues[0].column.as_str(), issues[0].code),
            (7, "負担割合", "FIELD_TOO_LONG")
        );
        assert!(issues[0].message_en.contains("21 characters (at most 20)"));
        // Characters are counted, not bytes: 20 kanji are 60 bytes and still fit.
        let kanji = "漢".repeat(20);
        let values = [
            "A",
            "131011",
            "0000000001",
            "1",
            "20250801",
            &kanji,
            "20250801",
            "20260731",
            "20250715",
        ];
        let issues = parse_row(&ctx, 7, &values).unwrap_err();
        assert!(
            issues.iter().all(|i| i.code != "FIELD_TOO_LONG"),
            "{issues:?}"
        );
    }
}
